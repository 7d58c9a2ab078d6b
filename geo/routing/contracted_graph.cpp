#include "coldspot/geo/routing/contracted_graph.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/routing/detail/edge_time.hpp"

#include <algorithm>

namespace coldspot::geo::routing {

using detail::add_saturating;
using detail::at_end;
using detail::part_of;

namespace {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

/// The original edge u->v, or kNone.
std::uint32_t arc_between(const RoadGraph& g, std::uint32_t u, std::uint32_t v) {
    for (std::uint32_t e = g.first_out(NodeId{u}); e < g.end_out(NodeId{u}); ++e)
        if (g.head(EdgeId{e}).value == v) return e;
    return kNone;
}

/// Which nodes a search must stop at. A node is passed through (interior to a chain) when it has
/// exactly two distinct neighbours and is either two-way to both (two edges out, two in) or one
/// way in from one and one way out to the other, every edge at it taking at least 1 ms. Anything
/// else (a junction, a dead end, a change of direction, parallel edges, zero-time edges) is kept.
std::vector<char> kept_nodes(const RoadGraph& g) {
    const std::uint32_t n = g.node_count();
    const auto first = g.first_out_array();
    const auto head = g.head_array();
    const auto time = g.time_array();
    std::vector<std::uint8_t> in_count(n, 0);
    std::vector<std::uint32_t> in_arc(n, kNone);
    for (std::uint32_t e = 0; e < head.size(); ++e) {
        auto& c = in_count[head[e]];
        if (c < 3) ++c;
        in_arc[head[e]] = e;
    }
    const auto tails = g.tails();
    std::vector<char> kept(n, 1);
    for (std::uint32_t v = 0; v < n; ++v) {
        const std::uint32_t out = first[v + 1] - first[v];
        if (out == 2 && in_count[v] == 2) {
            const std::uint32_t a = head[first[v]], b = head[first[v] + 1];
            if (a == b || a == v || b == v || time[first[v]] == 0 || time[first[v] + 1] == 0) continue;
            const std::uint32_t av = arc_between(g, a, v), bv = arc_between(g, b, v);
            if (av != kNone && bv != kNone && time[av] > 0 && time[bv] > 0) kept[v] = 0;
        } else if (out == 1 && in_count[v] == 1) {
            const std::uint32_t b = head[first[v]], a = tails[in_arc[v]];
            if (a != b && a != v && b != v && time[first[v]] > 0 && time[in_arc[v]] > 0) kept[v] = 0;
        }
    }
    return kept;
}

} // namespace

EdgeId chain_continuation(const RoadGraph& original, NodeId v, NodeId from) noexcept {
    const std::uint32_t e = original.first_out(v);
    if (original.end_out(v) - e == 1) return EdgeId{e};
    return original.head(EdgeId{e}) == from ? EdgeId{e + 1} : EdgeId{e};
}

ContractedGraph::ContractedGraph(const RoadGraph& g) {
    const std::uint32_t n = g.node_count();
    std::vector<char> kept = kept_nodes(g);
    node_of_.assign(n, kInterior);
    for (std::uint32_t v = 0; v < n; ++v)
        if (kept[v]) {
            node_of_[v] = static_cast<std::uint32_t>(original_of_.size());
            original_of_.push_back(v);
        }
    chain_of_.assign(g.edge_count(), kNone);
    std::vector<std::uint32_t> first{0}, heads;
    std::vector<TimeMs> times;
    std::vector<float> lengths;
    // Chains are traced from kept nodes in id order, so they come out sorted by tail (CSR order).
    auto trace_from = [&](std::uint32_t s) {
        for (std::uint32_t e0 = g.first_out(NodeId{s}); e0 < g.end_out(NodeId{s}); ++e0) {
            const auto chain = static_cast<std::uint32_t>(heads.size());
            std::uint64_t t = 0;
            double len = 0;
            NodeId from{s};
            EdgeId cur{e0};
            NodeId h;
            for (;;) {
                chain_of_[cur.value] = chain;
                t += g.time_ms(cur);
                len += g.length_m(cur);
                h = g.head(cur);
                if (kept[h.value]) break;
                const EdgeId next = chain_continuation(g, h, from);
                from = h;
                cur = next;
            }
            if (t >= kUnreachable) throw InvalidArgumentError("road graph: a chain of segments longer than 49 days' drive");
            heads.push_back(node_of_[h.value]);
            times.push_back(static_cast<TimeMs>(t));
            lengths.push_back(static_cast<float>(len));
        }
        first.push_back(static_cast<std::uint32_t>(heads.size()));
    };
    for (std::uint32_t k = 0; k < original_of_.size(); ++k) trace_from(original_of_[k]);
    // A ring of pass-through nodes with no junction on it (a graph that is one loop): keep one of
    // its nodes and trace from there.
    std::vector<std::uint32_t> tails;
    for (std::uint32_t e = 0; e < g.edge_count(); ++e) {
        if (chain_of_[e] != kNone) continue;
        if (tails.empty()) tails = g.tails();
        const std::uint32_t r = tails[e];
        kept[r] = 1;
        node_of_[r] = static_cast<std::uint32_t>(original_of_.size());
        original_of_.push_back(r);
        trace_from(r);
    }
    std::vector<Point> coords;
    coords.reserve(original_of_.size());
    for (auto v : original_of_) coords.push_back(g.coord(NodeId{v}));
    forward_ = RoadGraph(std::move(first), std::move(heads), std::move(times), std::move(lengths), std::move(coords));
    reversed_ = forward_.reversed();
}

ContractedGraph::ContractedGraph(const RoadGraph& original, RoadGraph forward, std::vector<std::uint32_t> original_of,
                                 std::vector<std::uint32_t> chain_of)
    : forward_(std::move(forward)), original_of_(std::move(original_of)), chain_of_(std::move(chain_of)) {
    if (original_of_.size() != forward_.node_count() || chain_of_.size() != original.edge_count())
        throw InvalidArgumentError("contracted graph: arrays do not fit the road graph");
    node_of_.assign(original.node_count(), kInterior);
    for (std::uint32_t k = 0; k < original_of_.size(); ++k) {
        if (original_of_[k] >= original.node_count() || node_of_[original_of_[k]] != kInterior)
            throw InvalidArgumentError("contracted graph: kept node out of range or repeated");
        node_of_[original_of_[k]] = k;
    }
    for (auto c : chain_of_)
        if (c >= forward_.edge_count()) throw InvalidArgumentError("contracted graph: chain id out of range");
    reversed_ = forward_.reversed();
}

std::uint32_t ContractedGraph::chain_tail(std::uint32_t chain) const noexcept {
    const auto first = forward_.first_out_array();
    return static_cast<std::uint32_t>(std::upper_bound(first.begin(), first.end(), chain) - first.begin()) - 1;
}

std::size_t ContractedGraph::memory_bytes() const noexcept {
    return forward_.memory_bytes() + reversed_.memory_bytes() +
           (original_of_.size() + node_of_.size() + chain_of_.size()) * sizeof(std::uint32_t);
}

ChainSearch::ChainSearch(const RoadGraph& original, const ContractedGraph& contracted)
    : original_(original), contracted_(contracted), search_(contracted.reversed()) {
    if (contracted.chain_of_array().size() != original.edge_count())
        throw InvalidArgumentError("ChainSearch: the contracted graph is not this road graph's");
}

void ChainSearch::clear_sources() {
    sources_.clear();
    on_arc_.clear();
    source_chains_.clear();
}

std::pair<TimeMs, double> ChainSearch::before(std::uint32_t chain, EdgeId arc) const {
    const NodeId s = contracted_.original_of(contracted_.chain_tail(chain));
    EdgeId cur = EdgeId::invalid();
    for (std::uint32_t e = original_.first_out(s); e < original_.end_out(s); ++e)
        if (contracted_.chain_of(EdgeId{e}) == chain) cur = EdgeId{e};
    TimeMs t = 0;
    double m = 0;
    NodeId from = s;
    while (cur.valid() && cur != arc) {
        t = add_saturating(t, original_.time_ms(cur));
        m += original_.length_m(cur);
        const NodeId h = original_.head(cur);
        if (contracted_.node_of(h) != ContractedGraph::kInterior) break; // not on this chain: cannot happen
        cur = chain_continuation(original_, h, from);
        from = h;
    }
    return {t, m};
}

void ChainSearch::add_source(const Snap& place, std::uint32_t label) {
    // As sources_for: a venue at fraction g of edge c->d is g x time(edge) from c, and 0 from d
    // when it sits on d. Here c's time is carried back to the chain's tail, and a venue on a
    // pass-through node d is a venue at the end of every edge into d.
    auto at_position = [&](EdgeId arc, double fraction) {
        const std::uint32_t chain = contracted_.chain_of(arc);
        const auto [t, m] = before(chain, arc);
        sources_.push_back({NodeId{contracted_.chain_tail(chain)}, add_saturating(t, part_of(original_.time_ms(arc), fraction)),
                            static_cast<float>(m + original_.length_m(arc) * fraction), label});
        on_arc_.push_back({arc.value, fraction, label});
        source_chains_.push_back(chain);
    };
    for (const auto& p : place.positions) {
        at_position(p.edge, p.fraction);
        if (!at_end(original_, p, 1.0)) continue;
        const NodeId d = p.head;
        if (const auto k = contracted_.node_of(d); k != ContractedGraph::kInterior) {
            sources_.push_back({NodeId{k}, 0, 0, label});
            continue;
        }
        // The edges into a pass-through node: the one the venue is on, and the way back from each
        // neighbour it leads to (none on a one-way chain).
        at_position(p.edge, 1.0);
        for (std::uint32_t e = original_.first_out(d); e < original_.end_out(d); ++e) {
            const auto back = arc_between(original_, original_.head(EdgeId{e}).value, d.value);
            if (back != kNone && back != p.edge.value) at_position(EdgeId{back}, 1.0);
        }
    }
}

void ChainSearch::run(TimeMs cutoff) {
    std::sort(on_arc_.begin(), on_arc_.end());
    std::sort(source_chains_.begin(), source_chains_.end());
    source_chains_.erase(std::unique(source_chains_.begin(), source_chains_.end()), source_chains_.end());
    search_.run(sources_, cutoff);
}

bool ChainSearch::chain_has_sources(std::uint32_t chain) const {
    return std::binary_search(source_chains_.begin(), source_chains_.end(), chain);
}

std::span<const ChainSearch::OnArc> ChainSearch::on_arc(std::uint32_t arc) const {
    const auto lo = std::lower_bound(on_arc_.begin(), on_arc_.end(), arc, [](const OnArc& o, std::uint32_t a) { return o.arc < a; });
    auto hi = lo;
    while (hi != on_arc_.end() && hi->arc == arc) ++hi;
    return {lo, hi};
}

void ChainSearch::walk(EdgeId first, NodeId from, Arrival& best) const {
    // Along the chain from `from` over `first` to the junction at its end, taking any source on
    // the way; turning back inside a chain never helps (it repeats road already driven).
    const bool sources_here = chain_has_sources(contracted_.chain_of(first));
    TimeMs acc = 0;
    double metres = 0;
    EdgeId cur = first;
    for (;;) {
        if (acc >= best.time) return;
        const TimeMs w = original_.time_ms(cur);
        const double len = original_.length_m(cur);
        if (sources_here)
            for (const auto& o : on_arc(cur.value)) {
                const TimeMs t = add_saturating(acc, part_of(w, o.fraction));
                if (t < best.time) best = {t, metres + len * o.fraction, o.label};
            }
        acc = add_saturating(acc, w);
        metres += len;
        const NodeId h = original_.head(cur);
        if (const auto k = contracted_.node_of(h); k != ContractedGraph::kInterior) {
            const TimeMs at = search_.time(NodeId{k});
            if (at != kUnreachable) {
                const TimeMs t = add_saturating(acc, at);
                if (t < best.time) best = {t, metres + search_.metres(NodeId{k}), search_.label(NodeId{k})};
            }
            return;
        }
        cur = chain_continuation(original_, h, from);
        from = h;
    }
}

Arrival ChainSearch::node_arrival(NodeId v) const {
    Arrival best;
    if (const auto k = contracted_.node_of(v); k != ContractedGraph::kInterior) {
        const TimeMs t = search_.time(NodeId{k});
        if (t != kUnreachable) best = {t, search_.metres(NodeId{k}), search_.label(NodeId{k})};
        return best;
    }
    for (std::uint32_t e = original_.first_out(v); e < original_.end_out(v); ++e) walk(EdgeId{e}, v, best);
    return best;
}

Arrival ChainSearch::arrival(const Snap& place) const {
    // As arrival(): leave along each position's edge to its head (or from its tail when the place
    // sits on it), or meet a source further along the same edge.
    Arrival best;
    for (const auto& p : place.positions) {
        const TimeMs w = original_.time_ms(p.edge);
        const double len = original_.length_m(p.edge);
        if (at_end(original_, p, 0.0)) {
            const Arrival a = node_arrival(p.tail);
            if (a.time < best.time) best = a;
        }
        const Arrival h = node_arrival(p.head);
        if (h.time != kUnreachable) {
            const TimeMs t = add_saturating(part_of(w, 1.0 - p.fraction), h.time);
            if (t < best.time) best = {t, len * (1.0 - p.fraction) + h.metres, h.label};
        }
        for (const auto& o : on_arc(p.edge.value)) {
            if (o.fraction < p.fraction) continue;
            const TimeMs t = part_of(w, o.fraction - p.fraction);
            if (t < best.time) best = {t, len * (o.fraction - p.fraction), o.label};
        }
    }
    return best;
}

std::vector<TimeMs> ChainSearch::node_times() const {
    std::vector<TimeMs> out(original_.node_count(), kUnreachable);
    const RoadGraph& c = contracted_.forward();
    std::vector<EdgeId> arcs;
    for (std::uint32_t k = 0; k < c.node_count(); ++k) {
        const NodeId s = contracted_.original_of(k);
        out[s.value] = search_.time(NodeId{k});
        for (std::uint32_t e0 = original_.first_out(s); e0 < original_.end_out(s); ++e0) {
            arcs.clear();
            NodeId from = s;
            EdgeId cur{e0};
            NodeId h;
            for (;;) {
                arcs.push_back(cur);
                h = original_.head(cur);
                if (contracted_.node_of(h) != ContractedGraph::kInterior) break;
                const EdgeId next = chain_continuation(original_, h, from);
                from = h;
                cur = next;
            }
            if (arcs.size() < 2) continue;
            const bool sources_here = chain_has_sources(contracted_.chain_of(EdgeId{e0}));
            // Backwards from the junction at the end: each pass-through node's time this way.
            TimeMs val = search_.time(NodeId{contracted_.node_of(h)});
            for (std::size_t i = arcs.size(); i-- > 1;) {
                const TimeMs w = original_.time_ms(arcs[i]);
                TimeMs v = val == kUnreachable ? kUnreachable : add_saturating(w, val);
                if (sources_here)
                    for (const auto& o : on_arc(arcs[i].value)) v = std::min(v, part_of(w, o.fraction));
                val = v;
                const NodeId tail = original_.head(arcs[i - 1]);
                out[tail.value] = std::min(out[tail.value], val);
            }
        }
    }
    return out;
}

} // namespace coldspot::geo::routing
