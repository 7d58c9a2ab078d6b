#pragma once
// Travel times from every school to the venues of every hub type, on the road graph: the nearest
// venue of each type (one multi-source search per type), the nearest venue of each hub whose remit
// covers the school (one search per hub), a schools x venues matrix within a cutoff (one bounded
// search per venue), a straight-line fallback where no road reaches, and isochrones per type.
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/routing/contracted_graph.hpp"
#include "coldspot/geo/routing/isochrones.hpp"
#include "coldspot/geo/routing/road_graph.hpp"
#include "coldspot/geo/routing/speed_profile.hpp"

#include <optional>
#include <string>
#include <vector>

namespace coldspot::geo::routing {

struct AccessOptions {
    double flag_snap_m = 500;       ///< snaps farther than this are flagged ("far")
    double no_coverage_m = 2000;    ///< beyond this no road covers the place: straight-line fallback
    /// A school's own hub is "much farther" when its time exceeds both ratio x and +extra minutes
    /// of the nearest venue of another hub of the same type.
    double own_hub_ratio = 1.5;
    double own_hub_extra_minutes = 10;
    double matrix_cutoff_minutes = 45; ///< 0 disables the matrix
    IsochroneOptions isochrones;
};

/// Workspace layers read (docs/workspace.md). `school_remits` (urn, hub_id, hub_type) is used
/// when present; otherwise remits are computed by point-in-footprint on `hubs`.
struct AccessInputs {
    const FeatureTable* schools = nullptr;
    const FeatureTable* hub_venues = nullptr;
    const FeatureTable* hubs = nullptr;          ///< optional
    const FeatureTable* school_remits = nullptr; ///< optional
};

struct AccessReport {
    std::size_t schools = 0, schools_flagged_far = 0, schools_without_road = 0;
    std::size_t venues = 0, venues_without_road = 0;
    std::size_t road_values = 0, straight_line_values = 0;
    std::size_t own_hub_much_farther = 0, matrix_pairs = 0;
    std::string remit_source; ///< "school_remits" or "hubs (point in footprint)" or "none"
    std::string to_string() const;
};

struct AccessResult {
    FeatureTable school_access; ///< Point per school row: see docs/routing.md
    FeatureTable isochrones;    ///< MultiPolygon per hub type and threshold
    FeatureTable access_matrix; ///< attribute table: school x venue pairs within the cutoff
    AccessReport report;
};

/// `graph` is the forward road graph (as built), `contracted` its ContractedGraph (searches run
/// over junctions only; the answers equal a search over every node). Throws NotFoundError for a
/// missing field.
AccessResult compute_school_access(const RoadGraph& graph, const ContractedGraph& contracted, const AccessInputs& inputs,
                                   const SpeedProfile& profile, const AccessOptions& options);
/// The same, contracting `graph` first.
AccessResult compute_school_access(const RoadGraph& graph, const AccessInputs& inputs, const SpeedProfile& profile,
                                   const AccessOptions& options);

} // namespace coldspot::geo::routing
