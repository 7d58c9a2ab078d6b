#pragma once
// Point-in-polygon lookup over many polygons: a Boost.Geometry R-tree of envelopes, then an exact
// test. Large polygons are tested through GEOS prepared geometries (indexed edges), small ones with
// Boost.Geometry directly, which is cheaper than preparing a polygon that few points will hit.
#include "coldspot/geo/alias.hpp"
#include "coldspot/geo/geometry.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coldspot::geo::remits {

/// How a point was matched to a polygon.
enum class Placement : std::uint8_t {
    Interior, ///< strictly inside
    Boundary, ///< on the boundary of the polygon(s) and inside none: resolved by the lowest key
    Snapped,  ///< outside every polygon, matched to the nearest one within the snap distance
};
std::string_view to_string(Placement p) noexcept;

struct PolygonHit {
    std::size_t polygon = 0; ///< index into the polygons given to the index
    Placement placement = Placement::Interior;
    double distance_m = 0; ///< 0 unless snapped
};

class PolygonIndex {
public:
    /// `keys[i]` names polygon i and orders ties (lowest key wins); empty keys order by index.
    /// Polygons with more than `prepare_threshold` vertices are prepared with GEOS.
    explicit PolygonIndex(std::vector<MultiPolygon> polygons, std::vector<std::string> keys = {},
                          std::size_t prepare_threshold = 256);
    ~PolygonIndex();
    PolygonIndex(PolygonIndex&&) noexcept;
    PolygonIndex& operator=(PolygonIndex&&) noexcept;
    PolygonIndex(const PolygonIndex&) = delete;
    PolygonIndex& operator=(const PolygonIndex&) = delete;

    std::size_t size() const noexcept;
    std::size_t prepared_count() const noexcept;

    /// For layers whose polygons may overlap (hub footprints of one type): every polygon whose
    /// interior contains p, in key order. When none does but p lies on boundaries, the single
    /// polygon with the lowest key; when p is outside all, every polygon at the minimum distance
    /// (within 1 mm) if that is within `snap_distance`, in key order; else nothing.
    std::vector<PolygonHit> locate_all(const Point& p, Metres snap_distance) const;

    /// For layers that partition space (LSOAs, districts): exactly one polygon or none. Overlapping
    /// polygons (bad data) and equidistant snaps resolve to the lowest key.
    std::optional<PolygonHit> locate(const Point& p, Metres snap_distance) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace coldspot::geo::remits
