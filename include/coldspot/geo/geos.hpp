#pragma once
// Topology operations delegated to GEOS (robust overlay, validity repair, unary union, prepared
// geometries). Boost.Geometry is used for the cheap predicates; GEOS where robustness matters.
#include "coldspot/geo/geometry.hpp"

#include <memory>
#include <string>
#include <vector>

namespace coldspot::geo {

/// Why a polygon is invalid, or "" when it is valid (GEOS's reason text).
std::string invalid_reason(const MultiPolygon& g);
/// Repairs an invalid polygon with GEOS MakeValid, keeping only the polygonal part.
MultiPolygon make_valid(const MultiPolygon& g);
/// Snap-rounds every vertex to a grid of `grid_size` (GEOS setPrecision): the result is valid,
/// and parts that collapse below the grid disappear. Vector tiles use it with grid 1.
MultiPolygon snap_to_grid(const MultiPolygon& g, double grid_size);
/// Cascaded union of many polygons.
MultiPolygon union_all(const std::vector<MultiPolygon>& parts);
MultiPolygon intersection(const MultiPolygon& a, const MultiPolygon& b);
MultiPolygon difference(const MultiPolygon& a, const MultiPolygon& b);
/// A point guaranteed inside the polygon (GEOS PointOnSurface), for "which district is this area
/// in" where a centroid may fall outside a crescent-shaped area.
Point interior_point(const MultiPolygon& g);
/// Where a map label for the polygon goes: the centre of the largest circle inside its largest part
/// (the pole of inaccessibility, GEOS MaximumInscribedCircle, found to within `tolerance` metres), so
/// the name sits in the visual middle of a crescent or a county with a long coast.
Point label_point(const MultiPolygon& g, double tolerance);

/// A polygon prepared for many point-in-polygon tests. Each instance owns a GEOS context and is
/// not thread-safe; build one per thread or guard it.
class PreparedPolygon {
public:
    explicit PreparedPolygon(const MultiPolygon& g);
    ~PreparedPolygon();
    PreparedPolygon(PreparedPolygon&&) noexcept;
    PreparedPolygon& operator=(PreparedPolygon&&) noexcept;
    PreparedPolygon(const PreparedPolygon&) = delete;
    PreparedPolygon& operator=(const PreparedPolygon&) = delete;

    /// True when p is in the interior or on the boundary.
    bool covers(const Point& p) const;
    /// True when p is in the interior (not on the boundary).
    bool contains(const Point& p) const;
    /// Distance from p to the polygon (0 inside).
    double distance(const Point& p) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace coldspot::geo
