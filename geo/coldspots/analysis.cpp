#include "coldspot/geo/detail/analysis_runs.hpp"
#include "coldspot/geo/coldspots/analysis.hpp"
#include "coldspot/geo/coldspots/coldspot_school.hpp"

#include "coldspot/geo/coldspots/detail/scenario_access.hpp"
#include "coldspot/geo/coldspots/detail/values.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/model/school_access.hpp"
#include "coldspot/geo/routing/access_parameters.hpp"
#include "coldspot/geo/routing/access_run.hpp"
#include "coldspot/geo/stats/detail/contiguity_weights.hpp"
#include "coldspot/geo/stats/distance_weights.hpp"
#include "coldspot/geo/stats/detail/hex_grid.hpp"
#include "coldspot/geo/stats/local_statistics.hpp"
#include "coldspot/geo/stats/rank_stability.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <iomanip>
#include <map>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>

namespace coldspot::geo::coldspots {

namespace {

using stats::FeatureIndex;
using stats::LocalStatistics;
using stats::SpatialWeights;


using detail::join;
using detail::real_or_null;

std::optional<FeatureTable> read_optional(const Workspace& ws, const std::string& name) {
    if (name.empty() || !ws.has_layer(name)) return std::nullopt;
    return ws.read(name);
}

/// Gi* over polygon units by queen contiguity; empty when there are fewer than 3 units.
std::optional<LocalStatistics> polygon_gi_star(const std::vector<MultiPolygon>& polygons, const std::vector<double>& values,
                                               const Parameters& p, double snap) {
    if (values.size() < 3) return std::nullopt;
    const auto w = stats::queen_weights(polygons, stats::QueenOptions{snap, true});
    if (w.islands().size() == w.size()) return std::nullopt;
    return stats::getis_ord(values, w, true, p.style, p.inference());
}

/// 1 for the highest value; ties share the best rank (as stats::rank_stability ranks).
std::vector<std::uint32_t> rank_descending(const std::vector<double>& values) {
    std::vector<std::size_t> order(values.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] > values[b]; });
    std::vector<std::uint32_t> rank(values.size());
    for (std::size_t r = 0; r < order.size(); ++r)
        rank[order[r]] = r > 0 && values[order[r]] == values[order[r - 1]] ? rank[order[r - 1]]
                                                                            : static_cast<std::uint32_t>(r + 1);
    return rank;
}

/// The Monte Carlo over the index weights and missing-input rules for the scored schools.
stats::RankStability index_rank_stability(const std::vector<SchoolScore>& scores, const std::vector<std::size_t>& scored,
                                          const Parameters& p) {
    std::vector<double> matrix;
    matrix.reserve(scored.size() * kComponentCount);
    for (auto i : scored) matrix.insert(matrix.end(), scores[i].score.begin(), scores[i].score.end());
    const std::array<double, kComponentCount> weights{p.w_access, p.w_deprivation, p.w_need,
                                                      p.w_rurality, p.w_remit,  p.w_engagement};
    return stats::rank_stability(matrix, weights, p.rank_stability);
}

/// The cold-spot rule of docs/methodology.md §9, one place for schools, areas and hexagons: Gi* z > 0
/// (high index: poorly served) with p (BH-adjusted when `fdr`) under alpha.
bool cold_spot_rule(const LocalStatistics& g, std::size_t k, const Parameters& p) {
    // p_bin: the analytical or permutation p, FDR-adjusted when `fdr` (the bins' p).
    return g.z[k] > 0 && g.p_bin[k] < p.significance_for_cold_spot;
}

/// Gi* fields of an aggregate unit, named as on schools: z, raw p, BH-adjusted p, bin, cold-spot flag.
void append_unit_statistic_fields(FeatureTable& t) {
    for (const auto& f : std::vector<Field>{{"gi_z", FieldType::Real}, {"gi_p", FieldType::Real}, {"gi_p_fdr", FieldType::Real},
                                            {model::coldspot::gi_bin, FieldType::Integer}, {model::coldspot::cold_spot, FieldType::Integer}})
        t.fields.push_back(f);
}

void append_unit_statistics(std::vector<Value>& values, const std::optional<LocalStatistics>& g, std::size_t r, const Parameters& p) {
    if (!g) {
        values.insert(values.end(), 5, Value());
        return;
    }
    values.push_back(real_or_null(g->z[r]));
    values.push_back(real_or_null(g->p[r]));
    values.push_back(real_or_null(g->p_fdr[r]));
    values.push_back(static_cast<std::int64_t>(g->bin[r]));
    values.push_back(static_cast<std::int64_t>(cold_spot_rule(*g, r, p)));
}

