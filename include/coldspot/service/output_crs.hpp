#pragma once
// The coordinate reference systems the service answers in (OGC API Features Part 2): CRS84 by
// default, British National Grid, and Web Mercator.
#include "coldspot/geo/geometry.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coldspot::service {

enum class OutputCrs { Crs84, BritishNationalGrid, WebMercator };

inline constexpr const char* kCrs84Uri = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

/// Accepts the OGC URI, `EPSG:n`, the safe CURIE `[EPSG:n]`, and `CRS84`/`OGC:CRS84`.
std::optional<OutputCrs> parse_crs(std::string_view text);
std::string crs_uri(OutputCrs crs);
int crs_epsg(OutputCrs crs); ///< 0 for CRS84
/// URIs of every supported CRS, CRS84 first (the `crs` list of each collection).
std::vector<std::string> supported_crs_uris();
/// Decimal places that keep about a centimetre: 7 for degrees, 2 for metres.
int coordinate_decimals(OutputCrs crs);

/// Spherical Web Mercator from lon/lat (exact formula of EPSG:3857; latitude clamped to +-85.0511).
geo::Point crs84_to_web_mercator(const geo::Point& lonlat);
geo::Point web_mercator_to_crs84(const geo::Point& xy);

} // namespace coldspot::service
