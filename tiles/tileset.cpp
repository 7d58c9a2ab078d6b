#include "coldspot/tiles/tileset.hpp"

#include "coldspot/geo/model/catalogue.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/style/area_labels.hpp"
#include "coldspot/geo/crs.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/workspace.hpp"
#include "coldspot/tiles/gzip.hpp"
#include "coldspot/tiles/detail/mvt_encoder.hpp"
#include "coldspot/tiles/detail/prepared_polygons.hpp"
#include "coldspot/tiles/detail/tile_cache.hpp"
#include "coldspot/tiles/detail/tile_geometry.hpp"

#include <boost/geometry/index/rtree.hpp>
#include <boost/iterator/function_output_iterator.hpp>

#include <algorithm>
#include <array>
#include <mutex>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <span>
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
    /// Attributes encoded once: the layer's distinct MVT Value messages, and per feature its
    /// non-NULL (field, value id) pairs at [tag_offsets[i], tag_offsets[i + 1]) of tags.
    std::vector<std::string> value_messages;
    std::vector<std::uint32_t> tag_offsets;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> tags;
    /// The MVT key table (field names, first occurrence wins) and each field's index in it.
    std::vector<std::string> keys;
    std::vector<std::uint32_t> field_keys;
    std::unordered_map<std::string, std::uint32_t> value_ids; ///< Value message -> its id
};

