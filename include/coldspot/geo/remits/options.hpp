#pragma once
// Tunable parameters of a remit analysis. Defaults are documented (and justified) in docs/remits.md.
#include "coldspot/geo/alias.hpp"

#include <optional>
#include <string>

namespace coldspot::geo::remits {

struct RemitOptions {
    /// A school outside every polygon of a layer (generalised, clipped coastlines and estuaries)
    /// is matched to the nearest polygon no farther than this, and flagged as snapped.
    Metres snap_distance_m{2000.0};
    /// Connected parts of zones, gaps and overlaps smaller than this are listed in `remit_slivers`.
    double sliver_area_m2 = 10000.0;
    /// A trust is not local when its schools lie in more than this many upper-tier authorities ...
    int trust_max_authorities = 3;
    /// ... or when the median straight-line distance between pairs of its schools exceeds this.
    double trust_max_median_km = 50.0;
    /// A hub counts as serving an authority when it covers at least this share of its area.
    double min_authority_share = 0.01;
    /// Restrict the study area to the districts whose `region` equals this (all districts if unset).
    std::optional<std::string> region;

    /// Throws InvalidArgumentError naming the parameter when a value is out of range.
    void validate() const;
};

} // namespace coldspot::geo::remits
