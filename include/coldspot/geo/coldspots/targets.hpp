#pragma once
// The targeting list for a chosen hub, authority or area (from the `targets` and
// `coldspots_schools` layers of an analysed workspace), its CSV and GeoJSON exports, and venue
// suggestions within it.
#include "coldspot/geo/alias.hpp"
#include "coldspot/geo/coldspots/venue_suggestion.hpp"
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/workspace.hpp"

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace coldspot::geo::coldspots {

struct TargetQuery {
    std::optional<std::string> hub;       ///< hub_id, or hub name as in the `hubs` layer
    std::optional<std::string> authority; ///< la_code (DfE) or lad_code (ONS)
    std::optional<std::string> area;      ///< LSOA code
    std::size_t top = 0;                  ///< 0: all
};

/// The ranked rows of `targets` that match, renumbered 1..n within the selection, with each
/// component's contribution from `coldspots_schools` added. Throws WorkspaceError when the
/// workspace has not been analysed, NotFoundError when the hub is unknown.
FeatureTable select_targets(const Workspace& workspace, const TargetQuery& query);

/// The layers select_targets reads, already in memory (the HTTP service's snapshot): the same
/// rows give the same list, byte for byte in CSV.
struct TargetTables {
    const FeatureTable& targets;
    const FeatureTable& coldspots_schools;
    const FeatureTable* hubs = nullptr; ///< to resolve hub names; null: `hub` must be a hub_id
};
FeatureTable select_targets(const TargetTables& tables, const TargetQuery& query);

/// A hub's id from its id or unique name in `hubs` (null: returned as given). Throws NotFoundError
/// for an unknown hub, InvalidArgumentError for a name shared by several hubs.
std::string resolve_hub_id(const FeatureTable* hubs, const std::string& hub);

/// CSV with a header; fields quoted where needed (RFC 4180). Coordinates as easting/northing.
void write_csv(const FeatureTable& table, std::ostream& out);
/// GeoJSON FeatureCollection in WGS84 (RFC 7946), 6 decimals.
void write_geojson(const FeatureTable& table, std::ostream& out);

struct VenueSuggestion {
    CoverageChoice choice;
    std::vector<std::int64_t> urns; ///< chosen candidate schools, in pick order (0 for a given point)
    std::vector<std::string> names; ///< school names, or "candidate N" (N: 1-based position in the given points)
    std::vector<Point> points;      ///< chosen venues, EPSG:27700
    std::size_t schools = 0;        ///< demand points considered
    std::string method;             ///< how coverage was measured (road graph or straight line), for the operator: names files
    bool by_road = false;           ///< coverage by drive time on the road graph (else straight-line estimates)
    std::size_t off_road_schools = 0; ///< schools beyond road coverage, by straight-line estimate even with a graph
};

/// Chooses `k` new venues among the selected schools for `hub_type`, maximising the cold-spot
/// index (as weight) of selected schools within `cutoff`, greedily (>= 1 - 1/e of the
/// optimum). With a road graph (routing::load_recorded_graph: the graph the access run used),
/// coverage is by drive time, school -> venue: one bounded search per candidate, and existing
/// venues of the type (`hub_venues`) fixed through one multi-source search (road_coverage.hpp).
/// Without one: straight-line distance x the access run's circuity / fallback speed (its recorded
/// speed profile, else the default one) for candidates and the stored minutes to
/// the nearest venue for existing coverage. `method` says which was used.
VenueSuggestion suggest_venues(const Workspace& workspace, const TargetQuery& query, const std::string& hub_type,
                               std::size_t k, Minutes cutoff);
/// The same with candidates anywhere (points a lead picked, EPSG:27700) instead of the selected
/// schools; null `candidate_points` is the school version.
VenueSuggestion suggest_venues(const Workspace& workspace, const TargetQuery& query, const std::string& hub_type,
                               std::size_t k, Minutes cutoff, const std::vector<Point>* candidate_points);

} // namespace coldspot::geo::coldspots
