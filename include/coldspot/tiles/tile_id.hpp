#pragma once
// Slippy-map tile addresses (z/x/y, XYZ scheme: y = 0 at the north edge) and Web Mercator bounds.
#include "coldspot/geo/geometry.hpp"

#include <cstdint>
#include <string>

namespace coldspot::tiles {

inline constexpr int kMaxZoom = 22;
/// Half the Web Mercator world width in metres (EPSG:3857).
inline constexpr double kWebMercatorHalfWorld = 20037508.342789244;

struct TileId {
    std::uint32_t z = 0;
    std::uint32_t x = 0;
    std::uint32_t y = 0;
    friend bool operator==(const TileId&, const TileId&) = default;
    std::string to_string() const;
};

/// True when 0 <= z <= kMaxZoom and x, y < 2^z.
bool is_valid(const TileId& t) noexcept;
/// The tile's bounds in EPSG:3857 metres.
geo::Box bounds_3857(const TileId& t);
/// The tile at zoom z containing a Web Mercator point (clamped to the world).
TileId tile_containing(const geo::Point& p3857, std::uint32_t z);

struct TileIdHash {
    std::size_t operator()(const TileId& t) const noexcept {
        return (static_cast<std::size_t>(t.z) << 58) ^ (static_cast<std::size_t>(t.x) << 29) ^ t.y;
    }
};

} // namespace coldspot::tiles
