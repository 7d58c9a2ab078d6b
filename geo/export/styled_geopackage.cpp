#include "coldspot/geo/export/styled_geopackage.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/style/detail/layer_styles.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/style/qgis_project.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

namespace coldspot::geo::exporting {

namespace {

/// Every leaf of a JSON document as (pointer, value text), in document order.
void flatten(const nlohmann::json& j, const std::string& at, std::vector<std::pair<std::string, std::string>>& out) {
    if (j.is_object() && !j.empty()) {
        for (const auto& [k, v] : j.items()) flatten(v, at + "/" + k, out);
    } else {
        out.emplace_back(at.empty() ? "/" : at, j.dump());
    }
}

/// analysis_parameters: the last run of each step, every parameter a row.
FeatureTable parameter_table(const FeatureTable& runs) {
    FeatureTable t{"analysis_parameters",
                   "every parameter of the last run of each analysis step (coldspots, remits, access), from analysis_runs",
                   GeometryType::None, 0, {}, {}};
    t.fields = {{"run_id", FieldType::String}, {"step", FieldType::String}, {"parameter", FieldType::String},
                {"value", FieldType::String}};
    const std::size_t f_run = runs.require_field("run_id"), f_params = runs.require_field("parameters");
    std::map<std::string, const Feature*> last; // step -> row (runs are appended in order)
    for (const auto& f : runs.features) {
        const auto params = nlohmann::json::parse(as_text(f.values[f_params]), nullptr, false);
        if (params.is_discarded()) continue;
        last[params.is_object() ? params.value("step", std::string("coldspots")) : std::string("coldspots")] = &f;
    }
    std::int64_t fid = 0;
    for (const auto& [step, row] : last) {
        std::vector<std::pair<std::string, std::string>> leaves;
        flatten(nlohmann::json::parse(as_text(row->values[f_params])), "", leaves);
        for (const auto& [pointer, value] : leaves) {
            Feature f;
            f.fid = ++fid;
            f.values = {as_text(row->values[f_run]), step, pointer, value};
            t.features.push_back(std::move(f));
        }
    }
    return t;
}

} // namespace

std::vector<std::string> default_export_layers(const Workspace& ws, const style::Palette& palette) {
    std::vector<std::string> out;
    for (const auto& l : style::coldspot_catalogue(palette))
        if (ws.has_layer(l.layer) && std::find(out.begin(), out.end(), l.layer) == out.end()) out.push_back(l.layer);
    return out;
}

std::vector<std::string> resolve_export_layers(const Workspace& ws, const style::Palette& palette,
                                               const std::vector<std::string>& names) {
    if (names.empty()) return default_export_layers(ws, palette);
    std::vector<std::string> unknown, out;
    for (const auto& n : names) {
        if (!ws.has_layer(n)) unknown.push_back(n);
        else if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
    }
    if (!unknown.empty()) {
        std::string msg = "no layer";
        for (std::size_t i = 0; i < unknown.size(); ++i) msg += (i ? ", '" : " '") + unknown[i] + "'";
        msg += " in " + ws.path().string() + "; it has:";
        for (const auto& l : ws.layers()) msg += " " + l.name;
        throw NotFoundError(msg);
    }
    return out;
}

GeoPackageExport export_styled_geopackage(const Workspace& ws, const std::filesystem::path& out,
                                          const style::Palette& palette, const std::vector<std::string>& layers) {
    if (std::filesystem::exists(out) && std::filesystem::equivalent(out, ws.path()))
        throw InvalidArgumentError("the export would overwrite its own workspace " + ws.path().string());
    GeoPackageExport result;
    result.layers = resolve_export_layers(ws, palette, layers);
    const auto catalogue = style::coldspot_catalogue(palette);
    std::vector<style::StoredStyle> styles;
    WorkspaceWriter writer(out);
    for (const auto& name : result.layers) {
        writer.write(ws.read(name));
        bool first = true;
        for (const auto* entry : style::catalogue_entries(catalogue, name)) {
            styles.push_back(style::StoredStyle{name, "geom", entry->title, style::qml_document(entry->symbolisation),
                                                style::sld_document(name, entry->symbolisation), first,
                                                entry->title + " (Coldspot palette)"});
            first = false;
        }
    }
    for (const char* table : {model::layer::provenance, model::layer::import_report, model::layer::analysis_runs}) {
        if (!ws.has_layer(table) || std::count(result.layers.begin(), result.layers.end(), table)) continue;
        const FeatureTable t = ws.read(table);
        writer.write(t);
        result.tables.push_back(table);
        if (t.name == model::layer::analysis_runs) {
            writer.write(parameter_table(t));
            result.tables.push_back("analysis_parameters");
        }
    }
    // layer_styles goes in through its own connection to the finished temporary file, before the
    // rename: QGIS's column types (widths, BOOLEAN, DATETIME) are beyond FeatureTable's fields.
    style::write_layer_styles(writer.temporary_path(), styles);
    writer.commit();
    result.styles = styles.size();
    return result;
}

} // namespace coldspot::geo::exporting