struct Group {
    std::vector<std::size_t> members; ///< indices into the scored schools
};

/// One straight-line estimate for a school whichever step makes it (issue 19): when the workspace
/// records an access run, the index and the scenario estimates use that run's fallback (circuity and
/// speed of its speed profile), as its `school_access` rows do; otherwise the parameters', whose
/// defaults are the default speed profile's.
Parameters with_access_run_fallback(const Workspace& ws, const Parameters& given, std::vector<std::string>& notes) {
    Parameters p = given;
    const auto run = routing::recorded_access_parameters(ws);
    if (!run.recorded) return p;
    const auto& profile = run.parameters.profile;
    if (profile.fallback_kph != p.straight_line_kph || profile.circuity_factor != p.detour_factor) {
        std::ostringstream os;
        os << "straight-line estimates use the access run's fallback (x " << profile.circuity_factor << " at "
           << profile.fallback_kph << " km/h) instead of the parameters' (x " << p.detour_factor << " at "
           << p.straight_line_kph << " km/h), as its school_access rows do";
        notes.push_back(os.str());
    }
    p.straight_line_kph = profile.fallback_kph;
    p.detour_factor = profile.circuity_factor;
    return p;
}

double straight_line_minutes(const Point& a, const Point& b, const Parameters& p) {
    return bg::distance(a, b) / 1000.0 * p.detour_factor / p.straight_line_kph * 60.0;
}

/// Applies a venue scenario to `venues` and, when present, to the nearest-venue rows of `access`.
/// Where a scenario's access came from, for the caller to write the re-routed layers too.
struct ScenarioTables {
    std::optional<FeatureTable> isochrones, matrix;
    bool rerouted = false;
};

