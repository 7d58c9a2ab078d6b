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
    std::vector<std::string> notes;    ///< missing inputs and the rule applied
    std::vector<std::string> layers;   ///< layers written
};

struct AnalysisLayers {
    std::vector<FeatureTable> tables; ///< coldspots_schools, coldspots_areas, coldspots_hex, targets
    AnalysisSummary summary;
    IndexResult index;
};

/// Computes every result layer in memory from a workspace (read only).
AnalysisLayers compute_analysis(const Workspace& workspace, const Parameters& parameters,
                                const ProgressCallback& progress = {});

/// Runs the analysis and commits a new version of `workspace` (atomic, through WorkspaceWriter)
/// with the result layers and a new `analysis_runs` row holding `parameters` merged over the
/// defaults. Throws ManifestError for bad parameters, WorkspaceError for a missing workspace or
/// `schools` layer.
AnalysisSummary run_analysis(const nlohmann::json& parameters, const std::filesystem::path& workspace,
                             const ProgressCallback& progress = {});

} // namespace coldspot::geo::coldspots
