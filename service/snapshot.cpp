#include "coldspot/service/snapshot.hpp"

#include "coldspot/geo/crs.hpp"
#include "coldspot/geo/workspace.hpp"
#include "coldspot/service/http_message.hpp"
#include "coldspot/service/detail/map_index.hpp"
#include "coldspot/tiles/tileset.hpp"

#include <algorithm>

namespace coldspot::service {

namespace {

void fill_collection(Collection& c) {
    const int epsg = c.table->epsg;
    std::optional<geo::CrsTransform> to_crs84;
    if (c.geometry_type != geo::GeometryType::None && epsg != 0)
        to_crs84.emplace(geo::epsg_code(epsg), "OGC:CRS84");
    c.crs84.reserve(c.rows.size());
    std::vector<Collection::IndexEntry> entries;
    entries.reserve(c.rows.size());
    for (std::size_t pos = 0; pos < c.rows.size(); ++pos) {
        const geo::Feature& f = c.table->features[c.rows[pos]];
        c.row_of_fid.emplace(f.fid, pos);
        geo::Geometry g = f.geometry;
        if (to_crs84 && !std::holds_alternative<std::monostate>(g)) {
            const geo::Box storage_box = geo::envelope(f.geometry);
            if (!geo::is_empty(storage_box)) boost::geometry::expand(c.extent_storage, storage_box);
            to_crs84->apply(g);
            const geo::Box box = geo::envelope(g);
            if (!geo::is_empty(box)) {
                boost::geometry::expand(c.extent_crs84, box);
                entries.emplace_back(box, pos);
            }
        }
        c.crs84.push_back(std::move(g));
    }
    // Bulk loading (the packing constructor) gives a better tree than inserting one by one.
    c.index = decltype(c.index)(entries.begin(), entries.end());
}

} // namespace

const Collection* Snapshot::collection(const std::string& id) const noexcept {
    for (const auto& c : collections)
        if (c.id == id) return &c;
    return nullptr;
}

const geo::FeatureTable* Snapshot::layer(const std::string& name) const noexcept {
    auto it = layers.find(name);
    return it == layers.end() ? nullptr : it->second.get();
}

std::vector<Collection> build_collections(const std::map<std::string, std::shared_ptr<const geo::FeatureTable>>& layers,
                                          std::shared_ptr<FeatureTextBudget> budget) {
    if (!budget) budget = std::make_shared<FeatureTextBudget>(kDefaultFeatureTextBytes);
    std::vector<Collection> out;
    for (const auto& [name, table] : layers) {
        // A layer whose features have more than one geometry type becomes one collection per
        // type: OGC clients (QGIS above all) draw a collection with a single geometry type.
        std::vector<geo::GeometryType> types;
        for (const auto& f : table->features) {
            const auto t = geo::geometry_type_of(f.geometry);
            if (t != geo::GeometryType::None && std::find(types.begin(), types.end(), t) == types.end()) types.push_back(t);
        }
        if (types.empty()) types.push_back(table->geometry_type);
        std::sort(types.begin(), types.end());
        const bool split = types.size() > 1;
        // Features without geometry go with the layer's declared type, or the first one.
        const auto home = std::find(types.begin(), types.end(), table->geometry_type) != types.end() ? table->geometry_type : types.front();
        for (const auto type : types) {
            Collection c;
            c.layer = name;
            c.id = split ? name + "_" + ascii_lower(geo::to_string(type)) : name;
            c.title = name;
            c.description = table->description;
            if (split) c.description += (c.description.empty() ? "" : " ") + std::string("(") + std::string(geo::to_string(type)) + " features)";
            c.geometry_type = type;
            c.table = table;
            for (std::size_t i = 0; i < table->features.size(); ++i) {
                const auto t = geo::geometry_type_of(table->features[i].geometry);
                if (t == type || (t == geo::GeometryType::None && type == home)) c.rows.push_back(i);
            }
            fill_collection(c);
            c.text_cache = std::make_shared<FeatureTextCache>(c.rows.size(), budget);
            out.push_back(std::move(c));
        }
    }
    return out;
}

std::shared_ptr<const Snapshot> load_snapshot(const std::filesystem::path& workspace, std::uint64_t version, bool with_tiles) {
    auto reader = std::make_shared<const geo::Workspace>(workspace);
    const geo::Workspace& ws = *reader;
    auto snapshot = std::make_shared<Snapshot>();
    snapshot->reader = reader;
    // PostGIS: the database's version number, so that every server names a version alike.
    snapshot->version = ws.version() > 0 ? static_cast<std::uint64_t>(ws.version()) : version;
    snapshot->workspace = workspace;
    snapshot->loaded_at = std::chrono::system_clock::now();
    for (const auto& info : ws.layers())
        snapshot->layers.emplace(info.name, std::make_shared<const geo::FeatureTable>(ws.read(info.name)));
    snapshot->collections = build_collections(snapshot->layers);
    snapshot->map = std::make_shared<const MapIndex>(*snapshot);
    if (with_tiles) {
        // The tile service keeps its own Web Mercator copy of the spatial layers it draws.
        std::vector<geo::FeatureTable> spatial;
        for (const auto& [name, table] : snapshot->layers)
            if (table->geometry_type != geo::GeometryType::None) spatial.push_back(*table);
        tiles::TileService::add_derived_layers(spatial);
        auto specs = tiles::TileService::default_tilesets(spatial);
        if (!specs.empty()) snapshot->tiles = std::make_shared<const tiles::TileService>(std::move(spatial), std::move(specs));
    }
    return snapshot;
}

} // namespace coldspot::service
