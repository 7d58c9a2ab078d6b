#include "coldspot/geo/stats/detail/hex_grid.hpp"

#include "coldspot/geo/error.hpp"

#include <cmath>
#include <numbers>
#include <string>

namespace coldspot::geo::stats {

namespace {
constexpr double kSqrt3 = std::numbers::sqrt3;
}

HexGrid::HexGrid(double side, Point origin) : side_(side), origin_(origin) {
    if (!(side > 0) || !std::isfinite(side))
        throw InvalidArgumentError("hexagon side must be a positive number of metres, got " + std::to_string(side));
}

HexGrid HexGrid::with_cell_area(double area, Point origin) {
    if (!(area > 0) || !std::isfinite(area))
        throw InvalidArgumentError("hexagon area must be positive, got " + std::to_string(area));
    return HexGrid(std::sqrt(2.0 * area / (3.0 * kSqrt3)), origin);
}

double HexGrid::cell_area() const noexcept { return 1.5 * kSqrt3 * side_ * side_; }

HexCell HexGrid::cell_of(const Point& p) const noexcept {
    const double x = (p.x() - origin_.x()) / side_;
    const double y = (p.y() - origin_.y()) / side_;
    // Fractional axial coordinates, then cube rounding: round all three cube coordinates and fix
    // the one that moved most, so q + r + s = 0 holds.
    const double fq = kSqrt3 / 3.0 * x - y / 3.0;
    const double fr = 2.0 / 3.0 * y;
    const double fs = -fq - fr;
    double q = std::round(fq), r = std::round(fr), s = std::round(fs);
    const double dq = std::fabs(q - fq), dr = std::fabs(r - fr), ds = std::fabs(s - fs);
    if (dq > dr && dq > ds)
        q = -r - s;
    else if (dr > ds)
        r = -q - s;
    return HexCell{static_cast<std::int32_t>(q), static_cast<std::int32_t>(r)};
}

Point HexGrid::centre(HexCell c) const noexcept {
    return Point{origin_.x() + side_ * kSqrt3 * (c.q + c.r / 2.0), origin_.y() + side_ * 1.5 * c.r};
}

Polygon HexGrid::polygon(HexCell c) const {
    const Point o = centre(c);
    const double h = side_ * kSqrt3 / 2.0; // half the width across flats
    // Pointy top; clockwise from the top vertex.
    Polygon poly;
    auto& ring = poly.outer();
    ring.reserve(7);
    ring.emplace_back(o.x(), o.y() + side_);
    ring.emplace_back(o.x() + h, o.y() + side_ / 2);
    ring.emplace_back(o.x() + h, o.y() - side_ / 2);
    ring.emplace_back(o.x(), o.y() - side_);
    ring.emplace_back(o.x() - h, o.y() - side_ / 2);
    ring.emplace_back(o.x() - h, o.y() + side_ / 2);
    ring.push_back(ring.front());
    return poly;
}

std::vector<HexCell> HexGrid::covering(const Box& box) const {
    std::vector<HexCell> out;
    if (is_empty(box)) return out;
    const double row = 1.5 * side_;
    const double width = kSqrt3 * side_;
    const auto r0 = static_cast<std::int32_t>(std::floor((box.min_corner().y() - origin_.y() - side_) / row));
    const auto r1 = static_cast<std::int32_t>(std::ceil((box.max_corner().y() - origin_.y() + side_) / row));
    for (std::int32_t r = r0; r <= r1; ++r) {
        const double shift = r / 2.0;
        const auto q0 = static_cast<std::int32_t>(std::floor((box.min_corner().x() - origin_.x()) / width - shift)) - 1;
        const auto q1 = static_cast<std::int32_t>(std::ceil((box.max_corner().x() - origin_.x()) / width - shift)) + 1;
        for (std::int32_t q = q0; q <= q1; ++q) {
            const HexCell c{q, r};
            if (bg::intersects(polygon(c), box)) out.push_back(c);
        }
    }
    return out;
}

std::int64_t HexGrid::id(HexCell c) noexcept {
    return static_cast<std::int64_t>((static_cast<std::uint64_t>(static_cast<std::uint32_t>(c.q)) << 32) |
                                     static_cast<std::uint32_t>(c.r));
}

HexCell HexGrid::from_id(std::int64_t id) noexcept {
    const auto u = static_cast<std::uint64_t>(id);
    return HexCell{static_cast<std::int32_t>(static_cast<std::uint32_t>(u >> 32)),
                   static_cast<std::int32_t>(static_cast<std::uint32_t>(u & 0xffffffffu))};
}

} // namespace coldspot::geo::stats
