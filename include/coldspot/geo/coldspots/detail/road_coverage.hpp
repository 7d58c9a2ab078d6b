#pragma once
// The covering problem of venue suggestion built on the road graph: candidate c covers demand
// point j when the drive from j to c (school -> venue, as school_access measures it) is within
// the cutoff; j is already covered when its drive to the nearest existing venue is. Places
// beyond road coverage (farther from any road than `no_coverage`) use the straight-line
// estimate for their pairs, as school_access does.
#include "coldspot/geo/alias.hpp"
#include "coldspot/geo/coldspots/venue_suggestion.hpp"
#include "coldspot/geo/geometry.hpp"
#include "coldspot/geo/routing/access_run.hpp"
#include "coldspot/geo/routing/road_graph.hpp"
#include "coldspot/geo/routing/speed_profile.hpp"

#include <span>
#include <vector>

namespace coldspot::geo::coldspots {

struct CoverageInputs {
    std::span<const Point> demand;
    std::span<const double> weight;     ///< per demand point
    std::span<const Point> candidates;  ///< possible new venues
    std::span<const Point> existing;    ///< venues kept fixed
    Minutes cutoff{30};
    Metres no_coverage{2000};           ///< as routing::AccessOptions::no_coverage_m
};

struct RoadCoverage {
    CoverageProblem problem;
    std::size_t demand_off_road = 0;     ///< demand points beyond road coverage (straight line)
    std::size_t candidates_off_road = 0; ///< candidates beyond road coverage (straight line)
};

/// One bounded search per candidate and one multi-source search from the existing venues, on
/// the reversed `graph` (the forward graph as built). Throws InvalidArgumentError for a
/// non-positive cutoff or a weight count that differs from the demand count.
RoadCoverage road_coverage(const routing::RoadGraph& graph, const CoverageInputs& inputs,
                           const routing::SpeedProfile& profile = routing::default_speed_profile());

/// The same on a graph from routing::load_recorded_graph, with the access run's recorded
/// straight-line fallback (profile) and road-coverage distance in place of the defaults.
inline RoadCoverage road_coverage(const routing::LoadedGraph& graph, CoverageInputs inputs) {
    inputs.no_coverage = Metres(graph.parameters.access.no_coverage_m);
    return road_coverage(graph.graph, inputs, graph.parameters.profile);
}

} // namespace coldspot::geo::coldspots