void apply_scenario(const Scenario& sc, const Workspace& ws, FeatureTable& venues, std::optional<FeatureTable>& access,
                    ScenarioTables& tables, const FeatureTable& schools, const FeatureTable* hubs,
                    const FeatureTable* remits, const Parameters& p, std::vector<std::string>& notes) {
    const std::optional<FeatureTable>& matrix = tables.matrix;
    const std::size_t v_type = venues.require_field(model::hub::hub_type);
    const int v_name = venues.field_index("name");
    std::set<std::int64_t> removed_fids;
    std::set<std::string> affected;
    for (const auto& name : sc.remove) {
        bool found = false;
        for (const auto& f : venues.features)
            if (v_name >= 0 && as_text(f.values[static_cast<std::size_t>(v_name)]) == name) {
                removed_fids.insert(f.fid);
                affected.insert(as_text(f.values[v_type]));
                found = true;
            }
        if (!found) throw NotFoundError("scenario: no venue named '" + name + "' in hub_venues");
    }
    std::erase_if(venues.features, [&](const Feature& f) { return removed_fids.count(f.fid) > 0; });
    std::int64_t next_fid = 1;
    for (const auto& f : venues.features) next_fid = std::max(next_fid, f.fid + 1);
    for (const auto& add : sc.add) {
        Feature f;
        f.fid = next_fid++;
        f.geometry = add.at;
        f.values.resize(venues.fields.size());
        f.values[v_type] = add.hub_type;
        if (v_name >= 0) f.values[static_cast<std::size_t>(v_name)] = add.name;
        if (const int k = venues.field_index("kind"); k >= 0) f.values[static_cast<std::size_t>(k)] = std::string("venue");
        venues.features.push_back(std::move(f));
        affected.insert(add.hub_type);
    }
    notes.push_back("scenario: " + sc.to_string());
    if (!access) return; // the index measures straight-line access from hub_venues itself

    // Re-route on the road graph the access run used: milliseconds per hub type for a region.
    if (auto graph = routing::load_recorded_graph(ws.path())) {
        const ScenarioAccessInputs in{&schools, &venues, hubs, remits};
        const auto r = reroute_access(*graph, in, affected, *access, tables.isochrones ? &*tables.isochrones : nullptr,
                                      tables.matrix ? &*tables.matrix : nullptr);
        tables.rerouted = true;
        std::string types;
        for (const auto& t : affected) types += (types.empty() ? "" : ", ") + t;
        std::ostringstream os;
        os << "scenario: access re-routed on the road graph for " << types << " (" << graph->cache_note << "; "
           << std::fixed << std::setprecision(3) << graph->seconds << " s to load, " << r.seconds
           << " s to route); nearest-venue times changed for " << r.nearest_rows_changed << " school rows";
        notes.push_back(os.str());
        if (r.types_without_venue > 0)
            notes.push_back("scenario: " + std::to_string(r.types_without_venue) + " hub type(s) left with no venue");
        return;
    }
    notes.push_back("scenario: no road graph (no graph cache beside the workspace and no roads layer): "
                    "nearest-venue times estimated (removed venues from access_matrix, else straight line)");

    // School positions by URN, remaining venues by type, matrix rows by (urn, type).
    std::unordered_map<std::int64_t, Point> school_at;
    const std::size_t s_urn = schools.require_field(model::school::urn);
    for (const auto& f : schools.features)
        if (auto u = as_number(f.values[s_urn]); u && std::holds_alternative<Point>(f.geometry))
            school_at[static_cast<std::int64_t>(*u)] = std::get<Point>(f.geometry);
    std::map<std::string, std::vector<Point>> remaining;
    for (const auto& f : venues.features)
        if (const auto* pt = std::get_if<Point>(&f.geometry)) remaining[as_text(f.values[v_type])].push_back(*pt);
    std::map<std::pair<std::int64_t, std::string>, double> matrix_best;
    if (matrix && !removed_fids.empty()) {
        const std::size_t mu = matrix->require_field(model::school::urn), mt = matrix->require_field(model::hub::hub_type),
                          mv = matrix->require_field(model::access::venue_fid), mm = matrix->require_field(model::access::minutes);
        for (const auto& f : matrix->features) {
            const auto u = as_number(f.values[mu]), v = as_number(f.values[mv]), m = as_number(f.values[mm]);
            if (!u || !v || !m || removed_fids.count(static_cast<std::int64_t>(*v))) continue;
            auto key = std::make_pair(static_cast<std::int64_t>(*u), as_text(f.values[mt]));
            auto it = matrix_best.find(key);
            if (it == matrix_best.end() || *m < it->second) matrix_best[key] = *m;
        }
    }
    FeatureTable& sa = *access;
    const std::size_t fu = sa.require_field(model::school::urn), ft = sa.require_field(model::hub::hub_type), fr = sa.require_field(model::access::role),
                      fm = sa.require_field(model::access::minutes), fmeth = sa.require_field(model::access::method);
    const int fvid = sa.field_index(model::access::venue_fid);
    std::size_t changed = 0;
    for (auto& f : sa.features) {
        const std::string type = as_text(f.values[ft]);
        if (as_text(f.values[fr]) != model::access_role::nearest || !affected.count(type)) continue;
        const auto u = as_number(f.values[fu]);
        if (!u) continue;
        const auto urn = static_cast<std::int64_t>(*u);
        auto pos = school_at.find(urn);
        if (pos == school_at.end()) continue;
        // +infinity stands for "no venue": plain doubles keep GCC's optional analysis quiet.
        const double inf = std::numeric_limits<double>::infinity();
        double minutes = as_number(f.values[fm]).value_or(inf);
        std::string method = as_text(f.values[fmeth]);
        const auto lost_fid = fvid >= 0 ? as_number(f.values[static_cast<std::size_t>(fvid)]) : std::nullopt;
        if (lost_fid && removed_fids.count(static_cast<std::int64_t>(*lost_fid))) {
            minutes = inf;
            method = model::access_method::none;
            if (auto it = matrix_best.find({urn, type}); it != matrix_best.end()) {
                minutes = it->second;
                method = model::access_method::road;
            } else {
                for (const auto& v : remaining[type]) minutes = std::min(minutes, straight_line_minutes(pos->second, v, p));
                if (std::isfinite(minutes)) method = model::access_method::straight_line;
            }
        }
        for (const auto& add : sc.add) {
            if (add.hub_type != type) continue;
            const double m = straight_line_minutes(pos->second, add.at, p);
            if (m < minutes) {
                minutes = m;
                method = model::access_method::straight_line;
            }
        }
        const Value new_minutes = std::isfinite(minutes) ? Value(minutes) : Value();
        if (new_minutes != f.values[fm]) ++changed;
        f.values[fm] = new_minutes;
        f.values[fmeth] = method;
    }
    notes.push_back("scenario: nearest-venue times changed for " + std::to_string(changed) + " school rows");
}

} // namespace

