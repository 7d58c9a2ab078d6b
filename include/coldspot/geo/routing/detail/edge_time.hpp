#pragma once
// Integer time arithmetic on the road graph shared by the full-graph search (multi_source_search.cpp)
// and the contracted one (contracted_graph.cpp): both must round alike for their answers to be equal.
#include "coldspot/geo/routing/edge_snapper.hpp"
#include "coldspot/geo/routing/ids.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace coldspot::geo::routing::detail {

/// The share `fraction` of an edge's time, rounded to the millisecond.
inline TimeMs part_of(TimeMs t, double fraction) {
    return static_cast<TimeMs>(std::llround(static_cast<double>(t) * std::clamp(fraction, 0.0, 1.0)));
}

/// a + b, kept below kUnreachable.
inline TimeMs add_saturating(TimeMs a, TimeMs b) {
    const std::uint64_t s = std::uint64_t{a} + b;
    return s >= kUnreachable ? kUnreachable - 1 : static_cast<TimeMs>(s);
}

/// True when the position is within a centimetre of the edge's tail (end 0) or head (end 1).
inline bool at_end(const RoadGraph& g, const EdgePosition& p, double end) {
    return std::abs(p.fraction - end) * g.length_m(p.edge) < 0.01;
}

} // namespace coldspot::geo::routing::detail
