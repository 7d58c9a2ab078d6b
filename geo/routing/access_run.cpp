#include "coldspot/geo/routing/access_run.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/routing/graph_cache.hpp"
#include "coldspot/geo/workspace.hpp"

#include <chrono>
#include <sstream>

namespace coldspot::geo::routing {

namespace {

double since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// What the graph is built from, without reading it: a source file is named by path, size and
/// modification time (so a restart never re-parses an unchanged PBF); the workspace layer by its
/// content hash.
std::string source_key(const RoadSource& s) {
    std::ostringstream os;
    std::error_code ec;
    const auto abs = std::filesystem::absolute(s.path, ec);
    os << "file:" << abs.string() << "|" << std::filesystem::file_size(s.path, ec) << "|"
       << std::filesystem::last_write_time(s.path, ec).time_since_epoch().count() << "|kind=" << static_cast<int>(s.kind)
       << "|layer=" << s.layer << "|" << s.fields.road_class << "," << s.fields.oneway << "," << s.fields.speed << ","
       << s.fields.length << "|directed=" << s.directed_edges << "|exclude=";
    for (const auto& c : s.exclude_classes) os << c << ";";
    return os.str();
}

} // namespace

std::filesystem::path graph_cache_path(const std::filesystem::path& workspace) {
    // Beside a GeoPackage; in the local cache folder of a PostGIS workspace (geo/workspace.hpp).
    return workspace_sidecar(workspace, ".roadgraph");
}

LoadedGraph load_or_build_graph(const std::filesystem::path& workspace, const AccessRunOptions& options) {
    const auto t0 = std::chrono::steady_clock::now();
    LoadedGraph out;
    out.parameters = {options.profile, options.access};
    std::optional<FeatureTable> roads;
    std::string key = "profile:" + profile_fingerprint(options.profile) + "|";
    if (options.roads) {
        key += source_key(*options.roads);
    } else {
        Workspace ws(workspace);
        if (!ws.has_layer(model::layer::roads)) {
            // England has no road network yet: every school still gets a time, marked as an
            // estimate, so the index keeps its access component.
            out.no_roads = true;
            out.cache_note = "no roads layer in " + workspace.string() + " and no --roads source: every school gets a straight-line "
                             "estimate (method straight_line: distance x " + std::to_string(options.profile.circuity_factor).substr(0, 4) +
                             " at " + std::to_string(static_cast<int>(options.profile.fallback_kph)) + " km/h)";
            out.seconds = since(t0);
            return out;
        }
        roads = ws.read(model::layer::roads);
        key += "workspace-roads:" + roads_fingerprint(*roads);
    }
    const auto cache = graph_cache_path(workspace);
    if (options.use_cache) {
        if (auto g = load_cached_graph(cache, key, &out.cache_note)) {
            out.graph = std::move(g->graph);
            out.contracted = std::move(g->contracted);
            out.from_cache = true;
            out.cache_note = "road graph read from cache " + cache.string();
            out.seconds = since(t0);
            return out;
        }
    } else {
        out.cache_note = "cache disabled";
    }
    if (!roads) roads = read_road_lines(*options.roads);
    BuiltGraph built = build_road_graph(*roads, options.profile);
    if (built.graph.node_count() == 0) throw WorkspaceError("no routable roads for the speed profile " + options.profile.name);
    out.graph = std::move(built.graph);
    out.contracted = ContractedGraph(out.graph);
    out.build = built.report;
    if (options.use_cache) {
        save_graph_cache(cache, out.graph, out.contracted, key);
        out.cache_note += "; built and cached at " + cache.string();
    }
    out.seconds = since(t0);
    return out;
}

std::optional<LoadedGraph> load_recorded_graph(const std::filesystem::path& workspace) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto cache = graph_cache_path(workspace);
    const Workspace ws(workspace);
    LoadedGraph out;
    const RecordedAccessParameters recorded = recorded_access_parameters(ws);
    out.parameters = recorded.parameters;
    const SpeedProfile& profile = out.parameters.profile;
    // The roads layer is read only when needed: to check a cache built from it, or to build.
    std::optional<FeatureTable> roads;
    auto read_roads = [&] {
        if (!roads && ws.has_layer(model::layer::roads)) roads = ws.read(model::layer::roads);
        return roads.has_value();
    };
    if (auto key = graph_cache_key(cache)) {
        // A key naming workspace roads must name these roads: after a re-import the cache is stale.
        const auto at = key->find("workspace-roads:");
        const bool from_layer = at != std::string::npos;
        const bool other_roads = from_layer && read_roads() &&
                                 key->substr(at + std::string_view("workspace-roads:").size()) != roads_fingerprint(*roads);
        // A cache built with another profile than the recorded run's (a later --no-write run) is
        // rebuilt when the roads layer can; a cache from a road file cannot be, and is used as is.
        const bool other_profile = recorded.recorded && !key->starts_with("profile:" + profile_fingerprint(profile) + "|");
        const bool stale = other_roads || (other_profile && from_layer && read_roads());
        std::string why_not;
        if (!stale) {
            if (auto g = load_cached_graph(cache, *key, &why_not)) {
                out.graph = std::move(g->graph);
                out.contracted = std::move(g->contracted);
                out.from_cache = true;
                out.cache_note = "road graph of the last access run, read from " + cache.string();
                if (other_profile) out.cache_note += " (built with a speed profile other than the recorded one)";
                out.cache_note += "; " + recorded.note;
                out.seconds = since(t0);
                return out;
            }
        }
        out.cache_note = other_roads     ? "cache " + cache.string() + " built from other roads; "
                         : other_profile ? "cache " + cache.string() + " built with another speed profile; "
                                         : why_not + "; ";
    }
    if (!read_roads()) return std::nullopt;
    BuiltGraph built = build_road_graph(*roads, profile);
    if (built.graph.node_count() == 0) return std::nullopt;
    out.graph = std::move(built.graph);
    out.contracted = ContractedGraph(out.graph);
    out.build = built.report;
    out.cache_note += "road graph built from the workspace roads layer (speed profile " + profile.name + "); " +
                      recorded.note;
    out.seconds = since(t0);
    return out;
}

