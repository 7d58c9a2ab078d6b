#pragma once
// Envelope of a multipolygon. for_each_point rather than bg::envelope: GCC 12 warns
// (maybe-uninitialized) inside Boost's envelope, and the build uses -Werror.
#include "coldspot/geo/geometry.hpp"

namespace coldspot::geo::remits::detail {

inline Box bounds(const MultiPolygon& g) {
    Box box = empty_box();
    bg::for_each_point(g, [&](const Point& p) { bg::expand(box, p); });
    return box;
}

} // namespace coldspot::geo::remits::detail
