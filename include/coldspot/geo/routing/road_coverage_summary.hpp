#pragma once
// How much of a workspace the road network covers: the share of schools within the snap limit of
// a road (docs/routing.md, "Snapping"). Schools beyond it get straight-line estimates, so this is
// the share of access times that can be real drive times. `coldspot info` prints it.
#include <cstddef>
#include <string>

namespace coldspot::geo {
class Workspace;
}

namespace coldspot::geo::routing {

struct RoadCoverageSummary {
    std::size_t schools = 0;
    std::size_t within = 0;   ///< schools within `limit_m` of a road
    double limit_m = 0;
    /// "school_access" (the last access run's snaps), "roads layer" (distance to the nearest road
    /// line, no access run yet) or "no roads" (nothing covers any school).
    std::string basis;
    double share() const { return schools ? static_cast<double>(within) / static_cast<double>(schools) : 0.0; }
};

/// From `school_access` when present (its snap flags), else from the `roads` layer's lines.
RoadCoverageSummary summarise_road_coverage(const Workspace& workspace, double limit_m);

} // namespace coldspot::geo::routing
