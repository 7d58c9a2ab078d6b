#include "coldspot/geo/routing/access_parameters.hpp"

#include "coldspot/geo/detail/analysis_runs.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace coldspot::geo::routing {

namespace {

using nlohmann::json;

/// Replaces `target` with j[key] when present: a number above zero (or zero when allowed).
void read_number(const json& j, const char* key, double& target, const std::string& origin, const std::string& path,
                 bool allow_zero = false) {
    if (!j.contains(key)) return;
    const auto& v = j[key];
    const std::string field = path.empty() ? std::string(key) : path + "." + key;
    if (!v.is_number()) throw ManifestError({origin, 0, field}, "must be a number");
    const double x = v.get<double>();
    if (!(x > 0 || (allow_zero && x == 0)))
        throw ManifestError({origin, 0, field}, allow_zero ? "must be zero or more" : "must be positive");
    target = x;
}

const json& object_at(const json& j, const char* key, const std::string& origin) {
    static const json empty = json::object();
    if (!j.contains(key)) return empty;
    if (!j[key].is_object()) throw ManifestError({origin, 0, key}, "must be an object");
    return j[key];
}

} // namespace

std::string access_parameters_json(const AccessParameters& p, const std::string& roads) {
    const auto& a = p.access;
    return json{{"step", "access"},
                {"roads", roads},
                {"profile", json::parse(speed_profile_json(p.profile))},
                {"snap", {{"flag_snap_m", a.flag_snap_m}, {"no_coverage_m", a.no_coverage_m}}},
                {"own_hub", {{"ratio", a.own_hub_ratio}, {"extra_minutes", a.own_hub_extra_minutes}}},
                {"matrix_cutoff_minutes", a.matrix_cutoff_minutes},
                {"isochrones",
                 {{"minutes", a.isochrones.minutes},
                  {"cell_m", a.isochrones.cell_m},
                  {"access_radius_m", a.isochrones.access_radius_m},
                  {"access_kph", a.isochrones.access_kph}}}}
        .dump();
}

AccessParameters parse_access_parameters(const std::string& json_text, const std::string& origin) {
    json j;
    try {
        j = json::parse(json_text);
    } catch (const json::parse_error& e) {
        throw FormatError({origin, 0, "parameters"}, std::string("not valid JSON: ") + e.what());
    }
    if (!j.is_object()) throw FormatError({origin, 0, "parameters"}, "access parameters must be a JSON object");
    AccessParameters p;
    if (j.contains("profile")) {
        if (!j["profile"].is_object()) throw ManifestError({origin, 0, "profile"}, "must be a speed profile object");
        p.profile = parse_speed_profile(j["profile"].dump(), origin + " (profile)");
    }
    auto& a = p.access;
    const json& snap = object_at(j, "snap", origin);
    read_number(snap, "flag_snap_m", a.flag_snap_m, origin, "snap");
    read_number(snap, "no_coverage_m", a.no_coverage_m, origin, "snap");
    const json& own = object_at(j, "own_hub", origin);
    read_number(own, "ratio", a.own_hub_ratio, origin, "own_hub");
    read_number(own, "extra_minutes", a.own_hub_extra_minutes, origin, "own_hub", true);
    read_number(j, "matrix_cutoff_minutes", a.matrix_cutoff_minutes, origin, "", true);
    const json& iso = object_at(j, "isochrones", origin);
    if (iso.contains("minutes")) {
        const auto& m = iso["minutes"];
        if (!m.is_array()) throw ManifestError({origin, 0, "isochrones.minutes"}, "must be an array of minutes");
        a.isochrones.minutes.clear();
        for (const auto& v : m) {
            if (!v.is_number() || !(v.get<double>() > 0))
                throw ManifestError({origin, 0, "isochrones.minutes"}, "must hold positive numbers of minutes");
            a.isochrones.minutes.push_back(v.get<double>());
        }
    }
    read_number(iso, "cell_m", a.isochrones.cell_m, origin, "isochrones");
    read_number(iso, "access_radius_m", a.isochrones.access_radius_m, origin, "isochrones", true);
    read_number(iso, "access_kph", a.isochrones.access_kph, origin, "isochrones");
    return p;
}

FeatureTable with_access_run_recorded(FeatureTable runs, const AccessParameters& parameters, const std::string& roads,
                                      const AccessReport& report) {
    Feature& row = append_analysis_run(runs, "access", access_parameters_json(parameters, roads));
    set_run_value(runs, row, model::run::schools, static_cast<std::int64_t>(report.schools));
    set_run_value(runs, row, model::run::notes, report.to_string());
    return runs;
}

RecordedAccessParameters recorded_access_parameters(const Workspace& workspace) {
    RecordedAccessParameters out;
    const std::string defaults = "default car profile, snap, own-hub thresholds, matrix cutoff and isochrone bands";
    if (!workspace.has_layer(model::layer::analysis_runs)) {
        out.note = "no access run recorded in " + workspace.path().string() + " (older workspace): " + defaults;
        return out;
    }
    const FeatureTable runs = workspace.read(model::layer::analysis_runs);
    const int i_params = runs.field_index("parameters"), i_id = runs.field_index("run_id");
    const Feature* last = nullptr;
    if (i_params >= 0)
        for (const auto& f : runs.features) {
            const std::string text = as_text(f.values[static_cast<std::size_t>(i_params)]);
            // Cheap filter before parsing: other steps' rows are not access runs.
            if (text.find("\"access\"") == std::string::npos) continue;
            const json j = json::parse(text, nullptr, false);
            if (j.is_object() && j.contains("step") && j["step"] == "access" && (!last || f.fid > last->fid)) last = &f;
        }
    if (!last) {
        out.note = "no access run recorded in " + workspace.path().string() + " (older workspace): " + defaults;
        return out;
    }
    const std::string run_id = i_id >= 0 ? as_text(last->values[static_cast<std::size_t>(i_id)]) : std::string();
    const std::string origin = workspace.path().string() + " analysis_runs row " + std::to_string(last->fid);
    out.parameters = parse_access_parameters(as_text(last->values[static_cast<std::size_t>(i_params)]), origin);
    out.recorded = true;
    out.note = "options of access run " + run_id + " (speed profile " + out.parameters.profile.name + ")";
    return out;
}

} // namespace coldspot::geo::routing
