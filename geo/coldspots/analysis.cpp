#include "coldspot/geo/analysis_runs.hpp"
#include "coldspot/geo/coldspots/analysis.hpp"

#include "coldspot/geo/coldspots/scenario_access.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/routing/access_run.hpp"
#include "coldspot/geo/stats/contiguity_weights.hpp"
#include "coldspot/geo/stats/distance_weights.hpp"
#include "coldspot/geo/stats/hex_grid.hpp"
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


Value real_or_null(double v) { return std::isfinite(v) ? Value(v) : Value(); }

std::string slug(const std::string& s) {
    std::string out;
    for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
    return out;
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
    return out;
}

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

struct Group {
    std::vector<std::size_t> members; ///< indices into the scored schools
};

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
    const std::size_t v_type = venues.require_field("hub_type");
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
    const std::size_t s_urn = schools.require_field("urn");
    for (const auto& f : schools.features)
        if (auto u = as_number(f.values[s_urn]); u && std::holds_alternative<Point>(f.geometry))
            school_at[static_cast<std::int64_t>(*u)] = std::get<Point>(f.geometry);
    std::map<std::string, std::vector<Point>> remaining;
    for (const auto& f : venues.features)
        if (const auto* pt = std::get_if<Point>(&f.geometry)) remaining[as_text(f.values[v_type])].push_back(*pt);
    std::map<std::pair<std::int64_t, std::string>, double> matrix_best;
    if (matrix && !removed_fids.empty()) {
        const std::size_t mu = matrix->require_field("urn"), mt = matrix->require_field("hub_type"),
                          mv = matrix->require_field("venue_fid"), mm = matrix->require_field("minutes");
        for (const auto& f : matrix->features) {
            const auto u = as_number(f.values[mu]), v = as_number(f.values[mv]), m = as_number(f.values[mm]);
            if (!u || !v || !m || removed_fids.count(static_cast<std::int64_t>(*v))) continue;
            auto key = std::make_pair(static_cast<std::int64_t>(*u), as_text(f.values[mt]));
            auto it = matrix_best.find(key);
            if (it == matrix_best.end() || *m < it->second) matrix_best[key] = *m;
        }
    }
    FeatureTable& sa = *access;
    const std::size_t fu = sa.require_field("urn"), ft = sa.require_field("hub_type"), fr = sa.require_field("role"),
                      fm = sa.require_field("minutes"), fmeth = sa.require_field("method");
    const int fvid = sa.field_index("venue_fid");
    std::size_t changed = 0;
    for (auto& f : sa.features) {
        const std::string type = as_text(f.values[ft]);
        if (as_text(f.values[fr]) != "nearest" || !affected.count(type)) continue;
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
            method = "none";
            if (auto it = matrix_best.find({urn, type}); it != matrix_best.end()) {
                minutes = it->second;
                method = "road";
            } else {
                for (const auto& v : remaining[type]) minutes = std::min(minutes, straight_line_minutes(pos->second, v, p));
                if (std::isfinite(minutes)) method = "straight_line";
            }
        }
        for (const auto& add : sc.add) {
            if (add.hub_type != type) continue;
            const double m = straight_line_minutes(pos->second, add.at, p);
            if (m < minutes) {
                minutes = m;
                method = "straight_line";
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

AnalysisLayers compute_analysis(const Workspace& ws, const Parameters& p, const ProgressCallback& progress,
                                const Scenario& scenario) {
    auto report = [&](std::string_view stage, double f) {
        if (progress) progress(stage, f);
    };
    report("reading workspace", 0.0);
    if (!ws.has_layer("schools")) throw WorkspaceError("workspace " + ws.path().string() + " has no `schools` layer");
    const FeatureTable schools = ws.read("schools");
    const auto areas = read_optional(ws, "areas");
    auto access = read_optional(ws, "school_access");
    auto venues = read_optional(ws, "hub_venues");
    const auto remits = read_optional(ws, "school_remits");
    const auto engagement = read_optional(ws, p.engagement_table);
    const auto authorities = read_optional(ws, "local_authorities");
    const auto hubs = read_optional(ws, "hubs");

    AnalysisLayers out;
    std::vector<std::string> scenario_notes;
    ScenarioTables scenario_tables;
    if (!scenario.empty()) {
        if (!venues) throw WorkspaceError("a venue scenario needs the `hub_venues` layer");
        report("scenario", 0.05);
        scenario_tables.matrix = read_optional(ws, "access_matrix");
        scenario_tables.isochrones = read_optional(ws, "isochrones");
        apply_scenario(scenario, ws, *venues, access, scenario_tables, schools, hubs ? &*hubs : nullptr,
                       remits ? &*remits : nullptr, p, scenario_notes);
    }
    report("index", 0.1);
    IndexInputs in{&schools, areas ? &*areas : nullptr, access ? &*access : nullptr, venues ? &*venues : nullptr,
                   remits ? &*remits : nullptr, engagement ? &*engagement : nullptr};
    out.index = compute_index(in, p);
    const auto& scores = out.index.schools;
    AnalysisSummary& summary = out.summary;
    summary.schools = scores.size();
    summary.notes = out.index.notes;
    summary.notes.insert(summary.notes.end(), scenario_notes.begin(), scenario_notes.end());

    // ---- statistics on the schools that have an index value
    report("statistics", 0.3);
    std::vector<std::size_t> scored;
    for (std::size_t i = 0; i < scores.size(); ++i)
        if (std::isfinite(scores[i].index)) scored.push_back(i);
    summary.scored = scored.size();
    std::vector<Point> points;
    std::vector<double> values;
    for (auto i : scored) {
        points.push_back(scores[i].at);
        values.push_back(scores[i].index);
    }
    std::optional<LocalStatistics> gi, moran;
    if (scored.size() >= 3) {
        SpatialWeights w;
        if (p.weights == "knn" && p.k < scored.size()) {
            w = stats::k_nearest_weights(points, p.k);
        } else {
            if (p.weights == "knn")
                summary.notes.push_back("only " + std::to_string(scored.size()) + " scored schools for k = " +
                                        std::to_string(p.k) + ": distance band of " + std::to_string(p.band_m) + " m used");
            w = stats::distance_band_weights(points, p.band_m);
        }
        const stats::InferenceOptions opt = p.inference();
        gi = stats::getis_ord(values, w, true, p.style, opt);
        bool varies = std::any_of(values.begin(), values.end(), [&](double v) { return v != values.front(); });
        if (varies) moran = stats::local_moran(values, w, p.style, opt);
        summary.islands = gi->islands.size();
        if (!gi->islands.empty())
            summary.notes.push_back(std::to_string(gi->islands.size()) + " schools have no neighbour within the weights (" +
                                    p.weights + "): reported as islands, no statistic");
    } else {
        summary.notes.push_back("fewer than 3 scored schools: no spatial statistics");
    }
    // Position of each school in `scored` (or -1).
    std::vector<long> pos(scores.size(), -1);
    for (std::size_t k = 0; k < scored.size(); ++k) pos[scored[k]] = static_cast<long>(k);
    auto is_cold_spot = [&](std::size_t k) {
        // p_bin: the analytical or permutation p, FDR-adjusted when `fdr` (the bins' p).
        return gi && gi->z[k] > 0 && gi->p_bin[k] < p.significance_for_cold_spot;
    };

    // ---- coldspots_schools
    report("layers", 0.6);
    FeatureTable cs{"coldspots_schools", "cold-spot index per school with components and Gi*/local Moran (docs/methodology.md)",
                    GeometryType::Point, 27700, {}, {}};
    cs.fields = {{"urn", FieldType::Integer},        {"name", FieldType::String},      {"lsoa_code", FieldType::String},
                 {"lad_code", FieldType::String},    {"la_code", FieldType::String},   {"hub_ids", FieldType::String},
                 {"coldspot_index", FieldType::Real}};
    for (auto c : kComponents) {
        cs.fields.push_back({"score_" + std::string(to_string(c)), FieldType::Real});
        cs.fields.push_back({"contrib_" + std::string(to_string(c)), FieldType::Real});
    }
    for (const auto& t : out.index.hub_types) cs.fields.push_back({"minutes_" + slug(t), FieldType::Real});
    for (const auto& f : std::vector<Field>{{"access_method", FieldType::String}, {"reasons", FieldType::String},
                                            {"gi_star", FieldType::Real},         {"gi_z", FieldType::Real},
                                            {"gi_p", FieldType::Real},            {"gi_p_sim", FieldType::Real},
                                            {"gi_p_fdr", FieldType::Real},        {"gi_bin", FieldType::Integer},
                                            {"cold_spot", FieldType::Integer},    {"moran_i", FieldType::Real},
                                            {"moran_z", FieldType::Real},         {"moran_p", FieldType::Real},
                                            {"moran_p_sim", FieldType::Real},     {"moran_p_fdr", FieldType::Real},
                                            {"moran_quadrant", FieldType::String}, {"moran_cluster", FieldType::String},
                                            {"island", FieldType::Integer}})
        cs.fields.push_back(f);
    std::vector<std::uint8_t> island_flag(scored.size(), 0);
    if (gi)
        for (auto k : gi->islands) island_flag[k] = 1;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        const auto& s = scores[i];
        Feature f;
        f.fid = s.urn;
        f.geometry = s.at;
        f.values = {s.urn, s.name, s.lsoa_code, s.lad_code, s.la_code, join(s.hub_ids, ";"), real_or_null(s.index)};
        for (std::size_t c = 0; c < kComponentCount; ++c) {
            f.values.push_back(real_or_null(s.score[c]));
            f.values.push_back(real_or_null(s.contribution[c]));
        }
        for (const auto& t : out.index.hub_types) {
            auto it = s.minutes.find(t);
            f.values.push_back(it == s.minutes.end() ? Value() : real_or_null(it->second));
        }
        f.values.push_back(s.access_method);
        f.values.push_back(s.reasons);
        const long k = pos[i];
        if (k >= 0 && gi) {
            const auto u = static_cast<std::size_t>(k);
            f.values.push_back(real_or_null(gi->statistic[u]));
            f.values.push_back(real_or_null(gi->z[u]));
            f.values.push_back(real_or_null(gi->p[u]));
            f.values.push_back(real_or_null(gi->p_sim[u]));
            f.values.push_back(real_or_null(gi->p_fdr[u]));
            f.values.push_back(static_cast<std::int64_t>(gi->bin[u]));
            f.values.push_back(static_cast<std::int64_t>(is_cold_spot(u)));
            summary.cold_spot_schools += is_cold_spot(u);
            if (moran) {
                f.values.push_back(real_or_null(moran->statistic[u]));
                f.values.push_back(real_or_null(moran->z[u]));
                f.values.push_back(real_or_null(moran->p[u]));
                f.values.push_back(real_or_null(moran->p_sim[u]));
                f.values.push_back(real_or_null(moran->p_fdr[u]));
                f.values.push_back(std::string(stats::to_string(moran->quadrant[u])));
                f.values.push_back(island_flag[u] ? Value() : Value(std::string(stats::cluster_label(moran->cluster[u]))));
            } else {
                f.values.insert(f.values.end(), 7, Value());
            }
            f.values.push_back(static_cast<std::int64_t>(island_flag[u]));
        } else {
            f.values.insert(f.values.end(), 15, Value());
        }
        cs.features.push_back(std::move(f));
    }

    // ---- coldspots_areas: LSOA, local authority and hub footprint
    report("aggregation", 0.75);
    FeatureTable ca{"coldspots_areas", "cold-spot index aggregated to LSOA, local authority and hub footprint",
                    GeometryType::MultiPolygon, 27700, {}, {}};
    ca.fields = {{"level", FieldType::String},      {"code", FieldType::String},       {"name", FieldType::String},
                 {"schools", FieldType::Integer},   {"mean_index", FieldType::Real},   {"max_index", FieldType::Real},
                 {"cold_spot_schools", FieldType::Integer}, {"cold_spot_share", FieldType::Real},
                 {"gi_z", FieldType::Real},         {"gi_p", FieldType::Real},         {"gi_bin", FieldType::Integer},
                 // how many of the area's schools have an access time that is not all by road
                 // (straight-line estimates where roads do not reach): dashboards mark them
                 {"access_estimated_schools", FieldType::Integer}};
    struct Level {
        const char* name;
        const FeatureTable* layer;
        const char* code_field;
        const char* name_field;
        std::function<std::vector<std::string>(const SchoolScore&)> keys;
    };
    const std::vector<Level> levels{
        {"lsoa", areas ? &*areas : nullptr, "code", "name", [](const SchoolScore& s) { return std::vector<std::string>{s.lsoa_code}; }},
        {"la", authorities ? &*authorities : nullptr, "code", "name",
         [](const SchoolScore& s) { return std::vector<std::string>{s.lad_code}; }},
        {"hub", hubs ? &*hubs : nullptr, "hub_id", "name", [](const SchoolScore& s) { return s.hub_ids; }}};
    std::int64_t area_fid = 0;
    for (const auto& level : levels) {
        if (!level.layer) {
            summary.notes.push_back(std::string("no layer for level '") + level.name + "': not aggregated");
            continue;
        }
        const FeatureTable& layer = *level.layer;
        const int fc = layer.field_index(level.code_field), fn = layer.field_index(level.name_field);
        if (fc < 0) {
            summary.notes.push_back(layer.name + " has no field '" + level.code_field + "': not aggregated");
            continue;
        }
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
                cold += is_cold_spot(k);
                const std::string& method = scores[scored[k]].access_method;
                estimated += !method.empty() && method != "road";
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
            if (g) {
                rows[r].values.push_back(real_or_null(g->z[r]));
                rows[r].values.push_back(real_or_null(g->p_bin[r]));
                rows[r].values.push_back(static_cast<std::int64_t>(g->bin[r]));
            } else {
                rows[r].values.insert(rows[r].values.end(), 3, Value());
            }
            rows[r].values.push_back(estimated_of[r]);
            ca.features.push_back(std::move(rows[r]));
        }
    }

    // ---- coldspots_hex
    report("hexagons", 0.85);
    const stats::HexGrid grid = stats::HexGrid::with_cell_area(p.hex_cell_area_km2 * 1e6);
    FeatureTable ch{"coldspots_hex", "cold-spot index on a hexagonal grid (EPSG:27700), Gi* by queen contiguity",
                    GeometryType::MultiPolygon, 27700, {}, {}};
    ch.fields = {{"q", FieldType::Integer},          {"r", FieldType::Integer},          {"cell_km2", FieldType::Real},
                 {"schools", FieldType::Integer},    {"mean_index", FieldType::Real},    {"max_index", FieldType::Real},
                 {"cold_spot_schools", FieldType::Integer}, {"gi_z", FieldType::Real}, {"gi_p", FieldType::Real},
                 {"gi_bin", FieldType::Integer}};
    {
        std::map<stats::HexCell, Group> cells;
        for (std::size_t k = 0; k < scored.size(); ++k) cells[grid.cell_of(points[k])].members.push_back(k);
        std::vector<MultiPolygon> polys;
        std::vector<double> means;
        for (const auto& [cell, group] : cells) {
            double sum = 0, mx = -1;
            std::int64_t cold = 0;
            for (auto k : group.members) {
                sum += values[k];
                mx = std::max(mx, values[k]);
                cold += is_cold_spot(k);
            }
            const double n = static_cast<double>(group.members.size());
            Feature row;
            row.fid = stats::HexGrid::id(cell);
            row.geometry = MultiPolygon{grid.polygon(cell)};
            row.values = {static_cast<std::int64_t>(cell.q), static_cast<std::int64_t>(cell.r), p.hex_cell_area_km2,
                          static_cast<std::int64_t>(n), sum / n, mx, cold};
            polys.push_back(MultiPolygon{grid.polygon(cell)});
            means.push_back(sum / n);
            ch.features.push_back(std::move(row));
        }
        const auto g = polygon_gi_star(polys, means, p, grid.side() * 1e-6);
        for (std::size_t r = 0; r < ch.features.size(); ++r) {
            auto& v = ch.features[r].values;
            if (g) {
                v.push_back(real_or_null(g->z[r]));
                v.push_back(real_or_null(g->p_bin[r]));
                v.push_back(static_cast<std::int64_t>(g->bin[r]));
            } else {
                v.insert(v.end(), 3, Value());
            }
        }
    }

    // ---- targets: cold-spot schools first, then by Gi* bin, then by index
    report("targets", 0.95);
    FeatureTable tg{"targets", "schools ranked for outreach: cold-spot schools first, with reasons", GeometryType::Point,
                    27700, {}, {}};
    tg.fields = {{"rank", FieldType::Integer},      {"urn", FieldType::Integer},     {"name", FieldType::String},
                 {"coldspot_index", FieldType::Real}, {"cold_spot", FieldType::Integer}, {"gi_bin", FieldType::Integer},
                 {"gi_z", FieldType::Real},          {"la_code", FieldType::String}, {"lad_code", FieldType::String},
                 {"lsoa_code", FieldType::String},   {"hub_ids", FieldType::String}, {"reasons", FieldType::String},
                 {"index_rank", FieldType::Integer}, {"rank_median", FieldType::Integer}, {"rank_p05", FieldType::Integer},
                 {"rank_p95", FieldType::Integer},   {"top_share", FieldType::Real}, {"robust_target", FieldType::Integer}};
    const std::vector<std::uint32_t> index_rank = rank_descending(values);
    std::optional<stats::RankStability> stability;
    if (p.rank_stability.draws > 0 && !scored.empty()) {
        report("rank stability", 0.96);
        stability = index_rank_stability(scores, scored, p);
        summary.robust_targets = static_cast<std::size_t>(std::count(stability->robust.begin(), stability->robust.end(), 1));
        summary.rank_draws = p.rank_stability.draws;
        summary.rank_top_n = p.rank_stability.top_n;
        summary.rank_robust_share = p.rank_stability.robust_share;
    }
    std::vector<std::size_t> order(scored.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    auto bin_of = [&](std::size_t k) { return gi ? gi->bin[k] : std::int8_t{0}; };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (is_cold_spot(a) != is_cold_spot(b)) return is_cold_spot(a);
        if (bin_of(a) != bin_of(b)) return bin_of(a) > bin_of(b);
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
                    static_cast<std::int64_t>(is_cold_spot(k)), static_cast<std::int64_t>(bin_of(k)),
                    gi ? real_or_null(gi->z[k]) : Value(), s.la_code, s.lad_code, s.lsoa_code, join(s.hub_ids, ";"),
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

    out.tables.push_back(std::move(cs));
    out.tables.push_back(std::move(ca));
    out.tables.push_back(std::move(ch));
    out.tables.push_back(std::move(tg));
    if (!scenario.empty()) {
        out.tables.push_back(*venues);
        if (access) out.tables.push_back(*access);
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
    if (ws.has_layer("analysis_runs")) runs = ws.read("analysis_runs");
    Feature& row = append_analysis_run(runs, "run", p.source.dump());
    result.summary.run_id = as_text(row.values[static_cast<std::size_t>(runs.require_field("run_id"))]);
    set_run_value(runs, row, "schools", static_cast<std::int64_t>(result.summary.schools));
    set_run_value(runs, row, "scored", static_cast<std::int64_t>(result.summary.scored));
    set_run_value(runs, row, "cold_spot_schools", static_cast<std::int64_t>(result.summary.cold_spot_schools));
    set_run_value(runs, row, "notes", join(result.summary.notes, "; "));

    if (progress) progress("writing workspace", 0.97);
    WorkspaceWriter writer(output, workspace);
    for (const auto& table : result.tables) writer.write(table);
    writer.write(runs);
    writer.commit();
    result.summary.layers.push_back("analysis_runs");
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
