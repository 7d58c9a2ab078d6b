#pragma once
// Coordinate transformation through PROJ. Axis order is always x/y = easting/northing or
// longitude/latitude (PROJ's "normalized for visualisation" order), whatever the CRS says.
#include "coldspot/geo/alias.hpp"
#include "coldspot/geo/geometry.hpp"

#include <memory>
#include <string>

namespace coldspot::geo {

inline constexpr Epsg kBritishNationalGrid{27700};
inline constexpr Epsg kWgs84{4326};
inline constexpr Epsg kWebMercator{3857};

/// "EPSG:27700" for 27700.
std::string epsg_code(Epsg epsg);
/// The same for a code read from storage (FeatureTable::epsg, a GeoPackage srs_id), still a plain int.
inline std::string epsg_code(int srs_id) { return epsg_code(Epsg(srs_id)); }

/// A PROJ transformation between two CRSs. Owns its own PROJ context, so one instance per thread
/// is safe; sharing one instance between threads is not.
class CrsTransform {
public:
    /// `from` and `to` are anything PROJ accepts ("EPSG:27700", "OGC:CRS84", a WKT string).
    /// Throws CrsError for an unknown CRS or when no transformation exists.
    CrsTransform(const std::string& from, const std::string& to);
    CrsTransform(Epsg from, Epsg to);
    ~CrsTransform();
    CrsTransform(CrsTransform&&) noexcept;
    CrsTransform& operator=(CrsTransform&&) noexcept;
    CrsTransform(const CrsTransform&) = delete;
    CrsTransform& operator=(const CrsTransform&) = delete;

    /// Throws CrsError when the point cannot be transformed.
    Point operator()(const Point& p) const;
    /// Transforms every coordinate of a geometry in place.
    void apply(Geometry& g) const;
    void apply(MultiPolygon& g) const;
    void apply(MultiLineString& g) const;
    /// Transforms the box by densifying its edges, so the result contains the whole image.
    Box apply(const Box& b) const;

private:
    template <typename Range>
    void transform_range(Range& pts) const;
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Throws CrsError when PROJ does not know `definition`.
void validate_crs(const std::string& definition);

} // namespace coldspot::geo
