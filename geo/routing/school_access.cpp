#include "coldspot/geo/routing/school_access.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/geos.hpp"
#include "coldspot/geo/routing/edge_snapper.hpp"
#include "coldspot/geo/routing/contracted_graph.hpp"
#include "coldspot/geo/routing/multi_source_search.hpp"
#include "coldspot/geo/routing/travel_time_matrix.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>

namespace coldspot::geo::routing {

namespace {

struct Venue {
    std::int64_t fid;
    std::string hub_id, hub_type, name;
    Point at;
    Snap snap;
    bool on_road = false;
};

struct School {
    std::int64_t urn;
    Point at;
    Snap snap;
    bool on_road = false;
};

/// The best venue a school reaches: its time and distance, which venue, and whether by road.
struct BestVenue {
    double minutes = 0, metres = 0;
    std::size_t venue = 0;
    bool road = false;
    bool found = false;
};

const Point* point_of(const Feature& f) { return std::get_if<Point>(&f.geometry); }

std::string text_or(const Feature& f, int idx) { return idx >= 0 ? as_text(f.values[static_cast<std::size_t>(idx)]) : std::string(); }

/// Straight-line fallback to the nearest of `candidates` (indices into venues).
BestVenue straight_line(const Point& from, const std::vector<Venue>& venues, const std::vector<std::size_t>& candidates,
                        const SpeedProfile& profile) {
    BestVenue best;
    double best_d = std::numeric_limits<double>::infinity();
    for (auto v : candidates) {
        const double d = bg::distance(from, venues[v].at);
        if (d < best_d) {
            best_d = d;
            best.venue = v;
        }
    }
    if (candidates.empty()) return best;
    best.found = true;
    best.metres = best_d * profile.circuity_factor;
    best.minutes = best.metres / (profile.fallback_kph / 3.6) / 60.0;
    return best;
}

/// Road value for a school from a finished search, or the straight-line fallback (never mixed:
/// the method says which).
BestVenue school_value(const ChainSearch& search, const School& s, const std::vector<Venue>& venues,
                       const std::vector<std::size_t>& candidates, const SpeedProfile& profile) {
    if (s.on_road) {
        const Arrival a = search.arrival(s.snap);
        if (a.time != kUnreachable) {
            BestVenue v;
            v.found = v.road = true;
            v.minutes = a.time / 60000.0;
            v.metres = a.metres;
            v.venue = a.label;
            return v;
        }
    }
    return straight_line(s.at, venues, candidates, profile);
}

} // namespace

std::string AccessReport::to_string() const {
    std::ostringstream os;
    os << schools << " schools (" << schools_flagged_far << " snapped far from a road, " << schools_without_road
       << " beyond road coverage), " << venues << " venues (" << venues_without_road << " beyond road coverage); "
       << road_values << " road values, " << straight_line_values << " straight-line values; " << own_hub_much_farther
       << " school/hub pairs where the own hub is much farther; " << matrix_pairs << " matrix pairs; remits from "
       << remit_source;
    return os.str();
}

AccessResult compute_school_access(const RoadGraph& graph, const AccessInputs& in, const SpeedProfile& profile,
                                   const AccessOptions& options) {
    return compute_school_access(graph, ContractedGraph(graph), in, profile, options);
}

AccessResult compute_school_access(const RoadGraph& graph, const ContractedGraph& contracted, const AccessInputs& in,
                                   const SpeedProfile& profile, const AccessOptions& options) {
    if (!in.schools || !in.hub_venues) throw InvalidArgumentError("school access needs schools and hub_venues");
    AccessResult result;
    AccessReport& report = result.report;
    const EdgeSnapper snapper(graph);
    ChainSearch search(graph, contracted);
    std::optional<RoadGraph> reversed; // for isochrones only

    // --- venues, grouped by type and by hub
    std::vector<Venue> venues;
    {
        const FeatureTable& t = *in.hub_venues;
        const auto i_hub = t.require_field("hub_id");
        const auto i_type = t.require_field("hub_type");
        const int i_name = t.field_index("name");
        for (const auto& f : t.features) {
            const Point* p = point_of(f);
            if (!p) continue;
            Venue v{f.fid, as_text(f.values[i_hub]), as_text(f.values[i_type]), text_or(f, i_name), *p, snapper.snap(*p), false};
            v.on_road = v.snap.found && v.snap.distance_m <= options.no_coverage_m;
            if (!v.on_road) ++report.venues_without_road;
            venues.push_back(std::move(v));
        }
    }
    report.venues = venues.size();
    std::map<std::string, std::vector<std::size_t>> by_type, by_hub;
    for (std::size_t i = 0; i < venues.size(); ++i) {
        by_type[venues[i].hub_type].push_back(i);
        by_hub[venues[i].hub_id].push_back(i);
    }

    // --- schools
    std::vector<School> schools;
    {
        const FeatureTable& t = *in.schools;
        const int i_urn = t.field_index("urn");
        for (const auto& f : t.features) {
            const Point* p = point_of(f);
            if (!p) continue;
            School s{i_urn >= 0 ? static_cast<std::int64_t>(as_number(f.values[static_cast<std::size_t>(i_urn)]).value_or(
                                      static_cast<double>(f.fid)))
                                : f.fid,
                     *p, snapper.snap(*p), false};
            s.on_road = s.snap.found && s.snap.distance_m <= options.no_coverage_m;
            if (!s.on_road) ++report.schools_without_road;
            else if (s.snap.distance_m > options.flag_snap_m) ++report.schools_flagged_far;
            schools.push_back(std::move(s));
        }
    }
    report.schools = schools.size();

    // --- remits: school index -> hub ids (per type)
    std::vector<std::set<std::string>> remits(schools.size());
    std::map<std::string, std::string> hub_type_of;
    for (const auto& v : venues) hub_type_of[v.hub_id] = v.hub_type;
    if (in.school_remits && in.school_remits->field_index("urn") >= 0 && in.school_remits->field_index("hub_id") >= 0) {
        report.remit_source = "school_remits";
        std::unordered_map<std::int64_t, std::size_t> by_urn;
        for (std::size_t i = 0; i < schools.size(); ++i) by_urn.emplace(schools[i].urn, i);
        const auto i_urn = in.school_remits->require_field("urn");
        const auto i_hub = in.school_remits->require_field("hub_id");
        for (const auto& f : in.school_remits->features) {
            const auto urn = as_number(f.values[i_urn]);
            if (!urn) continue;
            auto it = by_urn.find(static_cast<std::int64_t>(*urn));
            if (it != by_urn.end()) remits[it->second].insert(as_text(f.values[i_hub]));
        }
    } else if (in.hubs) {
        report.remit_source = "hubs (point in footprint)";
        const auto i_hub = in.hubs->require_field("hub_id");
        for (const auto& f : in.hubs->features) {
            const auto* mp = std::get_if<MultiPolygon>(&f.geometry);
            if (!mp) continue;
            const PreparedPolygon footprint(*mp);
            const Box b = envelope(f.geometry);
            const std::string hub = as_text(f.values[i_hub]);
            for (std::size_t i = 0; i < schools.size(); ++i)
                if (bg::covered_by(schools[i].at, b) && footprint.covers(schools[i].at)) remits[i].insert(hub);
        }
    } else {
        report.remit_source = "none";
    }

    // --- output schemas
    FeatureTable& sa = result.school_access;
    sa.name = "school_access";
    sa.description = "drive times from schools to hub venues (see docs/routing.md)";
    sa.geometry_type = GeometryType::Point;
    sa.fields = {{"urn", FieldType::Integer},         {"hub_type", FieldType::String},
                 {"role", FieldType::String},         {"hub_id", FieldType::String},
                 {"venue", FieldType::String},        {"venue_fid", FieldType::Integer},
                 {"minutes", FieldType::Real},        {"metres", FieldType::Real},
                 {"method", FieldType::String},       {"snap_m", FieldType::Real},
                 {"snap_flag", FieldType::String},    {"nearest_minutes", FieldType::Real},
                 {"own_hub_much_farther", FieldType::Integer}};
    auto snap_flag = [&](const School& s) -> std::string {
        if (!s.on_road) return "no_road";
        return s.snap.distance_m > options.flag_snap_m ? "far" : "ok";
    };
    auto add_row = [&](const School& s, const std::string& type, const std::string& role, const BestVenue& v,
                       Value nearest, Value farther) {
        Feature f;
        f.fid = static_cast<std::int64_t>(sa.features.size()) + 1;
        f.geometry = s.at;
        const bool ok = v.found;
        const Venue* venue = ok ? &venues[v.venue] : nullptr;
        f.values = {s.urn,
                    type,
                    role,
                    venue ? Value(venue->hub_id) : Value(),
                    venue ? Value(venue->name) : Value(),
                    venue ? Value(venue->fid) : Value(),
                    ok ? Value(v.minutes) : Value(),
                    ok ? Value(v.metres) : Value(),
                    ok ? std::string(v.road ? "road" : "straight_line") : std::string("none"),
                    s.snap.found ? Value(s.snap.distance_m) : Value(),
                    snap_flag(s),
                    std::move(nearest),
                    std::move(farther)};
        if (ok) ++(v.road ? report.road_values : report.straight_line_values);
        sa.features.push_back(std::move(f));
    };

    FeatureTable& iso = result.isochrones;
    iso.name = "isochrones";
    iso.description = "areas within N minutes' drive of a venue of each hub type";
    iso.geometry_type = GeometryType::MultiPolygon;
    iso.fields = {{"hub_type", FieldType::String}, {"minutes", FieldType::Real}, {"area_km2", FieldType::Real}};

    // Runs the search from the venues `idx` that are on the road; returns how many there were.
    auto search_from = [&](const std::vector<std::size_t>& idx) {
        search.clear_sources();
        std::size_t on_road = 0;
        for (auto v : idx) {
            if (!venues[v].on_road) continue;
            search.add_source(venues[v].snap, static_cast<std::uint32_t>(v));
            ++on_road;
        }
        search.run();
        return on_road;
    };

    // --- nearest venue per type + isochrones
    std::map<std::string, std::vector<BestVenue>> nearest;
    for (const auto& [type, idx] : by_type) {
        const std::size_t sources = search_from(idx);
        auto& values = nearest[type];
        values.resize(schools.size());
        for (std::size_t i = 0; i < schools.size(); ++i) values[i] = school_value(search, schools[i], venues, idx, profile);
        if (sources > 0 && !options.isochrones.minutes.empty()) {
            if (!reversed) reversed = graph.reversed();
            const auto polys = isochrone_polygons(*reversed, search.node_times(), options.isochrones);
            for (std::size_t k = 0; k < polys.size(); ++k) {
                Feature f;
                f.fid = static_cast<std::int64_t>(iso.features.size()) + 1;
                f.values = {type, options.isochrones.minutes[k], bg::area(polys[k]) / 1e6};
                f.geometry = polys[k];
                iso.features.push_back(std::move(f));
            }
        }
    }

    // --- own hubs: one search per hub whose remit covers any school
    std::map<std::string, std::vector<std::size_t>> schools_of_hub;
    for (std::size_t i = 0; i < schools.size(); ++i)
        for (const auto& h : remits[i]) schools_of_hub[h].push_back(i);
    std::map<std::pair<std::size_t, std::string>, BestVenue> own; // (school, hub) -> value
    for (const auto& [hub, school_idx] : schools_of_hub) {
        auto it = by_hub.find(hub);
        if (it == by_hub.end()) continue; // a hub without venues: nothing to time
        search_from(it->second);
        for (auto i : school_idx) own[{i, hub}] = school_value(search, schools[i], venues, it->second, profile);
    }

    for (std::size_t i = 0; i < schools.size(); ++i) {
        for (const auto& [type, values] : nearest) {
            const BestVenue& n = values[i];
            add_row(schools[i], type, "nearest", n, Value(), Value());
            for (const auto& hub : remits[i]) {
                auto t = hub_type_of.find(hub);
                if (t == hub_type_of.end() || t->second != type) continue;
                const BestVenue& o = own.at({i, hub});
                Value farther;
                if (o.found && n.found && o.road == n.road) {
                    const bool much = venues[n.venue].hub_id != hub && o.minutes > n.minutes * options.own_hub_ratio &&
                                      o.minutes - n.minutes > options.own_hub_extra_minutes;
                    farther = std::int64_t{much ? 1 : 0};
                    if (much) ++report.own_hub_much_farther;
                }
                add_row(schools[i], type, "own_hub", o, n.found ? Value(n.minutes) : Value(), std::move(farther));
            }
        }
    }

    // --- matrix: times_to_destinations (one search per venue bounded by the cutoff, schools found
    // through buckets on their nodes). Places beyond road coverage take no part: the matrix holds
    // road times only.
    FeatureTable& mx = result.access_matrix;
    mx.name = "access_matrix";
    mx.description = "school x venue drive times within the cutoff (road method only)";
    mx.geometry_type = GeometryType::None;
    mx.fields = {{"urn", FieldType::Integer},  {"hub_type", FieldType::String}, {"hub_id", FieldType::String},
                 {"venue_fid", FieldType::Integer}, {"minutes", FieldType::Real},  {"metres", FieldType::Real}};
    if (options.matrix_cutoff_minutes > 0) {
        const auto cutoff = static_cast<TimeMs>(options.matrix_cutoff_minutes * 60000.0);
        auto road_snaps = [](const auto& items) {
            std::vector<Snap> out;
            out.reserve(items.size());
            for (const auto& item : items) {
                out.push_back(item.snap);
                out.back().found = item.on_road;
            }
            return out;
        };
        const auto cells = times_to_destinations(graph, contracted, road_snaps(schools), road_snaps(venues), cutoff);
        for (std::size_t v = 0; v < venues.size(); ++v)
            for (const auto& cell : cells[v]) {
                Feature f;
                f.fid = static_cast<std::int64_t>(mx.features.size()) + 1;
                f.values = {schools[cell.place].urn, venues[v].hub_type, venues[v].hub_id, venues[v].fid,
                            cell.time / 60000.0, cell.metres};
                mx.features.push_back(std::move(f));
            }
        report.matrix_pairs = mx.features.size();
    }
    return result;
}

} // namespace coldspot::geo::routing