std::string Scenario::to_string() const {
    std::string out;
    for (const auto& a : add)
        out += (out.empty() ? "" : ", ") + std::string("add ") + a.hub_type + " venue '" + a.name + "' at " +
               std::to_string(static_cast<long long>(a.at.x())) + " " + std::to_string(static_cast<long long>(a.at.y()));
    for (const auto& r : remove) out += (out.empty() ? "" : ", ") + std::string("remove '") + r + "'";
    return out;
}

namespace {

/// The workspace layers an analysis reads; all but `schools` may be absent.
struct AnalysisInputs {
    FeatureTable schools;
    std::optional<FeatureTable> areas, access, venues, remits, engagement, authorities, hubs;
};

AnalysisInputs read_inputs(const Workspace& ws, const Parameters& p) {
    if (!ws.has_layer(model::layer::schools)) throw WorkspaceError("workspace " + ws.path().string() + " has no `schools` layer");
    AnalysisInputs in;
    in.schools = ws.read(model::layer::schools);
    in.areas = read_optional(ws, model::layer::areas);
    in.access = read_optional(ws, model::layer::school_access);
    in.venues = read_optional(ws, model::layer::hub_venues);
    in.remits = read_optional(ws, model::layer::school_remits);
    in.engagement = read_optional(ws, p.engagement_table);
    in.authorities = read_optional(ws, model::layer::local_authorities);
    in.hubs = read_optional(ws, model::layer::hubs);
    return in;
}

template <typename T>
const T* pointer_to(const std::optional<T>& t) {
    return t ? &*t : nullptr;
}

/// Gi* and local Moran over the schools that have an index value (the "scored" ones, indexed
/// by k below); `pos` maps each school to its k, or -1.
struct SchoolStatistics {
    std::vector<std::size_t> scored;
    std::vector<Point> points;
    std::vector<double> values;
    std::optional<LocalStatistics> gi, moran;
    std::vector<long> pos;

