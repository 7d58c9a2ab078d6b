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
    // Several segments can lie equally near: a two-way street drawn as two directed lines (OSMnx
    // edge files), or a point exactly on a junction. All of them within a millimetre of the best
    // are places to leave from.
    std::vector<Entry> hits;
    tree_.query(boost::geometry::index::nearest(p, 8), std::back_inserter(hits));
    if (hits.empty()) return s;
    struct Candidate {
        std::uint32_t u, v;
        double t, distance;
        Point at;
    };
    std::vector<Candidate> candidates;
    for (const auto& h : hits) {
        const auto u = static_cast<std::uint32_t>(h.second >> 32);
        const auto v = static_cast<std::uint32_t>(h.second & 0xffffffffu);
        const Point& a = graph_.coord(NodeId{u});
        const Point& b = graph_.coord(NodeId{v});
        const double dx = b.x() - a.x(), dy = b.y() - a.y();
        const double len2 = dx * dx + dy * dy;
        const double t = std::clamp(len2 > 0 ? ((p.x() - a.x()) * dx + (p.y() - a.y()) * dy) / len2 : 0.0, 0.0, 1.0);
        const Point at(a.x() + t * dx, a.y() + t * dy);
        candidates.push_back({u, v, t, bg::distance(p, at), at});
    }
    const auto best = std::min_element(candidates.begin(), candidates.end(),
                                       [](const auto& a, const auto& b) { return a.distance < b.distance; });
    s.found = true;
    s.snapped = best->at;
    s.distance_m = best->distance;
    for (const auto& c : candidates) {
        if (c.distance > best->distance + 1e-3) continue;
        for (std::uint32_t e = graph_.first_out(NodeId{c.u}); e < graph_.end_out(NodeId{c.u}); ++e)
            if (graph_.head(EdgeId{e}).value == c.v) s.positions.push_back({EdgeId{e}, NodeId{c.u}, NodeId{c.v}, c.t});
        for (std::uint32_t e = graph_.first_out(NodeId{c.v}); e < graph_.end_out(NodeId{c.v}); ++e)
            if (graph_.head(EdgeId{e}).value == c.u) s.positions.push_back({EdgeId{e}, NodeId{c.v}, NodeId{c.u}, 1.0 - c.t});
    }
    return s;
}

} // namespace coldspot::geo::routing
