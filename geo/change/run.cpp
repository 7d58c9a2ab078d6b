// run_change: read both vintages, check they can be compared, run every section, and write NEW
// plus the change layers, the notes and an analysis_runs row as one new workspace version.
#include "coldspot/geo/detail/analysis_runs.hpp"
#include "sections.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/workspace.hpp"

#include <algorithm>

namespace coldspot::geo::change {

namespace {

FeatureTable notes_table(const detail::ChangeOutput& out) {
    FeatureTable t{"change_notes", "what the change comparison warns about and notes, by section", GeometryType::None, 0, {}, {}};
    t.fields = {{"severity", FieldType::String}, {"section", FieldType::String}, {"message", FieldType::String}};
    std::int64_t fid = 0;
    for (const auto& [section, m] : out.warnings) t.features.push_back(Feature{++fid, {}, {std::string("warning"), section, m}});
    for (const auto& [section, m] : out.notes) t.features.push_back(Feature{++fid, {}, {std::string("info"), section, m}});
    return t;
}

std::vector<std::string> area_codes(const detail::Vintage& v) {
    std::vector<std::string> out;
    if (v.areas)
        for (const auto& f : v.areas->features) out.push_back(detail::text(*v.areas, f, "code"));
    return out;
}

} // namespace

ChangeSummary run_change(const ChangeOptions& options, const std::filesystem::path& old_workspace, const std::filesystem::path& new_workspace,
                         const std::filesystem::path& output, const ChangeProgress& progress) {
    const auto step = [&](std::string_view stage, double f) {
        if (progress) progress(stage, f);
    };
    step("reading the OLD workspace", 0.0);
    const detail::Vintage o = detail::read_vintage(old_workspace, "OLD", options);
    step("reading the NEW workspace", 0.15);
    const detail::Vintage n = detail::read_vintage(new_workspace, "NEW", options);
    detail::ChangeOutput out;
    detail::check_comparable(o, n, options, out);

    step("areas", 0.3);
    const std::vector<LookupPair> pairs = options.lsoa_lookup ? read_lsoa_lookup(options, area_codes(n)) : std::vector<LookupPair>{};
    const auto areas = detail::compare_areas(o, n, options, pairs, out);
    step("remits", 0.45);
    const auto remits = detail::compare_remits(o, n, options, out);
    step("schools", 0.55);
    const auto schools = detail::compare_schools(o, n, options, out);
    step("cold spots", 0.7);
    detail::compare_coldspot_areas(o, n, pairs, out);
    out.note("coldspots", "two vintages are two points, not a trend: 'new', 'persistent', 'intensifying' (Gi* bin 2 -> 3), 'diminishing' "
                          "(3 -> 2) and 'no_longer' describe two snapshots, not the time series ArcGIS's emerging hot spot analysis needs");
    step("engagement", 0.8);
    const auto engagement = detail::compare_engagement(o, n, options, out);
    detail::write_dashboards(n, options, areas, remits, schools, engagement, out);

    step("writing the workspace", 0.85);
    FeatureTable runs = n.analysis_runs ? *n.analysis_runs : empty_analysis_runs();
    nlohmann::json params = to_json(options);
    params["step"] = "change";
    params["old_workspace"] = std::filesystem::absolute(old_workspace).string();
    ChangeSummary summary;
    for (const auto& [section, m] : out.warnings) summary.warnings.push_back(section + ": " + m);
    for (const auto& [section, m] : out.notes) summary.notes.push_back(section + ": " + m);
    Feature& row = append_analysis_run(runs, "change", params.dump());
    std::string all;
    for (const auto& w : summary.warnings) all += (all.empty() ? "" : " | ") + std::string("warning: ") + w;
    set_run_value(runs, row, model::run::notes, all);

    WorkspaceWriter writer(output, new_workspace);
    // A change layer of an earlier comparison that this one does not write would be stale.
    for (const auto& info : Workspace(new_workspace).layers()) {
        const bool written = std::any_of(out.layers.begin(), out.layers.end(), [&](const FeatureTable& t) { return t.name == info.name; });
        if (info.name.rfind("change_", 0) == 0 && !written) writer.remove(info.name);
    }
    for (const auto& layer : out.layers) {
        writer.write(layer);
        summary.layers.push_back(layer.name);
    }
    writer.write(notes_table(out));
    summary.layers.push_back("change_notes");
    writer.write(runs);
    writer.commit();
    summary.counts = out.counts;
    step("done", 1.0);
    return summary;
}

} // namespace coldspot::geo::change
