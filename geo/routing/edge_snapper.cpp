#include "coldspot/geo/routing/edge_snapper.hpp"

#include <algorithm>
#include <iterator>

namespace coldspot::geo::routing {

namespace {

bool has_edge(const RoadGraph& g, std::uint32_t from, std::uint32_t to) {
    for (std::uint32_t e = g.first_out(NodeId{from}); e < g.end_out(NodeId{from}); ++e)
        if (g.head(EdgeId{e}).value == to) return true;
    return false;
}

} // namespace

EdgeSnapper::EdgeSnapper(const RoadGraph& graph) : graph_(graph) {
    std::vector<Entry> entries;
    entries.reserve(graph.edge_count() / 2 + 1);
    for (std::uint32_t u = 0; u < graph.node_count(); ++u)
        for (std::uint32_t e = graph.first_out(NodeId{u}); e < graph.end_out(NodeId{u}); ++e) {
            const std::uint32_t v = graph.head(EdgeId{e}).value;
            // One entry per segment: the u<v edge, or a one-way v<u edge with no partner.
            if (u < v || !has_edge(graph, v, u))
                entries.emplace_back(Segment(graph.coord(NodeId{u}), graph.coord(NodeId{v})),
                                     (std::uint64_t{u} << 32) | v);
        }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.second < b.second; });
    entries.erase(std::unique(entries.begin(), entries.end(),
                              [](const Entry& a, const Entry& b) { return a.second == b.second; }),
                  entries.end());
    tree_ = decltype(tree_)(entries.begin(), entries.end()); // bulk loading (packing)
}

Snap EdgeSnapper::snap(const Point& p) const {
    Snap s;
    std::vector<Entry> hit;
    tree_.query(boost::geometry::index::nearest(p, 1), std::back_inserter(hit));
    if (hit.empty()) return s;
    const auto u = static_cast<std::uint32_t>(hit[0].second >> 32);
    const auto v = static_cast<std::uint32_t>(hit[0].second & 0xffffffffu);
    const Point& a = graph_.coord(NodeId{u});
    const Point& b = graph_.coord(NodeId{v});
    const double dx = b.x() - a.x(), dy = b.y() - a.y();
    const double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((p.x() - a.x()) * dx + (p.y() - a.y()) * dy) / len2 : 0;
    t = std::clamp(t, 0.0, 1.0);
    s.found = true;
    s.snapped = Point(a.x() + t * dx, a.y() + t * dy);
    s.distance_m = bg::distance(p, s.snapped);
    for (std::uint32_t e = graph_.first_out(NodeId{u}); e < graph_.end_out(NodeId{u}); ++e)
        if (graph_.head(EdgeId{e}).value == v) s.positions.push_back({EdgeId{e}, NodeId{u}, NodeId{v}, t});
    for (std::uint32_t e = graph_.first_out(NodeId{v}); e < graph_.end_out(NodeId{v}); ++e)
        if (graph_.head(EdgeId{e}).value == u) s.positions.push_back({EdgeId{e}, NodeId{v}, NodeId{u}, 1.0 - t});
    return s;
}

} // namespace coldspot::geo::routing
