#pragma once
// The whole cold-spot analysis as one call: index per school, Gi* and local Moran's I on the
// index, aggregation to LSOA, local authority, hub footprint and hexagons, a ranked targeting list,
// and the run's parameters, written as a new workspace version.
//
// Layers written (docs/methodology.md describes every field): coldspots_schools, coldspots_areas,
// coldspots_hex, targets, analysis_runs (appended to, one row per run).
#include "coldspot/geo/coldspots/parameters.hpp"
#include "coldspot/geo/coldspots/school_index.hpp"
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/workspace.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace coldspot::geo::coldspots {

/// Called with a stage name and the fraction of the whole run done (0..1).
using ProgressCallback = std::function<void(std::string_view stage, double fraction)>;

struct AnalysisSummary {
    std::string run_id;
    std::size_t schools = 0;           ///< rows in `schools`
    std::size_t scored = 0;            ///< with an index value
    std::size_t cold_spot_schools = 0; ///< Gi* z > 0 and (FDR-adjusted) p < alpha
    std::size_t islands = 0;           ///< schools with no neighbour in the weights
    std::size_t robust_targets = 0;    ///< in the top N of the index in >= robust_share of rank-stability draws
    std::size_t rank_top_n = 0, rank_draws = 0; ///< the rank-stability run (0 draws: not run)
    double rank_robust_share = 0;
    std::vector<std::string> notes;    ///< missing inputs and the rule applied
    std::vector<std::string> layers;   ///< layers written
};

struct AnalysisLayers {
    std::vector<FeatureTable> tables; ///< coldspots_schools, coldspots_areas, coldspots_hex, targets
    AnalysisSummary summary;
    IndexResult index;
};

/// A what-if change to the venues: add venues (by hub type, name and position in EPSG:27700) and
/// remove venues by name, then recompute access, index and statistics without re-importing.
struct Scenario {
    struct NewVenue {
        std::string hub_type;
        std::string name;
        Point at;
    };
    std::vector<NewVenue> add;
    std::vector<std::string> remove; ///< `hub_venues.name` values
    bool empty() const noexcept { return add.empty() && remove.empty(); }
    std::string to_string() const;
};

/// Computes every result layer in memory from a workspace (read only). With a scenario, access is
/// recomputed first for the affected hub types: on the road graph the access run used
/// (routing::load_recorded_graph; school_access rows, isochrones and access_matrix of those types
/// re-routed, scenario_access.hpp); only when there is no graph, estimated (a removed venue's
/// schools from `access_matrix` over the remaining venues, else straight line; an added venue by
/// straight line). The notes record which. The changed `hub_venues` and `school_access` (and,
/// when re-routed, `isochrones` and `access_matrix`) are returned in `tables` too.
AnalysisLayers compute_analysis(const Workspace& workspace, const Parameters& parameters,
                                const ProgressCallback& progress = {}, const Scenario& scenario = {});

/// Runs a scenario and writes the result to `output` (a new workspace built from `workspace`, which
/// is left as it was). Throws NotFoundError for a venue name that does not exist.
AnalysisSummary run_scenario(const nlohmann::json& parameters, const std::filesystem::path& workspace,
                             const Scenario& scenario, const std::filesystem::path& output,
                             const ProgressCallback& progress = {});

/// Runs the analysis and commits a new version of `workspace` (atomic, through WorkspaceWriter)
/// with the result layers and a new `analysis_runs` row holding `parameters` merged over the
/// defaults. Throws ManifestError for bad parameters, WorkspaceError for a missing workspace or
/// `schools` layer.
AnalysisSummary run_analysis(const nlohmann::json& parameters, const std::filesystem::path& workspace,
                             const ProgressCallback& progress = {});

} // namespace coldspot::geo::coldspots
