// TileService: layers indexed at construction; per tile, the features gathered, the size decision
// (what fits max_tile_bytes, coarser generalisation first, then the smallest features left out) and
// one encode. Point layers and their clusters: clustering.cpp; TileJSON: tilejson.cpp; licence HTML:
// attribution.cpp; protobuf size arithmetic: detail/mvt_size.hpp.
#include "tileset_impl.hpp"

#include "coldspot/geo/model/catalogue.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/style/area_labels.hpp"
#include "coldspot/geo/crs.hpp"
#include "coldspot/geo/workspace.hpp"
#include "coldspot/tiles/gzip.hpp"
#include "coldspot/tiles/detail/mvt_size.hpp"

#include <boost/iterator/function_output_iterator.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

namespace coldspot::tiles {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

using detail::field_size;
using detail::varint_size;

namespace {

std::uint64_t fnv1a64(std::string_view data) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : data) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}

std::string cache_key(const std::string& tileset, const TileId& t) { return tileset + "/" + t.to_string(); }

IndexedLayer index_layer(geo::FeatureTable table) {
    IndexedLayer out;
    if (table.epsg != geo::kWebMercator) {
        geo::CrsTransform to3857(geo::Epsg(table.epsg), geo::kWebMercator);
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
    auto& ids = out.value_ids;
    out.tag_offsets.reserve(table.features.size() + 1);
    out.tag_offsets.push_back(0);
    for (const auto& f : table.features) {
        for (std::size_t i = 0; i < f.values.size() && i < table.fields.size(); ++i) {
            if (geo::is_null(f.values[i])) continue;
            std::string message = MvtLayerBuilder::encode_value(MvtValue::of(f.values[i]));
            const auto [it, fresh] = ids.try_emplace(message, static_cast<std::uint32_t>(out.value_messages.size()));
            if (fresh) out.value_messages.push_back(std::move(message));
            out.tags.emplace_back(static_cast<std::uint32_t>(i), it->second);
        }
        out.tag_offsets.push_back(static_cast<std::uint32_t>(out.tags.size()));
    }
    // Only point layers look values up by message (cluster counts and sums); the others drop the map.
    if (table.geometry_type != geo::GeometryType::Point) out.value_ids = {};
    for (const auto& f : table.fields) {
        const auto it = std::find(out.keys.begin(), out.keys.end(), f.name);
        out.field_keys.push_back(static_cast<std::uint32_t>(it - out.keys.begin()));
        if (it == out.keys.end()) out.keys.push_back(f.name);
    }
    out.table = std::move(table);
    return out;
}

/// Encodes the feature's geometry (in out.paths) at once: its exact size is then known.
void add_feature(GatheredTile& out, PendingLayer& pl, std::uint32_t index, double size) {
    const TilePaths& paths = out.paths;
    const std::size_t offset = out.geometry.size();
    const std::size_t n = detail::encode_geometry(pl.type, paths, 0, paths.paths.size(), out.geometry);
    if (n != 0)
        pl.features.push_back(
            {index, static_cast<std::uint32_t>(n), offset, static_cast<std::uint32_t>(paths.paths.size()), size, 0});
}

/// A polygon layer's features in tile units: from the per-zoom prepared geometry `pz` (`shift`
/// zooms coarser) when given, else clipped and simplified directly at tolerance `tol`.
void gather_polygons(const ResolvedLayer& rl, const std::vector<std::uint32_t>& hits, const TileFrame& frame,
                     const PreparedZoom* pz, std::uint32_t shift, double tol, GatheredTile& out, PendingLayer& pl) {
    const IndexedLayer& L = *rl.layer;
    const geo::FeatureTable& T = L.table;
    TilePaths& paths = out.paths;
    pl.type = MvtGeomType::Polygon;
    TinyAccumulator tiny;
    pl.features.reserve(hits.size());
    for (auto i : hits) {
        PolygonOutcome po;
        paths.clear();
        if (pz) {
            prepared_to_tile_into(*pz, i, frame.tile, shift, frame.buffer, tiny, po, paths);
        } else {
            const auto* mp = std::get_if<geo::MultiPolygon>(&T.features[i].geometry);
            if (!mp) continue;
            po = polygon_to_tile(*mp, L.boxes[i], frame, tol);
            po.clipped = !bg::within(L.boxes[i], frame.clip_box);
            for (const auto& ring : po.rings) paths.add(ring);
        }
        out.reduced += po.reduced;
        if (paths.paths.empty()) continue;
        (po.clipped ? out.clipped : out.inside) += 1;
        add_feature(out, pl, i, po.area_units);
    }
}

/// A line layer's features in tile units, sized by their squared length.
void gather_lines(const ResolvedLayer& rl, const std::vector<std::uint32_t>& hits, const TileFrame& frame, double tol,
                  GatheredTile& out, PendingLayer& pl) {
    const geo::FeatureTable& T = rl.layer->table;
    TilePaths& paths = out.paths;
    pl.type = MvtGeomType::LineString;
    for (auto i : hits) {
        const auto* ml = std::get_if<geo::MultiLineString>(&T.features[i].geometry);
        if (!ml) continue;
        auto parts = lines_to_tile(*ml, frame, tol);
        if (parts.empty()) continue;
        double len = 0;
        for (const auto& p : parts)
            for (std::size_t k = 1; k < p.size(); ++k) len += std::hypot(p[k].x - p[k - 1].x, p[k].y - p[k - 1].y);
        paths.clear();
        for (const auto& p : parts) paths.add(p);
        add_feature(out, pl, i, len * len);
    }
}

/// Feature sizes, with tag indexes bounded from above by the layer's key and value counts.
void size_features(const ResolvedLayer& rl, ValueMarks& seen, PendingLayer& pl) {
    if (pl.features.empty()) return;
    const IndexedLayer& L = *rl.layer;
    seen.reset(L.value_messages.size());
    std::size_t distinct = 0;
    for (const auto& f : pl.features)
        for (auto t = L.tag_offsets[f.index]; t < L.tag_offsets[f.index + 1]; ++t)
            if (seen.mark(L.tags[t].second)) {
                ++distinct;
                const std::size_t m = L.value_messages[L.tags[t].second].size();
                pl.value_bytes += field_size(m);
            }
    const std::size_t key_bytes = varint_size(L.table.fields.size()), value_bytes = varint_size(distinct);
    for (auto& f : pl.features) {
        const std::size_t ntags = L.tag_offsets[f.index + 1] - L.tag_offsets[f.index];
        const std::size_t tag_bytes = ntags * (key_bytes + value_bytes);
        // The size decision has always counted one byte more per ring or line than the geometry
        // takes (a small margin); kept, so tiles keep their bytes.
        const std::size_t counted = f.geometry_size + f.path_count;
        f.bytes = field_size(detail::feature_body_size(counted, rl.ids[f.index], ntags, tag_bytes));
        pl.feature_bytes += f.bytes;
    }
}

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

void TileService::Impl::query(const ResolvedTileset& ts, const TileId& tile, RenderScratch& s) const {
    const TileFrame frame(tile, options.encode.extent, options.encode.buffer);
    s.hits.resize(ts.layers.size());
    for (std::size_t l = 0; l < ts.layers.size(); ++l) {
        const ResolvedLayer& rl = ts.layers[l];
        auto& hits = s.hits[l];
        hits.clear();
        if (static_cast<int>(tile.z) < rl.spec.minzoom || static_cast<int>(tile.z) > rl.spec.maxzoom) continue;
        bgi::query(rl.layer->rtree, bgi::intersects(frame.clip_box),
                   boost::make_function_output_iterator([&](const RtreeValue& v) { hits.push_back(v.second); }));
        std::sort(hits.begin(), hits.end()); // source order, so equal data gives equal bytes
    }
}

void TileService::Impl::gather(const ResolvedTileset& ts, const TileId& tile, int level, RenderScratch& s) const {
    const EncodeOptions& eo = options.encode;
    const TileFrame frame(tile, eo.extent, eo.buffer);
    const double tol = eo.simplify_units * std::ldexp(1.0, 2 * level);
    GatheredTile& out = s.gathered;
    out.clear();
    s.marks.resize(ts.layers.size());
    for (std::size_t li = 0; li < ts.layers.size(); ++li) {
        const ResolvedLayer& rl = ts.layers[li];
        const std::vector<std::uint32_t>& hits = s.hits[li];
        if (hits.empty()) continue; // also every layer outside its zoom range
        const geo::FeatureTable& T = rl.layer->table;
        PendingLayer pl;
        pl.rl = &rl;
        const std::string& name = rl.spec.name.empty() ? rl.spec.source : rl.spec.name;
        pl.overhead = detail::layer_overhead(name, T, eo.extent);
        if (T.geometry_type == geo::GeometryType::Point) {
            gather_points(rl, hits, frame, eo, name, s, pl);
        } else if (T.geometry_type == geo::GeometryType::MultiPolygon) {
            const PreparedZoom* pz = nullptr;
            std::uint32_t shift = 0;
            if (uses_prepared(tile.z)) {
                shift = static_cast<std::uint32_t>(2 * level);
                pz = &prepared.at(rl.spec.source)->at(tile.z - shift);
            }
            gather_polygons(rl, hits, frame, pz, shift, tol, out, pl);
        } else if (T.geometry_type == geo::GeometryType::MultiLineString) {
            gather_lines(rl, hits, frame, tol, out, pl);
        }
        if (pl.fixed.empty() && pl.features.empty()) continue;
        size_features(rl, s.marks[li], pl);
        out.layers.push_back(std::move(pl));
    }
}

std::size_t TileService::Impl::attribute_bytes(const ResolvedTileset& ts, const TileId& tile, RenderScratch& s) const {
    const TileFrame frame(tile, options.encode.extent, options.encode.buffer);
    const geo::Box proper = bounds_3857(tile);
    const double min_box_area = 4 / (frame.scale * frame.scale); // 4 units^2: clear of tiny-polygon reduction
    std::size_t bytes = 0;
    s.marks.resize(ts.layers.size());
    for (std::size_t l = 0; l < ts.layers.size(); ++l) {
        const ResolvedLayer& rl = ts.layers[l];
        const IndexedLayer& L = *rl.layer;
        if (L.table.geometry_type == geo::GeometryType::Point || s.hits[l].empty()) continue;
        ValueMarks& seen = s.marks[l];
        seen.reset(L.value_messages.size());
        for (const auto i : s.hits[l]) {
            if (!bg::within(L.boxes[i], proper) || bg::area(L.boxes[i]) < min_box_area) continue;
            bytes += 2 * (L.tag_offsets[i + 1] - L.tag_offsets[i]) + 4;
            if (const auto& id = rl.ids[i]) bytes += 1 + varint_size(*id);
            for (auto t = L.tag_offsets[i]; t < L.tag_offsets[i + 1]; ++t)
                if (seen.mark(L.tags[t].second)) bytes += L.value_messages[L.tags[t].second].size() + 2;
        }
    }
    return bytes;
}

std::vector<std::vector<char>> TileService::Impl::choose(const GatheredTile& g, std::size_t budget, std::size_t& estimate,
                                                        std::size_t& dropped, RenderScratch& s) const {
    const EncodeOptions& eo = options.encode;
    std::vector<std::vector<char>> keep(g.layers.size());
    s.marks.resize(std::max(s.marks.size(), g.layers.size()));
    std::size_t bytes = 0, features = 0;
    struct Candidate {
        double size;
        std::uint32_t layer, feature;
    };
    std::vector<Candidate> order;
    for (std::uint32_t l = 0; l < g.layers.size(); ++l) {
        const PendingLayer& pl = g.layers[l];
        bytes += pl.fixed.size();
        features += pl.fixed_features;
        if (!pl.features.empty()) bytes += pl.overhead + 4;
        keep[l].assign(pl.features.size(), 0);
        if (!pl.features.empty()) s.marks[l].reset(pl.rl->layer->value_messages.size());
        for (std::uint32_t i = 0; i < pl.features.size(); ++i) order.push_back({pl.features[i].size, l, i});
    }
    // With no byte budget and under the feature limit everything is kept, and the total does not
    // depend on the order (each feature once, each distinct value once): no sort.
    if (budget == std::numeric_limits<std::size_t>::max() && features + order.size() <= eo.max_tile_features) {
        for (std::uint32_t l = 0; l < g.layers.size(); ++l) {
            const PendingLayer& pl = g.layers[l];
            bytes += pl.feature_bytes + pl.value_bytes; // summed while gathering
            std::fill(keep[l].begin(), keep[l].end(), 1);
        }
        dropped = 0;
        estimate = bytes;
        return keep;
    }
    // Largest first (ties in source order), so what is left out is always the smallest (and, among
    // equal sizes, the later in source order).
    std::stable_sort(order.begin(), order.end(), [](const Candidate& a, const Candidate& b) { return a.size > b.size; });
    dropped = 0;
    std::size_t k = 0;
    std::vector<std::uint32_t> fresh;
    for (; k < order.size(); ++k) {
        const auto& c = order[k];
        const PendingLayer& pl = g.layers[c.layer];
        const PendingFeature& f = pl.features[c.feature];
        const IndexedLayer& L = *pl.rl->layer;
        std::size_t cost = f.bytes;
        ValueMarks& seen_values = s.marks[c.layer];
        fresh.clear();
        for (auto t = L.tag_offsets[f.index]; t < L.tag_offsets[f.index + 1]; ++t) {
            const std::uint32_t v = L.tags[t].second;
            if (!seen_values.mark(v)) continue; // marked: taken back below if the feature does not fit
            fresh.push_back(v);
            const std::size_t m = L.value_messages[v].size();
            cost += field_size(m);
        }
        if (bytes + cost > budget || features + 1 > eo.max_tile_features) {
            for (auto v : fresh) seen_values.unmark(v);
            break;
        }
        bytes += cost;
        ++features;
        keep[c.layer][c.feature] = 1;
    }
    dropped = order.size() - k;
    estimate = bytes;
    return keep;
}

std::string TileService::Impl::encode(const GatheredTile& g, const std::vector<std::vector<char>>& keep,
                                      std::size_t& features, std::size_t reserve, RenderScratch& s) const {
    std::string out;
    out.reserve(reserve);
    features = 0;
    std::vector<std::uint32_t>& tags = s.tags;
    detail::IndexedLayerEncoder& encoder = s.encoder;
    for (std::size_t l = 0; l < g.layers.size(); ++l) {
        const PendingLayer& pl = g.layers[l];
        if (!pl.fixed.empty()) {
            out += pl.fixed;
            features += pl.fixed_features;
            continue;
        }
        const ResolvedLayer& rl = *pl.rl;
        const IndexedLayer& L = *rl.layer;
        // Keys are the layer's fields in order and values its pre-encoded messages (numbered per
        // tile at first use): the bytes MvtLayerBuilder gives with key() per field and value_by_id.
        encoder.reset(L.value_messages.size());
        for (std::size_t i = 0; i < pl.features.size(); ++i) {
            if (!keep[l][i]) continue;
            const PendingFeature& pf = pl.features[i];
            tags.clear();
            for (auto t = L.tag_offsets[pf.index]; t < L.tag_offsets[pf.index + 1]; ++t) {
                tags.push_back(L.field_keys[L.tags[t].first]);
                tags.push_back(encoder.value(L.tags[t].second));
            }
            encoder.add_encoded(rl.ids[pf.index], pl.type, g.geometry.data() + pf.geometry_offset, pf.geometry_size,
                                tags.data(), tags.size());
        }
        features += encoder.feature_count();
        if (encoder.feature_count() != 0)
            encoder.write_to(out, rl.spec.name.empty() ? rl.spec.source : rl.spec.name, L.keys, L.value_messages,
                             options.encode.extent);
    }
    return out;
}

std::string TileService::Impl::render_mvt(const ResolvedTileset& ts, const TileId& tile, EncodedTile& out) const {
    const EncodeOptions& eo = options.encode;
    // Geometry first (cheap with prepared polygons), then the size decision from exact geometry
    // sizes and bounded tag sizes, then one encode. Over the limits: the 4x, then 16x coarser
    // generalisation, then the smallest polygons and lines left out (counted in features_dropped).
    // Points are clustered and never reach the limits.
    // Attributes, ids and framing do not shrink with coarser geometry: when they alone are over
    // the limit (thousands of LSOAs with unique codes and names at z6-z8), start at the coarsest
    // generalisation rather than gathering the finer ones only to throw them away.
    thread_local RenderScratch s;
    query(ts, tile, s);
    int level = 0;
    if (attribute_bytes(ts, tile, s) > eo.max_tile_bytes)
        while (level < 2 && has_level(tile.z, level + 1)) ++level;
    gather(ts, tile, level, s);
    const GatheredTile& g = s.gathered;
    std::size_t estimate = 0, dropped = 0;
    auto keep = choose(g, std::numeric_limits<std::size_t>::max(), estimate, dropped, s);
    const auto fits = [&](std::size_t bytes, std::size_t features) {
        return bytes <= eo.max_tile_bytes && features <= eo.max_tile_features;
    };
    const auto count = [&](const GatheredTile& gt) {
        std::size_t n = 0;
        for (const auto& pl : gt.layers) n += pl.fixed_features + pl.features.size();
        return n;
    };
    while (!fits(estimate, count(g)) && level < 2 && has_level(tile.z, level + 1)) {
        ++level;
        gather(ts, tile, level, s);
        keep = choose(g, std::numeric_limits<std::size_t>::max(), estimate, dropped, s);
    }
    std::size_t budget = eo.max_tile_bytes;
    if (!fits(estimate, count(g))) keep = choose(g, budget, estimate, dropped, s);
    std::size_t features = 0;
    std::string mvt = encode(g, keep, features, estimate + 64, s);
    int passes = 1;
    // The estimate bounds tag indexes from above, so this loop is a safety net, not a search.
    while (mvt.size() > eo.max_tile_bytes && passes < 16) {
        budget = static_cast<std::size_t>(static_cast<double>(budget) * 0.97 * static_cast<double>(eo.max_tile_bytes) /
                                          static_cast<double>(mvt.size()));
        keep = choose(g, budget, estimate, dropped, s);
        mvt = encode(g, keep, features, estimate + 64, s);
        ++passes;
    }
    out.mvt_bytes = mvt.size();
    out.feature_count = features;
    out.features_dropped = dropped;
    out.features_reduced = g.reduced;
    out.polygons_clipped = g.clipped;
    out.polygons_inside = g.inside;
    out.simplification_level = level;
    out.encode_passes = passes;
    out.empty = features == 0;
    return mvt;
}

EncodedTile TileService::Impl::render(const ResolvedTileset& ts, const TileId& tile) const {
    EncodedTile out;
    const std::string mvt = render_mvt(ts, tile, out);
    // Big tiles (low zooms) are compressed with zlib's fastest level: deflate at level 6 costs
    // ~20 ms for a 500 KB tile, level 1 a few ms for output about a tenth larger.
    out.gzip_body = gzip_compress(mvt, mvt.size() > 65536 ? 1 : 6);
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
    // The prepared world grid is int32 with room for the x16 coarser level: at most 2^27 units across.
    while (impl_->options.encode.prepared_max_zoom >= 0 &&
           static_cast<double>(eo.extent) * std::ldexp(1.0, impl_->options.encode.prepared_max_zoom) > std::ldexp(1.0, 27))
        --impl_->options.encode.prepared_max_zoom;
    impl_->options.encode.prepared_max_zoom = std::min(impl_->options.encode.prepared_max_zoom, 15);
    impl_->cache.~TileCache();
    new (&impl_->cache) TileCache(options.cache_bytes);
    for (auto& t : layers) {
        if (t.geometry_type == geo::GeometryType::None) continue;
        std::string name = t.name;
        impl_->layers.insert_or_assign(name, index_layer(std::move(t)));
    }
    for (const auto& [name, L] : impl_->layers) {
        if (L.table.geometry_type != geo::GeometryType::MultiPolygon) continue;
        auto p = std::make_unique<PreparedLayer>();
        for (const auto& f : L.table.features) p->geometries.push_back(std::get_if<geo::MultiPolygon>(&f.geometry));
        p->options.extent = eo.extent;
        p->options.simplify_units = eo.simplify_units;
        p->options.tiny_area = eo.tiny_polygon_area;
        impl_->prepared.emplace(name, std::move(p));
    }
    for (auto& spec : tilesets) {
        if (spec.name.empty()) throw InvalidArgumentError("a tileset needs a name");
        if (spec.minzoom < 0 || spec.maxzoom > kMaxZoom || spec.minzoom > spec.maxzoom)
            throw InvalidArgumentError("tileset '" + spec.name + "': zooms must satisfy 0 <= minzoom <= maxzoom <= 22");
        if (spec.layers.empty()) throw InvalidArgumentError("tileset '" + spec.name + "' has no layers");
        if (spec.attribution.empty()) spec.attribution = default_attribution(spec);
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
            const int code_field = T.field_index(geo::model::gss_code_field);
            rl.ids.reserve(T.features.size());
            for (const auto& f : T.features) {
                std::optional<std::uint64_t> id;
                if (ls.id_source == FeatureIdSource::GssCode && code_field >= 0)
                    if (const auto* s = std::get_if<std::string>(&f.values[static_cast<std::size_t>(code_field)]))
                        id = gss_code_to_id(*s);
                if (!id && f.fid >= 0) id = static_cast<std::uint64_t>(f.fid);
                rl.ids.push_back(id);
            }
            if (T.geometry_type == geo::GeometryType::Point) resolve_clusters(rl);
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

void TileService::prepare(std::uint32_t maxzoom) const {
    const int top = std::min(static_cast<int>(maxzoom), impl_->options.encode.prepared_max_zoom);
    for (const auto& [name, p] : impl_->prepared)
        for (int z = 0; z <= top; ++z) p->at(static_cast<std::uint32_t>(z));
}

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

std::string TileService::render_mvt(const std::string& tileset, const TileId& tile, EncodedTile* stats) const {
    const ResolvedTileset& ts = impl_->find(tileset);
    if (!is_valid(tile)) throw InvalidArgumentError("invalid tile address " + tile.to_string());
    EncodedTile local;
    return impl_->render_mvt(ts, tile, stats ? *stats : local);
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
    out.reserve(xy.size());
    for (const auto& [x, y] : xy) out.push_back(TileId{z, x, y});
    return out;
}

CacheStats TileService::cache_stats() const {
    CacheStats s = impl_->cache.stats();
    s.prebuilt = impl_->prebuilt.size();
    return s;
}

namespace {
FeatureIdSource id_source(geo::model::FeatureIds ids) {
    return ids == geo::model::FeatureIds::GssCode ? FeatureIdSource::GssCode : FeatureIdSource::Fid;
}
} // namespace

void TileService::add_derived_layers(std::vector<geo::FeatureTable>& layers) {
    const auto find = [&](const char* name) -> const geo::FeatureTable* {
        for (const auto& t : layers)
            if (t.name == name) return &t;
        return nullptr;
    };
    if (find(geo::model::layer::area_labels)) return;
    if (auto labels = geo::style::area_labels(find(geo::model::layer::upper_tier_authorities), find(geo::model::layer::local_authorities)))
        layers.push_back(std::move(*labels));
}

std::vector<TilesetSpec> TileService::default_tilesets(const std::vector<geo::FeatureTable>& layers) {
    // The catalogue is the workspace model's (geo/model/catalogue.cpp).
    const auto known = geo::model::tiled_layers();
    std::set<std::string> present;
    for (const auto& t : layers)
        if (t.geometry_type != geo::GeometryType::None) present.insert(t.name);
    std::vector<TilesetSpec> out;
    for (const auto& k : known) {
        if (!present.count(k.layer)) continue;
        TilesetSpec s;
        s.name = k.layer;
        s.description = k.description;
        TileLayerSpec l;
        l.source = k.layer;
        l.id_source = id_source(k.ids);
        l.cluster = !k.labels;
        s.layers.push_back(l);
        out.push_back(std::move(s));
    }
    // Combined tilesets: one request draws a whole map.
    for (const auto& c : geo::model::combined_tilesets()) {
        TilesetSpec s;
        s.name = c.name;
        s.description = c.description;
        for (const char* layer : c.layers) {
            if (!present.count(layer)) continue;
            TileLayerSpec l;
            l.source = layer;
            l.minzoom = 0;
            for (const auto& k : known)
                if (l.source == k.layer) l.id_source = id_source(k.ids), l.cluster = !k.labels;
            s.layers.push_back(l);
        }
        if (s.layers.size() >= 2) out.push_back(std::move(s));
    }
    return out;
}

std::shared_ptr<const TileService> open_tile_service(const std::string& workspace_path, TileServiceOptions options,
                                                     std::vector<TilesetSpec> extra_tilesets) {
    const geo::Workspace ws(workspace_path);
    std::vector<geo::FeatureTable> tables;
    for (const auto& info : ws.layers())
        if (info.geometry_type != geo::GeometryType::None) tables.push_back(ws.read(info.name));
    TileService::add_derived_layers(tables);
    auto specs = TileService::default_tilesets(tables);
    for (auto& extra : extra_tilesets) {
        std::erase_if(specs, [&](const TilesetSpec& s) { return s.name == extra.name; });
        specs.push_back(std::move(extra));
    }
    return std::make_shared<const TileService>(std::move(tables), std::move(specs), options);
}

} // namespace coldspot::tiles
