#include "coldspot/geo/routing/road_source.hpp"

#include "coldspot/geo/crs.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/routing/speed_profile.hpp"
#include "coldspot/geo/detail/wkb.hpp"
#include "gdal_handles.hpp"

#include <nlohmann/json.hpp>
#include <osmium/handler.hpp>
#include <osmium/handler/node_locations_for_ways.hpp>
#include <osmium/index/map/flex_mem.hpp>
#include <osmium/io/pbf_input.hpp>
#include <osmium/visitor.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <numbers>
#include <set>
#include <unordered_map>

namespace coldspot::geo::routing {

namespace {

constexpr std::size_t kHighway = 0, kOneway = 1, kMaxspeed = 2, kLength = 3;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// 1 forward, -1 backward, 0 both ways; nullopt for values that say neither (e.g. "reversible").
std::optional<int> parse_oneway(std::string_view raw) {
    const std::string v = lower(raw);
    if (v == "yes" || v == "true" || v == "1") return 1;
    if (v == "-1" || v == "reverse") return -1;
    if (v.empty() || v == "no" || v == "false" || v == "0") return 0;
    return std::nullopt;
}

double haversine_m(const Point& a, const Point& b) {
    constexpr double r = 6371008.8;
    constexpr double d2r = std::numbers::pi / 180.0;
    const double dlat = (b.y() - a.y()) * d2r, dlon = (b.x() - a.x()) * d2r;
    const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                     std::cos(a.y() * d2r) * std::cos(b.y() * d2r) * std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2 * r * std::asin(std::min(1.0, std::sqrt(h)));
}

bool has_excluded_class(std::string_view value, const std::vector<std::string>& excluded) {
    std::size_t start = 0;
    while (start <= value.size()) {
        std::size_t end = value.find(';', start);
        if (end == std::string_view::npos) end = value.size();
        if (std::find(excluded.begin(), excluded.end(), std::string(primary_class(value.substr(start, end - start)))) !=
            excluded.end())
            return true;
        start = end + 1;
    }
    return false;
}

// geom and highway are sink parameters (callers move them in, the body moves them on); clang-tidy 14
// takes the moves into std::variant's converting assignment and Value's constructor for const uses.
// NOLINTNEXTLINE(performance-unnecessary-value-param)
void add_road(FeatureTable& t, MultiLineString geom, std::string highway, int oneway, std::optional<double> maxspeed,
              double length_m) {
    Feature f;
    f.fid = static_cast<std::int64_t>(t.features.size()) + 1;
    f.geometry = std::move(geom);
    f.values = {std::move(highway), std::int64_t{oneway}, maxspeed ? Value{*maxspeed} : Value{}, length_m};
    t.features.push_back(std::move(f));
}

// ---- OpenStreetMap PBF -------------------------------------------------------------------------

struct OsmWay {
    std::vector<osmium::object_id_type> refs;
    std::vector<osmium::Location> locations;
    std::string highway;
    int oneway = 0;
    std::optional<double> maxspeed_kph;
};

bool motor_access_denied(const osmium::TagList& tags) {
    auto is_no = [](const char* v) { return v && (std::string_view(v) == "no" || std::string_view(v) == "private"); };
    auto is_yes = [](const char* v) {
        if (!v) return false;
        const std::string_view s(v);
        return s == "yes" || s == "designated" || s == "destination" || s == "permissive";
    };
    const char* motorcar = tags["motorcar"];
    const char* motor_vehicle = tags["motor_vehicle"];
    if (is_no(motorcar) || is_no(motor_vehicle)) return true;
    if (is_yes(motorcar) || is_yes(motor_vehicle)) return false;
    return is_no(tags["access"]) || is_no(tags["vehicle"]);
}

/// libosmium keeps a tag list as NUL-terminated strings and walks it with strlen. A key or value with
/// a NUL byte inside (a PBF string table may hold one) puts that walk out of step, and it reads past
/// the end of the list (found by the osm_pbf fuzz target; tests/fuzz/regressions/osm_pbf/). True when
/// the walk stays in step: key-value pairs of strings that end exactly where the list ends.
bool tag_list_in_step(const osmium::TagList& tags) {
    const auto* at = reinterpret_cast<const char*>(tags.data()) + sizeof(osmium::TagList);
    const auto* end = reinterpret_cast<const char*>(tags.data()) + tags.byte_size();
    std::size_t strings = 0;
    while (at < end) {
        const void* nul = std::memchr(at, 0, static_cast<std::size_t>(end - at));
        if (!nul) return false;
        at = static_cast<const char*>(nul) + 1;
        ++strings;
    }
    return strings % 2 == 0;
}

class CarWayCollector : public osmium::handler::Handler {
public:
    explicit CarWayCollector(std::vector<OsmWay>& out) : out_(out) {}
    std::size_t skipped_access = 0, skipped_oneway = 0, unparsed_maxspeed = 0;

