#include "coldspot/geo/routing/school_access.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/geos.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/model/school_access.hpp"
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

/// A venue and where it meets the road network.
struct SnappedVenue {
    std::int64_t fid;
    std::string hub_id, hub_type, name;
    Point at;
    Snap snap;
    bool on_road = false;
};

/// A school and where it meets the road network.
struct SnappedSchool {
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
BestVenue straight_line(const Point& from, const std::vector<SnappedVenue>& venues, const std::vector<std::size_t>& candidates,
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
BestVenue school_value(const ChainSearch& search, const SnappedSchool& s, const std::vector<SnappedVenue>& venues,
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

/// The snaps of `places` (schools or venues), those beyond road coverage marked not found.
template <class Places>
std::vector<Snap> road_snaps(const Places& places) {
    std::vector<Snap> out;
    out.reserve(places.size());
    for (const auto& place : places) {
        out.push_back(place.snap);
        out.back().found = place.on_road;
    }
    return out;
}

/// One run of compute_school_access, step by step: read the venues and schools and snap them, find
/// each school's remits, time the nearest venue of each type (with isochrones) and each own hub's
/// venues, write a row per school and value, then the matrix. Each step leaves its output in a
/// member for the next.
class AccessComputation {
public:
    AccessComputation(const RoadGraph& graph, const ContractedGraph& contracted, const AccessInputs& in,
                      const SpeedProfile& profile, const AccessOptions& options)
        : graph_(graph), contracted_(contracted), in_(in), profile_(profile), options_(options), snapper_(graph),
          search_(graph, contracted) {}
    AccessComputation(const AccessComputation&) = delete;
    AccessComputation& operator=(const AccessComputation&) = delete;

    AccessResult run() {
        read_venues();
        read_schools();
        find_remits();
        declare_school_access();
        declare_isochrones();
        time_nearest_venues();
        time_own_hubs();
        add_school_rows();
        declare_access_matrix();
        if (options_.matrix_cutoff_minutes > 0) add_matrix();
        return std::move(result_);
    }

private:
    bool within_coverage(const Snap& snap) const { return snap.found && snap.distance_m <= options_.no_coverage_m; }

    /// Venues, snapped, grouped by type and by hub.
    void read_venues() {
        const FeatureTable& t = *in_.hub_venues;
        const auto i_hub = t.require_field(model::hub::hub_id);
        const auto i_type = t.require_field(model::hub::hub_type);
        const int i_name = t.field_index("name");
        for (const auto& f : t.features) {
            const Point* p = point_of(f);
            if (!p) continue;
            SnappedVenue v{f.fid, as_text(f.values[i_hub]), as_text(f.values[i_type]), text_or(f, i_name), *p, snapper_.snap(*p), false};
            v.on_road = within_coverage(v.snap);
            if (!v.on_road) ++report_.venues_without_road;
            venues_.push_back(std::move(v));
        }
        report_.venues = venues_.size();
        for (std::size_t i = 0; i < venues_.size(); ++i) {
            by_type_[venues_[i].hub_type].push_back(i);
            by_hub_[venues_[i].hub_id].push_back(i);
        }
    }

    /// Schools, snapped; a school without a `urn` field takes its fid.
    void read_schools() {
        const FeatureTable& t = *in_.schools;
        const int i_urn = t.field_index(model::school::urn);
        for (const auto& f : t.features) {
            const Point* p = point_of(f);
            if (!p) continue;
            SnappedSchool s{i_urn >= 0 ? static_cast<std::int64_t>(as_number(f.values[static_cast<std::size_t>(i_urn)]).value_or(
                                      static_cast<double>(f.fid)))
                                : f.fid,
                     *p, snapper_.snap(*p), false};
            s.on_road = within_coverage(s.snap);
            if (!s.on_road) ++report_.schools_without_road;
            else if (s.snap.distance_m > options_.flag_snap_m) ++report_.schools_flagged_far;
            schools_.push_back(std::move(s));
        }
        report_.schools = schools_.size();
    }

    /// Remits (school index -> hub ids) from school_remits when it has urn and hub_id, else by
    /// point in footprint on hubs, else none; and each hub's type.
    void find_remits() {
        remits_.resize(schools_.size());
        for (const auto& v : venues_) hub_type_of_[v.hub_id] = v.hub_type;
        if (in_.school_remits && in_.school_remits->field_index(model::school::urn) >= 0 &&
            in_.school_remits->field_index(model::hub::hub_id) >= 0) {
            report_.remit_source = model::layer::school_remits;
            remits_from_table(*in_.school_remits);
        } else if (in_.hubs) {
            report_.remit_source = "hubs (point in footprint)";
            remits_from_footprints(*in_.hubs);
        } else {
            report_.remit_source = "none";
        }
    }

    void remits_from_table(const FeatureTable& school_remits) {
        std::unordered_map<std::int64_t, std::size_t> by_urn;
        for (std::size_t i = 0; i < schools_.size(); ++i) by_urn.emplace(schools_[i].urn, i);
        const auto i_urn = school_remits.require_field(model::school::urn);
        const auto i_hub = school_remits.require_field(model::hub::hub_id);
        for (const auto& f : school_remits.features) {
            const auto urn = as_number(f.values[i_urn]);
            if (!urn) continue;
            auto it = by_urn.find(static_cast<std::int64_t>(*urn));
            if (it != by_urn.end()) remits_[it->second].insert(as_text(f.values[i_hub]));
        }
    }

    void remits_from_footprints(const FeatureTable& hubs) {
        const auto i_hub = hubs.require_field(model::hub::hub_id);
        for (const auto& f : hubs.features) {
            const auto* mp = std::get_if<MultiPolygon>(&f.geometry);
            if (!mp) continue;
            const PreparedPolygon footprint(*mp);
            const Box b = envelope(f.geometry);
            const std::string hub = as_text(f.values[i_hub]);
            for (std::size_t i = 0; i < schools_.size(); ++i)
                if (bg::covered_by(schools_[i].at, b) && footprint.covers(schools_[i].at)) remits_[i].insert(hub);
        }
    }

    void declare_school_access() { result_.school_access = model::school_access_layer(); }

    void declare_isochrones() {
        FeatureTable& iso = result_.isochrones;
        iso.name = model::layer::isochrones;
        iso.description = "areas within N minutes' drive of a venue of each hub type";
        iso.geometry_type = GeometryType::MultiPolygon;
        iso.fields = {{model::hub::hub_type, FieldType::String}, {model::access::minutes, FieldType::Real}, {"area_km2", FieldType::Real}};
    }

    /// Runs the search from the venues `idx` that are on the road; returns how many there were.
    std::size_t search_from(const std::vector<std::size_t>& idx) {
        search_.clear_sources();
        std::size_t on_road = 0;
        for (auto v : idx) {
            if (!venues_[v].on_road) continue;
            search_.add_source(venues_[v].snap, static_cast<std::uint32_t>(v));
            ++on_road;
        }
        search_.run();
        return on_road;
    }

    /// The nearest venue of each type for every school (one search per type), and its isochrones.
    void time_nearest_venues() {
        for (const auto& [type, idx] : by_type_) {
            const std::size_t sources = search_from(idx);
            auto& values = nearest_[type];
            values.resize(schools_.size());
            for (std::size_t i = 0; i < schools_.size(); ++i)
                values[i] = school_value(search_, schools_[i], venues_, idx, profile_);
            if (sources > 0 && !options_.isochrones.minutes.empty()) add_isochrones(type);
        }
    }

    /// The isochrones of the search just run (from the venues of `type`), on the reversed graph.
    void add_isochrones(const std::string& type) {
        FeatureTable& iso = result_.isochrones;
        if (!reversed_) reversed_ = graph_.reversed();
        const auto polys = isochrone_polygons(*reversed_, search_.node_times(), options_.isochrones);
        for (std::size_t k = 0; k < polys.size(); ++k) {
            Feature f;
            f.fid = static_cast<std::int64_t>(iso.features.size()) + 1;
            f.values = {type, options_.isochrones.minutes[k], bg::area(polys[k]) / 1e6};
            f.geometry = polys[k];
            iso.features.push_back(std::move(f));
        }
    }

    /// The nearest venue of each own hub: one search per hub whose remit covers any school.
    void time_own_hubs() {
        std::map<std::string, std::vector<std::size_t>> schools_of_hub;
        for (std::size_t i = 0; i < schools_.size(); ++i)
            for (const auto& h : remits_[i]) schools_of_hub[h].push_back(i);
        for (const auto& [hub, school_idx] : schools_of_hub) {
            auto it = by_hub_.find(hub);
            if (it == by_hub_.end()) continue; // a hub without venues: nothing to time
            search_from(it->second);
            for (auto i : school_idx) own_[{i, hub}] = school_value(search_, schools_[i], venues_, it->second, profile_);
        }
    }

    /// Per school and type: the "nearest" row, then an "own_hub" row per remit hub of that type.
    void add_school_rows() {
        for (std::size_t i = 0; i < schools_.size(); ++i) {
            for (const auto& [type, values] : nearest_) {
                const BestVenue& n = values[i];
                add_row(schools_[i], type, model::access_role::nearest, n, std::nullopt, std::nullopt);
                add_own_hub_rows(i, type, n);
            }
        }
    }

    void add_own_hub_rows(std::size_t i, const std::string& type, const BestVenue& n) {
        for (const auto& hub : remits_[i]) {
            auto t = hub_type_of_.find(hub);
            if (t == hub_type_of_.end() || t->second != type) continue;
            const BestVenue& o = own_.at({i, hub});
            const std::optional<bool> farther = own_hub_much_farther(hub, o, n);
            add_row(schools_[i], type, model::access_role::own_hub, o,
                    n.found ? std::optional<Minutes>(Minutes(n.minutes)) : std::nullopt, farther);
        }
    }

    /// 1 when `hub`'s venue (`o`) is much farther than the nearest (`n`, another hub's), 0 when not,
    /// null when the two are not comparable (one missing, or one by road and one straight-line).
    std::optional<bool> own_hub_much_farther(const std::string& hub, const BestVenue& o, const BestVenue& n) {
        if (!(o.found && n.found && o.road == n.road)) return std::nullopt;
        const bool much = venues_[n.venue].hub_id != hub && o.minutes > n.minutes * options_.own_hub_ratio &&
                          o.minutes - n.minutes > options_.own_hub_extra_minutes;
        if (much) ++report_.own_hub_much_farther;
        return much;
    }

    std::string snap_flag(const SnappedSchool& s) const {
        if (!s.on_road) return "no_road";
        return s.snap.distance_m > options_.flag_snap_m ? "far" : "ok";
    }

    /// One row of school_access: `s`'s value `v` for one hub type and role.
    void add_row(const SnappedSchool& s, const std::string& type, const std::string& role, const BestVenue& v,
                 std::optional<Minutes> nearest, std::optional<bool> farther) {
        FeatureTable& sa = result_.school_access;
        model::SchoolAccess row;
        row.urn = SchoolUrn(s.urn);
        row.hub_type = type;
        row.role = role;
        row.method = model::access_method::none;
        if (v.found) {
            const SnappedVenue& venue = venues_[v.venue];
            row.hub_id = venue.hub_id;
            row.venue = venue.name;
            row.venue_fid = venue.fid;
            row.minutes = Minutes(v.minutes);
            row.metres = Metres(v.metres);
            row.method = v.road ? model::access_method::road : model::access_method::straight_line;
            ++(v.road ? report_.road_values : report_.straight_line_values);
        }
        if (s.snap.found) row.snap_m = Metres(s.snap.distance_m);
        row.snap_flag = snap_flag(s);
        row.nearest_minutes = nearest;
        row.own_hub_much_farther = farther;
        row.location = s.at;
        sa.features.push_back(model::to_feature(row, static_cast<std::int64_t>(sa.features.size()) + 1));
    }

    void declare_access_matrix() {
        FeatureTable& mx = result_.access_matrix;
        mx.name = "access_matrix";
        mx.description = "school x venue drive times within the cutoff (road method only)";
        mx.geometry_type = GeometryType::None;
        mx.fields = {{model::school::urn, FieldType::Integer},  {model::hub::hub_type, FieldType::String}, {model::hub::hub_id, FieldType::String},
                     {model::access::venue_fid, FieldType::Integer}, {model::access::minutes, FieldType::Real},  {model::access::metres, FieldType::Real}};
    }

    /// The matrix: times_to_destinations (one search per venue bounded by the cutoff, schools found
    /// through buckets on their nodes). Places beyond road coverage take no part: the matrix holds
    /// road times only.
    void add_matrix() {
        FeatureTable& mx = result_.access_matrix;
        const auto cutoff = static_cast<TimeMs>(options_.matrix_cutoff_minutes * 60000.0);
        const auto cells = times_to_destinations(graph_, contracted_, road_snaps(schools_), road_snaps(venues_), cutoff);
        for (std::size_t v = 0; v < venues_.size(); ++v)
            for (const auto& cell : cells[v]) {
                Feature f;
                f.fid = static_cast<std::int64_t>(mx.features.size()) + 1;
                f.values = {schools_[cell.place].urn, venues_[v].hub_type, venues_[v].hub_id, venues_[v].fid,
                            cell.time / 60000.0, cell.metres};
                mx.features.push_back(std::move(f));
            }
        report_.matrix_pairs = mx.features.size();
    }

    const RoadGraph& graph_;
    const ContractedGraph& contracted_;
    const AccessInputs& in_;
    const SpeedProfile& profile_;
    const AccessOptions& options_;
    AccessResult result_;
    AccessReport& report_ = result_.report;
    const EdgeSnapper snapper_;
    ChainSearch search_;
    std::optional<RoadGraph> reversed_; // for isochrones only

    std::vector<SnappedVenue> venues_;
    std::map<std::string, std::vector<std::size_t>> by_type_, by_hub_;
    std::vector<SnappedSchool> schools_;
    std::vector<std::set<std::string>> remits_;
    std::map<std::string, std::string> hub_type_of_;
    std::map<std::string, std::vector<BestVenue>> nearest_;      // type -> value per school
    std::map<std::pair<std::size_t, std::string>, BestVenue> own_; // (school, hub) -> value
};

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
    return AccessComputation(graph, contracted, in, profile, options).run();
}

} // namespace coldspot::geo::routing
