#pragma once
// Polygons generalised once per zoom, the way fast tile servers (tippecanoe, t-rex, martin) do it:
// every polygon of a layer is simplified, rounded to the integer grid of "world tile units" at
// that zoom (extent * 2^z units across the world, y up) and repaired there, once. A tile render is
// then an index lookup, an integer translation, and clipping only for the polygons that cross
// the buffered tile edge. Translation by whole units cannot change validity, so polygons wholly
// inside the buffered tile are written as prepared, with no clipping and no validity check.
#include "coldspot/geo/geometry.hpp"
#include "coldspot/tiles/detail/mvt_encoder.hpp"
#include "coldspot/tiles/detail/tile_geometry.hpp"
#include "coldspot/tiles/tile_id.hpp"

#include <cstdint>
#include <vector>

namespace coldspot::tiles {

/// How one polygon came out of preparation.
enum class PreparedKind : std::uint8_t {
    Empty,       ///< no geometry
    Rings,       ///< rings on the grid, valid
    Placeholder, ///< smaller than a unit both ways, or rounded away: a one-unit square at its centre
    Tiny,        ///< area below the tiny-polygon threshold: subject to tiny-polygon reduction
};

struct PreparedPolygon {
    /// Bounding box of the rings in world units; for Placeholder/Tiny the centre cell (x0, y0).
    std::int32_t x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    double area = 0;      ///< area before rounding, in world units^2 (tiny-polygon reduction)
    double grid_area = 0; ///< area of the rounded rings (size order when a tile is over its limit)
    std::uint32_t first_ring = 0;
    std::uint32_t ring_count = 0;
    PreparedKind kind = PreparedKind::Empty;
    bool invalid = false; ///< could not be made valid on the grid (never seen): clipped by the general path only
};

struct PreparedRing {
    std::uint32_t first_point = 0;
    std::uint32_t size = 0; ///< points, the closing one left out
};

struct PreparedStats {
    std::size_t rings = 0, placeholders = 0, tiny = 0, repaired = 0, invalid = 0;
};

/// One zoom's generalised polygons of one layer (feature i of the layer is features[i]).
struct PreparedZoom {
    std::uint32_t z = 0;
    std::uint32_t extent = 4096;
    double tiny_area = 1; ///< world units^2; 0 disables tiny-polygon reduction
    std::vector<PreparedPolygon> features;
    std::vector<PreparedRing> rings;
    std::vector<TilePoint> points; ///< world units, y up
    PreparedStats stats;
};

struct PrepareOptions {
    std::uint32_t extent = 4096;
    double simplify_units = 1.0; ///< Douglas-Peucker tolerance in units of this zoom
    double tiny_area = 1.0;      ///< polygons below this area (units^2) are reduced; 0: never
};

/// Generalises every MultiPolygon of `geometries` (EPSG:3857; other alternatives become Empty)
/// for zoom z. Zooms above 15 do not fit the int32 world grid: InvalidArgumentError.
PreparedZoom prepare_polygons(const std::vector<const geo::MultiPolygon*>& geometries, std::uint32_t z,
                              const PrepareOptions& options);

/// Tiny-polygon reduction state of one tile and layer (tippecanoe's accumulator): tiny polygons'
/// areas add up, and each time they reach the threshold one of them is written as a one-unit
/// square carrying its own id and attributes; the others are left out and counted.
struct TinyAccumulator {
    double area = 0;
};

/// Feature `i` of `pz` in tile `tile`. `shift` > 0 uses this zoom's geometry for a tile 2^shift
/// times finer (tile.z = pz.z + shift): a coarser, 4^shift-unit generalisation for over-full tiles.
/// Tiny and placeholder polygons belong to the tile holding their centre only.
PolygonOutcome prepared_to_tile(const PreparedZoom& pz, std::size_t i, const TileId& tile, std::uint32_t shift,
                                std::uint32_t buffer, TinyAccumulator& tiny);
/// The same, appending the rings to `paths` (out.rings stays empty): what a tile render uses, so
/// rings cost no allocation of their own. prepared_to_tile is this plus a copy.
void prepared_to_tile_into(const PreparedZoom& pz, std::size_t i, const TileId& tile, std::uint32_t shift,
                           std::uint32_t buffer, TinyAccumulator& tiny, PolygonOutcome& out, TilePaths& paths);

namespace detail {
/// A point of the integer grid, wide enough for exact orientation tests.
struct GridPoint {
    std::int64_t x = 0, y = 0;
    friend bool operator==(const GridPoint&, const GridPoint&) = default;
};
/// Whether closed segments ab and cd share a point (crossing, touching or overlapping); exact.
bool segments_meet(const GridPoint& a, const GridPoint& b, const GridPoint& c, const GridPoint& d);
/// The validity check of a one-ring polygon clipped to the box [lo, hi]^2 by Sutherland-Hodgman
/// (vertices rounded, consecutive repeats dropped, not closed), without Boost: at least three
/// points, no fold (an edge turning straight back: a spike, or the bridge along a box edge between
/// two parts of the inside), and no edge touching a box line meeting any edge other than its
/// neighbours. Edges away from the box lines are edges of the prepared ring, which was simple,
/// so they cannot meet each other. True means simple; orientation and area are the caller's.
bool clipped_ring_is_simple(const std::vector<GridPoint>& ring, std::int64_t lo, std::int64_t hi);
/// prepared_to_tile with every clipped polygon checked by Boost is_valid (the path before the
/// exact check above existed): the tests compare the two.
PolygonOutcome prepared_to_tile_full_check(const PreparedZoom& pz, std::size_t i, const TileId& tile, std::uint32_t shift,
                                           std::uint32_t buffer, TinyAccumulator& tiny);
} // namespace detail

} // namespace coldspot::tiles
