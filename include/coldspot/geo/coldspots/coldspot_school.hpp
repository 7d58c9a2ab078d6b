#pragma once
// A row of `coldspots_schools` as a typed record, and its adapter to the layer: the schema and each
// row's values come from one list of columns, so they cannot fall out of step (docs/methodology.md).
#include "coldspot/geo/coldspots/school_index.hpp"
#include "coldspot/geo/feature_table.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace coldspot::geo::coldspots {

/// One school's local Getis-Ord Gi* (its bin and whether the cold-spot rule holds).
struct LocalGi {
    double statistic = 0, z = 0, p = 0, p_sim = 0, p_fdr = 0;
    std::int64_t bin = 0;
    bool cold_spot = false;
};

/// One school's local Moran's I, its quadrant and its cluster (none for an island).
struct LocalMoran {
    double statistic = 0, z = 0, p = 0, p_sim = 0, p_fdr = 0;
    std::string quadrant;
    std::optional<std::string> cluster;
};

/// A school's index and components, with its local statistics when it was scored and they ran.
struct ColdspotSchool {
    const SchoolScore* school = nullptr; ///< never null in a row
    std::optional<LocalGi> gi;
    std::optional<LocalMoran> moran; ///< only with gi
    bool island = false;             ///< no neighbour within the weights; only with gi
};

/// The empty `coldspots_schools` layer, with a `minutes_<type>` field per hub type.
FeatureTable coldspots_schools_layer(const std::vector<std::string>& hub_types);

/// The record as a row of that layer (fid: the URN).
Feature to_feature(const ColdspotSchool& row, const std::vector<std::string>& hub_types);

} // namespace coldspot::geo::coldspots
