#pragma once
// One remit analysis end to end: inputs -> assignment -> overlay -> dashboards -> result layers
// in a new workspace version.
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/remits/assignment.hpp"
#include "coldspot/geo/remits/dashboards.hpp"
#include "coldspot/geo/remits/inputs.hpp"
#include "coldspot/geo/remits/one_stop.hpp"
#include "coldspot/geo/remits/options.hpp"
#include "coldspot/geo/remits/overlay.hpp"

#include <filesystem>
#include <vector>

namespace coldspot::geo::remits {

struct RemitAnalysis {
    RemitOptions options;
    RemitInputs inputs;
    std::vector<SchoolAssignment> assignments; ///< one per inputs.schools
    std::vector<bool> in_study_area;           ///< one per inputs.districts
    RemitOverlay overlay;
    Dashboards dashboards;
    std::vector<OneStopRecord> records; ///< one per inputs.schools
};

/// Runs every step on inputs already in memory.
RemitAnalysis analyse_remits(RemitInputs inputs, const RemitOptions& options);

/// The result layers: `school_remits`, `remit_zones`, `remit_gaps`, `remit_overlaps`,
/// `remit_slivers`, `hub_dashboard`, `la_dashboard`. Layouts are in docs/remits.md.
std::vector<FeatureTable> result_layers(const RemitAnalysis& a);

/// The workspace's `schools` layer with the remit columns added (or replaced on a re-run):
/// `remit_lsoa_code`, `remit_lad_code`, `remit_utla_code`, `remit_placement`, `remit_snap_m`,
/// `hubs_<type>` per hub type, `outside_hub_types`, `multi_hub_types`, `trust_authorities`,
/// `trust_median_km`, `trust_non_local`.
FeatureTable schools_with_remits(FeatureTable schools, const RemitAnalysis& a);

/// `runs` (the workspace's `analysis_runs`, or an empty table) plus one row for this analysis:
/// run id, UTC time, version, the parameters as JSON (`"step": "remits"`), schools, a summary.
FeatureTable with_run_recorded(FeatureTable runs, const RemitAnalysis& a);

/// Reads the workspace, analyses it and writes the result layers, the updated schools layer and
/// an `analysis_runs` row into a new workspace version (atomic replace).
RemitAnalysis run_remits(const std::filesystem::path& workspace, const RemitOptions& options);

} // namespace coldspot::geo::remits
