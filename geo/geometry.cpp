#include "coldspot/geo/geometry.hpp"

#include <limits>

namespace coldspot::geo {

std::string_view to_string(GeometryType type) noexcept {
    switch (type) {
    case GeometryType::None: return "None";
    case GeometryType::Point: return "Point";
    case GeometryType::MultiLineString: return "MultiLineString";
    case GeometryType::MultiPolygon: return "MultiPolygon";
    }
    return "None";
}

GeometryType geometry_type_of(const Geometry& g) noexcept {
    switch (g.index()) {
    case 1: return GeometryType::Point;
    case 2: return GeometryType::MultiLineString;
    case 3: return GeometryType::MultiPolygon;
    default: return GeometryType::None;
    }
}

Box empty_box() {
    constexpr double inf = std::numeric_limits<double>::infinity();
    return Box{Point{inf, inf}, Point{-inf, -inf}};
}

bool is_empty(const Box& b) { return b.min_corner().x() > b.max_corner().x(); }

Box envelope(const Geometry& g) {
    Box box = empty_box();
    std::visit(
        [&](const auto& geom) {
            using T = std::decay_t<decltype(geom)>;
            if constexpr (std::is_same_v<T, Point>) {
                box = Box{geom, geom};
            } else if constexpr (!std::is_same_v<T, std::monostate>) {
                // for_each_point rather than bg::envelope: GCC 12 warns inside Boost's envelope.
                bg::for_each_point(geom, [&](const Point& p) { bg::expand(box, p); });
            }
        },
        g);
    return box;
}

} // namespace coldspot::geo
