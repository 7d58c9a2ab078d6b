#include "coldspot/geo/coldspots/targets.hpp"
#include "coldspot/geo/routing/access_parameters.hpp"

#include "coldspot/geo/coldspots/detail/road_coverage.hpp"
#include "coldspot/geo/model/minutes_field.hpp"
#include "coldspot/geo/coldspots/school_index.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/routing/access_run.hpp"
#include "coldspot/geo/crs.hpp"
#include "coldspot/geo/error.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

#include <boost/geometry/index/rtree.hpp>

#include <cmath>
#include <iomanip>
#include <set>
#include <sstream>
#include <unordered_map>

namespace coldspot::geo::coldspots {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep))
        if (!cur.empty()) out.push_back(cur);
    return out;
}

/// "2 km", "1.5 km", "800 m": distances as a reader of the method line expects them.
std::string format_metres(double metres) {
    char buf[32];
    if (metres >= 1000) std::snprintf(buf, sizeof buf, "%g km", metres / 1000.0);
    else std::snprintf(buf, sizeof buf, "%g m", metres);
    return buf;
}

/// hub name or id -> hub_id.
std::string resolve_hub(const FeatureTable* hubs_layer, const std::string& hub) {
    if (!hubs_layer) return hub;
    const auto& hubs = *hubs_layer;
    const std::size_t fi = hubs.require_field(model::hub::hub_id);
    const int fn = hubs.field_index("name");
    std::set<std::string> ids;
    for (const auto& f : hubs.features) {
        std::string id = as_text(f.values[fi]);
        if (id == hub) return id;
        if (fn >= 0 && as_text(f.values[static_cast<std::size_t>(fn)]) == hub) ids.insert(id);
    }
    if (ids.size() == 1) return *ids.begin();
    if (ids.size() > 1)
        throw InvalidArgumentError("hub name '" + hub + "' matches " + std::to_string(ids.size()) +
                                   " hubs; give a hub_id instead");
    throw NotFoundError("no hub with id or name '" + hub + "' in the `hubs` layer");
}

std::string csv_cell(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

} // namespace

FeatureTable select_targets(const Workspace& ws, const TargetQuery& q) {
    if (!ws.has_layer(model::layer::targets) || !ws.has_layer(model::layer::coldspots_schools))
        throw WorkspaceError("workspace " + ws.path().string() +
                             " has no `targets` layer: run `coldspot coldspots WORKSPACE` first");
    const FeatureTable targets = ws.read(model::layer::targets);
    const FeatureTable cs = ws.read(model::layer::coldspots_schools);
    std::optional<FeatureTable> hubs;
    if (ws.has_layer(model::layer::hubs)) hubs = ws.read(model::layer::hubs);
    return select_targets(TargetTables{targets, cs, hubs ? &*hubs : nullptr}, q);
}

std::string resolve_hub_id(const FeatureTable* hubs, const std::string& hub) { return resolve_hub(hubs, hub); }

FeatureTable select_targets(const TargetTables& tables, const TargetQuery& q) {
    // The schema only: the rows kept are copied below (the HTTP service selects from England's
    // whole list on a request).
    FeatureTable t;
    t.name = tables.targets.name;
    t.description = tables.targets.description;
    t.geometry_type = tables.targets.geometry_type;
    t.epsg = tables.targets.epsg;
    t.fields = tables.targets.fields;
    const FeatureTable& cs = tables.coldspots_schools;
    const std::string hub_id = q.hub ? resolve_hub(tables.hubs, *q.hub) : std::string();
    const std::size_t f_hubs = t.require_field(model::coldspot::hub_ids), f_la = t.require_field(model::school::la_code),
                      f_lad = t.require_field(model::school::lad_code), f_lsoa = t.require_field(model::school::lsoa_code),
                      f_rank = t.require_field(model::coldspot::rank), f_urn = t.require_field(model::school::urn);

    // Contributions by URN, appended as columns.
    const std::size_t cs_urn = cs.require_field(model::school::urn);
    std::vector<std::size_t> cs_fields;
    for (auto c : kComponents) {
        const std::string name = "contrib_" + std::string(to_string(c));
        cs_fields.push_back(cs.require_field(name));
        t.fields.push_back({name, FieldType::Real});
    }
    std::unordered_map<std::int64_t, const Feature*> by_urn;
    for (const auto& f : cs.features)
        if (auto u = as_number(f.values[cs_urn])) by_urn[static_cast<std::int64_t>(*u)] = &f;

    std::vector<Feature> kept;
    for (const auto& row : tables.targets.features) {
        const Feature& f = row;
        if (q.hub) {
            const auto ids = split(as_text(f.values[f_hubs]), ';');
            if (std::find(ids.begin(), ids.end(), hub_id) == ids.end()) continue;
        }
        if (q.authority && as_text(f.values[f_la]) != *q.authority && as_text(f.values[f_lad]) != *q.authority) continue;
        if (q.area && as_text(f.values[f_lsoa]) != *q.area) continue;
        const auto urn = as_number(f.values[f_urn]);
        const Feature* c = nullptr;
        if (urn)
            if (const auto found = by_urn.find(static_cast<std::int64_t>(*urn)); found != by_urn.end()) c = found->second;
        Feature out = f;
        for (auto fi : cs_fields) out.values.push_back(c ? c->values[fi] : Value());
        kept.push_back(std::move(out));
        if (q.top && kept.size() == q.top) break;
    }
    // `targets` is stored in rank order; renumber within the selection.
    for (std::size_t i = 0; i < kept.size(); ++i) {
        kept[i].values[f_rank] = static_cast<std::int64_t>(i + 1);
        kept[i].fid = static_cast<std::int64_t>(i + 1);
    }
    t.features = std::move(kept);
    return t;
}

