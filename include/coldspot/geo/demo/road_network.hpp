#pragma once
// The demo's road network: OSM-like nodes and tagged ways, written as a real OSM PBF file (with
// libosmium, so any OSM tool or Coldspot's own PBF reader can route on it) and as the workspace
// `roads` layer.
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/geometry.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace coldspot::geo::demo {

struct RoadNode {
    std::int64_t id = 0;
    Point position; ///< EPSG:27700
};

struct RoadWay {
    std::int64_t id = 0;
    std::vector<std::int64_t> nodes;
    std::string highway;  ///< OSM highway=* value
    std::string oneway;   ///< OSM oneway=* value ("yes", "-1"), "" when untagged
    std::string maxspeed; ///< OSM maxspeed=* value ("30 mph"), "" when untagged
    std::string name;     ///< "" when untagged
};

/// Nodes and ways with ids 1, 2, 3, ... in creation order, so the same calls give the same file.
class RoadNetwork {
public:
    std::int64_t add_node(Point position);
    /// Throws InvalidArgumentError when a node id is unknown or the way has fewer than two nodes.
    std::int64_t add_way(std::vector<std::int64_t> nodes, std::string highway, std::string oneway = {},
                         std::string maxspeed = {}, std::string name = {});

    const std::vector<RoadNode>& nodes() const noexcept { return nodes_; }
    const std::vector<RoadWay>& ways() const noexcept { return ways_; }
    const RoadNode& node(std::int64_t id) const;
    /// The way's geometry in EPSG:27700.
    LineString line(const RoadWay& way) const;

private:
    std::vector<RoadNode> nodes_;
    std::vector<RoadWay> ways_;
};

/// OSM oneway tag -> the workspace's integer (0 both ways, 1 forward, -1 backward).
int oneway_direction(const std::string& oneway_tag) noexcept;
/// OSM maxspeed tag ("30 mph", "50", "70 mph") -> km/h, or a negative number when not parseable.
double maxspeed_kph(const std::string& maxspeed_tag) noexcept;

/// Writes the network as OSM PBF (WGS84, as OSM requires) through a temporary file renamed into
/// place. Every object has version 1 and a fixed timestamp, so the file is byte-for-byte the same
/// for the same network. Throws WorkspaceError when the file cannot be written.
void write_osm_pbf(const RoadNetwork& network, const std::filesystem::path& path, const std::string& generator);

/// The workspace `roads` layer (docs/workspace.md): one MultiLineString per way, fid = way id.
FeatureTable roads_layer(const RoadNetwork& network, const std::string& description);

} // namespace coldspot::geo::demo
