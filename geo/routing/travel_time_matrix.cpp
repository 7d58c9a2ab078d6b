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
