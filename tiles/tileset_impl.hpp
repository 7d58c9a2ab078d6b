#pragma once
// The tile service's state, private to tiles/: layers indexed in Web Mercator, resolved tilesets,
// the per-thread render buffers and TileService::Impl. The service is implemented in one file per
// concept: tileset.cpp (construction, the size decision and encoding), clustering.cpp (point
// layers and their clusters), tilejson.cpp (the TileJSON document) and attribution.cpp (the
// licence HTML); the protobuf size arithmetic is in detail/mvt_size.hpp, beside the encoder.
#include "coldspot/tiles/tileset.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/tiles/detail/mvt_encoder.hpp"
#include "coldspot/tiles/detail/prepared_polygons.hpp"
#include "coldspot/tiles/detail/tile_cache.hpp"
#include "coldspot/tiles/detail/tile_geometry.hpp"

#include <boost/geometry/index/rtree.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace coldspot::tiles {

using RtreeValue = std::pair<geo::Box, std::uint32_t>;
using Rtree = boost::geometry::index::rtree<RtreeValue, boost::geometry::index::rstar<16>>;

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

/// Keys a clustering zoom adds to a point layer: the cluster flag, the member count, and per
/// summed field its name with this suffix.
inline constexpr char kClusterKey[] = "cluster";
inline constexpr char kPointCountKey[] = "point_count";
inline constexpr char kSumSuffix[] = "_sum";

/// A point layer's clustering (clustering.cpp): the numeric fields summed into clusters and the
/// key table of a clustering zoom.
void resolve_clusters(ResolvedLayer& rl);
/// A point layer, encoded at once into pl.fixed (points are never dropped), clustered on low zooms.
void gather_points(const ResolvedLayer& rl, const std::vector<std::uint32_t>& hits, const TileFrame& frame,
                   const EncodeOptions& eo, const std::string& name, RenderScratch& s, PendingLayer& pl);

/// The licence HTML of a tileset without one (attribution.cpp): the OGL notice, plus the ODbL
/// notice when a layer comes from OpenStreetMap.
std::string default_attribution(const TilesetSpec& spec);

} // namespace coldspot::tiles
