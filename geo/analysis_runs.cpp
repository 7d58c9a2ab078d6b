#include "coldspot/geo/version.hpp"
#include "coldspot/geo/detail/analysis_runs.hpp"
#include "coldspot/geo/model/layers.hpp"

#include "coldspot/geo/timestamp.hpp"

#include <algorithm>

namespace coldspot::geo {

FeatureTable empty_analysis_runs() {
    FeatureTable runs{model::layer::analysis_runs, "parameters and summary of every analysis run", GeometryType::None, 0, {}, {}};
    runs.fields = {{model::run::run_id, FieldType::String},           {model::run::created_at, FieldType::String},
                   {model::run::coldspot_version, FieldType::String}, {model::run::parameters, FieldType::String},
                   {model::run::schools, FieldType::Integer},         {model::run::scored, FieldType::Integer},
                   {model::run::cold_spot_schools, FieldType::Integer}, {model::run::notes, FieldType::String}};
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
    set_run_value(runs, row, model::run::run_id, run_id_prefix + "-" + std::to_string(fid) + "-" + stamp);
    set_run_value(runs, row, model::run::created_at, stamp);
    set_run_value(runs, row, model::run::coldspot_version, std::string(version()));
    set_run_value(runs, row, model::run::parameters, parameters);
    return row;
}

} // namespace coldspot::geo