    void way(const osmium::Way& way) {
        if (!tag_list_in_step(way.tags()))
            throw std::runtime_error("way " + std::to_string(way.id()) + " has a tag key or value with a NUL byte in it");
        const char* hw = way.tags()["highway"];
        if (!hw) return;
        const auto& classes = car_highway_classes();
        if (std::find(classes.begin(), classes.end(), hw) == classes.end()) return;
        if (way.tags().has_tag("area", "yes")) return;
        if (motor_access_denied(way.tags())) {
            ++skipped_access;
            return;
        }
        OsmWay w;
        w.highway = hw;
        const char* ow = way.tags()["oneway"];
        std::optional<int> oneway = ow ? parse_oneway(ow) : std::optional<int>(0);
        if (!oneway) {
            ++skipped_oneway; // "reversible", "alternating": direction depends on time of day
            return;
        }
        w.oneway = *oneway;
        if (!ow) {
            const char* junction = way.tags()["junction"];
            const std::string_view h(hw);
            if (h == "motorway" || (junction && (std::string_view(junction) == "roundabout" ||
                                                  std::string_view(junction) == "circular")))
                w.oneway = 1; // implied by OSM convention
        }
        if (const char* ms = way.tags()["maxspeed"]) {
            w.maxspeed_kph = parse_maxspeed(ms);
            if (!w.maxspeed_kph) ++unparsed_maxspeed;
        }
        for (const auto& nr : way.nodes()) {
            w.refs.push_back(nr.ref());
            w.locations.push_back(nr.location());
        }
        if (w.refs.size() >= 2) out_.push_back(std::move(w));
    }

private:
    std::vector<OsmWay>& out_;
};

/// The descriptors this process has open on `path` (from /proc/self/fd).
std::set<int> descriptors_on(const std::filesystem::path& path) {
    std::set<int> out;
    std::error_code ec;
    const auto target = std::filesystem::canonical(path, ec);
    if (ec) return out;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
        std::error_code link_ec;
        if (std::filesystem::read_symlink(entry.path(), link_ec) == target && !link_ec)
            out.insert(static_cast<int>(std::strtol(entry.path().filename().c_str(), nullptr, 10)));
    }
    return out;
}

/// libosmium 2.18's PBF parser thread closes the file only when it reads to the end: a file it
/// refuses, or one whose reading we stop, keeps its descriptor open for the life of the process
/// (found by the osm_pbf fuzz target, which ran out of descriptors). Closes the descriptors on
/// `path` that were not open before the reader, once the reader and its threads are gone.
void close_left_open(const std::filesystem::path& path, const std::set<int>& open_before) {
    for (int fd : descriptors_on(path))
        if (!open_before.count(fd)) ::close(fd);
}

FeatureTable read_pbf(const RoadSource& source) {
    const std::string file = source.path.string();
    if (!std::filesystem::exists(source.path)) throw FileNotFoundError({file, 0, ""}, "no such file");
    std::vector<OsmWay> ways;
    CarWayCollector collector(ways);
    const auto open_before = descriptors_on(source.path);
    try {
        using Index = osmium::index::map::FlexMem<osmium::unsigned_object_id_type, osmium::Location>;
        Index index;
        osmium::handler::NodeLocationsForWays<Index> locations(index);
        locations.ignore_errors(); // extracts cut ways at their border: those nodes have no location
        osmium::io::Reader reader(osmium::io::File(file, "pbf"),
                                  osmium::osm_entity_bits::node | osmium::osm_entity_bits::way);
        osmium::apply(reader, locations, collector);
        reader.close();
    } catch (const std::exception& e) {
        close_left_open(source.path, open_before);
        throw FormatError({file, 0, ""}, std::string("not a readable OSM PBF file: ") + e.what());
    }
    // A node used twice (by two ways, or twice by one way) is a junction: split there, so that
    // lines meet only at their ends and the graph can join them by coordinate.
    std::unordered_map<osmium::object_id_type, std::uint32_t> uses;
    for (const auto& w : ways)
        for (auto ref : w.refs) ++uses[ref];

    FeatureTable t = make_roads_table();
    CrsTransform to_bng(kWgs84, kBritishNationalGrid);
    std::size_t missing_nodes = 0;
    for (auto& w : ways) {
        LineString piece;
        double length = 0;
        auto flush = [&] {
            if (piece.size() >= 2 && length > 0) {
                MultiLineString m{piece};
                to_bng.apply(m);
                add_road(t, std::move(m), w.highway, w.oneway, w.maxspeed_kph, length);
            }
            piece.clear();
            length = 0;
        };
        for (std::size_t i = 0; i < w.refs.size(); ++i) {
            const auto& loc = w.locations[i];
            if (!loc.valid()) {
                ++missing_nodes;
                flush();
                continue;
            }
            const Point p(loc.lon(), loc.lat());
            if (!piece.empty()) length += haversine_m(piece.back(), p);
            piece.push_back(p);
            if (i > 0 && i + 1 < w.refs.size() && uses[w.refs[i]] >= 2) {
                flush();
                piece.push_back(p);
            }
        }
        flush();
    }
    t.description = "roads from " + file + ": " + std::to_string(ways.size()) + " car ways kept, " +
                    std::to_string(collector.skipped_access) + " without motor access, " +
                    std::to_string(collector.skipped_oneway) + " with time-dependent direction, " +
                    std::to_string(collector.unparsed_maxspeed) + " unparsed maxspeed (class default used), " +
                    std::to_string(missing_nodes) + " node references outside the extract";
    return t;
}

// ---- GDAL line layers --------------------------------------------------------------------------

FeatureTable read_ogr(const RoadSource& source) {
    const std::string file = source.path.string();
    auto ds = geo::detail::GdalDataset::open_vector(file);
    OGRLayerH layer = source.layer.empty() ? GDALDatasetGetLayer(ds.get(), 0)
                                           : GDALDatasetGetLayerByName(ds.get(), source.layer.c_str());
    if (!layer)
        throw NotFoundError(file + ": no layer " + (source.layer.empty() ? std::string("at all") : "'" + source.layer + "'"));
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    auto field = [&](const std::string& name, const char* role) -> int {
        if (name.empty()) return -1;
        const int i = OGR_FD_GetFieldIndex(defn, name.c_str());
        if (i < 0) throw MissingColumnError({file, 0, name}, std::string("the ") + role + " field is not in the layer");
        return i;
    };
    if (source.fields.road_class.empty()) throw ManifestError({file, 0, "fields.class"}, "a road class field is required");
    const int i_class = field(source.fields.road_class, "class");
    const int i_oneway = source.directed_edges ? -1 : field(source.fields.oneway, "oneway");
    const int i_speed = field(source.fields.speed, "speed");
    const int i_length = field(source.fields.length, "length");

    const std::string crs = geo::detail::crs_identifier(OGR_L_GetSpatialRef(layer));
    if (crs.empty()) throw FormatError({file, 0, ""}, "the layer has no CRS");
    CrsTransform to_bng(crs, epsg_code(kBritishNationalGrid));

    FeatureTable t = make_roads_table();
    std::size_t row = 0, excluded = 0, no_geometry = 0, bad_oneway = 0;
    OGR_L_ResetReading(layer);
    while (true) {
        geo::detail::OgrFeature f(OGR_L_GetNextFeature(layer));
        if (!f) break;
        ++row;
        const std::string cls = OGR_F_GetFieldAsString(f.get(), i_class);
        if (has_excluded_class(cls, source.exclude_classes)) {
            ++excluded;
            continue;
        }
        int oneway = source.directed_edges ? 1 : 0;
        if (i_oneway >= 0 && OGR_F_IsFieldSetAndNotNull(f.get(), i_oneway)) {
            auto ow = parse_oneway(OGR_F_GetFieldAsString(f.get(), i_oneway));
            if (!ow) {
                ++bad_oneway;
                continue;
            }
            oneway = *ow;
        }
        OGRGeometryH g = OGR_F_GetGeometryRef(f.get());
        if (!g || OGR_G_IsEmpty(g)) {
            ++no_geometry;
            continue;
        }
        std::vector<std::uint8_t> wkb(static_cast<std::size_t>(OGR_G_WkbSize(g)));
        OGR_G_ExportToIsoWkb(g, wkbNDR, wkb.data());
        Geometry geom = from_wkb(wkb);
        auto* lines = std::get_if<MultiLineString>(&geom);
        if (!lines) throw FormatError({file, row, ""}, "feature is not a line");
        to_bng.apply(*lines);
        double length = bg::length(*lines);
        if (i_length >= 0 && OGR_F_IsFieldSetAndNotNull(f.get(), i_length)) {
            length = OGR_F_GetFieldAsDouble(f.get(), i_length);
            if (!(length >= 0)) throw InputError({file, row, source.fields.length}, "negative or invalid length");
        }
        std::optional<double> speed;
        if (i_speed >= 0 && OGR_F_IsFieldSetAndNotNull(f.get(), i_speed))
            speed = parse_maxspeed(OGR_F_GetFieldAsString(f.get(), i_speed));
        add_road(t, std::move(*lines), std::string(primary_class(cls)), oneway, speed, length);
    }
    t.description = "roads from " + file + ": " + std::to_string(row) + " features read, " + std::to_string(excluded) +
                    " excluded by class, " + std::to_string(no_geometry) + " without geometry, " +
                    std::to_string(bad_oneway) + " with an unusable oneway value";
    return t;
}

std::string string_field(const nlohmann::json& j, const char* key, const std::string& origin, const std::string& prefix) {
    if (!j.contains(key)) return {};
    if (!j[key].is_string()) throw ManifestError({origin, 0, prefix + key}, "must be a string");
    return j[key].get<std::string>();
}

} // namespace