    bool is_cold_spot(std::size_t k, const Parameters& p) const { return gi && cold_spot_rule(*gi, k, p); }
    std::int8_t bin_of(std::size_t k) const { return gi ? gi->bin[k] : std::int8_t{0}; }
};

SchoolStatistics school_statistics(const std::vector<SchoolScore>& scores, const Parameters& p, AnalysisSummary& summary) {
    SchoolStatistics st;
    for (std::size_t i = 0; i < scores.size(); ++i)
        if (std::isfinite(scores[i].index)) st.scored.push_back(i);
    summary.scored = st.scored.size();
    for (auto i : st.scored) {
        st.points.push_back(scores[i].at);
        st.values.push_back(scores[i].index);
    }
    if (st.scored.size() >= 3) {
        SpatialWeights w;
        if (p.weights == "knn" && p.k < st.scored.size()) {
            w = stats::k_nearest_weights(st.points, p.k);
        } else {
            if (p.weights == "knn")
                summary.notes.push_back("only " + std::to_string(st.scored.size()) + " scored schools for k = " +
                                        std::to_string(p.k) + ": distance band of " + std::to_string(p.band_m) + " m used");
            w = stats::distance_band_weights(st.points, p.band_m);
        }
        const stats::InferenceOptions opt = p.inference();
        const auto& values = st.values;
        st.gi = stats::getis_ord(values, w, true, p.style, opt);
        bool varies = std::any_of(values.begin(), values.end(), [&](double v) { return v != values.front(); });
        if (varies) st.moran = stats::local_moran(values, w, p.style, opt);
        summary.islands = st.gi->islands.size();
        if (!st.gi->islands.empty())
            summary.notes.push_back(std::to_string(st.gi->islands.size()) + " schools have no neighbour within the weights (" +
                                    p.weights + "): reported as islands, no statistic");
    } else {
        summary.notes.push_back("fewer than 3 scored schools: no spatial statistics");
    }
    st.pos.assign(scores.size(), -1);
    for (std::size_t k = 0; k < st.scored.size(); ++k) st.pos[st.scored[k]] = static_cast<long>(k);
    return st;
}

/// One scored school's row of local statistics (`k`: its position among the scored schools).
ColdspotSchool with_statistics(const SchoolScore& s, const SchoolStatistics& st, std::size_t k, bool island,
                               const Parameters& p) {
    ColdspotSchool row{&s, {}, {}, island};
    const LocalStatistics& gi = *st.gi;
    row.gi = LocalGi{gi.statistic[k], gi.z[k], gi.p[k], gi.p_sim[k], gi.p_fdr[k], gi.bin[k], st.is_cold_spot(k, p)};
    if (const auto& m = st.moran)
        row.moran = LocalMoran{m->statistic[k], m->z[k], m->p[k], m->p_sim[k], m->p_fdr[k],
                               std::string(stats::to_string(m->quadrant[k])),
                               island ? std::nullopt : std::optional<std::string>(stats::cluster_label(m->cluster[k]))};
    return row;
}

/// coldspots_schools: the index, its components and the local statistics of every school.
FeatureTable schools_layer(const IndexResult& index, const SchoolStatistics& st, const Parameters& p,
                           AnalysisSummary& summary) {
    FeatureTable cs = coldspots_schools_layer(index.hub_types);
    std::vector<std::uint8_t> island_flag(st.scored.size(), 0);
    if (st.gi)
        for (auto k : st.gi->islands) island_flag[k] = 1;
    for (std::size_t i = 0; i < index.schools.size(); ++i) {
        const auto& s = index.schools[i];
        ColdspotSchool row{&s, {}, {}, false};
        if (const long k = st.pos[i]; k >= 0 && st.gi) {
            const auto u = static_cast<std::size_t>(k);
            row = with_statistics(s, st, u, island_flag[u] != 0, p);
            summary.cold_spot_schools += row.gi->cold_spot;
        }
        cs.features.push_back(to_feature(row, index.hub_types));
    }
    return cs;
}

/// One aggregation level of coldspots_areas: its polygon layer, the fields naming a unit, and the
/// keys of the units a school belongs to.
struct AggregationLevel {
    const char* name;
    const FeatureTable* layer;
    const char* code_field;
    const char* name_field;
    std::function<std::vector<std::string>(const SchoolScore&)> keys;
};

/// The rows of one level (fids continue from `area_fid`), with Gi* over its units.
void aggregate_level(const AggregationLevel& level, const std::vector<SchoolScore>& scores, const SchoolStatistics& st,
                     const Parameters& p, std::int64_t& area_fid, FeatureTable& ca, AnalysisSummary& summary) {
    if (!level.layer) {
        summary.notes.push_back(std::string("no layer for level '") + level.name + "': not aggregated");
        return;
    }
    const FeatureTable& layer = *level.layer;
    const int fc = layer.field_index(level.code_field), fn = layer.field_index(level.name_field);
    if (fc < 0) {
        summary.notes.push_back(layer.name + " has no field '" + level.code_field + "': not aggregated");
        return;
    }
    const auto& scored = st.scored;
    const auto& values = st.values;
    std::map<std::string, Group> groups;
    for (std::size_t k = 0; k < scored.size(); ++k)
        for (const auto& key : level.keys(scores[scored[k]]))
            if (!key.empty()) groups[key].members.push_back(k);
    std::vector<MultiPolygon> polys;
    std::vector<double> means;
    std::vector<Feature> rows;
    std::vector<std::int64_t> estimated_of;
    for (const auto& f : layer.features) {
        const std::string code = as_text(f.values[static_cast<std::size_t>(fc)]);
        auto it = groups.find(code);
        const auto* mp = std::get_if<MultiPolygon>(&f.geometry);
        if (it == groups.end() || !mp) continue;
        double sum = 0, mx = -1;
        std::int64_t cold = 0, estimated = 0;
        for (auto k : it->second.members) {
            sum += values[k];
            mx = std::max(mx, values[k]);
            cold += st.is_cold_spot(k, p);
            const std::string& method = scores[scored[k]].access_method;
            estimated += !method.empty() && method != model::access_method::road;
        }
        const double n = static_cast<double>(it->second.members.size());
        Feature row;
        row.fid = ++area_fid;
        row.geometry = *mp;
        row.values = {std::string(level.name), code, fn >= 0 ? as_text(f.values[static_cast<std::size_t>(fn)]) : std::string(),
                      static_cast<std::int64_t>(n), sum / n, mx, cold, static_cast<double>(cold) / n};
        polys.push_back(*mp);
        means.push_back(sum / n);
        rows.push_back(std::move(row));
        estimated_of.push_back(estimated);
    }
    const auto g = polygon_gi_star(polys, means, p, 0.01);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        append_unit_statistics(rows[r].values, g, r, p);
        rows[r].values.push_back(estimated_of[r]);
        ca.features.push_back(std::move(rows[r]));
    }
}

