#include "coldspot/geo/coldspots/detail/road_coverage.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/routing/edge_snapper.hpp"
#include "coldspot/geo/routing/multi_source_search.hpp"
#include "coldspot/geo/routing/travel_time_matrix.hpp"

#include <algorithm>
#include <cmath>

namespace coldspot::geo::coldspots {

namespace {

std::vector<routing::Snap> snap_all(const routing::EdgeSnapper& snapper, std::span<const Point> points, double limit_m,
                                    std::size_t& off_road) {
    std::vector<routing::Snap> out;
    out.reserve(points.size());
    for (const auto& p : points) {
        auto s = snapper.snap(p);
        if (!s.found || s.distance_m > limit_m) {
            s.found = false; // beyond road coverage: the straight-line estimate applies
            ++off_road;
        }
        out.push_back(std::move(s));
    }
    return out;
}

} // namespace

RoadCoverage road_coverage(const routing::RoadGraph& graph, const CoverageInputs& in,
                           const routing::SpeedProfile& profile) {
    if (!(in.cutoff > Minutes(0))) throw InvalidArgumentError("road coverage needs a positive cutoff in minutes");
    if (in.weight.size() != in.demand.size())
        throw InvalidArgumentError("road coverage: " + std::to_string(in.weight.size()) + " weights for " +
                                   std::to_string(in.demand.size()) + " demand points");
    RoadCoverage out;
    auto& problem = out.problem;
    problem.demand.assign(in.weight.begin(), in.weight.end());
    const auto cutoff = static_cast<routing::TimeMs>(std::llround(in.cutoff.value() * 60000.0));
    const double straight_reach_m = distance_at(profile.fallback_kph, in.cutoff).value() / profile.circuity_factor;

    const routing::EdgeSnapper snapper(graph);
    const routing::RoadGraph reversed = graph.reversed();
    std::size_t off_road_existing = 0;
    const auto demand = snap_all(snapper, in.demand, in.no_coverage.value(), out.demand_off_road);
    const auto candidates = snap_all(snapper, in.candidates, in.no_coverage.value(), out.candidates_off_road);
    const auto existing = snap_all(snapper, in.existing, in.no_coverage.value(), off_road_existing);

    // Existing venues: one multi-source search on the reversed graph, bounded by the cutoff.
    problem.already_covered.assign(in.demand.size(), 0);
    {
        routing::MultiSourceSearch search(reversed);
        std::vector<routing::SearchSource> sources;
        std::vector<routing::LabelledPosition> same;
        for (std::size_t v = 0; v < existing.size(); ++v) {
            if (!existing[v].found) continue;
            const auto s = routing::sources_for(graph, existing[v], static_cast<std::uint32_t>(v));
            sources.insert(sources.end(), s.begin(), s.end());
            for (const auto& p : existing[v].positions) same.push_back({p, static_cast<std::uint32_t>(v)});
        }
        search.run(sources, cutoff);
        for (std::size_t j = 0; j < demand.size(); ++j) {
            bool covered = false;
            if (demand[j].found) {
                const auto a = routing::arrival(graph, search, demand[j], same);
                covered = a.time != routing::kUnreachable && a.time <= cutoff;
            }
            // Pairs with a place beyond road coverage: straight line, as school_access does.
            for (std::size_t v = 0; v < existing.size() && !covered; ++v)
                if (!demand[j].found || !existing[v].found)
                    covered = bg::distance(in.demand[j], in.existing[v]) <= straight_reach_m;
            problem.already_covered[j] = covered;
        }
    }

    // Candidates: one bounded search each.
    const auto matrix = routing::times_to_destinations(graph, reversed, demand, candidates, cutoff);
    problem.covers.resize(candidates.size());
    for (std::size_t c = 0; c < candidates.size(); ++c) {
        auto& cover = problem.covers[c];
        for (const auto& cell : matrix[c]) cover.push_back(cell.place);
        for (std::size_t j = 0; j < demand.size(); ++j)
            if ((!demand[j].found || !candidates[c].found) && bg::distance(in.demand[j], in.candidates[c]) <= straight_reach_m)
                cover.push_back(static_cast<std::uint32_t>(j));
        std::sort(cover.begin(), cover.end());
        cover.erase(std::unique(cover.begin(), cover.end()), cover.end());
    }
    return out;
}

} // namespace coldspot::geo::coldspots
