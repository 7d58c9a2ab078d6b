#pragma once
// Well-known binary (ISO, little-endian, 2D) for Coldspot geometries: the bridge to GDAL, GEOS and
// PostGIS. Reading accepts both byte orders, Polygon/MultiPolygon, LineString/MultiLineString and
// Point, and drops Z/M.
#include "coldspot/geo/geometry.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace coldspot::geo {

std::vector<std::uint8_t> to_wkb(const Geometry& g);
/// Throws GeometryError on malformed input.
Geometry from_wkb(std::span<const std::uint8_t> wkb);

} // namespace coldspot::geo