/// coldspots_areas: the index aggregated to LSOA, local authority and hub footprint.
FeatureTable areas_layer(const AnalysisInputs& in, const std::vector<SchoolScore>& scores, const SchoolStatistics& st,
                         const Parameters& p, AnalysisSummary& summary) {
    FeatureTable ca{model::layer::coldspots_areas, "cold-spot index aggregated to LSOA, local authority and hub footprint",
                    GeometryType::MultiPolygon, 27700, {}, {}};
    ca.fields = {{"level", FieldType::String},      {"code", FieldType::String},       {"name", FieldType::String},
                 {model::coldspot_area::schools, FieldType::Integer},   {model::coldspot_area::mean_index, FieldType::Real},   {model::coldspot_area::max_index, FieldType::Real},
                 {"cold_spot_schools", FieldType::Integer}, {"cold_spot_share", FieldType::Real}};
    append_unit_statistic_fields(ca);
    // how many of the area's schools have an access time that is not all by road (straight-line
    // estimates where roads do not reach): dashboards mark them
    ca.fields.push_back({"access_estimated_schools", FieldType::Integer});
    const std::vector<AggregationLevel> levels{
        {"lsoa", pointer_to(in.areas), model::area::code, model::area::name, [](const SchoolScore& s) { return std::vector<std::string>{s.lsoa_code}; }},
        {"la", pointer_to(in.authorities), model::authority::code, model::authority::name,
         [](const SchoolScore& s) { return std::vector<std::string>{s.lad_code}; }},
        {"hub", pointer_to(in.hubs), model::hub::hub_id, model::hub::name, [](const SchoolScore& s) { return s.hub_ids; }}};
    std::int64_t area_fid = 0;
    for (const auto& level : levels) aggregate_level(level, scores, st, p, area_fid, ca, summary);
    return ca;
}

/// coldspots_hex: the index on a hexagonal grid, with Gi* by queen contiguity.
FeatureTable hex_layer(const SchoolStatistics& st, const Parameters& p) {
    const stats::HexGrid grid = stats::HexGrid::with_cell_area(p.hex_cell_area_km2 * 1e6);
    FeatureTable ch{model::layer::coldspots_hex, "cold-spot index on a hexagonal grid (EPSG:27700), Gi* by queen contiguity",
                    GeometryType::MultiPolygon, 27700, {}, {}};
    ch.fields = {{"q", FieldType::Integer},          {"r", FieldType::Integer},          {"cell_km2", FieldType::Real},
                 {model::coldspot_area::schools, FieldType::Integer},    {model::coldspot_area::mean_index, FieldType::Real},    {model::coldspot_area::max_index, FieldType::Real},
                 {"cold_spot_schools", FieldType::Integer}, {"cold_spot_share", FieldType::Real}};
    append_unit_statistic_fields(ch);
    std::map<stats::HexCell, Group> cells;
    for (std::size_t k = 0; k < st.scored.size(); ++k) cells[grid.cell_of(st.points[k])].members.push_back(k);
    std::vector<MultiPolygon> polys;
    std::vector<double> means;
    for (const auto& [cell, group] : cells) {
        double sum = 0, mx = -1;
        std::int64_t cold = 0;
        for (auto k : group.members) {
            sum += st.values[k];
            mx = std::max(mx, st.values[k]);
            cold += st.is_cold_spot(k, p);
        }
        const double n = static_cast<double>(group.members.size());
        Feature row;
        // 1, 2, ... in (q, r) order: the packed cell id is 0 for cell (0, 0) and negative west of the
        // grid origin, which GeoPackage would renumber (and then collide with a later cell's id).
        row.fid = static_cast<std::int64_t>(ch.features.size()) + 1;
        row.geometry = MultiPolygon{grid.polygon(cell)};
        row.values = {static_cast<std::int64_t>(cell.q), static_cast<std::int64_t>(cell.r), p.hex_cell_area_km2,
                      static_cast<std::int64_t>(n), sum / n, mx, cold, static_cast<double>(cold) / n};
        polys.push_back(MultiPolygon{grid.polygon(cell)});
        means.push_back(sum / n);
        ch.features.push_back(std::move(row));
    }
    const auto g = polygon_gi_star(polys, means, p, grid.side() * 1e-6);
    for (std::size_t r = 0; r < ch.features.size(); ++r) append_unit_statistics(ch.features[r].values, g, r, p);
    return ch;
}

