#pragma once
// Where road lines come from and how to read them: an OpenStreetMap PBF extract (libosmium) or a
// GDAL line layer with a field mapping (OS Open Roads `road_link`, OSMnx edge files, ...). The
// result is the workspace `roads` layer (docs/workspace.md): MultiLineStrings in EPSG:27700 with
// `highway`, `oneway`, `maxspeed_kph`, `length_m`, and line ends meeting exactly where roads join.
#include "coldspot/geo/feature_table.hpp"

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace coldspot::geo::routing {

enum class RoadSourceKind { Pbf, Ogr };

/// Field mapping for a GDAL layer. Empty names mean "not in this source".
struct RoadFieldMapping {
    std::string road_class;   ///< e.g. "highway" or "road_classification" (required)
    std::string oneway;       ///< yes/no/true/false/1/0/-1/reverse; empty: every line is two-way
    std::string speed;        ///< OSM maxspeed text ("30 mph") or a number in km/h
    std::string length;       ///< metres; empty: measured from the geometry
};

struct RoadSource {
    RoadSourceKind kind = RoadSourceKind::Pbf;
    std::filesystem::path path;
    std::string layer;                    ///< GDAL layer name; empty = the first layer
    RoadFieldMapping fields;
    std::vector<std::string> exclude_classes; ///< e.g. "bus_guideway"; matched against every class of a list value
    /// Each feature is one directed edge from its first to its last vertex (OSMnx edge files,
    /// where a two-way street is already two features); `oneway` is then ignored.
    bool directed_edges = false;
};

/// Parses a manifest `roads` entry:
///   {"kind": "pbf", "path": "rutland.osm.pbf"}
///   {"kind": "ogr", "path": "edges.geojson", "layer": "", "directed_edges": true,
///    "fields": {"class": "highway", "oneway": "oneway", "speed": "maxspeed", "length": "length_m"},
///    "exclude_classes": ["bus_guideway"]}
/// "kind" may be omitted (".pbf" means pbf). A relative path is resolved against base_dir.
/// Throws ManifestError naming `origin` and the offending field.
RoadSource parse_road_source(const nlohmann::json& entry, const std::filesystem::path& base_dir,
                             const std::string& origin = "manifest");

/// Highway classes read from a PBF: those a car may use (see docs/routing.md).
const std::vector<std::string>& car_highway_classes();

/// Reads the source into a `roads` layer. A PBF's ways are split at every node shared by two
/// kept ways, so lines meet only at their ends. Throws FileNotFoundError, FormatError,
/// MissingColumnError (a mapped field absent) naming the file.
FeatureTable read_road_lines(const RoadSource& source);

/// The empty `roads` schema.
FeatureTable make_roads_table();

} // namespace coldspot::geo::routing
