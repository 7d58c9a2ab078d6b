#pragma once
// Tilesets over workspace layers and the thread-safe tile service the HTTP layer serves from.
//
// A TileService is built once from an immutable snapshot of layers (FeatureTables in any CRS PROJ
// knows); it reprojects them to Web Mercator and indexes them at construction, then answers tile
// and TileJSON requests from any number of threads. A new workspace version means a new
// TileService: the caller swaps a shared_ptr<const TileService> atomically, and requests in flight
// finish on the old one. Nothing here knows about HTTP.
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/tiles/tile_id.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coldspot::tiles {

/// Where an MVT feature id comes from. MVT ids are unsigned integers, so a GSS code such as
/// E01000001 is packed losslessly as letter*10^8 + digits (see gss_code_to_id).
enum class FeatureIdSource : std::uint8_t {
    Fid,     ///< the feature's fid (URN for schools)
    GssCode, ///< the `code` field packed by gss_code_to_id; falls back to fid when absent/unparseable
};

/// One source layer inside a tileset.
struct TileLayerSpec {
    std::string source;  ///< FeatureTable name (workspace layer)
    std::string name;    ///< MVT layer name; defaults to `source` when empty
    int minzoom = 0;     ///< the layer is absent from tiles below this zoom
    int maxzoom = 14;    ///< and above this one
    FeatureIdSource id_source = FeatureIdSource::Fid;
    /// Point layers are clustered at low zooms (EncodeOptions); label points are not: a cluster has
    /// no name, and MapLibre's own collision detection thins labels instead.
    bool cluster = true;
};

struct TilesetSpec {
    std::string name;
    std::string description;
    std::vector<TileLayerSpec> layers;
    int minzoom = 0;
    int maxzoom = 14;
    std::string attribution; ///< HTML; defaults to the OGL attribution when empty
};

/// Encoding parameters shared by every tile of a service.
struct EncodeOptions {
    std::uint32_t extent = 4096;        ///< tile units per side
    std::uint32_t buffer = 64;          ///< tile units of geometry kept beyond each edge
    double simplify_units = 1.0;        ///< Douglas-Peucker tolerance in tile units
    std::size_t max_tile_bytes = 500'000;     ///< uncompressed MVT size limit (500 KB)
    std::size_t max_tile_features = 200'000;  ///< features per tile limit
    /// Points are clustered on zooms <= cluster_max_zoom, in square cells of cluster_cell_units.
    int cluster_max_zoom = 10;
    std::uint32_t cluster_cell_units = 64;
    /// Tiny-polygon reduction (as tippecanoe): polygons with less than this area in tile units^2
    /// add their area to a per-tile accumulator; each time it reaches this value one of them is
    /// written as a one-unit square, the others are left out and counted in features_reduced.
    /// 0 turns it off: every sub-unit polygon is then written as a one-unit square.
    double tiny_polygon_area = 1.0;
    /// Polygons of zooms up to this one are generalised once per zoom (lazily, or by prepare())
    /// and tiles are cut from that; above it each tile clips and simplifies the source geometry.
    /// Clamped so the world grid (extent * 2^z units) stays within 2^27.
    int prepared_max_zoom = 14;
};

/// One encoded tile, shared between the cache and every response that sends it.
struct EncodedTile {
    std::string gzip_body;   ///< gzip-compressed MVT bytes (send with Content-Encoding: gzip)
    std::string etag;        ///< strong ETag, quotes included: "\"<hash>\""
    bool empty = true;       ///< no features in any layer (an HTTP layer may answer 204)
    std::size_t mvt_bytes = 0;      ///< uncompressed size
    std::size_t feature_count = 0;  ///< features written, clusters counting as one
    /// Features left out because the tile hit max_tile_bytes/max_tile_features even after
    /// coarser simplification (documented in docs/tiles.md; 0 in every tile of the real data).
    std::size_t features_dropped = 0;
    /// Tiny polygons left out by tiny-polygon reduction (EncodeOptions::tiny_polygon_area).
    std::size_t features_reduced = 0;
    std::size_t polygons_inside = 0;  ///< polygons written without clipping (wholly inside the buffered tile)
    std::size_t polygons_clipped = 0; ///< polygons that crossed the buffered edge and were clipped
    int simplification_level = 0;     ///< 0: the zoom's own; n: 4^n times coarser (over-full tile)
    int encode_passes = 0;            ///< MVT encodes needed to meet the limits (1 unless the estimate was short)
};

struct TileServiceOptions {
    EncodeOptions encode;
    std::size_t cache_bytes = 256u << 20; ///< LRU byte budget for on-demand tiles
    /// Tiles of zoom <= prebuild_max_zoom are rendered at construction and kept outside the LRU;
    /// -1 prebuilds nothing.
    int prebuild_max_zoom = 3;
};

struct CacheStats {
    std::size_t hits = 0;
    std::size_t misses = 0;
    std::size_t entries = 0;
    std::size_t bytes = 0;
    std::size_t evictions = 0;
    std::size_t prebuilt = 0;
};

class TileService {
public:
    /// Builds from layers (each in its own `epsg`) and tileset definitions. Throws
    /// InvalidArgumentError for a tileset that names a missing layer or has bad zooms, and
    /// CrsError when a layer cannot be reprojected to EPSG:3857.
    TileService(std::vector<geo::FeatureTable> layers, std::vector<TilesetSpec> tilesets,
                TileServiceOptions options = {});
    ~TileService();
    TileService(const TileService&) = delete;
    TileService& operator=(const TileService&) = delete;

    /// Tileset names, sorted.
    std::vector<std::string> names() const;
    bool has(const std::string& tileset) const;
    /// Throws NotFoundError for an unknown tileset.
    const TilesetSpec& spec(const std::string& tileset) const;

    /// TileJSON 3.0.0. `tile_url_template` is the absolute or relative URL with {z}/{x}/{y}.
    /// Throws NotFoundError for an unknown tileset.
    nlohmann::json tilejson(const std::string& tileset, const std::string& tile_url_template) const;

    /// The tile, from the cache or freshly encoded. Thread-safe. Throws NotFoundError for an
    /// unknown tileset or a zoom outside the tileset's [minzoom, maxzoom], InvalidArgumentError
    /// for an invalid tile address (z > 22, x or y >= 2^z).
    std::shared_ptr<const EncodedTile> get(const std::string& tileset, const TileId& tile) const;
    /// Encodes without touching the cache (exports and benchmarks).
    EncodedTile render(const std::string& tileset, const TileId& tile) const;
    /// The uncompressed MVT bytes of the tile, as render() encodes them before gzip (what PostGIS's
    /// ST_AsMVT returns: the latency benchmark times both); `stats`, when given, gets the counts
    /// render() reports (gzip_body and etag left empty).
    std::string render_mvt(const std::string& tileset, const TileId& tile, EncodedTile* stats = nullptr) const;
    /// Generalises every polygon layer for zooms 0..maxzoom now rather than on the first tile of
    /// each zoom (servers call it at start-up; benchmarks before timing tiles).
    void prepare(std::uint32_t maxzoom) const;

    /// Tiles of one zoom that may hold features (those meeting the layers' extents).
    std::vector<TileId> candidate_tiles(const std::string& tileset, std::uint32_t z) const;

    CacheStats cache_stats() const;

    /// The tilesets Coldspot serves for whichever of the documented workspace layers exist
    /// (docs/tiles.md lists them): one per layer, plus combined ones.
    static std::vector<TilesetSpec> default_tilesets(const std::vector<geo::FeatureTable>& layers);
    /// Adds the layers tiles derive from the workspace's (never stored in it): `area_labels`, one
    /// label point per authority and district. Call before default_tilesets.
    static void add_derived_layers(std::vector<geo::FeatureTable>& layers);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Reads every spatial layer of a workspace and builds a service with the default tilesets plus
/// `extra_tilesets` (for instance an ad-hoc combination for an export).
std::shared_ptr<const TileService> open_tile_service(const std::string& workspace_path,
                                                     TileServiceOptions options = {},
                                                     std::vector<TilesetSpec> extra_tilesets = {});

/// E01000001 -> 501000001 (letter A=1..Z=26 times 10^8 plus the eight digits); nullopt when the
/// text is not one capital letter and eight digits.
std::optional<std::uint64_t> gss_code_to_id(std::string_view code) noexcept;

} // namespace coldspot::tiles
