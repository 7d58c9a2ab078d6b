#pragma once
// Access for a venue scenario, re-routed: the hub types whose venues changed get their
// `school_access` rows (nearest and own-hub), isochrones and matrix rows recomputed on the road
// graph, exactly as the access run computes them (with the options it recorded); other types'
// rows are left as they were.
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/routing/access_parameters.hpp"
#include "coldspot/geo/routing/access_run.hpp"
#include "coldspot/geo/routing/road_graph.hpp"

#include <set>
#include <string>

namespace coldspot::geo::coldspots {

struct ScenarioAccessInputs {
    const FeatureTable* schools = nullptr;
    const FeatureTable* venues = nullptr;        ///< hub_venues after the change
    const FeatureTable* hubs = nullptr;          ///< optional, for remits by footprint
    const FeatureTable* school_remits = nullptr; ///< optional
};

struct ScenarioAccessReport {
    std::size_t nearest_rows_changed = 0; ///< school x type rows whose minutes differ
    std::size_t types_without_venue = 0;  ///< affected types left with no venue at all
    double seconds = 0;
};

/// Replaces in `access` (and in `isochrones` / `matrix` when not null) the rows of `types` with
/// rows computed on `graph` (the forward graph) for the changed venues, with the access run's
/// `parameters` (fallback speed and circuity, snap and own-hub thresholds, matrix cutoff,
/// isochrone bands). Values are placed by field name, so a table holding a subset of
/// school_access's fields is filled as far as it goes. A type with no venue left keeps one
/// `nearest` row per school with no minutes and method "none". Rows are renumbered 1..n.
/// Throws NotFoundError when a table lacks urn / hub_type.
ScenarioAccessReport reroute_access(const routing::RoadGraph& graph, const routing::AccessParameters& parameters,
                                    const ScenarioAccessInputs& inputs, const std::set<std::string>& types,
                                    FeatureTable& access, FeatureTable* isochrones, FeatureTable* matrix);

/// The same on a graph from routing::load_recorded_graph, with the options it carries.
inline ScenarioAccessReport reroute_access(const routing::LoadedGraph& graph, const ScenarioAccessInputs& inputs,
                                           const std::set<std::string>& types, FeatureTable& access,
                                           FeatureTable* isochrones, FeatureTable* matrix) {
    return reroute_access(graph.graph, graph.parameters, inputs, types, access, isochrones, matrix);
}

} // namespace coldspot::geo::coldspots