struct ResolvedLayer {
    TileLayerSpec spec;
    const IndexedLayer* layer = nullptr;
    std::vector<std::optional<std::uint64_t>> ids;
    std::vector<std::size_t> sum_fields; ///< numeric fields summed into clusters
    /// Point layers: the key table of a clustering zoom (the fields' keys, then `cluster`,
    /// `point_count` and a `<field>_sum` per summed field; names shared once) and their indexes.
    std::vector<std::string> cluster_keys;
    std::uint32_t k_cluster = 0, k_count = 0;
    std::vector<std::uint32_t> sum_keys;
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

/// Identifiers, codes, ranks and coordinates are numbers but their sum means nothing (the model
/// says which they are).
bool summable(const geo::Field& f) { return f.type != geo::FieldType::String && !geo::model::is_identifier_field(f.name); }

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

const char* field_type_name(geo::FieldType t) { return t == geo::FieldType::String ? "String" : "Number"; }

/// Prepared (per-zoom generalised) polygons of one layer, built lazily, once per zoom.
struct PreparedLayer {
    std::vector<const geo::MultiPolygon*> geometries;
    PrepareOptions options;
    std::array<std::once_flag, 16> once;
    std::array<PreparedZoom, 16> zooms;
    const PreparedZoom& at(std::uint32_t z) {
        std::call_once(once[z], [&] { zooms[z] = prepare_polygons(geometries, z, options); });
        return zooms[z];
    }
};

/// One feature of a tile, geometry done, waiting for the size decision and encoding.
struct PendingFeature {
    std::uint32_t index = 0;
    std::uint32_t geometry_size = 0;   ///< its encoded geometry: GatheredTile::geometry from geometry_offset
    std::size_t geometry_offset = 0;
    std::uint32_t path_count = 0;
    double size = 0;        ///< polygons: area in units^2; lines: squared length (smaller drops first)
    std::size_t bytes = 0;  ///< encoded Feature message, tag indexes estimated from above
};

struct PendingLayer {
    const ResolvedLayer* rl = nullptr;
    MvtGeomType type = MvtGeomType::Unknown;
    std::string fixed; ///< point layers, encoded at once: clustered, never dropped
    std::size_t fixed_features = 0;
    std::vector<PendingFeature> features;
    std::size_t overhead = 0; ///< layer message without features and values
    std::size_t feature_bytes = 0; ///< sum of the features' `bytes`
    std::size_t value_bytes = 0;   ///< the distinct values the features use, each framed once
};

struct GatheredTile {
    std::vector<PendingLayer> layers;
    /// Every feature's geometry, encoded as it is gathered (MVT command integers): its exact size
    /// decides what fits, and the encode copies it.
    detail::ByteBuffer geometry;
    TilePaths paths; ///< one feature's rings or lines on their way to `geometry`
    std::size_t reduced = 0, clipped = 0, inside = 0;
    void clear() {
        layers.clear();
        geometry.clear();
        reduced = clipped = inside = 0;
    }
};

/// Value ids of one layer marked as seen; clear() unmarks only those marked, so a tile pays for
/// the values it touched, not for the layer's whole table (England's LSOAs have ~70,000 values).
class ValueMarks {
public:
    void reset(std::size_t value_count) {
        for (auto v : touched_) marks_[v] = 0;
        touched_.clear();
        if (marks_.size() < value_count) marks_.resize(value_count, 0);
    }
    /// Marks `v`; true when it was not marked.
    bool mark(std::uint32_t v) {
        if (marks_[v]) return false;
        marks_[v] = 1;
        touched_.push_back(v);
        return true;
    }
    void unmark(std::uint32_t v) { marks_[v] = 0; } ///< stays in touched_, harmless
    bool marked(std::uint32_t v) const { return marks_[v] != 0; }

private:
    std::vector<char> marks_;
    std::vector<std::uint32_t> touched_;
};

/// A thread's buffers for rendering, kept across tiles (render is not re-entrant on a thread).
struct RenderScratch {
    std::vector<std::vector<std::uint32_t>> hits; ///< per tileset layer: features meeting the buffered tile, source order
    GatheredTile gathered;
    std::vector<ValueMarks> marks;                ///< per tileset layer
    detail::IndexedLayerEncoder encoder;
    std::vector<std::uint32_t> tags;
};

std::size_t varint_size(std::uint64_t v) {
    std::size_t n = 1;
    while (v >= 0x80) v >>= 7, ++n;
    return n;
}


/// Bytes of a layer message without its features and values: name, version, extent, and the
/// key table (every field, an upper bound).
std::size_t layer_overhead(const std::string& name, const geo::FeatureTable& T, std::uint32_t extent) {
    std::size_t overhead = 1 + varint_size(name.size()) + name.size() + 2 + 1 + varint_size(extent) + 4;
    for (const auto& f : T.fields) overhead += 2 + f.name.size();
    return overhead;
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

/// A point of a point layer placed in tile units.
struct PlacedPoint {
    std::uint32_t index;
    TilePoint p;
};

/// Encodes points with the layer's pre-encoded values, numbered per tile; cluster counts and sums
/// share a value with an attribute of the same bytes (the table is deduplicated by message, as
/// MvtLayerBuilder does it).
class PointEncoder {
public:
    PointEncoder(const ResolvedLayer& rl, RenderScratch& s) : rl_(rl), L_(*rl.layer), builder_(s.encoder), tags_(s.tags) {
        builder_.reset(L_.value_messages.size());
    }

    /// A point with its own attributes.
    void add(const PlacedPoint& p) {
        tags_.clear();
        for (auto t = L_.tag_offsets[p.index]; t < L_.tag_offsets[p.index + 1]; ++t) {
            tags_.push_back(L_.field_keys[L_.tags[t].first]);
            tags_.push_back(builder_.value(L_.tags[t].second));
        }
        builder_.add_point(rl_.ids[p.index], p.p, tags_.data(), tags_.size());
    }

    /// A cluster of `members` (two or more, source order) at `centre`: the cluster flag, the count,
    /// and the sum of each summable field the members have a value for.
    void add_cluster(std::uint64_t id, const TilePoint& centre, std::span<const std::pair<std::int64_t, const PlacedPoint*>> members) {
        const geo::FeatureTable& T = L_.table;
        tags_.clear();
        tags_.push_back(rl_.k_cluster);
        tags_.push_back(value(MvtValue::of_bool(true)));
        tags_.push_back(rl_.k_count);
        tags_.push_back(value(MvtValue::of_int(static_cast<std::int64_t>(members.size()))));
        for (std::size_t k = 0; k < rl_.sum_fields.size(); ++k) {
            const auto fi = rl_.sum_fields[k];
            const bool integral = T.fields[fi].type == geo::FieldType::Integer;
            std::int64_t isum = 0;
            double dsum = 0;
            bool any = false;
            for (const auto& m : members) {
                const auto& v = T.features[m.second->index].values[fi];
                if (const auto* iv = std::get_if<std::int64_t>(&v)) isum += *iv, dsum += *iv, any = true;
                else if (const auto* dv = std::get_if<double>(&v)) dsum += *dv, any = true;
            }
            if (!any) continue;
            tags_.push_back(rl_.sum_keys[k]);
            tags_.push_back(value(integral ? MvtValue::of_int(isum) : MvtValue::of_double(dsum)));
        }
        builder_.add_point(id, centre, tags_.data(), tags_.size());
    }

    detail::IndexedLayerEncoder& builder() { return builder_; }

private:
    std::uint32_t value(const MvtValue& v) {
        std::string message = MvtLayerBuilder::encode_value(v);
        const auto it = L_.value_ids.find(message);
        return it != L_.value_ids.end() ? builder_.value(it->second) : builder_.extra_value(std::move(message));
    }

    const ResolvedLayer& rl_;
    const IndexedLayer& L_;
    detail::IndexedLayerEncoder& builder_;
    std::vector<std::uint32_t>& tags_;
};

/// Grid clustering over the tile proper (no buffer), so every point belongs to exactly one tile's
/// cell at every clustered zoom and none is dropped. A cell of one point keeps the point.
void add_clustered(PointEncoder& enc, const std::vector<PlacedPoint>& placed, const TileId& tile, const EncodeOptions& eo) {
    const std::int32_t cell = static_cast<std::int32_t>(eo.cluster_cell_units);
    const std::int64_t cells_per_side = (eo.extent + eo.cluster_cell_units - 1) / eo.cluster_cell_units;
    // Cells in index order, members in source order: a stable sort of (cell, point) pairs rather
    // than a map of vectors (one allocation per cell).
    std::vector<std::pair<std::int64_t, const PlacedPoint*>> in_cell;
    in_cell.reserve(placed.size());
    const std::int32_t ext = static_cast<std::int32_t>(eo.extent);
    for (const auto& p : placed) {
        if (p.p.x < 0 || p.p.y < 0 || p.p.x >= ext || p.p.y >= ext) continue;
        in_cell.emplace_back(std::int64_t{p.p.y / cell} * cells_per_side + p.p.x / cell, &p);
    }
    std::stable_sort(in_cell.begin(), in_cell.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t b = 0, e = 0; b < in_cell.size(); b = e) {
        while (e < in_cell.size() && in_cell[e].first == in_cell[b].first) ++e;
        const std::int64_t cell_index = in_cell[b].first;
        if (e - b == 1) {
            enc.add(*in_cell[b].second);
            continue;
        }
        const std::size_t members = e - b;
        double sx = 0, sy = 0;
        for (std::size_t m = b; m < e; ++m) sx += in_cell[m].second->p.x, sy += in_cell[m].second->p.y;
        const TilePoint centre{static_cast<std::int32_t>(std::floor(sx / members)),
                               static_cast<std::int32_t>(std::floor(sy / members))};
        // Cluster ids live above bit 62 so they never meet a URN or a packed code: zoom and the
        // cell's world position make them stable across versions.
        const std::uint64_t gx = std::uint64_t{tile.x} * cells_per_side + (cell_index % cells_per_side);
        const std::uint64_t gy = std::uint64_t{tile.y} * cells_per_side + (cell_index / cells_per_side);
        const std::uint64_t id = (std::uint64_t{1} << 62) | (std::uint64_t{tile.z} << 56) | (gx << 28) | gy;
        enc.add_cluster(id, centre, std::span(in_cell).subspan(b, members));
    }
}

/// A point layer, encoded at once into pl.fixed (points are never dropped), clustered on low zooms.
void gather_points(const ResolvedLayer& rl, const std::vector<std::uint32_t>& hits, const TileFrame& frame,
                   const EncodeOptions& eo, const std::string& name, RenderScratch& s, PendingLayer& pl) {
    const IndexedLayer& L = *rl.layer;
    const geo::FeatureTable& T = L.table;
    const TileId& tile = frame.tile;
    pl.type = MvtGeomType::Point;
    PointEncoder enc(rl, s);
    std::vector<PlacedPoint> placed;
    for (auto i : hits)
        if (const auto* pt = std::get_if<geo::Point>(&T.features[i].geometry))
            if (auto tp = point_to_tile(*pt, frame)) placed.push_back({i, *tp});
    const bool cluster = rl.spec.cluster && static_cast<int>(tile.z) <= eo.cluster_max_zoom && eo.cluster_cell_units > 0;
    if (!cluster) {
        for (const auto& p : placed) enc.add(p);
    } else {
        add_clustered(enc, placed, tile, eo);
    }
    detail::IndexedLayerEncoder& builder = enc.builder();
    pl.fixed_features = builder.feature_count();
    // A clustering zoom's key table also holds the cluster keys, used or not.
    if (pl.fixed_features != 0) builder.write_to(pl.fixed, name, cluster ? rl.cluster_keys : L.keys, L.value_messages, eo.extent);
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
                pl.value_bytes += 1 + varint_size(m) + m;
            }
    const std::size_t key_bytes = varint_size(L.table.fields.size()), value_bytes = varint_size(distinct);
    for (auto& f : pl.features) {
        const std::size_t ntags = L.tag_offsets[f.index + 1] - L.tag_offsets[f.index];
        const std::size_t tag_bytes = ntags * (key_bytes + value_bytes);
        // The size decision has always counted one byte more per ring or line than the geometry
        // takes (a small margin); kept, so tiles keep their bytes.
        const std::size_t counted = f.geometry_size + f.path_count;
        std::size_t body = 1 + varint_size(counted) + counted + 2;
        if (ntags) body += 1 + varint_size(tag_bytes) + tag_bytes;
        if (const auto& id = rl.ids[f.index]) body += 1 + varint_size(*id);
        f.bytes = 1 + varint_size(body) + body;
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

struct TileService::Impl {
    TileServiceOptions options;
    std::map<std::string, IndexedLayer> layers;
    std::map<std::string, std::unique_ptr<PreparedLayer>> prepared; ///< polygon layers only
    std::map<std::string, ResolvedTileset> tilesets;
    std::unordered_map<std::string, std::shared_ptr<const EncodedTile>> prebuilt;
    mutable TileCache cache{0};

    const ResolvedTileset& find(const std::string& name) const {
        const auto it = tilesets.find(name);
        if (it == tilesets.end()) throw NotFoundError("no tileset '" + name + "'");
        return it->second;
    }

    /// Whether polygons of zoom z come from the per-zoom prepared geometry.
    bool uses_prepared(std::uint32_t z) const { return static_cast<int>(z) <= options.encode.prepared_max_zoom; }
    /// Level 0: the zoom's own generalisation; level n: 4^n times coarser (the geometry prepared
    /// for zoom z - 2n, scaled up; or tolerance x4^n on the direct path above prepared_max_zoom).
    bool has_level(std::uint32_t z, int level) const {
        return !uses_prepared(z) || static_cast<int>(z) >= 2 * level;
    }
    /// Fills s.hits: one R-tree query per layer and tile, shared by the estimate and every gather.
    void query(const ResolvedTileset& ts, const TileId& tile, RenderScratch& s) const;
    /// The tile's features at generalisation `level` into s.gathered (cleared first).
    void gather(const ResolvedTileset& ts, const TileId& tile, int level, RenderScratch& s) const;
    /// Estimate of a tile's polygon and line bytes that geometry does not change (ids, tags,
    /// distinct values, framing), from the index alone: features whose box lies inside the tile
    /// proper and is not tiny, so it errs low.
    std::size_t attribute_bytes(const ResolvedTileset& ts, const TileId& tile, RenderScratch& s) const;
    /// Features to keep so the tile fits `budget` bytes and the feature limit, largest first.
    std::vector<std::vector<char>> choose(const GatheredTile& g, std::size_t budget, std::size_t& estimate,
                                          std::size_t& dropped, RenderScratch& s) const;
    std::string encode(const GatheredTile& g, const std::vector<std::vector<char>>& keep, std::size_t& features,
                       std::size_t reserve, RenderScratch& s) const;
    EncodedTile render(const ResolvedTileset& ts, const TileId& tile) const;
    std::string render_mvt(const ResolvedTileset& ts, const TileId& tile, EncodedTile& out) const;
};

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
        pl.overhead = layer_overhead(name, T, eo.extent);
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
            cost += 1 + varint_size(m) + m;
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
        if (spec.attribution.empty()) {
            spec.attribution = kOglAttribution;
            for (const auto& l : spec.layers)
                if (geo::model::is_openstreetmap_layer(l.source)) spec.attribution += std::string(" ") + kOdblAttribution;
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
            if (T.geometry_type == geo::GeometryType::Point) {
                for (std::size_t i = 0; i < T.fields.size(); ++i)
                    if (summable(T.fields[i])) rl.sum_fields.push_back(i);
                rl.cluster_keys = it->second.keys;
                const auto key = [&](const std::string& k) {
                    const auto at = std::find(rl.cluster_keys.begin(), rl.cluster_keys.end(), k);
                    if (at == rl.cluster_keys.end()) rl.cluster_keys.push_back(k);
                    return static_cast<std::uint32_t>(std::find(rl.cluster_keys.begin(), rl.cluster_keys.end(), k) -
                                                      rl.cluster_keys.begin());
                };
                rl.k_cluster = key("cluster");
                rl.k_count = key("point_count");
                for (auto fi : rl.sum_fields) rl.sum_keys.push_back(key(T.fields[fi].name + "_sum"));
            }
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
    for (const auto& rl : ts.layers)
        if (!geo::is_empty(rl.layer->extent)) bg::expand(merc, rl.layer->extent); // an empty layer has no extent
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
        if (T.geometry_type == geo::GeometryType::Point && rl.spec.cluster && impl_->options.encode.cluster_max_zoom >= rl.spec.minzoom) {
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