/// The rank stability of the scored schools, recorded in the summary; none when not asked for.
std::optional<stats::RankStability> rank_stability_of(const std::vector<SchoolScore>& scores, const SchoolStatistics& st,
                                                      const Parameters& p, AnalysisSummary& summary,
                                                      const std::function<void(std::string_view, double)>& report) {
    if (!(p.rank_stability.draws > 0 && !st.scored.empty())) return std::nullopt;
    report("rank stability", 0.96);
    auto stability = index_rank_stability(scores, st.scored, p);
    summary.robust_targets = static_cast<std::size_t>(std::count(stability.robust.begin(), stability.robust.end(), 1));
    summary.rank_draws = p.rank_stability.draws;
    summary.rank_top_n = p.rank_stability.top_n;
    summary.rank_robust_share = p.rank_stability.robust_share;
    return stability;
}

/// targets: cold-spot schools first, then by Gi* bin, then by index.
FeatureTable targets_layer(const std::vector<SchoolScore>& scores, const SchoolStatistics& st,
                           const std::optional<stats::RankStability>& stability, const Parameters& p) {
    const auto& scored = st.scored;
    const auto& values = st.values;
    FeatureTable tg{model::layer::targets, "schools ranked for outreach: cold-spot schools first, with reasons", GeometryType::Point,
                    27700, {}, {}};
    tg.fields = {{model::coldspot::rank, FieldType::Integer},      {model::school::urn, FieldType::Integer},     {"name", FieldType::String},
                 {model::coldspot::coldspot_index, FieldType::Real}, {model::coldspot::cold_spot, FieldType::Integer}, {model::coldspot::gi_bin, FieldType::Integer},
                 {"gi_z", FieldType::Real},          {model::school::la_code, FieldType::String}, {model::school::lad_code, FieldType::String},
                 {model::school::lsoa_code, FieldType::String},   {model::coldspot::hub_ids, FieldType::String}, {model::coldspot::reasons, FieldType::String},
                 {"index_rank", FieldType::Integer}, {"rank_median", FieldType::Integer}, {"rank_p05", FieldType::Integer},
                 {"rank_p95", FieldType::Integer},   {"top_share", FieldType::Real}, {"robust_target", FieldType::Integer}};
    const std::vector<std::uint32_t> index_rank = rank_descending(values);
    std::vector<std::size_t> order(scored.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (st.is_cold_spot(a, p) != st.is_cold_spot(b, p)) return st.is_cold_spot(a, p);
        if (st.bin_of(a) != st.bin_of(b)) return st.bin_of(a) > st.bin_of(b);
        if (values[a] != values[b]) return values[a] > values[b];
        return scores[scored[a]].urn < scores[scored[b]].urn;
    });
    for (std::size_t r = 0; r < order.size(); ++r) {
        const std::size_t k = order[r];
        const auto& s = scores[scored[k]];
        Feature f;
        f.fid = static_cast<std::int64_t>(r + 1);
        f.geometry = s.at;
        f.values = {static_cast<std::int64_t>(r + 1), s.urn, s.name, s.index,
                    static_cast<std::int64_t>(st.is_cold_spot(k, p)), static_cast<std::int64_t>(st.bin_of(k)),
                    st.gi ? real_or_null(st.gi->z[k]) : Value(), s.la_code, s.lad_code, s.lsoa_code, join(s.hub_ids, ";"),
                    s.reasons, static_cast<std::int64_t>(index_rank[k])};
        if (stability) {
            f.values.insert(f.values.end(), {static_cast<std::int64_t>(stability->median[k]),
                                             static_cast<std::int64_t>(stability->p05[k]),
                                             static_cast<std::int64_t>(stability->p95[k]), stability->top_share[k],
                                             static_cast<std::int64_t>(stability->robust[k])});
        } else {
            f.values.insert(f.values.end(), 5, Value());
        }
        tg.features.push_back(std::move(f));
    }
    return tg;
}

} // namespace

