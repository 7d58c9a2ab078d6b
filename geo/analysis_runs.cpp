#include "coldspot/geo/version.hpp"
#include "coldspot/geo/detail/analysis_runs.hpp"
#include "coldspot/geo/model/layers.hpp"

#include "coldspot/geo/timestamp.hpp"

#include <algorithm>

namespace coldspot::geo {

FeatureTable empty_analysis_runs() {
    FeatureTable runs{model::layer::analysis_runs, "parameters and summary of every analysis run", GeometryType::None, 0, {}, {}};
    runs.fields = {{"run_id", FieldType::String},           {"created_at", FieldType::String},
                   {"coldspot_version", FieldType::String}, {"parameters", FieldType::String},
                   {"schools", FieldType::Integer},         {"scored", FieldType::Integer},
                   {"cold_spot_schools", FieldType::Integer}, {"notes", FieldType::String}};
    return runs;
}

void set_run_value(const FeatureTable& runs, Feature& row, const char* field, Value value) {
    if (const int i = runs.field_index(field); i >= 0) row.values[static_cast<std::size_t>(i)] = std::move(value);
}

Feature& append_analysis_run(FeatureTable& runs, const std::string& run_id_prefix, const std::string& parameters) {
    if (runs.fields.empty()) runs = empty_analysis_runs();
    const std::string stamp = utc_now_iso8601();
    std::int64_t fid = 1;
    for (const auto& f : runs.features) fid = std::max(fid, f.fid + 1);
    Feature& row = runs.features.emplace_back();
    row.fid = fid;
    row.values.resize(runs.fields.size());
    set_run_value(runs, row, "run_id", run_id_prefix + "-" + std::to_string(fid) + "-" + stamp);
    set_run_value(runs, row, "created_at", stamp);
    set_run_value(runs, row, "coldspot_version", std::string(version()));
    set_run_value(runs, row, "parameters", parameters);
    return row;
}

} // namespace coldspot::geo
