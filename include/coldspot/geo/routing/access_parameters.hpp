#pragma once
// The options an access run used, recorded with the run (an `analysis_runs` row whose
// `parameters` JSON has "step": "access") so that later steps re-routing on the same graph (a
// scenario, a venue suggestion) reproduce them: the speed profile itself (classes, maxspeed factor,
// straight-line fallback), snap thresholds, own-hub thresholds, matrix cutoff and isochrone bands.
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/routing/school_access.hpp"
#include "coldspot/geo/routing/speed_profile.hpp"
#include "coldspot/geo/workspace.hpp"

#include <string>

namespace coldspot::geo::routing {

struct AccessParameters {
    SpeedProfile profile = default_speed_profile();
    AccessOptions access;
};

/// {"step": "access", "roads": ROADS, "profile": {...speed profile file format...},
///  "snap": {...}, "own_hub": {...}, "matrix_cutoff_minutes": M, "isochrones": {...}}.
std::string access_parameters_json(const AccessParameters& parameters, const std::string& roads);
/// Reads what access_parameters_json wrote; a missing key keeps its default. Throws FormatError
/// (not JSON) or ManifestError (a bad field, named) with `origin` as the file.
AccessParameters parse_access_parameters(const std::string& json_text, const std::string& origin);

/// `runs` (the workspace's `analysis_runs`, or an empty table) plus one row for this access run.
FeatureTable with_access_run_recorded(FeatureTable runs, const AccessParameters& parameters, const std::string& roads,
                                      const AccessReport& report);

struct RecordedAccessParameters {
    AccessParameters parameters; ///< the recorded ones, or the defaults
    bool recorded = false;
    std::string note; ///< which run they came from, or why they are the defaults
};

/// The parameters of the last access run recorded in `analysis_runs`; the defaults (and a note
/// saying so) for a workspace written before runs recorded them. A recorded row that cannot be
/// read throws ManifestError naming the workspace, row and field.
RecordedAccessParameters recorded_access_parameters(const Workspace& workspace);

} // namespace coldspot::geo::routing
