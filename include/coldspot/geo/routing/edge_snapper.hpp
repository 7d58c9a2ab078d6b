#pragma once
// Snapping a point to the nearest road *segment* (not the nearest node) with a Boost.Geometry
// R-tree over the graph's segments. A school halfway along a 1 km street starts halfway along it.
#include "coldspot/geo/geometry.hpp"
#include "coldspot/geo/routing/road_graph.hpp"

#include <boost/geometry/index/rtree.hpp>

#include <vector>

namespace coldspot::geo::routing {

/// A place on a directed edge: `fraction` of the way from its tail to its head.
struct EdgePosition {
    EdgeId edge;
    NodeId tail, head;
    double fraction = 0;
};

struct Snap {
    bool found = false;       ///< false only for an empty graph
    Point snapped;            ///< nearest point on the road
    double distance_m = 0;    ///< from the input point to `snapped`
    /// Every directed edge drawn along the nearest segment (one for a one-way street, two for a
    /// two-way one), so a school can leave in any direction the road allows.
    std::vector<EdgePosition> positions;
};

class EdgeSnapper {
public:
    /// Indexes every segment once (a two-way street's two edges share one entry).
    explicit EdgeSnapper(const RoadGraph& graph);
    Snap snap(const Point& p) const;
    std::size_t segment_count() const noexcept { return tree_.size(); }

private:
    using Segment = bg::model::segment<Point>;
    using Entry = std::pair<Segment, std::uint64_t>; ///< (u << 32) | v
    const RoadGraph& graph_;
    boost::geometry::index::rtree<Entry, boost::geometry::index::rstar<16>> tree_;
};

} // namespace coldspot::geo::routing
