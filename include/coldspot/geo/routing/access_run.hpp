#pragma once
// One travel-time run on a workspace: get the road graph (from the cache beside the workspace
// when it is current, otherwise from the workspace `roads` layer or a road source, then cached),
// compute school access and isochrones, and write them into a new workspace version together with
// an `analysis_runs` row recording the options used (access_parameters.hpp).
#include "coldspot/geo/routing/access_parameters.hpp"
#include "coldspot/geo/routing/contracted_graph.hpp"
#include "coldspot/geo/routing/road_graph.hpp"
#include "coldspot/geo/routing/road_source.hpp"
#include "coldspot/geo/routing/school_access.hpp"
#include "coldspot/geo/routing/speed_profile.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace coldspot::geo::routing {

struct AccessRunOptions {
    std::optional<RoadSource> roads; ///< default: the workspace's `roads` layer
    SpeedProfile profile = default_speed_profile();
    AccessOptions access;
    bool use_cache = true;
    bool write = true;
};

struct LoadedGraph {
    RoadGraph graph;
    ContractedGraph contracted; ///< of `graph` (read from the cache with it, or contracted when built)
    bool from_cache = false;
    std::string cache_note;          ///< why the cache was (not) used
    std::optional<GraphBuildReport> build; ///< when built now
    double seconds = 0;
    /// No road source and no `roads` layer: the graph is empty and every school gets its
    /// straight-line estimate (method straight_line); `cache_note` is the one warning to show.
    bool no_roads = false;
    /// The options of the access run this graph serves: load_or_build_graph's own options;
    /// for load_recorded_graph, the recorded ones (or the defaults, `cache_note` says which).
    AccessParameters parameters;
};

/// `NAME.gpkg` -> `NAME.gpkg.roadgraph`.
std::filesystem::path graph_cache_path(const std::filesystem::path& workspace);

/// The graph for this workspace and options. Without a road source or `roads` layer, an empty
/// graph with `no_roads` set (every value is then a straight-line estimate).
LoadedGraph load_or_build_graph(const std::filesystem::path& workspace, const AccessRunOptions& options);

/// The road graph the last access run on this workspace used, for re-routing a scenario without
/// re-importing, with that run's recorded options in `parameters`: the intact cache beside the
/// workspace, whatever road source it was built from (unless it was built from a workspace `roads`
/// layer that has changed since, or with a speed profile other than the recorded one while the
/// `roads` layer can rebuild it); otherwise a graph built now from the workspace `roads` layer
/// with the recorded speed profile, not cached (the workspace may be a read-only input); nullopt
/// when there is neither. A workspace whose runs recorded no options gets the defaults.
/// `cache_note` says which graph and which options.
std::optional<LoadedGraph> load_recorded_graph(const std::filesystem::path& workspace);

struct AccessRun {
    LoadedGraph graph;
    AccessResult result;
    double access_seconds = 0;
};

/// Throws WorkspaceError / NotFoundError when `schools` or `hub_venues` is missing. With `write`,
/// also appends the run and its options to `analysis_runs`.
AccessRun run_access(const std::filesystem::path& workspace, const AccessRunOptions& options);

} // namespace coldspot::geo::routing
