#include "coldspot/geo/version.hpp"

namespace coldspot {

const char* version() { return COLDSPOT_VERSION; }

} // namespace coldspot