AnalysisLayers compute_analysis(const Workspace& ws, const Parameters& parameters, const ProgressCallback& progress,
                                const Scenario& scenario) {
    std::vector<std::string> fallback_notes;
    const Parameters p = with_access_run_fallback(ws, parameters, fallback_notes);
    const std::function<void(std::string_view, double)> report = [&](std::string_view stage, double f) {
        if (progress) progress(stage, f);
    };
    report("reading workspace", 0.0);
    AnalysisInputs in = read_inputs(ws, p);

    AnalysisLayers out;
    std::vector<std::string> scenario_notes;
    ScenarioTables scenario_tables;
    if (!scenario.empty()) {
        if (!in.venues) throw WorkspaceError("a venue scenario needs the `hub_venues` layer");
        report("scenario", 0.05);
        scenario_tables.matrix = read_optional(ws, "access_matrix");
        scenario_tables.isochrones = read_optional(ws, model::layer::isochrones);
        apply_scenario(scenario, ws, *in.venues, in.access, scenario_tables, in.schools, pointer_to(in.hubs),
                       pointer_to(in.remits), p, scenario_notes);
    }
    report("index", 0.1);
    const IndexInputs index_inputs{&in.schools,         pointer_to(in.areas),   pointer_to(in.access),
                                   pointer_to(in.venues), pointer_to(in.remits), pointer_to(in.engagement)};
    out.index = compute_index(index_inputs, p);
    const auto& scores = out.index.schools;
    AnalysisSummary& summary = out.summary;
    summary.schools = scores.size();
    summary.notes = out.index.notes;
    summary.notes.insert(summary.notes.end(), fallback_notes.begin(), fallback_notes.end());
    summary.notes.insert(summary.notes.end(), scenario_notes.begin(), scenario_notes.end());

    report("statistics", 0.3);
    const SchoolStatistics st = school_statistics(scores, p, summary);
    report("layers", 0.6);
    out.tables.push_back(schools_layer(out.index, st, p, summary));
    report("aggregation", 0.75);
    out.tables.push_back(areas_layer(in, scores, st, p, summary));
    report("hexagons", 0.85);
    out.tables.push_back(hex_layer(st, p));
    report("targets", 0.95);
    const auto stability = rank_stability_of(scores, st, p, summary, report);
    out.tables.push_back(targets_layer(scores, st, stability, p));

    if (!scenario.empty()) {
        out.tables.push_back(*in.venues);
        if (in.access) out.tables.push_back(*in.access);
        if (scenario_tables.rerouted) {
            if (scenario_tables.isochrones) out.tables.push_back(std::move(*scenario_tables.isochrones));
            if (scenario_tables.matrix) out.tables.push_back(std::move(*scenario_tables.matrix));
        }
    }
    for (const auto& t : out.tables) summary.layers.push_back(t.name);
    return out;
}

namespace {

AnalysisSummary run_into(const nlohmann::json& parameters, const std::filesystem::path& workspace,
                         const Scenario& scenario, const std::filesystem::path& output, const ProgressCallback& progress) {
    const Parameters p = parse_parameters(parameters, "analysis parameters");
    const Workspace ws(workspace);
    AnalysisLayers result = compute_analysis(ws, p, progress, scenario);

    // analysis_runs: the previous rows plus this run.
    FeatureTable runs;
    if (ws.has_layer(model::layer::analysis_runs)) runs = ws.read(model::layer::analysis_runs);
    Feature& row = append_analysis_run(runs, "run", p.source.dump());
    result.summary.run_id = as_text(row.values[static_cast<std::size_t>(runs.require_field("run_id"))]);
    set_run_value(runs, row, model::run::schools, static_cast<std::int64_t>(result.summary.schools));
    set_run_value(runs, row, model::run::scored, static_cast<std::int64_t>(result.summary.scored));
    set_run_value(runs, row, model::run::cold_spot_schools, static_cast<std::int64_t>(result.summary.cold_spot_schools));
    set_run_value(runs, row, model::run::notes, join(result.summary.notes, "; "));

    if (progress) progress("writing workspace", 0.97);
    WorkspaceWriter writer(output, workspace);
    for (const auto& table : result.tables) writer.write(table);
    writer.write(runs);
    writer.commit();
    result.summary.layers.push_back(model::layer::analysis_runs);
    if (progress) progress("done", 1.0);
    return result.summary;
}

} // namespace

AnalysisSummary run_analysis(const nlohmann::json& parameters, const std::filesystem::path& workspace,
                             const ProgressCallback& progress) {
    return run_into(parameters, workspace, Scenario{}, workspace, progress);
}

AnalysisSummary run_scenario(const nlohmann::json& parameters, const std::filesystem::path& workspace,
                             const Scenario& scenario, const std::filesystem::path& output,
                             const ProgressCallback& progress) {
    return run_into(parameters, workspace, scenario, output, progress);
}

} // namespace coldspot::geo::coldspots
