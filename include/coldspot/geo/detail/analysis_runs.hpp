#pragma once
// The `analysis_runs` table every analysis step appends one row to (docs/workspace.md): run id,
// UTC time, version, the step's parameters as JSON text, counts and notes.
#include "coldspot/geo/feature_table.hpp"

#include <string>

namespace coldspot::geo {

/// An empty `analysis_runs` table with the shared schema.
FeatureTable empty_analysis_runs();

/// Appends a row to `runs` (an `analysis_runs` table, or an empty table: it gets the schema) with
/// run_id "PREFIX-FID-TIME", created_at, coldspot_version and `parameters`; the caller sets
/// the remaining fields by name through set_run_value. Returns the new row.
Feature& append_analysis_run(FeatureTable& runs, const std::string& run_id_prefix, const std::string& parameters);

/// Sets `field` of `row` when `runs` has that field (older tables may lack newer fields).
void set_run_value(const FeatureTable& runs, Feature& row, const char* field, Value value);

} // namespace coldspot::geo
