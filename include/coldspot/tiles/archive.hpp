#pragma once
// Tile archives for static hosting: MBTiles 1.3 (SQLite) and PMTiles v3 (one file, HTTP range
// requests). Both are written from a TileService over a zoom range, rendering in parallel.
#include "coldspot/tiles/tileset.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace coldspot::tiles {

struct ArchiveStats {
    std::size_t tiles = 0;        ///< non-empty tiles written
    std::size_t unique_tiles = 0; ///< distinct tile bodies (PMTiles deduplicates)
    std::size_t bytes = 0;        ///< sum of gzip bodies
    std::size_t max_tile_mvt_bytes = 0;
    std::size_t max_tile_features = 0;
    std::size_t features_dropped = 0;
    std::size_t features_reduced = 0; ///< tiny polygons left out by tiny-polygon reduction
    std::string largest_tile; ///< z/x/y of the largest tile
};

struct ArchiveOptions {
    int minzoom = -1; ///< -1: the tileset's own
    int maxzoom = -1;
    unsigned threads = 2;
    /// PMTiles: bytes the header and root directory may take (the spec's 16 KiB); smaller values
    /// force leaf directories sooner (tests use it).
    std::size_t pmtiles_root_bytes = 16384;
    /// Called after each zoom with the zoom and the running totals.
    std::function<void(int, const ArchiveStats&)> progress;
};


/// Writes an MBTiles 1.3 file (TMS rows, gzip-compressed pbf, `json` metadata with vector_layers),
/// replacing `path` atomically. Throws NotFoundError for an unknown tileset.
ArchiveStats write_mbtiles(const TileService& service, const std::string& tileset, const std::filesystem::path& path,
                           const ArchiveOptions& options = {});

/// Writes a PMTiles v3 archive (gzip-compressed tiles and directories, Hilbert-ordered tile ids,
/// leaf directories when the root would not fit in the first 16 KiB).
ArchiveStats write_pmtiles(const TileService& service, const std::string& tileset, const std::filesystem::path& path,
                           const ArchiveOptions& options = {});

namespace pmtiles {
/// The PMTiles v3 tile id: tiles of all lower zooms first, then the Hilbert index at zoom z.
std::uint64_t zxy_to_tileid(std::uint32_t z, std::uint32_t x, std::uint32_t y);
} // namespace pmtiles

} // namespace coldspot::tiles
