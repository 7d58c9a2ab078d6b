#pragma once
// The routable road graph: a directed graph in compressed sparse row form with 32-bit ids.
// Per edge: head node, travel time (ms) and length (m) = 12 bytes; per node: the CSR offset and
// its EPSG:27700 coordinate = 20 bytes. Every line vertex is a node, so every edge is a straight
// segment: snapping to an edge is then exact, and isochrones can be drawn from node times.
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/geometry.hpp"
#include "coldspot/geo/routing/ids.hpp"
#include "coldspot/geo/routing/speed_profile.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace coldspot::geo::routing {

/// Immutable once built; its arrays are either its own or a memory-mapped graph cache's (kept alive by
/// `owner`), so copies share them.
class RoadGraph {
public:
    RoadGraph();
    RoadGraph(std::vector<std::uint32_t> first_out, std::vector<std::uint32_t> head, std::vector<TimeMs> time_ms,
              std::vector<float> length_m, std::vector<Point> coords);
    /// A graph over arrays that `owner` keeps alive (a mapped cache file). Throws InvalidArgumentError
    /// when the arrays do not form a CSR graph's shape.
    RoadGraph(std::span<const std::uint32_t> first_out, std::span<const std::uint32_t> head, std::span<const TimeMs> time_ms,
              std::span<const float> length_m, std::span<const Point> coords, std::shared_ptr<const void> owner);

    std::uint32_t node_count() const noexcept { return static_cast<std::uint32_t>(coords_.size()); }
    std::uint32_t edge_count() const noexcept { return static_cast<std::uint32_t>(head_.size()); }

    /// Edges leaving n are [first_out(n), first_out(n+1)).
    std::uint32_t first_out(NodeId n) const noexcept { return first_out_[n.value]; }
    std::uint32_t end_out(NodeId n) const noexcept { return first_out_[n.value + 1]; }
    NodeId head(EdgeId e) const noexcept { return NodeId{head_[e.value]}; }
    TimeMs time_ms(EdgeId e) const noexcept { return time_ms_[e.value]; }
    float length_m(EdgeId e) const noexcept { return length_m_[e.value]; }
    const Point& coord(NodeId n) const noexcept { return coords_[n.value]; }

    std::span<const std::uint32_t> first_out_array() const noexcept { return first_out_; }
    std::span<const std::uint32_t> head_array() const noexcept { return head_; }
    std::span<const TimeMs> time_array() const noexcept { return time_ms_; }
    std::span<const float> length_array() const noexcept { return length_m_; }
    std::span<const Point> coords() const noexcept { return coords_; }

    /// The tail of every edge (one scan of the offsets).
    std::vector<std::uint32_t> tails() const;
    /// The same graph with every edge turned round: a search on it from the venues gives each
    /// node its time *to* the nearest venue.
    RoadGraph reversed() const;
    /// Bytes held by the arrays.
    std::size_t memory_bytes() const noexcept;

private:
    void check_shape() const;
    std::shared_ptr<const void> owner_;
    std::span<const std::uint32_t> first_out_;
    std::span<const std::uint32_t> head_;
    std::span<const TimeMs> time_ms_;
    std::span<const float> length_m_;
    std::span<const Point> coords_;
};

/// What building the graph kept and dropped.
struct GraphBuildReport {
    std::size_t roads_read = 0;
    std::size_t roads_not_routable = 0;  ///< class absent from the speed profile
    std::size_t roads_degenerate = 0;    ///< fewer than two distinct vertices
    std::size_t nodes_before = 0, edges_before = 0;
    std::size_t components = 0;          ///< strongly connected components before pruning
    std::size_t nodes_removed = 0, edges_removed = 0; ///< outside the largest component
    std::map<std::string, std::size_t, std::less<>> not_routable_classes;
    std::string to_string() const;
};

struct BuiltGraph {
    RoadGraph graph;
    GraphBuildReport report;
};

/// Collects nodes and roads, then builds the CSR arrays.
class RoadGraphBuilder {
public:
    /// A fresh node (an interior vertex, not shared with other lines).
    NodeId add_node(const Point& p);
    /// The junction within 5 cm of this coordinate, created on first use: line ends meet here.
    NodeId junction_at(const Point& p);
    /// A road segment a-b of the given length and speed. oneway: 0 both ways, 1 a->b, -1 b->a.
    void add_segment(NodeId a, NodeId b, double length_m, double kph, int oneway);
    /// Adds one line of a roads layer: its ends become junctions, its interior vertices own nodes,
    /// and length_m is shared out along the segments in proportion to their drawn length.
    /// Returns false when the line has fewer than two distinct vertices.
    bool add_line(const LineString& line, double length_m, double kph, int oneway);

    std::size_t node_count() const noexcept { return coords_.size(); }
    /// Builds the CSR. With keep_largest_scc, only the largest strongly connected component is
    /// kept (ids renumbered), so that every kept node can reach and be reached from every other.
    BuiltGraph build(bool keep_largest_scc = true);

private:
    struct Arc {
        std::uint32_t tail, head;
        TimeMs time;
        float length;
    };
    std::vector<Point> coords_;
    std::vector<Arc> arcs_;
    std::unordered_map<std::uint64_t, std::uint32_t> junctions_;
};

/// Travel time of a segment in ms (at least 1 ms for a positive length).
TimeMs segment_time_ms(double length_m, double kph);

/// Builds the graph from a `roads` layer (docs/workspace.md) with the profile's speeds.
BuiltGraph build_road_graph(const FeatureTable& roads, const SpeedProfile& profile, bool keep_largest_scc = true);

/// Labels each node with its strongly connected component (iterative Tarjan; no recursion, so
/// national graphs do not overflow the stack). Returns the number of components.
std::uint32_t strongly_connected_components(const RoadGraph& g, std::vector<std::uint32_t>& component);

} // namespace coldspot::geo::routing
