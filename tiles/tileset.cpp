#include "coldspot/tiles/tileset.hpp"

#include "coldspot/geo/crs.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/workspace.hpp"
#include "coldspot/tiles/gzip.hpp"
#include "coldspot/tiles/mvt_encoder.hpp"
#include "coldspot/tiles/tile_cache.hpp"
#include "coldspot/tiles/tile_geometry.hpp"

#include <boost/geometry/index/rtree.hpp>
#include <boost/iterator/function_output_iterator.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

namespace coldspot::tiles {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

namespace {

constexpr const char* kOglAttribution =
    "Contains public sector information licensed under the "
    "<a href=\"https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/\">Open Government "
    "Licence v3.0</a>. Contains OS data &copy; Crown copyright and database right.";
constexpr const char* kOdblAttribution =
    "&copy; <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap</a> contributors (ODbL)";

using RtreeValue = std::pair<geo::Box, std::uint32_t>;
using Rtree = bgi::rtree<RtreeValue, bgi::rstar<16>>;

/// A layer reprojected to Web Mercator with a spatial index over its features.
struct IndexedLayer {
    geo::FeatureTable table;
    std::vector<geo::Box> boxes;
    Rtree rtree;
    geo::Box extent = geo::empty_box();
};

struct ResolvedLayer {
    TileLayerSpec spec;
    const IndexedLayer* layer = nullptr;
    std::vector<std::optional<std::uint64_t>> ids;
    std::vector<std::size_t> sum_fields; ///< numeric fields summed into clusters
};

struct ResolvedTileset {
    TilesetSpec spec;
    std::vector<ResolvedLayer> layers;
};

std::uint64_t fnv1a64(std::string_view data) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : data) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}

std::string cache_key(const std::string& tileset, const TileId& t) { return tileset + "/" + t.to_string(); }

