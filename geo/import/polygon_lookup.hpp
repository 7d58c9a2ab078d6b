#pragma once
// Which polygon of a layer holds a point: an R-tree over envelopes, then GEOS prepared
// "covers". Points on a shared boundary go to the polygon whose code sorts first, so the answer
// is deterministic; points outside every polygon may snap to the nearest within a distance.
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/geos.hpp"

#include <boost/geometry/index/rtree.hpp>

#include <optional>
#include <vector>

namespace coldspot::geo::import::detail {

class PolygonLookup {
public:
    /// `table` must be a MultiPolygon layer whose field `code_field` holds the code.
    PolygonLookup(const FeatureTable& table, const std::string& code_field);

    struct Hit {
        std::size_t feature = 0; ///< index into the table's features
        double distance = 0;     ///< 0 inside, else metres to the polygon
    };
    /// The covering polygon, or the nearest within `snap_distance` (distance > 0), or nullopt.
    std::optional<Hit> find(const Point& p, double snap_distance) const;

private:
    using Entry = std::pair<Box, std::size_t>;
    const FeatureTable& table_;
    std::size_t code_field_;
    std::vector<PreparedPolygon> prepared_;
    bg::index::rtree<Entry, bg::index::quadratic<16>> rtree_;
};

} // namespace coldspot::geo::import::detail
