#pragma once
// A regular hexagonal grid in a projected CRS (EPSG:27700 here), for aggregating point results to
// equal-area cells without an H3 dependency. Pointy-top hexagons addressed by axial coordinates
// (q, r) (see Red Blob Games, "Hexagonal Grids"): centre x = side * sqrt(3) * (q + r / 2),
// y = side * 3/2 * r, relative to the grid origin.
#include "coldspot/geo/geometry.hpp"

#include <cstdint>
#include <vector>

namespace coldspot::geo::stats {

struct HexCell {
    std::int32_t q = 0;
    std::int32_t r = 0;
    bool operator==(const HexCell&) const = default;
    auto operator<=>(const HexCell&) const = default;
};

class HexGrid {
public:
    /// `side` is the edge length (equal to the circumradius), in CRS units. Throws
    /// InvalidArgumentError unless it is positive and finite.
    explicit HexGrid(double side, Point origin = Point{0, 0});
    /// The grid whose cells have the given area: side = sqrt(2 area / (3 sqrt 3)).
    static HexGrid with_cell_area(double area, Point origin = Point{0, 0});

    double side() const noexcept { return side_; }
    /// 3 sqrt(3) / 2 * side^2.
    double cell_area() const noexcept;
    /// The cell containing p; points on a shared edge go to one of the two cells consistently.
    HexCell cell_of(const Point& p) const noexcept;
    Point centre(HexCell c) const noexcept;
    /// The hexagon as a closed clockwise ring (Boost.Geometry's default orientation).
    Polygon polygon(HexCell c) const;
    /// Every cell whose hexagon intersects the box, row by row.
    std::vector<HexCell> covering(const Box& box) const;
    /// A stable 64-bit id for storing a cell as a feature id: (q << 32) | (r as unsigned 32 bits).
    static std::int64_t id(HexCell c) noexcept;
    static HexCell from_id(std::int64_t id) noexcept;

private:
    double side_;
    Point origin_;
};

} // namespace coldspot::geo::stats