void write_csv(const FeatureTable& t, std::ostream& out) {
    for (std::size_t i = 0; i < t.fields.size(); ++i) out << (i ? "," : "") << csv_cell(t.fields[i].name);
    const bool points = t.geometry_type == GeometryType::Point;
    if (points) out << ",easting,northing";
    out << "\n";
    for (const auto& f : t.features) {
        for (std::size_t i = 0; i < f.values.size(); ++i) {
            std::string cell;
            if (const auto* d = std::get_if<double>(&f.values[i])) {
                std::ostringstream s;
                s << std::setprecision(10) << *d;
                cell = s.str();
            } else {
                cell = as_text(f.values[i]);
            }
            out << (i ? "," : "") << csv_cell(cell);
        }
        if (points) {
            if (const auto* p = std::get_if<Point>(&f.geometry))
                out << "," << std::fixed << std::setprecision(1) << p->x() << "," << p->y() << std::defaultfloat;
            else
                out << ",,";
        }
        out << "\n";
    }
}

void write_geojson(const FeatureTable& t, std::ostream& out) {
    const CrsTransform to_wgs84(t.epsg ? Epsg(t.epsg) : kBritishNationalGrid, kWgs84);
    nlohmann::json fc{{"type", "FeatureCollection"}, {"name", t.name}, {"features", nlohmann::json::array()}};
    auto round6 = [](double v) { return std::round(v * 1e6) / 1e6; };
    for (const auto& f : t.features) {
        nlohmann::json props = nlohmann::json::object();
        for (std::size_t i = 0; i < t.fields.size(); ++i) {
            const Value& v = f.values[i];
            if (const auto* n = std::get_if<std::int64_t>(&v)) props[t.fields[i].name] = *n;
            else if (const auto* d = std::get_if<double>(&v)) props[t.fields[i].name] = std::isfinite(*d) ? nlohmann::json(*d) : nlohmann::json();
            else if (const auto* s = std::get_if<std::string>(&v)) props[t.fields[i].name] = *s;
            else props[t.fields[i].name] = nullptr;
        }
        nlohmann::json geometry = nullptr;
        if (const auto* p = std::get_if<Point>(&f.geometry)) {
            const Point g = to_wgs84(*p);
            geometry = {{"type", "Point"}, {"coordinates", {round6(g.x()), round6(g.y())}}};
        }
        fc["features"].push_back({{"type", "Feature"}, {"id", f.fid}, {"properties", props}, {"geometry", geometry}});
    }
    out << fc.dump() << "\n";
}

VenueSuggestion suggest_venues(const Workspace& ws, const TargetQuery& query, const std::string& hub_type, std::size_t k,
                               Minutes cutoff) {
    return suggest_venues(ws, query, hub_type, k, cutoff, nullptr);
}