/// Identifiers, codes, ranks and coordinates are numbers but their sum means nothing.
bool summable(const geo::Field& f) {
    if (f.type == geo::FieldType::String) return false;
    static const std::set<std::string> excluded{"urn", "x", "y", "fid", "lead_urn", "trust_uid"};
    if (excluded.count(f.name)) return false;
    const auto ends = [&](std::string_view suffix) {
        return f.name.size() >= suffix.size() && f.name.compare(f.name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    return !(ends("_rank") || ends("_decile") || ends("_id") || ends("_uid") || ends("_code"));
}

IndexedLayer index_layer(geo::FeatureTable table) {
    IndexedLayer out;
    if (table.epsg != geo::kWebMercator) {
        geo::CrsTransform to3857(table.epsg, geo::kWebMercator);
        for (auto& f : table.features) to3857.apply(f.geometry);
        table.epsg = geo::kWebMercator;
    }
    std::vector<RtreeValue> values;
    values.reserve(table.features.size());
    out.boxes.reserve(table.features.size());
    for (std::uint32_t i = 0; i < table.features.size(); ++i) {
        const geo::Box b = geo::envelope(table.features[i].geometry);
        out.boxes.push_back(b);
        if (geo::is_empty(b)) continue;
        bg::expand(out.extent, b);
        values.emplace_back(b, i);
    }
    out.rtree = Rtree(values.begin(), values.end()); // packing (STR) build
    out.table = std::move(table);
    return out;
}

const char* field_type_name(geo::FieldType t) { return t == geo::FieldType::String ? "String" : "Number"; }

} // namespace

std::optional<std::uint64_t> gss_code_to_id(std::string_view code) noexcept {
    if (code.size() != 9 || code[0] < 'A' || code[0] > 'Z') return std::nullopt;
    std::uint64_t digits = 0;
    for (std::size_t i = 1; i < 9; ++i) {
        if (code[i] < '0' || code[i] > '9') return std::nullopt;
        digits = digits * 10 + static_cast<std::uint64_t>(code[i] - '0');
    }
    return static_cast<std::uint64_t>(code[0] - 'A' + 1) * 100'000'000ull + digits;
}

struct TileService::Impl {
    TileServiceOptions options;
    std::map<std::string, IndexedLayer> layers;
    std::map<std::string, ResolvedTileset> tilesets;
    std::unordered_map<std::string, std::shared_ptr<const EncodedTile>> prebuilt;
    mutable TileCache cache{0};

    const ResolvedTileset& find(const std::string& name) const {
        const auto it = tilesets.find(name);
        if (it == tilesets.end()) throw NotFoundError("no tileset '" + name + "'");
        return it->second;
    }

    /// Encodes one tile. Features whose area falls below `min_area` tile units^2 are left out
    /// and counted (only used when a tile is over its limits).
    std::string encode(const ResolvedTileset& ts, const TileId& tile, double tol_mult, double min_area,
                       std::size_t& features, std::size_t& dropped, std::vector<double>* sizes = nullptr) const;
    EncodedTile render(const ResolvedTileset& ts, const TileId& tile) const;
};

std::string TileService::Impl::encode(const ResolvedTileset& ts, const TileId& tile, double tol_mult, double min_area,
                                      std::size_t& features, std::size_t& dropped, std::vector<double>* sizes) const {
    if (sizes) sizes->clear();
    const EncodeOptions& eo = options.encode;
    const TileFrame frame(tile, eo.extent, eo.buffer);
    const double tol = eo.simplify_units * tol_mult;
    std::string out;
    features = 0;
    dropped = 0;
    std::vector<std::uint32_t> tags;
    std::vector<TilePath> parts;
    for (const auto& rl : ts.layers) {
        if (static_cast<int>(tile.z) < rl.spec.minzoom || static_cast<int>(tile.z) > rl.spec.maxzoom) continue;
        const IndexedLayer& L = *rl.layer;
        const geo::FeatureTable& T = L.table;
        std::vector<std::uint32_t> hits;
        bgi::query(L.rtree, bgi::intersects(frame.clip_box),
                   boost::make_function_output_iterator([&](const RtreeValue& v) { hits.push_back(v.second); }));
        if (hits.empty()) continue;
        std::sort(hits.begin(), hits.end()); // source order, so equal data gives equal bytes
        MvtLayerBuilder builder(rl.spec.name.empty() ? rl.spec.source : rl.spec.name, eo.extent);
        std::vector<std::uint32_t> field_keys;
        for (const auto& f : T.fields) field_keys.push_back(builder.key(f.name));
        const auto attribute_tags = [&](const geo::Feature& f) {
            tags.clear();
            for (std::size_t i = 0; i < f.values.size() && i < T.fields.size(); ++i) {
                if (geo::is_null(f.values[i])) continue;
                tags.push_back(field_keys[i]);
                tags.push_back(builder.value(MvtValue::of(f.values[i])));
            }
        };

        if (T.geometry_type == geo::GeometryType::Point) {
            struct Placed {
                std::uint32_t index;
                TilePoint p;
            };
            std::vector<Placed> placed;
            for (auto i : hits)
                if (const auto* pt = std::get_if<geo::Point>(&T.features[i].geometry))
                    if (auto tp = point_to_tile(*pt, frame)) placed.push_back({i, *tp});
            const bool cluster = static_cast<int>(tile.z) <= eo.cluster_max_zoom && eo.cluster_cell_units > 0;
            if (!cluster) {
                for (const auto& pl : placed) {
                    attribute_tags(T.features[pl.index]);
                    builder.add_feature(rl.ids[pl.index], MvtGeomType::Point, {TilePath{pl.p}}, tags);
                }
            } else {
                // Grid clustering over the tile proper (no buffer), so every point belongs to
                // exactly one tile's cell at every clustered zoom and none is dropped.
                const std::int32_t cell = static_cast<std::int32_t>(eo.cluster_cell_units);
                const std::int64_t cells_per_side = (eo.extent + eo.cluster_cell_units - 1) / eo.cluster_cell_units;
                std::map<std::int64_t, std::vector<const Placed*>> cells;
                const std::int32_t ext = static_cast<std::int32_t>(eo.extent);
                for (const auto& pl : placed) {
                    if (pl.p.x < 0 || pl.p.y < 0 || pl.p.x >= ext || pl.p.y >= ext) continue;
                    cells[std::int64_t{pl.p.y / cell} * cells_per_side + pl.p.x / cell].push_back(&pl);
                }
                const std::uint32_t k_cluster = builder.key("cluster");
                const std::uint32_t k_count = builder.key("point_count");
                std::vector<std::uint32_t> sum_keys;
                for (auto fi : rl.sum_fields) sum_keys.push_back(builder.key(T.fields[fi].name + "_sum"));
                for (const auto& [cell_index, members] : cells) {
                    if (members.size() == 1) {
                        attribute_tags(T.features[members[0]->index]);
                        builder.add_feature(rl.ids[members[0]->index], MvtGeomType::Point, {TilePath{members[0]->p}},
                                            tags);
                        continue;
                    }
                    double sx = 0, sy = 0;
                    for (const auto* m : members) sx += m->p.x, sy += m->p.y;
                    const TilePoint centre{static_cast<std::int32_t>(std::floor(sx / members.size())),
                                           static_cast<std::int32_t>(std::floor(sy / members.size()))};
                    tags = {k_cluster, builder.value(MvtValue::of_bool(true)), k_count,
                            builder.value(MvtValue::of_int(static_cast<std::int64_t>(members.size())))};
                    for (std::size_t s = 0; s < rl.sum_fields.size(); ++s) {
                        const auto fi = rl.sum_fields[s];
                        const bool integral = T.fields[fi].type == geo::FieldType::Integer;
                        std::int64_t isum = 0;
                        double dsum = 0;
                        bool any = false;
                        for (const auto* m : members) {
                            const auto& v = T.features[m->index].values[fi];
                            if (const auto* iv = std::get_if<std::int64_t>(&v)) isum += *iv, dsum += *iv, any = true;
                            else if (const auto* dv = std::get_if<double>(&v)) dsum += *dv, any = true;
                        }
                        if (!any) continue;
                        tags.push_back(sum_keys[s]);
                        tags.push_back(builder.value(integral ? MvtValue::of_int(isum) : MvtValue::of_double(dsum)));
                    }
                    // Cluster ids live above bit 62 so they never meet a URN or a packed code:
                    // zoom and the cell's world position make them stable across versions.
                    const std::uint64_t gx = std::uint64_t{tile.x} * cells_per_side + (cell_index % cells_per_side);
                    const std::uint64_t gy = std::uint64_t{tile.y} * cells_per_side + (cell_index / cells_per_side);
                    const std::uint64_t id = (std::uint64_t{1} << 62) | (std::uint64_t{tile.z} << 56) | (gx << 28) | gy;
                    builder.add_feature(id, MvtGeomType::Point, {TilePath{centre}}, tags);
                }
            }
        } else if (T.geometry_type == geo::GeometryType::MultiPolygon) {
            for (auto i : hits) {
                const auto* mp = std::get_if<geo::MultiPolygon>(&T.features[i].geometry);
                if (!mp) continue;
                PolygonOutcome po = polygon_to_tile(*mp, L.boxes[i], frame, tol);
                if (po.rings.empty()) continue;
                if (po.area_units < min_area) {
                    ++dropped;
                    continue;
                }
                if (sizes) sizes->push_back(po.area_units);
                attribute_tags(T.features[i]);
                builder.add_feature(rl.ids[i], MvtGeomType::Polygon, po.rings, tags);
            }
        } else if (T.geometry_type == geo::GeometryType::MultiLineString) {
            for (auto i : hits) {
                const auto* ml = std::get_if<geo::MultiLineString>(&T.features[i].geometry);
                if (!ml) continue;
                parts = lines_to_tile(*ml, frame, tol);
                if (parts.empty()) continue;
                if (min_area > 0) {
                    double len = 0;
                    for (const auto& p : parts)
                        for (std::size_t k = 1; k < p.size(); ++k)
                            len += std::hypot(p[k].x - p[k - 1].x, p[k].y - p[k - 1].y);
                    if (len * len < min_area) {
                        ++dropped;
                        continue;
                    }
                }
                if (sizes) {
                    double len = 0;
                    for (const auto& p : parts)
                        for (std::size_t k = 1; k < p.size(); ++k)
                            len += std::hypot(p[k].x - p[k - 1].x, p[k].y - p[k - 1].y);
                    sizes->push_back(len * len);
                }
                attribute_tags(T.features[i]);
                builder.add_feature(rl.ids[i], MvtGeomType::LineString, parts, tags);
            }
        }
        features += builder.feature_count();
        if (!builder.empty()) builder.write_to(out);
    }
    return out;
}

EncodedTile TileService::Impl::render(const ResolvedTileset& ts, const TileId& tile) const {
    const EncodeOptions& eo = options.encode;
    std::size_t features = 0, dropped = 0;
    std::vector<double> sizes;
    std::string mvt = encode(ts, tile, 1.0, 0.0, features, dropped, &sizes);
    // Over the limits: first simplify 4x then 16x harder, then leave out the smallest polygons and lines
    // (counted in features_dropped). The threshold is chosen from the sizes of the features
    // written, so a heavy tile costs a few encodes, not a search. Points are clustered and never
    // reach this.
    const auto over = [&] { return mvt.size() > eo.max_tile_bytes || features > eo.max_tile_features; };
    double mult = 1;
    while (over() && mult < 16) {
        mult *= 4;
        mvt = encode(ts, tile, mult, 0.0, features, dropped, &sizes);
    }
    double keep_fraction = 0.9, last_threshold = 0;
    for (int attempt = 0; over() && attempt < 32 && !sizes.empty(); ++attempt) {
        keep_fraction *= std::min(static_cast<double>(eo.max_tile_bytes) / static_cast<double>(mvt.size()),
                                  static_cast<double>(eo.max_tile_features) / static_cast<double>(std::max<std::size_t>(features, 1)));
        std::vector<double> sorted = sizes;
        std::sort(sorted.begin(), sorted.end(), std::greater<>());
        const auto keep = static_cast<std::size_t>(keep_fraction * static_cast<double>(sorted.size()));
        double threshold = keep < sorted.size() ? sorted[keep] : sorted.back();
        // Drop the whole tie at the threshold so each attempt makes progress.
        threshold = std::nextafter(threshold, std::numeric_limits<double>::infinity());
        // Each attempt must drop more than the last, or a tile just over the limit could stall.
        threshold = std::max(threshold, last_threshold * 1.25 + 1e-9);
        last_threshold = threshold;
        mvt = encode(ts, tile, mult, threshold, features, dropped);
    }
    EncodedTile out;
    out.mvt_bytes = mvt.size();
    out.feature_count = features;
    out.features_dropped = dropped;
    out.empty = features == 0;
    out.gzip_body = gzip_compress(mvt);
    char buf[40];
    std::snprintf(buf, sizeof buf, "\"%016llx-%zx\"", static_cast<unsigned long long>(fnv1a64(out.gzip_body)),
                  out.gzip_body.size());
    out.etag = buf;
    return out;
}

TileService::TileService(std::vector<geo::FeatureTable> layers, std::vector<TilesetSpec> tilesets,
                         TileServiceOptions options)
    : impl_(std::make_unique<Impl>()) {
    impl_->options = options;
    const EncodeOptions& eo = options.encode;
    if (eo.extent == 0 || eo.extent > (1u << 20)) throw InvalidArgumentError("tile extent must be in 1..2^20");
    if (eo.buffer > eo.extent) throw InvalidArgumentError("tile buffer must not exceed the extent");
    impl_->cache.~TileCache();
    new (&impl_->cache) TileCache(options.cache_bytes);
    for (auto& t : layers) {
        if (t.geometry_type == geo::GeometryType::None) continue;
        std::string name = t.name;
        impl_->layers.insert_or_assign(name, index_layer(std::move(t)));
    }
    for (auto& spec : tilesets) {
        if (spec.name.empty()) throw InvalidArgumentError("a tileset needs a name");
        if (spec.minzoom < 0 || spec.maxzoom > kMaxZoom || spec.minzoom > spec.maxzoom)
            throw InvalidArgumentError("tileset '" + spec.name + "': zooms must satisfy 0 <= minzoom <= maxzoom <= 22");
        if (spec.layers.empty()) throw InvalidArgumentError("tileset '" + spec.name + "' has no layers");
        if (spec.attribution.empty()) {
            spec.attribution = kOglAttribution;
            for (const auto& l : spec.layers)
                if (l.source == "roads") spec.attribution += std::string(" ") + kOdblAttribution;
        }
        ResolvedTileset rt;
        for (auto& ls : spec.layers) {
            const auto it = impl_->layers.find(ls.source);
            if (it == impl_->layers.end())
                throw InvalidArgumentError("tileset '" + spec.name + "' names layer '" + ls.source +
                                           "', which is not a spatial layer of this snapshot");
            if (ls.name.empty()) ls.name = ls.source;
            ls.minzoom = std::max(ls.minzoom, spec.minzoom);
            ls.maxzoom = std::min(ls.maxzoom, spec.maxzoom);
            ResolvedLayer rl;
            rl.spec = ls;
            rl.layer = &it->second;
            const auto& T = it->second.table;
            const int code_field = T.field_index("code");
            rl.ids.reserve(T.features.size());
            for (const auto& f : T.features) {
                std::optional<std::uint64_t> id;
                if (ls.id_source == FeatureIdSource::GssCode && code_field >= 0)
                    if (const auto* s = std::get_if<std::string>(&f.values[static_cast<std::size_t>(code_field)]))
                        id = gss_code_to_id(*s);
                if (!id && f.fid >= 0) id = static_cast<std::uint64_t>(f.fid);
                rl.ids.push_back(id);
            }
            if (T.geometry_type == geo::GeometryType::Point)
                for (std::size_t i = 0; i < T.fields.size(); ++i)
                    if (summable(T.fields[i])) rl.sum_fields.push_back(i);
            rt.layers.push_back(std::move(rl));
        }
        rt.spec = spec;
        const std::string name = spec.name;
        if (!impl_->tilesets.emplace(name, std::move(rt)).second)
            throw InvalidArgumentError("two tilesets are named '" + name + "'");
    }
    // Low zooms are few and asked for by every visitor: render them once, keep them out of the LRU.
    for (const auto& [name, ts] : impl_->tilesets) {
        for (int z = ts.spec.minzoom; z <= std::min(options.prebuild_max_zoom, ts.spec.maxzoom); ++z)
            for (const auto& t : candidate_tiles(name, static_cast<std::uint32_t>(z)))
                impl_->prebuilt.emplace(cache_key(name, t), std::make_shared<const EncodedTile>(impl_->render(ts, t)));
    }
}

TileService::~TileService() = default;

std::vector<std::string> TileService::names() const {
    std::vector<std::string> out;
    for (const auto& [name, ts] : impl_->tilesets) out.push_back(name);
    return out;
}

bool TileService::has(const std::string& tileset) const { return impl_->tilesets.count(tileset) != 0; }

const TilesetSpec& TileService::spec(const std::string& tileset) const { return impl_->find(tileset).spec; }

std::shared_ptr<const EncodedTile> TileService::get(const std::string& tileset, const TileId& tile) const {
    const ResolvedTileset& ts = impl_->find(tileset);
    if (!is_valid(tile)) throw InvalidArgumentError("invalid tile address " + tile.to_string());
    if (static_cast<int>(tile.z) < ts.spec.minzoom || static_cast<int>(tile.z) > ts.spec.maxzoom)
        throw NotFoundError("tileset '" + tileset + "' has zooms " + std::to_string(ts.spec.minzoom) + "-" +
                            std::to_string(ts.spec.maxzoom) + ", not " + std::to_string(tile.z));
    const std::string key = cache_key(tileset, tile);
    if (const auto it = impl_->prebuilt.find(key); it != impl_->prebuilt.end()) return it->second;
    if (auto hit = impl_->cache.find(key)) return hit;
    auto fresh = std::make_shared<const EncodedTile>(impl_->render(ts, tile));
    impl_->cache.put(key, fresh);
    return fresh;
}

EncodedTile TileService::render(const std::string& tileset, const TileId& tile) const {
    const ResolvedTileset& ts = impl_->find(tileset);
    if (!is_valid(tile)) throw InvalidArgumentError("invalid tile address " + tile.to_string());
    return impl_->render(ts, tile);
}

std::vector<TileId> TileService::candidate_tiles(const std::string& tileset, std::uint32_t z) const {
    const ResolvedTileset& ts = impl_->find(tileset);
    if (z > static_cast<std::uint32_t>(kMaxZoom)) throw InvalidArgumentError("zoom above 22");
    std::set<std::pair<std::uint32_t, std::uint32_t>> xy;
    for (const auto& rl : ts.layers) {
        if (static_cast<int>(z) < rl.spec.minzoom || static_cast<int>(z) > rl.spec.maxzoom) continue;
        const geo::Box& e = rl.layer->extent;
        if (geo::is_empty(e)) continue;
        const TileId a = tile_containing(geo::Point{e.min_corner().x(), e.max_corner().y()}, z);
        const TileId b = tile_containing(geo::Point{e.max_corner().x(), e.min_corner().y()}, z);
        for (std::uint32_t x = a.x; x <= b.x; ++x)
            for (std::uint32_t y = a.y; y <= b.y; ++y) {
                if (xy.count({x, y})) continue;
                // Keep only tiles whose own square meets some feature box.
                const geo::Box tb = bounds_3857(TileId{z, x, y});
                if (bgi::qbegin(rl.layer->rtree, bgi::intersects(tb)) != bgi::qend(rl.layer->rtree)) xy.emplace(x, y);
            }
    }
    std::vector<TileId> out;
    for (const auto& [x, y] : xy) out.push_back(TileId{z, x, y});
    return out;
}

CacheStats TileService::cache_stats() const {
    CacheStats s = impl_->cache.stats();
    s.prebuilt = impl_->prebuilt.size();
    return s;
}

nlohmann::json TileService::tilejson(const std::string& tileset, const std::string& url) const {
    const ResolvedTileset& ts = impl_->find(tileset);
    geo::Box merc = geo::empty_box();
    for (const auto& rl : ts.layers) bg::expand(merc, rl.layer->extent);
    double w = -180, s = -85.0511, e = 180, n = 85.0511;
    if (!geo::is_empty(merc)) {
        const geo::Box ll = geo::CrsTransform(geo::kWebMercator, geo::kWgs84).apply(merc);
        w = ll.min_corner().x(), s = ll.min_corner().y(), e = ll.max_corner().x(), n = ll.max_corner().y();
    }
    const auto r6 = [](double v) { return std::round(v * 1e6) / 1e6; };
    const double span = std::max(e - w, 1e-9);
    const int fit = static_cast<int>(std::floor(std::log2(360.0 / span)));
    const int center_zoom = std::clamp(fit + 1, ts.spec.minzoom, ts.spec.maxzoom);
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& rl : ts.layers) {
        nlohmann::json fields = nlohmann::json::object();
        const auto& T = rl.layer->table;
        for (const auto& f : T.fields) fields[f.name] = field_type_name(f.type);
        std::string desc = T.description;
        if (T.geometry_type == geo::GeometryType::Point && impl_->options.encode.cluster_max_zoom >= rl.spec.minzoom) {
            fields["cluster"] = "Boolean";
            fields["point_count"] = "Number";
            for (auto fi : rl.sum_fields) fields[T.fields[fi].name + "_sum"] = "Number";
        }
        layers.push_back({{"id", rl.spec.name},
                          {"description", desc},
                          {"minzoom", rl.spec.minzoom},
                          {"maxzoom", rl.spec.maxzoom},
                          {"fields", fields}});
    }
    return {{"tilejson", "3.0.0"},
            {"name", ts.spec.name},
            {"description", ts.spec.description},
            {"version", "1.0.0"},
            {"attribution", ts.spec.attribution},
            {"scheme", "xyz"},
            {"tiles", nlohmann::json::array({url})},
            {"minzoom", ts.spec.minzoom},
            {"maxzoom", ts.spec.maxzoom},
            {"bounds", {r6(w), r6(s), r6(e), r6(n)}},
            {"center", {r6((w + e) / 2), r6((s + n) / 2), center_zoom}},
            {"vector_layers", layers}};
}

