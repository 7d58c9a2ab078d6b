#include "coldspot/geo/routing/travel_time_matrix.hpp"

#include "coldspot/geo/routing/multi_source_search.hpp"

#include <algorithm>
#include <unordered_map>

namespace coldspot::geo::routing {

std::vector<std::vector<MatrixCell>> times_to_destinations(const RoadGraph& forward, const RoadGraph& reversed,
                                                           std::span<const Snap> places,
                                                           std::span<const Snap> destinations, TimeMs cutoff) {
    // A place is reached through the nodes at both ends of its edges (arrival() reads them).
    std::vector<std::uint32_t> bucket_first(forward.node_count() + 1, 0), bucket;
    for (const auto& s : places)
        if (s.found)
            for (const auto& p : s.positions) {
                ++bucket_first[p.head.value + 1];
                ++bucket_first[p.tail.value + 1];
            }
    for (std::size_t n = 1; n < bucket_first.size(); ++n) bucket_first[n] += bucket_first[n - 1];
    bucket.resize(bucket_first.back());
    {
        std::vector<std::uint32_t> pos(bucket_first.begin(), bucket_first.end() - 1);
        for (std::uint32_t i = 0; i < places.size(); ++i)
            if (places[i].found)
                for (const auto& p : places[i].positions) {
                    bucket[pos[p.head.value]++] = i;
                    bucket[pos[p.tail.value]++] = i;
                }
    }
    // A place on the destination's own edge, upstream of it, arrives without reaching a node.
    std::unordered_multimap<std::uint32_t, std::uint32_t> places_on_edge;
    for (std::uint32_t i = 0; i < places.size(); ++i)
        if (places[i].found)
            for (const auto& p : places[i].positions) places_on_edge.emplace(p.edge.value, i);

    MultiSourceSearch search(reversed);
    std::vector<std::vector<MatrixCell>> out(destinations.size());
    std::vector<std::size_t> seen(places.size(), std::numeric_limits<std::size_t>::max());
    std::vector<std::uint32_t> candidates;
    std::vector<LabelledPosition> same;
    for (std::size_t d = 0; d < destinations.size(); ++d) {
        if (!destinations[d].found) continue;
        const auto sources = sources_for(forward, destinations[d], 0);
        same.clear();
        for (const auto& p : destinations[d].positions) same.push_back({p, 0});
        search.run(sources, cutoff);
        candidates.clear();
        auto consider = [&](std::uint32_t i) {
            if (seen[i] == d) return;
            seen[i] = d;
            candidates.push_back(i);
        };
        for (auto n : search.settled())
            for (auto k = bucket_first[n]; k < bucket_first[n + 1]; ++k) consider(bucket[k]);
        for (const auto& lp : same) {
            auto [b, e] = places_on_edge.equal_range(lp.position.edge.value);
            for (auto it = b; it != e; ++it) consider(it->second);
        }
        std::sort(candidates.begin(), candidates.end());
        for (auto i : candidates) {
            const Arrival a = arrival(forward, search, places[i], same);
            if (a.time != kUnreachable && a.time <= cutoff) out[d].push_back({i, a.time, a.metres});
        }
    }
    return out;
}

} // namespace coldspot::geo::routing

namespace coldspot::geo::routing {

std::vector<std::vector<MatrixCell>> times_to_destinations(const RoadGraph& forward, const ContractedGraph& contracted,
                                                           std::span<const Snap> places,
                                                           std::span<const Snap> destinations, TimeMs cutoff) {
    // ChainSearch::arrival reads, for each position, the junctions at both ends of its chain
    // (its head onwards, or back the other way from a pass-through node), and the sources on the
    // chains of the edges leaving the position's pass-through ends.
    const RoadGraph& c = contracted.forward();
    std::vector<std::uint32_t> bucket_first(c.node_count() + 1, 0), bucket;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> junctions_of; // (junction, place)
    std::vector<std::pair<std::uint32_t, std::uint32_t>> chains_of;    // (chain, place)
    for (std::uint32_t i = 0; i < places.size(); ++i) {
        if (!places[i].found) continue;
        for (const auto& p : places[i].positions) {
            const std::uint32_t chain = contracted.chain_of(p.edge);
            junctions_of.emplace_back(contracted.chain_tail(chain), i);
            junctions_of.emplace_back(c.head(EdgeId{chain}).value, i);
            chains_of.emplace_back(chain, i);
            for (const NodeId end : {p.tail, p.head})
                if (contracted.node_of(end) == ContractedGraph::kInterior)
                    for (std::uint32_t e = forward.first_out(end); e < forward.end_out(end); ++e)
                        chains_of.emplace_back(contracted.chain_of(EdgeId{e}), i);
        }
    }
    for (auto* v : {&junctions_of, &chains_of}) {
        std::sort(v->begin(), v->end());
        v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    for (const auto& [n, i] : junctions_of) ++bucket_first[n + 1];
    for (std::size_t n = 1; n < bucket_first.size(); ++n) bucket_first[n] += bucket_first[n - 1];
    bucket.reserve(junctions_of.size());
    for (const auto& [n, i] : junctions_of) bucket.push_back(i);

    ChainSearch search(forward, contracted);
    std::vector<std::vector<MatrixCell>> out(destinations.size());
    std::vector<std::size_t> seen(places.size(), std::numeric_limits<std::size_t>::max());
    std::vector<std::uint32_t> candidates, source_chains;
    for (std::size_t d = 0; d < destinations.size(); ++d) {
        if (!destinations[d].found) continue;
        search.clear_sources();
        search.add_source(destinations[d], 0);
        search.run(cutoff);
        candidates.clear();
        auto consider = [&](std::uint32_t i) {
            if (seen[i] == d) return;
            seen[i] = d;
            candidates.push_back(i);
        };
        for (auto n : search.junction_search().settled())
            for (auto k = bucket_first[n]; k < bucket_first[n + 1]; ++k) consider(bucket[k]);
        for (const auto& p : destinations[d].positions) {
            // The destination's chains, and those of the edges into a pass-through node it sits on.
            source_chains.clear();
            source_chains.push_back(contracted.chain_of(p.edge));
            if (contracted.node_of(p.head) == ContractedGraph::kInterior)
                for (std::uint32_t e = forward.first_out(p.head); e < forward.end_out(p.head); ++e) {
                    const NodeId n = forward.head(EdgeId{e});
                    for (std::uint32_t b = forward.first_out(n); b < forward.end_out(n); ++b)
                        if (forward.head(EdgeId{b}) == p.head) source_chains.push_back(contracted.chain_of(EdgeId{b}));
                }
            for (auto chain : source_chains) {
                auto it = std::lower_bound(chains_of.begin(), chains_of.end(), std::pair<std::uint32_t, std::uint32_t>{chain, 0});
                for (; it != chains_of.end() && it->first == chain; ++it) consider(it->second);
            }
        }
        std::sort(candidates.begin(), candidates.end());
        for (auto i : candidates) {
            const Arrival a = search.arrival(places[i]);
            if (a.time != kUnreachable && a.time <= cutoff) out[d].push_back({i, a.time, a.metres});
        }
    }
    return out;
}

} // namespace coldspot::geo::routing