VenueSuggestion suggest_venues(const Workspace& ws, const TargetQuery& query, const std::string& hub_type, std::size_t k,
                               Minutes cutoff, const std::vector<Point>* candidate_points) {
    const double cutoff_minutes = cutoff.value();
    if (!(cutoff > Minutes(0))) throw InvalidArgumentError("venue suggestion needs a positive cutoff in minutes");
    TargetQuery all = query;
    all.top = 0;
    const FeatureTable sel = select_targets(ws, all);
    const auto cs = ws.read(model::layer::coldspots_schools);
    const int f_minutes = cs.field_index(model::minutes_field(hub_type));
    if (f_minutes < 0)
        throw InvalidArgumentError("no access times for hub type '" + hub_type + "' in coldspots_schools");
    std::unordered_map<std::int64_t, double> minutes;
    const std::size_t cs_urn = cs.require_field(model::school::urn);
    for (const auto& f : cs.features)
        if (auto u = as_number(f.values[cs_urn]))
            minutes[static_cast<std::int64_t>(*u)] = as_number(f.values[static_cast<std::size_t>(f_minutes)]).value_or(INFINITY);

    const std::size_t f_urn = sel.require_field(model::school::urn), f_index = sel.require_field(model::coldspot::coldspot_index),
                      f_name = sel.require_field("name");
    VenueSuggestion out;
    CoverageProblem problem;
    std::vector<Point> at;
    std::vector<std::int64_t> urns;
    std::vector<std::string> names;
    for (const auto& f : sel.features) {
        const auto* p = std::get_if<Point>(&f.geometry);
        const auto u = as_number(f.values[f_urn]);
        if (!p || !u) continue;
        const auto urn = static_cast<std::int64_t>(*u);
        at.push_back(*p);
        urns.push_back(urn);
        names.push_back(as_text(f.values[f_name]));
        problem.demand.push_back(as_number(f.values[f_index]).value_or(0.0) / 100.0);
        problem.already_covered.push_back(minutes.count(urn) && minutes[urn] <= cutoff_minutes);
    }
    // Candidates: the selected schools, or the given points.
    const std::vector<Point>& cand = candidate_points ? *candidate_points : at;
    // Candidate i covers j when the drive j -> i is within the cutoff: on the road graph the last
    // access run used when there is one, else by the straight-line estimate.
    if (auto graph = routing::load_recorded_graph(ws.path())) {
        std::vector<Point> existing;
        if (ws.has_layer(model::layer::hub_venues)) {
            const auto venues = ws.read(model::layer::hub_venues);
            const std::size_t v_type = venues.require_field(model::hub::hub_type);
            for (const auto& f : venues.features)
                if (const auto* p = std::get_if<Point>(&f.geometry); p && as_text(f.values[v_type]) == hub_type)
                    existing.push_back(*p);
        }
        const CoverageInputs in{at, problem.demand, cand, existing, cutoff};
        RoadCoverage road = road_coverage(*graph, in);
        problem = std::move(road.problem);
        out.by_road = true;
        out.off_road_schools = road.demand_off_road;
        out.method = "road graph (" + graph->cache_note + "); existing coverage from " +
                     std::to_string(existing.size()) + " " + hub_type + " venue(s)";
        if (road.demand_off_road > 0)
            out.method += "; " + std::to_string(road.demand_off_road) + " of " + std::to_string(at.size()) +
                          " schools are beyond road coverage (over " + format_metres(graph->parameters.access.no_coverage_m) +
                          " from a road): straight-line estimate for them";
    } else {
        // The straight line of the access run's speed profile (recorded, else the default), as its
        // school_access rows and the index use it.
        const auto profile = routing::recorded_access_parameters(ws).parameters.profile;
        const double reach_m = distance_at(profile.fallback_kph, cutoff).value() / profile.circuity_factor;
        namespace bgi = boost::geometry::index;
        using Item = std::pair<Point, std::uint32_t>;
        std::vector<Item> items;
        for (std::size_t i = 0; i < at.size(); ++i) items.emplace_back(at[i], static_cast<std::uint32_t>(i));
        const bgi::rtree<Item, bgi::rstar<16>> tree(items.begin(), items.end());
        problem.covers.resize(cand.size());
        std::vector<Item> hits;
        for (std::size_t i = 0; i < cand.size(); ++i) {
            hits.clear();
            const Box box{Point{cand[i].x() - reach_m, cand[i].y() - reach_m}, Point{cand[i].x() + reach_m, cand[i].y() + reach_m}};
            tree.query(bgi::intersects(box), std::back_inserter(hits));
            for (const auto& [p, j] : hits)
                if (bg::distance(cand[i], p) <= reach_m) problem.covers[i].push_back(j);
            std::sort(problem.covers[i].begin(), problem.covers[i].end());
        }
        out.method = "straight line (no road graph: no roads layer and no graph cache beside the workspace); "
                     "existing coverage from the stored minutes";
    }
    out.schools = at.size();
    out.choice = greedy_max_cover(problem, k);
    for (auto c : out.choice.chosen) {
        out.points.push_back(cand[c]);
        out.urns.push_back(candidate_points ? 0 : urns[c]);
        out.names.push_back(candidate_points ? "candidate " + std::to_string(c + 1) : names[c]);
    }
    return out;
}

} // namespace coldspot::geo::coldspots
