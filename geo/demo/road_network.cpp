#include "coldspot/geo/demo/road_network.hpp"

#include "coldspot/geo/atomic_file.hpp"
#include "coldspot/geo/crs.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"

#include <osmium/builder/attr.hpp>
#include <osmium/builder/osm_object_builder.hpp>
#include <osmium/io/header.hpp>
#include <osmium/io/pbf_output.hpp>
#include <osmium/io/writer.hpp>
#include <osmium/memory/buffer.hpp>
#include <osmium/osm/box.hpp>
#include <osmium/osm/location.hpp>

#include <charconv>
#include <utility>

namespace coldspot::geo::demo {

std::int64_t RoadNetwork::add_node(Point position) {
    const auto id = static_cast<std::int64_t>(nodes_.size()) + 1;
    nodes_.push_back(RoadNode{id, position});
    return id;
}

const RoadNode& RoadNetwork::node(std::int64_t id) const {
    if (id < 1 || id > static_cast<std::int64_t>(nodes_.size()))
        throw InvalidArgumentError("road network has no node " + std::to_string(id));
    return nodes_[static_cast<std::size_t>(id - 1)];
}

std::int64_t RoadNetwork::add_way(std::vector<std::int64_t> nodes, std::string highway, std::string oneway,
                                  std::string maxspeed, std::string name) {
    if (nodes.size() < 2) throw InvalidArgumentError("a road way needs at least two nodes");
    for (auto id : nodes) (void)node(id);
    const auto id = static_cast<std::int64_t>(ways_.size()) + 1;
    ways_.push_back(RoadWay{id, std::move(nodes), std::move(highway), std::move(oneway), std::move(maxspeed), std::move(name)});
    return id;
}

LineString RoadNetwork::line(const RoadWay& way) const {
    LineString out;
    out.reserve(way.nodes.size());
    for (auto id : way.nodes) out.push_back(node(id).position);
    return out;
}

int oneway_direction(const std::string& tag) noexcept {
    if (tag == "yes" || tag == "true" || tag == "1") return 1;
    if (tag == "-1" || tag == "reverse") return -1;
    return 0;
}

double maxspeed_kph(const std::string& tag) noexcept {
    double value = 0;
    const char* begin = tag.data();
    const char* end = tag.data() + tag.size();
    auto [rest, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc() || !(value > 0)) return -1.0;
    std::string_view unit(rest, static_cast<std::size_t>(end - rest));
    while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
    if (unit.empty() || unit == "km/h" || unit == "kmh") return value;
    if (unit == "mph") return value * 1.609344; // international mile, exactly
    return -1.0;
}

void write_osm_pbf(const RoadNetwork& network, const std::filesystem::path& path, const std::string& generator) {
    using namespace osmium::builder::attr;
    // OSM stores WGS84 at 1e-7 degrees.
    CrsTransform to_wgs84(kBritishNationalGrid, kWgs84);
    // A fixed, documented timestamp: the demo is synthetic, so "when it was mapped" means nothing,
    // and a real clock would make two runs differ.
    const osmium::Timestamp stamp{"2025-01-01T00:00:00Z"};
    osmium::memory::Buffer buffer{1 << 20, osmium::memory::Buffer::auto_grow::yes};
    osmium::Box box;
    for (const auto& n : network.nodes()) {
        const Point ll = to_wgs84(n.position);
        const osmium::Location loc{ll.x(), ll.y()};
        box.extend(loc);
        osmium::builder::add_node(buffer, _id(n.id), _version(1), _timestamp(stamp), _location(loc));
    }
    for (const auto& w : network.ways()) {
        std::vector<std::pair<std::string, std::string>> tags{{"highway", w.highway}};
        if (!w.oneway.empty()) tags.emplace_back("oneway", w.oneway);
        if (!w.maxspeed.empty()) tags.emplace_back("maxspeed", w.maxspeed);
        if (!w.name.empty()) tags.emplace_back("name", w.name);
        osmium::builder::add_way(buffer, _id(w.id), _version(1), _timestamp(stamp), _nodes(w.nodes), _tags(tags));
    }

    osmium::io::Header header;
    header.set("generator", generator);
    header.add_box(box);
    write_atomically(path, [&](const std::filesystem::path& temp) {
        try {
            osmium::io::Writer writer{osmium::io::File{temp.string(), "pbf"}, header, osmium::io::overwrite::allow};
            writer(std::move(buffer));
            writer.close();
        } catch (const std::system_error& e) {
            throw IoError("cannot write OSM PBF " + path.string() + " (temporary file " + temp.string() + "): " + e.what());
        } catch (const std::exception& e) {
            throw WorkspaceError("cannot write OSM PBF " + path.string() + ": " + e.what());
        }
    });
}

FeatureTable roads_layer(const RoadNetwork& network, const std::string& description) {
    FeatureTable t;
    const auto& spec = model::input_layer(model::layer::roads);
    t.name = spec.name;
    t.description = description;
    t.geometry_type = spec.geometry;
    t.epsg = kBritishNationalGrid;
    t.fields = model::table_fields(spec);
    t.features.reserve(network.ways().size());
    for (const auto& w : network.ways()) {
        Feature f;
        f.fid = w.id;
        MultiLineString geometry{network.line(w)};
        const double length = bg::length(geometry);
        const double kph = maxspeed_kph(w.maxspeed);
        f.values = {w.highway, static_cast<std::int64_t>(oneway_direction(w.oneway)),
                    kph > 0 ? Value{kph} : Value{}, length};
        f.geometry = std::move(geometry);
        t.features.push_back(std::move(f));
    }
    return t;
}

} // namespace coldspot::geo::demo
