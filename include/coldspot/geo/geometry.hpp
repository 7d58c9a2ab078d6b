#pragma once
// Geometry types used throughout Coldspot: Boost.Geometry models in a projected or geographic CRS.
// Polygons are clockwise-outer and closed (Boost's default); GEOS and GDAL are reached through WKB.
#include <boost/geometry.hpp>
#include <boost/geometry/geometries/box.hpp>
#include <boost/geometry/geometries/linestring.hpp>
#include <boost/geometry/geometries/multi_linestring.hpp>
#include <boost/geometry/geometries/multi_polygon.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/geometries/polygon.hpp>

#include <cstdint>
#include <string_view>
#include <variant>

namespace coldspot::geo {

namespace bg = boost::geometry;

using Point = bg::model::d2::point_xy<double>;
using LineString = bg::model::linestring<Point>;
using MultiLineString = bg::model::multi_linestring<LineString>;
using Ring = bg::model::ring<Point>;
using Polygon = bg::model::polygon<Point>;
using MultiPolygon = bg::model::multi_polygon<Polygon>;
using Box = bg::model::box<Point>;

/// The geometry of one feature. Polygons are always held as MultiPolygon so that a layer has one
/// polygonal type; lines likewise as MultiLineString.
using Geometry = std::variant<std::monostate, Point, MultiLineString, MultiPolygon>;

enum class GeometryType : std::uint8_t { None, Point, MultiLineString, MultiPolygon };

std::string_view to_string(GeometryType type) noexcept;
GeometryType geometry_type_of(const Geometry& g) noexcept;

/// Bounding box of a geometry; an empty geometry gives an inverse (empty) box.
Box envelope(const Geometry& g);
/// An inverse box, the identity for expand().
Box empty_box();
bool is_empty(const Box& b);

} // namespace coldspot::geo