const std::vector<std::string>& car_highway_classes() {
    static const std::vector<std::string> classes = {
        "motorway", "motorway_link", "trunk",        "trunk_link",    "primary",     "primary_link",
        "secondary", "secondary_link", "tertiary",   "tertiary_link", "unclassified", "residential",
        "living_street", "service",    "road"};
    return classes;
}

FeatureTable make_roads_table() {
    FeatureTable t;
    const auto& spec = model::input_layer(model::layer::roads);
    t.name = spec.name;
    t.geometry_type = spec.geometry;
    t.epsg = kBritishNationalGrid;
    t.fields = model::table_fields(spec);
    static_assert(kHighway == 0 && kOneway == 1 && kMaxspeed == 2 && kLength == 3);
    return t;
}

RoadSource parse_road_source(const nlohmann::json& entry, const std::filesystem::path& base_dir,
                             const std::string& origin) {
    const std::string p = "roads.";
    if (!entry.is_object()) throw ManifestError({origin, 0, "roads"}, "must be an object");
    RoadSource s;
    const std::string path = string_field(entry, "path", origin, p);
    if (path.empty()) throw ManifestError({origin, 0, p + "path"}, "is required");
    s.path = std::filesystem::path(path).is_absolute() ? std::filesystem::path(path) : base_dir / path;
    std::string kind = string_field(entry, "kind", origin, p);
    if (kind.empty()) kind = (path.ends_with(".pbf") ? "pbf" : "ogr");
    if (kind == "pbf") s.kind = RoadSourceKind::Pbf;
    else if (kind == "ogr" || kind == "gdal") s.kind = RoadSourceKind::Ogr;
    else throw ManifestError({origin, 0, p + "kind"}, "must be 'pbf' or 'ogr', not '" + kind + "'");
    s.layer = string_field(entry, "layer", origin, p);
    if (entry.contains("fields")) {
        const auto& f = entry["fields"];
        if (!f.is_object()) throw ManifestError({origin, 0, p + "fields"}, "must be an object");
        for (const auto& [k, v] : f.items())
            if (k != "class" && k != "oneway" && k != "speed" && k != "length")
                throw ManifestError({origin, 0, p + "fields." + k}, "unknown mapping (expected class, oneway, speed, length)");
        s.fields.road_class = string_field(f, "class", origin, p + "fields.");
        s.fields.oneway = string_field(f, "oneway", origin, p + "fields.");
        s.fields.speed = string_field(f, "speed", origin, p + "fields.");
        s.fields.length = string_field(f, "length", origin, p + "fields.");
    }
    if (s.kind == RoadSourceKind::Ogr && s.fields.road_class.empty())
        throw ManifestError({origin, 0, p + "fields.class"}, "a GDAL road layer needs a class field");
    if (entry.contains("exclude_classes")) {
        const auto& e = entry["exclude_classes"];
        if (!e.is_array()) throw ManifestError({origin, 0, p + "exclude_classes"}, "must be an array of strings");
        for (const auto& c : e) {
            if (!c.is_string()) throw ManifestError({origin, 0, p + "exclude_classes"}, "must be an array of strings");
            s.exclude_classes.push_back(c.get<std::string>());
        }
    }
    if (entry.contains("directed_edges")) {
        if (!entry["directed_edges"].is_boolean()) throw ManifestError({origin, 0, p + "directed_edges"}, "must be true or false");
        s.directed_edges = entry["directed_edges"].get<bool>();
    }
    return s;
}

FeatureTable read_road_lines(const RoadSource& source) {
    return source.kind == RoadSourceKind::Pbf ? read_pbf(source) : read_ogr(source);
}

} // namespace coldspot::geo::routing
