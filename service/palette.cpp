#include "coldspot/service/palette.hpp"

#include "routes.hpp"

namespace coldspot::service {

const nlohmann::json& palette_json() { return detail::palette(); }

} // namespace coldspot::service
