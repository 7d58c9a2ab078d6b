// What if: POST /scenarios (add or switch off venues; the cold-spot analysis recomputed on a copy,
// as `coldspot coldspots --add-venue/--remove-venue` does) and POST /suggestions (new venues chosen
// as `coldspot target --suggest` does, candidates anywhere). Both run as bounded background jobs
// (what_if_jobs.hpp) and never change the served results.
#include "coldspot/geo/coldspots/analysis.hpp"
#include "coldspot/geo/coldspots/targets.hpp"
#include "coldspot/geo/crs.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/model/school_access.hpp"
#include "coldspot/service/problem.hpp"
#include "coldspot/service/what_if_jobs.hpp"
#include "map_figures.hpp"

#include <cmath>
#include <set>
#include <sstream>
#include <unordered_map>

namespace coldspot::service::detail {

namespace {

using json = nlohmann::json;
namespace model = geo::model;

constexpr std::size_t kMaxVenues = 20;       ///< venues one scenario may add or remove
constexpr std::size_t kMaxCandidates = 2000; ///< candidate points of one suggestion
constexpr std::size_t kMaxChangedListed = 500;
constexpr int kBands[] = {15, 30, 45};

json read_body(const RouteContext& ctx) {
    const auto type = ctx.request.header("content-type");
    if (!type || type->rfind("application/json", 0) != 0) throw HttpProblem(415, "send the request as application/json");
    if (ctx.request.body.size() > ctx.config.max_body_bytes)
        throw HttpProblem(413, "the body is " + std::to_string(ctx.request.body.size()) + " bytes; at most " + std::to_string(ctx.config.max_body_bytes) + " are accepted");
    try {
        json j = json::parse(ctx.request.body);
        if (!j.is_object()) throw HttpProblem(422, "the body must be a JSON object");
        return j;
    } catch (const json::parse_error& e) {
        throw HttpProblem(400, std::string("the body is not valid JSON: ") + e.what());
    }
}

[[noreturn]] void invalid(const std::string& pointer, const std::string& detail) {
    throw HttpProblem(422, pointer + ": " + detail, {{"errors", json::array({{{"pointer", pointer}, {"detail", detail}}})}});
}

void only_keys(const json& j, const std::string& at, std::initializer_list<const char*> keys) {
    for (const auto& item : j.items()) {
        const std::string& k = item.key(); // not a structured binding: clang 14 cannot capture one
        if (std::none_of(keys.begin(), keys.end(), [&](const char* a) { return k == a; })) invalid(at + "/" + k, "unknown member");
    }
}

double number_at(const json& j, const char* key, const std::string& at) {
    if (!j.contains(key) || !j[key].is_number() || !std::isfinite(j[key].get<double>())) invalid(at + "/" + key, "must be a number");
    return j[key].get<double>();
}

/// A point given as lon/lat (CRS84) or easting/northing (EPSG:27700), in EPSG:27700.
geo::Point point_27700(const json& j, const std::string& at) {
    if (j.contains("easting") || j.contains("northing")) {
        const geo::Point p{number_at(j, "easting", at), number_at(j, "northing", at)};
        if (p.x() < -100000 || p.x() > 800000 || p.y() < -100000 || p.y() > 1400000) invalid(at, "easting/northing outside Great Britain's grid");
        return p;
    }
    const double lon = number_at(j, "lon", at), lat = number_at(j, "lat", at);
    if (lon < -9 || lon > 3 || lat < 49 || lat > 61) invalid(at, "lon/lat outside Great Britain");
    static thread_local geo::CrsTransform to_bng("OGC:CRS84", "EPSG:27700");
    return to_bng(geo::Point{lon, lat});
}

json lon_lat(const geo::Point& bng) {
    static thread_local geo::CrsTransform to_crs84("EPSG:27700", "OGC:CRS84");
    const auto p = to_crs84(bng);
    return {std::round(p.x() * 1e7) / 1e7, std::round(p.y() * 1e7) / 1e7};
}

std::set<std::string> venue_types(const Snapshot& snap) {
    std::set<std::string> out;
    if (const auto* v = snap.layer(model::layer::hub_venues))
        if (const int f = v->field_index(model::venue::hub_type); f >= 0)
            for (const auto& row : v->features) out.insert(geo::as_text(row.values[static_cast<std::size_t>(f)]));
    return out;
}

/// The parameters of the served analysis (the last `run-` row of analysis_runs), so "before" and
/// "after" differ by the scenario alone; the defaults when there is none, as the CLI uses.
json served_parameters(const Snapshot& snap) {
    json out = json::object();
    if (const auto* runs = snap.layer(model::layer::analysis_runs)) {
        const int fid = runs->field_index("run_id"), fp = runs->field_index("parameters");
        for (const auto& r : runs->features)
            if (fid >= 0 && fp >= 0 && geo::as_text(r.values[static_cast<std::size_t>(fid)]).rfind("run-", 0) == 0)
                out = json::parse(geo::as_text(r.values[static_cast<std::size_t>(fp)]), nullptr, false);
    }
    return out.is_discarded() ? json::object() : out;
}

struct SchoolFacts {
    std::unordered_map<std::int64_t, std::int64_t> pupils;
    std::unordered_map<std::int64_t, std::string> names;
};

SchoolFacts school_facts(const Snapshot& snap) {
    SchoolFacts out;
    if (const auto* s = snap.layer(model::layer::schools)) {
        const int fu = s->field_index(model::school::urn), fp = s->field_index(model::school::pupils), fn = s->field_index(model::school::name);
        for (const auto& f : s->features) {
            const auto urn = static_cast<std::int64_t>(fu >= 0 ? geo::as_number(f.values[static_cast<std::size_t>(fu)]).value_or(f.fid) : f.fid);
            out.pupils[urn] = fp >= 0 ? static_cast<std::int64_t>(geo::as_number(f.values[static_cast<std::size_t>(fp)]).value_or(0)) : 0;
            out.names[urn] = fn >= 0 ? geo::as_text(f.values[static_cast<std::size_t>(fn)]) : "";
        }
    }
    return out;
}

/// Schools and pupils within each band of their nearest venue of `type` (`school_access` rows with
/// role nearest and a time).
json within_bands(const geo::FeatureTable& access, const std::string& type, const SchoolFacts& facts) {
    const int fu = access.field_index(model::access::urn), ft = access.field_index(model::access::hub_type), fr = access.field_index(model::access::role), fm = access.field_index(model::access::minutes),
              fmethod = access.field_index(model::access::method);
    json out = json::object();
    for (const int band : kBands) {
        std::size_t schools = 0;
        std::int64_t pupils = 0;
        for (const auto& f : access.features) {
            if (geo::as_text(f.values[static_cast<std::size_t>(fr)]) != model::access_role::nearest || geo::as_text(f.values[static_cast<std::size_t>(ft)]) != type) continue;
            if (fmethod >= 0 && geo::as_text(f.values[static_cast<std::size_t>(fmethod)]) == model::access_method::none) continue;
            const auto m = geo::as_number(f.values[static_cast<std::size_t>(fm)]);
            if (!m || *m > band) continue;
            ++schools;
            const auto urn = static_cast<std::int64_t>(geo::as_number(f.values[static_cast<std::size_t>(fu)]).value_or(0));
            if (const auto it = facts.pupils.find(urn); it != facts.pupils.end()) pupils += it->second;
        }
        out[std::to_string(band)] = {{"schools", schools}, {"pupils", pupils}};
    }
    return out;
}

const geo::FeatureTable* table_named(const std::vector<geo::FeatureTable>& tables, const std::string& name) {
    for (const auto& t : tables)
        if (t.name == name) return &t;
    return nullptr;
}

struct ColdSpotRow {
    std::int64_t cold_spot = 0, gi_bin = 0;
    double index = NAN;
};

std::unordered_map<std::int64_t, ColdSpotRow> cold_spot_rows(const geo::FeatureTable& cs) {
    std::unordered_map<std::int64_t, ColdSpotRow> out;
    const int fu = cs.field_index(model::coldspot::urn), fc = cs.field_index(model::coldspot::cold_spot), fb = cs.field_index(model::coldspot::gi_bin), fi = cs.field_index(model::coldspot::coldspot_index);
    for (const auto& f : cs.features) {
        ColdSpotRow r;
        r.cold_spot = static_cast<std::int64_t>(geo::as_number(f.values[static_cast<std::size_t>(fc)]).value_or(0));
        r.gi_bin = static_cast<std::int64_t>(geo::as_number(f.values[static_cast<std::size_t>(fb)]).value_or(0));
        r.index = geo::as_number(f.values[static_cast<std::size_t>(fi)]).value_or(NAN);
        out[static_cast<std::int64_t>(geo::as_number(f.values[static_cast<std::size_t>(fu)]).value_or(0))] = r;
    }
    return out;
}

/// The version the server serves (on PostGIS, by number: not a newer one published since), opened
/// afresh so that a database restart since the snapshot was loaded does not matter.
geo::Workspace served_workspace(const Snapshot& snap) { return geo::Workspace(snap.workspace, snap.reader ? snap.reader->version() : 0); }

json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

/// Runs the scenario on a copy and compares it with the served results.
json run_scenario_job(const std::shared_ptr<const Snapshot>& snap, const geo::coldspots::Scenario& scenario, const std::set<std::string>& types,
                      const WhatIfJobs::Deadline& deadline) {
    const geo::Workspace ws = served_workspace(*snap);
    const auto params = geo::coldspots::parse_parameters(served_parameters(*snap), "served analysis parameters");
    const auto result = geo::coldspots::compute_analysis(ws, params, [&](std::string_view, double) { deadline.check(); }, scenario);
    const SchoolFacts facts = school_facts(*snap);
    const auto* access_before = snap->layer(model::layer::school_access);
    const auto* access_after = table_named(result.tables, model::layer::school_access);
    if (!access_after) access_after = access_before;
    json access = json::object();
    for (const auto& type : types) {
        json before = access_before ? within_bands(*access_before, type, facts) : json(nullptr);
        json after = access_after ? within_bands(*access_after, type, facts) : json(nullptr);
        access[type] = {{"before", before}, {"after", after}};
    }
    const auto* cs_before = snap->layer(model::layer::coldspots_schools);
    const auto* cs_after = table_named(result.tables, model::layer::coldspots_schools);
    json changed = json::array();
    std::size_t n_before = 0, n_after = 0, n_changed = 0;
    if (cs_before && cs_after) {
        const auto before = cold_spot_rows(*cs_before), after = cold_spot_rows(*cs_after);
        for (const auto& [urn, b] : before) n_before += b.cold_spot == 1;
        for (const auto& [urn, a] : after) n_after += a.cold_spot == 1;
        std::vector<std::int64_t> urns;
        for (const auto& [urn, a] : after)
            if (const auto it = before.find(urn); it == before.end() || it->second.cold_spot != a.cold_spot || it->second.gi_bin != a.gi_bin) urns.push_back(urn);
        std::sort(urns.begin(), urns.end());
        n_changed = urns.size();
        for (const auto urn : urns) {
            if (changed.size() == kMaxChangedListed) break;
            const auto& a = after.at(urn);
            const auto it = before.find(urn);
            changed.push_back({{model::school::urn, urn}, {"name", facts.names.count(urn) ? facts.names.at(urn) : ""},
                               {"cold_spot_before", it == before.end() ? json(nullptr) : json(it->second.cold_spot)}, {"cold_spot_after", a.cold_spot},
                               {"gi_bin_before", it == before.end() ? json(nullptr) : json(it->second.gi_bin)}, {"gi_bin_after", a.gi_bin},
                               {"index_before", it == before.end() ? json(nullptr) : number_or_null(it->second.index)}, {"index_after", number_or_null(a.index)}});
        }
    }
    return {{"access", access},
            {"cold_spot_schools", {{"before", n_before}, {"after", n_after}}},
            {"changed_schools", {{"count", n_changed}, {"listed", changed.size()}, {"items", changed}}},
            {"scored_after", result.summary.scored},
            {"notes", result.summary.notes}};
}

std::string job_href(const RouteContext& ctx, const std::string& kind, const std::string& id) { return ctx.base + "/" + kind + "/" + id; }

Reply accepted(const RouteContext& ctx, const std::string& kind, const std::string& id) {
    Reply r = json_reply(*ctx.what_if.describe(id), 202);
    r.set_header("Location", job_href(ctx, kind, id));
    r.set_header("Cache-Control", "no-store");
    return r;
}

} // namespace

Reply scenario_submit(const RouteContext& ctx) {
    allow_only(ctx.request, {});
    const json body = read_body(ctx);
    only_keys(body, "", {"add_venues", "remove_venues"});
    const std::set<std::string> known_types = venue_types(ctx.snapshot);
    geo::coldspots::Scenario scenario;
    std::set<std::string> types;
    json echo{{"add_venues", json::array()}, {"remove_venues", json::array()}};
    if (body.contains("add_venues")) {
        if (!body["add_venues"].is_array()) invalid("/add_venues", "must be an array");
        for (std::size_t i = 0; i < body["add_venues"].size(); ++i) {
            const auto& v = body["add_venues"][i];
            const std::string at = "/add_venues/" + std::to_string(i);
            if (!v.is_object()) invalid(at, "must be an object with hub_type and lon/lat or easting/northing");
            only_keys(v, at, {model::hub::hub_type, "name", "lon", "lat", "easting", "northing"});
            if (!v.contains(model::hub::hub_type) || !v[model::hub::hub_type].is_string()) invalid(at + "/hub_type", "must be a string");
            const std::string type = v[model::hub::hub_type];
            if (!known_types.count(type)) invalid(at + "/hub_type", "no venue of type '" + type + "' in this workspace");
            const geo::Point p = point_27700(v, at);
            const std::string name = v.contains("name") && v["name"].is_string() ? v["name"].get<std::string>() : "what-if venue " + std::to_string(i + 1);
            scenario.add.push_back({type, name, p});
            types.insert(type);
            echo["add_venues"].push_back({{model::hub::hub_type, type}, {"name", name}, {"easting", p.x()}, {"northing", p.y()}, {"point", lon_lat(p)}});
        }
    }
    if (body.contains("remove_venues")) {
        if (!body["remove_venues"].is_array()) invalid("/remove_venues", "must be an array of venue names or fids");
        const auto* venues = ctx.snapshot.layer(model::layer::hub_venues);
        for (std::size_t i = 0; i < body["remove_venues"].size(); ++i) {
            const auto& v = body["remove_venues"][i];
            const std::string at = "/remove_venues/" + std::to_string(i);
            // A venue is removed by name, as the CLI does: every venue of that name goes (a
            // school can host venues of several hub types).
            std::string name;
            if (venues) {
                const int fn = venues->field_index(model::venue::name);
                for (const auto& f : venues->features)
                    if ((v.is_number_integer() && f.fid == v.get<std::int64_t>()) || (v.is_string() && geo::as_text(f.values[static_cast<std::size_t>(fn)]) == v.get<std::string>()))
                        name = geo::as_text(f.values[static_cast<std::size_t>(fn)]);
            }
            if (name.empty()) invalid(at, "no venue " + v.dump() + " in hub_venues (give its name or fid)");
            json removed_types = json::array();
            const int fn = venues->field_index(model::venue::name), ft = venues->field_index(model::venue::hub_type);
            for (const auto& f : venues->features)
                if (geo::as_text(f.values[static_cast<std::size_t>(fn)]) == name) {
                    types.insert(geo::as_text(f.values[static_cast<std::size_t>(ft)]));
                    removed_types.push_back(geo::as_text(f.values[static_cast<std::size_t>(ft)]));
                }
            scenario.remove.push_back(name);
            echo["remove_venues"].push_back({{"name", name}, {"hub_types", removed_types}});
        }
    }
    if (scenario.empty()) invalid("", "a scenario needs at least one of add_venues, remove_venues");
    if (scenario.add.size() + scenario.remove.size() > kMaxVenues) invalid("", "at most " + std::to_string(kMaxVenues) + " venues per scenario");
    if (!ctx.snapshot.layer(model::layer::coldspots_schools)) throw HttpProblem(404, "the workspace has not been analysed yet (`coldspot coldspots` writes coldspots_schools)", {{"layer", model::layer::coldspots_schools}});
    auto snap = ctx.hold;
    const std::string id = ctx.what_if.submit("scenario", echo, [snap, scenario, types](const WhatIfJobs::Deadline& d) {
        json r = run_scenario_job(snap, scenario, types, d);
        r["snapshot_version"] = snap->version;
        return r;
    });
    return accepted(ctx, "scenarios", id);
}

Reply suggestion_submit(const RouteContext& ctx) {
    allow_only(ctx.request, {});
    const json body = read_body(ctx);
    only_keys(body, "", {"k", model::hub::hub_type, "cutoff_minutes", "hub", "authority", "candidates"});
    if (!body.contains("k") || !body["k"].is_number_integer() || body["k"].get<std::int64_t>() < 1 || body["k"].get<std::int64_t>() > 20)
        invalid("/k", "must be an integer from 1 to 20");
    if (!body.contains(model::hub::hub_type) || !body[model::hub::hub_type].is_string()) invalid("/hub_type", "must be a string");
    const std::string type = body[model::hub::hub_type];
    if (!venue_types(ctx.snapshot).count(type)) invalid("/hub_type", "no venue of type '" + type + "' in this workspace");
    const double cutoff = body.contains("cutoff_minutes") ? number_at(body, "cutoff_minutes", "") : 30.0;
    if (cutoff <= 0 || cutoff > 180) invalid("/cutoff_minutes", "must be above 0 and at most 180");
    geo::coldspots::TargetQuery q;
    if (body.contains("hub")) {
        if (!body["hub"].is_string()) invalid("/hub", "must be a hub id or name");
        q.hub = body["hub"].get<std::string>();
        if (!hub_type_of(ctx.snapshot, geo::coldspots::resolve_hub_id(ctx.snapshot.layer(model::layer::hubs), *q.hub))) invalid("/hub", "no hub '" + *q.hub + "'");
    }
    if (body.contains("authority")) {
        if (!body["authority"].is_string()) invalid("/authority", "must be an authority code");
        q.authority = body["authority"].get<std::string>();
    }
    std::optional<std::vector<geo::Point>> candidates;
    if (body.contains("candidates") && !body["candidates"].is_null()) {
        if (!body["candidates"].is_array() || body["candidates"].empty() || body["candidates"].size() > kMaxCandidates)
            invalid("/candidates", "must be null (the schools) or 1 to " + std::to_string(kMaxCandidates) + " [lon, lat] pairs");
        candidates.emplace();
        for (std::size_t i = 0; i < body["candidates"].size(); ++i) {
            const auto& c = body["candidates"][i];
            const std::string at = "/candidates/" + std::to_string(i);
            if (!c.is_array() || c.size() != 2 || !c[0].is_number() || !c[1].is_number()) invalid(at, "must be [lon, lat]");
            candidates->push_back(point_27700(json{{"lon", c[0]}, {"lat", c[1]}}, at));
        }
    }
    if (!ctx.snapshot.layer(model::layer::targets)) throw HttpProblem(404, "the workspace has not been analysed yet (`coldspot coldspots` writes targets)", {{"layer", model::layer::targets}});
    auto snap = ctx.hold;
    const auto k = static_cast<std::size_t>(body["k"].get<std::int64_t>());
    const std::string id = ctx.what_if.submit("suggestion", body, [snap, q, type, k, cutoff, candidates](const WhatIfJobs::Deadline& d) {
        d.check();
        const geo::Workspace ws = served_workspace(*snap);
        const auto s = geo::coldspots::suggest_venues(ws, q, type, k, geo::Minutes(cutoff), candidates ? &*candidates : nullptr);
        json picks = json::array();
        for (std::size_t i = 0; i < s.points.size(); ++i)
            picks.push_back({{"order", i + 1}, {model::school::urn, s.urns[i] ? json(s.urns[i]) : json(nullptr)}, {"name", s.names[i]}, {"gain", s.choice.gain[i]},
                             {"easting", std::round(s.points[i].x() * 10) / 10}, {"northing", std::round(s.points[i].y() * 10) / 10}, {"point", lon_lat(s.points[i])}});
        // The operator's method text names server files: the API says the same without them.
        std::string method = s.by_road ? "road graph" : "straight line";
        if (s.by_road && s.off_road_schools > 0)
            method += "; " + std::to_string(s.off_road_schools) + " of " + std::to_string(s.schools) + " schools beyond road coverage by straight-line estimate";
        return json{{model::hub::hub_type, type}, {"cutoff_minutes", cutoff}, {"method", method}, {"by_road", s.by_road},
                    {"estimated_schools", s.by_road ? s.off_road_schools : s.schools}, {"schools", s.schools},
                    {"covered_before", s.choice.covered_before}, {"covered_after", s.choice.covered_after}, {"total", s.choice.total},
                    {"weight", "cold-spot index / 100 of each school"}, {"picks", picks}, {"snapshot_version", snap->version}};
    });
    return accepted(ctx, "suggestions", id);
}

Reply what_if_status(const RouteContext& ctx, const std::string& kind, const std::string& id) {
    allow_only(ctx.request, {});
    auto job = ctx.what_if.describe(id);
    const std::string want = kind == "scenarios" ? "scenario" : "suggestion";
    if (!job || (*job)["kind"] != want) throw HttpProblem(404, "there is no " + want + " job '" + id + "' (the last 100 finished are kept)");
    (*job)["links"] = json::array({{{"rel", "self"}, {"href", job_href(ctx, kind, id)}}});
    const std::string format = ctx.request.param("f").value_or("json");
    if (format != "json" && kind == "suggestions" && (*job)["state"] == "succeeded") {
        // The picks as a table, through the same writers as the target lists.
        geo::FeatureTable t;
        t.name = "suggested_venues";
        t.geometry_type = geo::GeometryType::Point;
        t.epsg = 27700;
        t.fields = {{"order", geo::FieldType::Integer}, {model::school::urn, geo::FieldType::Integer}, {"name", geo::FieldType::String}, {"gain", geo::FieldType::Real}, {model::hub::hub_type, geo::FieldType::String}};
        for (const auto& p : (*job)["result"]["picks"])
            t.features.push_back({p["order"].get<std::int64_t>(), geo::Point{p["easting"].get<double>(), p["northing"].get<double>()},
                                  {p["order"].get<std::int64_t>(), p[model::school::urn].is_null() ? geo::Value() : geo::Value(p[model::school::urn].get<std::int64_t>()), p["name"].get<std::string>(),
                                   p["gain"].get<double>(), (*job)["result"][model::hub::hub_type].get<std::string>()}});
        return table_reply(ctx, t, "suggested-venues-" + id, *job);
    }
    if (format != "json") throw HttpProblem(400, "parameter 'f' is json here" + std::string(kind == "suggestions" ? " (csv and geojson once the job has succeeded)" : ""), {{"parameter", "f"}});
    Reply r = json_reply(*job);
    r.set_header("Cache-Control", "no-store");
    return r;
}

} // namespace coldspot::service::detail
