#include "coldspot/geo/remits/options.hpp"

#include "coldspot/geo/error.hpp"

#include <cmath>

namespace coldspot::geo::remits {

void RemitOptions::validate() const {
    auto check = [](bool ok, const char* name, double value) {
        if (!ok) throw InvalidArgumentError(std::string("remit parameter ") + name + " is out of range: " + std::to_string(value));
    };
    check(std::isfinite(snap_distance_m.value()) && snap_distance_m.value() >= 0, "snap_distance_m", snap_distance_m.value());
    check(std::isfinite(sliver_area_m2) && sliver_area_m2 >= 0, "sliver_area_m2", sliver_area_m2);
    check(trust_max_authorities >= 1, "trust_max_authorities", trust_max_authorities);
    check(std::isfinite(trust_max_median_km) && trust_max_median_km > 0, "trust_max_median_km", trust_max_median_km);
    check(std::isfinite(min_authority_share) && min_authority_share >= 0 && min_authority_share <= 1,
          "min_authority_share", min_authority_share);
}

} // namespace coldspot::geo::remits
