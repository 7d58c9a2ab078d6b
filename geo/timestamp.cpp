#include "coldspot/geo/timestamp.hpp"

namespace coldspot::geo {

std::string utc_iso8601(std::time_t t) {
    std::tm utc{};
    gmtime_r(&t, &utc); // the reentrant form: the server formats timestamps on several threads
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return buf;
}

} // namespace coldspot::geo
