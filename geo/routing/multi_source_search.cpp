#include "coldspot/geo/routing/multi_source_search.hpp"

#include "coldspot/geo/routing/detail/edge_time.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace coldspot::geo::routing {

using detail::add_saturating;
using detail::at_end;
using detail::part_of;

MultiSourceSearch::MultiSourceSearch(const RoadGraph& graph)
    : graph_(graph), time_(graph.node_count(), kUnreachable), metres_(graph.node_count(), 0),
      label_(graph.node_count(), 0) {}

void MultiSourceSearch::run(std::span<const SearchSource> sources, TimeMs cutoff) {
    for (auto n : touched_) time_[n] = kUnreachable;
    touched_.clear();
    settled_.clear();
    heap_.clear();
    auto push = [this](TimeMs t, std::uint32_t n) { heap_.push(t, n); };
    for (const auto& s : sources) {
        const std::uint32_t n = s.node.value;
        if (s.time > cutoff) continue;
        if (time_[n] == kUnreachable) touched_.push_back(n);
        if (s.time < time_[n]) {
            time_[n] = s.time;
            metres_[n] = s.metres;
            label_[n] = s.label;
            push(s.time, n);
        }
    }
    const auto first = graph_.first_out_array();
    const auto head = graph_.head_array();
    const auto weight = graph_.time_array();
    const auto length = graph_.length_array();
    while (!heap_.empty()) {
        const auto [t, u] = heap_.pop();
        if (t != time_[u]) continue; // stale entry
        settled_.push_back(u);
        for (std::uint32_t e = first[u]; e < first[u + 1]; ++e) {
            const std::uint32_t v = head[e];
            const TimeMs nt = add_saturating(t, weight[e]);
            if (nt > cutoff || nt >= time_[v]) continue;
            if (time_[v] == kUnreachable) touched_.push_back(v);
            time_[v] = nt;
            metres_[v] = metres_[u] + length[e];
            label_[v] = label_[u];
            push(nt, v);
        }
    }
}

std::vector<SearchSource> sources_for(const RoadGraph& forward, const Snap& place, std::uint32_t label) {
    std::vector<SearchSource> out;
    for (const auto& p : place.positions) {
        out.push_back({p.tail, part_of(forward.time_ms(p.edge), p.fraction),
                      static_cast<float>(forward.length_m(p.edge) * p.fraction), label});
        // A venue snapped onto a node is reached from that node, whatever edge it was found on.
        if (at_end(forward, p, 1.0)) out.push_back({p.head, 0, 0, label});
    }
    return out;
}

Arrival arrival(const RoadGraph& forward, const MultiSourceSearch& search, const Snap& place,
                std::span<const LabelledPosition> same_edge) {
    Arrival best;
    for (const auto& p : place.positions) {
        const TimeMs w = forward.time_ms(p.edge);
        const double len = forward.length_m(p.edge);
        // A school snapped onto a node may leave that node along any of its edges.
        if (at_end(forward, p, 0.0) && search.time(p.tail) < best.time)
            best = {search.time(p.tail), search.metres(p.tail), search.label(p.tail)};
        const TimeMs at_head = search.time(p.head);
        if (at_head != kUnreachable) {
            const TimeMs t = add_saturating(part_of(w, 1.0 - p.fraction), at_head);
            if (t < best.time) best = {t, len * (1.0 - p.fraction) + search.metres(p.head), search.label(p.head)};
        }
        for (const auto& s : same_edge) {
            if (s.position.edge != p.edge || s.position.fraction < p.fraction) continue;
            const TimeMs t = part_of(w, s.position.fraction - p.fraction);
            if (t < best.time) best = {t, len * (s.position.fraction - p.fraction), s.label};
        }
    }
    return best;
}

} // namespace coldspot::geo::routing
