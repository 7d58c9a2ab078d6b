#pragma once
// From Web Mercator geometry to MVT tile units: clip to the buffered tile, simplify (Douglas-
// Peucker in tile units), quantise to the integer grid, and repair what rounding breaks, so every
// polygon written is valid and wound the MVT way (exterior positive area in y-down units).
#include "coldspot/geo/geometry.hpp"
#include "coldspot/tiles/detail/mvt_encoder.hpp"
#include "coldspot/tiles/tile_id.hpp"

#include <cstdint>
#include <vector>

namespace coldspot::tiles {

/// One tile's coordinate frame: EPSG:3857 metres -> tile units.
struct TileFrame {
    TileFrame(const TileId& tile, std::uint32_t extent, std::uint32_t buffer);
    TileId tile;
    std::uint32_t extent;
    std::uint32_t buffer;
    double minx, miny; ///< tile origin (south-west corner) in metres
    double scale;      ///< tile units per metre
    geo::Box clip_box; ///< buffered tile in metres
    /// Tile units with y up (0 at the south edge); y-down MVT units are extent - v.
    double u(double x) const noexcept { return (x - minx) * scale; }
    double v(double y) const noexcept { return (y - miny) * scale; }
};

/// What polygon_to_tile did, for statistics and tests.
struct PolygonOutcome {
    std::vector<TilePath> rings; ///< y-down, exterior then its holes; empty when nothing is left
    double area_units = 0;       ///< area of the written rings in tile units^2
    bool repaired = false;       ///< rounding broke validity and GEOS MakeValid repaired it
    bool placeholder = false;    ///< smaller than one unit: written as a 1x1 square
    bool invalid = false;        ///< could not be made valid on the grid (never seen on real data)
    bool clipped = false;        ///< crossed the buffered tile edge and went through clipping
    bool rectangle_clip = false; ///< clipped by the fast Sutherland-Hodgman rectangle clip (no general overlay)
    bool fast_check = false;     ///< ... and checked exactly on the grid (one ring), without Boost is_valid
    bool reduced = false;        ///< a tiny polygon left out by tiny-polygon reduction (counted)
};

/// Clips, simplifies (tolerance in tile units; 0 = none) and quantises one polygon feature.
PolygonOutcome polygon_to_tile(const geo::MultiPolygon& g3857, const geo::Box& envelope3857, const TileFrame& frame,
                               double tolerance);
/// Clips, simplifies and quantises lines; parts that shrink to one point are left out.
std::vector<TilePath> lines_to_tile(const geo::MultiLineString& g3857, const TileFrame& frame, double tolerance);
/// Rounds a point to tile units (y down); nullopt when outside the buffered tile.
std::optional<TilePoint> point_to_tile(const geo::Point& p3857, const TileFrame& frame);

namespace detail {
/// Douglas-Peucker on an open or closed path; keeps the end points. For a closed ring that would
/// fall below four points the ring is returned unchanged, so simplification never collapses it.
std::vector<geo::Point> simplify_path(const std::vector<geo::Point>& path, double tolerance, bool closed);
/// Every vertex of every ring through `f` (Point -> Point), structure unchanged.
template <class F>
geo::MultiPolygon map_polygons(const geo::MultiPolygon& g, F&& f) {
    geo::MultiPolygon out;
    out.reserve(g.size());
    const auto conv = [&](const geo::Ring& r) {
        geo::Ring o;
        o.reserve(r.size());
        for (const auto& p : r) o.push_back(f(p));
        return o;
    };
    for (const auto& poly : g) {
        geo::Polygon p;
        p.outer() = conv(poly.outer());
        for (const auto& h : poly.inners()) p.inners().push_back(conv(h));
        out.push_back(std::move(p));
    }
    return out;
}
/// Douglas-Peucker on every ring (tolerance 0: unchanged).
geo::MultiPolygon simplify_polygons(const geo::MultiPolygon& g, double tolerance);
/// Rounds to the integer grid, drops rings that collapse and fixes orientation; false when the
/// result is not valid (Boost is_valid, or a repeated vertex or a spike Boost lets through).
bool quantise(geo::MultiPolygon& mp);
/// Snap-rounds through GEOS (valid on the grid by construction), then quantise; false on failure.
bool snap_quantise(const geo::MultiPolygon& in, geo::MultiPolygon& out);
/// Quantises `in` into `out`, falling back to snap-rounding from each of `fallbacks` in turn and
/// finally from a MakeValid repair of the last one. Returns {repaired, invalid}.
std::pair<bool, bool> quantise_or_repair(const geo::MultiPolygon& in, const std::vector<const geo::MultiPolygon*>& fallbacks,
                                         geo::MultiPolygon& out);
/// Intersection with an axis-aligned box (GEOS after MakeValid when Boost refuses the input).
geo::MultiPolygon clip_to_box(const geo::MultiPolygon& g, const geo::Box& box);
/// y-up rings on the grid -> y-down MVT paths (closing point left out).
std::vector<TilePath> to_paths(const geo::MultiPolygon& mp, std::uint32_t extent);
} // namespace detail

} // namespace coldspot::tiles