AccessRun run_access(const std::filesystem::path& workspace, const AccessRunOptions& options) {
    AccessRun run;
    Workspace ws(workspace);
    for (const char* layer : {model::layer::schools, model::layer::hub_venues})
        if (!ws.has_layer(layer)) throw WorkspaceError(workspace.string() + " has no " + layer + " layer: run `coldspot import` first");
    const FeatureTable schools = ws.read(model::layer::schools);
    const FeatureTable venues = ws.read(model::layer::hub_venues);
    std::optional<FeatureTable> hubs, remits;
    if (ws.has_layer(model::layer::hubs)) hubs = ws.read(model::layer::hubs);
    if (ws.has_layer(model::layer::school_remits)) remits = ws.read(model::layer::school_remits);
    run.graph = load_or_build_graph(workspace, options);
    const auto t0 = std::chrono::steady_clock::now();
    AccessInputs in{&schools, &venues, hubs ? &*hubs : nullptr, remits ? &*remits : nullptr};
    run.result = compute_school_access(run.graph.graph, run.graph.contracted, in, options.profile, options.access);
    run.access_seconds = since(t0);
    if (options.write) {
        FeatureTable runs;
        if (ws.has_layer(model::layer::analysis_runs)) runs = ws.read(model::layer::analysis_runs);
        const std::string roads = options.roads ? options.roads->path.string()
                                  : run.graph.no_roads ? std::string("none (straight-line estimates)")
                                                       : std::string("workspace roads layer");
        WorkspaceWriter writer(workspace, workspace);
        writer.write(run.result.school_access);
        writer.write(run.result.isochrones);
        writer.write(run.result.access_matrix);
        writer.write(with_access_run_recorded(std::move(runs), run.graph.parameters, roads, run.result.report));
        writer.commit();
    }
    return run;
}

} // namespace coldspot::geo::routing