std::vector<TilesetSpec> TileService::default_tilesets(const std::vector<geo::FeatureTable>& layers) {
    struct Known {
        const char* name;
        const char* description;
        FeatureIdSource ids;
    };
    static const Known known[] = {
        {"schools", "Open schools (id = URN)", FeatureIdSource::Fid},
        {"areas", "LSOAs with deprivation and rurality (id = packed LSOA code)", FeatureIdSource::GssCode},
        {"local_authorities", "Local authority districts (id = packed LAD code)", FeatureIdSource::GssCode},
        {"upper_tier_authorities", "Counties and unitary authorities (id = packed code)", FeatureIdSource::GssCode},
        {"hubs", "Hub footprints, one feature per hub area (hub_type tells the kind)", FeatureIdSource::Fid},
        {"hub_venues", "Hub lead schools and venues", FeatureIdSource::Fid},
        {"roads", "Roads", FeatureIdSource::Fid},
        {"school_remits", "Schools with the hubs whose remit covers them", FeatureIdSource::Fid},
        {"remit_zones", "Zones by the set of hubs covering them", FeatureIdSource::Fid},
        {"remit_gaps", "Places no hub of a type covers", FeatureIdSource::Fid},
        {"remit_overlaps", "Places several hubs of a type cover", FeatureIdSource::Fid},
        {"school_access", "Travel time from each school to its hubs", FeatureIdSource::Fid},
        {"isochrones", "Travel-time isochrones around hub venues", FeatureIdSource::Fid},
        {"coldspots_schools", "Cold-spot statistics per school", FeatureIdSource::Fid},
        {"coldspots_areas", "Cold-spot statistics per LSOA (id = packed LSOA code)", FeatureIdSource::GssCode},
        {"coldspots_hex", "Cold-spot statistics on a hexagonal grid", FeatureIdSource::Fid},
        {"targets", "Schools targeted for outreach", FeatureIdSource::Fid},
    };
    std::set<std::string> present;
    for (const auto& t : layers)
        if (t.geometry_type != geo::GeometryType::None) present.insert(t.name);
    std::vector<TilesetSpec> out;
    for (const auto& k : known) {
        if (!present.count(k.name)) continue;
        TilesetSpec s;
        s.name = k.name;
        s.description = k.description;
        TileLayerSpec l;
        l.source = k.name;
        l.id_source = k.ids;
        s.layers.push_back(l);
        out.push_back(std::move(s));
    }
    // Combined tilesets: one request draws a whole map.
    const auto combined = [&](const char* name, const char* description, std::vector<std::pair<const char*, int>> parts) {
        TilesetSpec s;
        s.name = name;
        s.description = description;
        for (const auto& [layer, minzoom] : parts) {
            if (!present.count(layer)) continue;
            TileLayerSpec l;
            l.source = layer;
            l.minzoom = minzoom;
            for (const auto& k : known)
                if (l.source == k.name) l.id_source = k.ids;
            s.layers.push_back(l);
        }
        if (s.layers.size() >= 2) out.push_back(std::move(s));
    };
    combined("overview", "Authorities, hub footprints and schools",
             {{"upper_tier_authorities", 0}, {"local_authorities", 0}, {"hubs", 0}, {"schools", 0}});
    combined("coldspots", "Cold-spot results: areas, hexagons and schools",
             {{"coldspots_areas", 0}, {"coldspots_hex", 0}, {"coldspots_schools", 0}});
    combined("remits", "Hub remits: zones, gaps, overlaps and hubs",
             {{"remit_zones", 0}, {"remit_gaps", 0}, {"remit_overlaps", 0}, {"hubs", 0}});
    return out;
}

std::shared_ptr<const TileService> open_tile_service(const std::string& workspace_path, TileServiceOptions options,
                                                     std::vector<TilesetSpec> extra_tilesets) {
    const geo::Workspace ws(workspace_path);
    std::vector<geo::FeatureTable> tables;
    for (const auto& info : ws.layers())
        if (info.geometry_type != geo::GeometryType::None) tables.push_back(ws.read(info.name));
    auto specs = TileService::default_tilesets(tables);
    for (auto& extra : extra_tilesets) {
        std::erase_if(specs, [&](const TilesetSpec& s) { return s.name == extra.name; });
        specs.push_back(std::move(extra));
    }
    return std::make_shared<const TileService>(std::move(tables), std::move(specs), options);
}

} // namespace coldspot::tiles
