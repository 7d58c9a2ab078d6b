#pragma once
// Drive times from many places (schools) to many destinations (venues, or candidate venues)
// within a cutoff: one bounded search per destination on the reversed graph, and each place found
// through buckets on the nodes its edges touch, so nothing runs per pair. The one implementation
// behind both the `access_matrix` of school_access.cpp and road coverage of candidate venues.
#include "coldspot/geo/routing/contracted_graph.hpp"
#include "coldspot/geo/routing/edge_snapper.hpp"
#include "coldspot/geo/routing/road_graph.hpp"

#include <span>
#include <vector>

namespace coldspot::geo::routing {

struct MatrixCell {
    std::uint32_t place = 0; ///< index into `places`
    TimeMs time = 0;         ///< drive from the place to the destination
    double metres = 0;       ///< length of that drive
};

/// For each destination, the places that reach it within `cutoff` ms (inclusive), in increasing
/// place index.
/// `forward` is the graph as built, `reversed` its reversed(); snaps with found == false are
/// skipped (neither reach nor are reached).
std::vector<std::vector<MatrixCell>> times_to_destinations(const RoadGraph& forward, const RoadGraph& reversed,
                                                           std::span<const Snap> places,
                                                           std::span<const Snap> destinations, TimeMs cutoff);

/// The same on the contracted graph (ChainSearch): the same cells, with places found through
/// buckets on the junctions at the ends of their chains.
std::vector<std::vector<MatrixCell>> times_to_destinations(const RoadGraph& forward, const ContractedGraph& contracted,
                                                           std::span<const Snap> places,
                                                           std::span<const Snap> destinations, TimeMs cutoff);

} // namespace coldspot::geo::routing
