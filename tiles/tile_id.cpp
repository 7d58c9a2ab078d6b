#include "coldspot/tiles/tile_id.hpp"

#include <algorithm>
#include <cmath>

namespace coldspot::tiles {

std::string TileId::to_string() const {
    return std::to_string(z) + "/" + std::to_string(x) + "/" + std::to_string(y);
}

bool is_valid(const TileId& t) noexcept {
    if (t.z > static_cast<std::uint32_t>(kMaxZoom)) return false;
    const std::uint64_t n = std::uint64_t{1} << t.z;
    return t.x < n && t.y < n;
}

geo::Box bounds_3857(const TileId& t) {
    const double n = std::ldexp(1.0, static_cast<int>(t.z));
    const double size = 2 * kWebMercatorHalfWorld / n;
    const double minx = -kWebMercatorHalfWorld + t.x * size;
    const double maxy = kWebMercatorHalfWorld - t.y * size;
    return geo::Box{geo::Point{minx, maxy - size}, geo::Point{minx + size, maxy}};
}

TileId tile_containing(const geo::Point& p, std::uint32_t z) {
    const double n = std::ldexp(1.0, static_cast<int>(z));
    const double fx = (p.x() + kWebMercatorHalfWorld) / (2 * kWebMercatorHalfWorld) * n;
    const double fy = (kWebMercatorHalfWorld - p.y()) / (2 * kWebMercatorHalfWorld) * n;
    const auto clamp = [&](double f) {
        return static_cast<std::uint32_t>(std::clamp(std::floor(f), 0.0, n - 1));
    };
    return TileId{z, clamp(fx), clamp(fy)};
}

} // namespace coldspot::tiles
