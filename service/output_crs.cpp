#include "coldspot/service/output_crs.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace coldspot::service {

namespace {
constexpr double kEarthRadius = 6378137.0;
constexpr double kMaxMercatorLatitude = 85.0511287798066;
} // namespace

std::optional<OutputCrs> parse_crs(std::string_view t) {
    if (t.size() >= 2 && t.front() == '[' && t.back() == ']') t = t.substr(1, t.size() - 2);
    if (t == kCrs84Uri || t == "CRS84" || t == "OGC:CRS84" || t == "http://www.opengis.net/def/crs/OGC/0/CRS84") return OutputCrs::Crs84;
    if (t == "http://www.opengis.net/def/crs/EPSG/0/27700" || t == "EPSG:27700") return OutputCrs::BritishNationalGrid;
    if (t == "http://www.opengis.net/def/crs/EPSG/0/3857" || t == "EPSG:3857") return OutputCrs::WebMercator;
    return std::nullopt;
}

std::string crs_uri(OutputCrs crs) {
    switch (crs) {
    case OutputCrs::Crs84: return kCrs84Uri;
    case OutputCrs::BritishNationalGrid: return "http://www.opengis.net/def/crs/EPSG/0/27700";
    case OutputCrs::WebMercator: return "http://www.opengis.net/def/crs/EPSG/0/3857";
    }
    return kCrs84Uri;
}

int crs_epsg(OutputCrs crs) {
    switch (crs) {
    case OutputCrs::Crs84: return 0;
    case OutputCrs::BritishNationalGrid: return 27700;
    case OutputCrs::WebMercator: return 3857;
    }
    return 0;
}

std::vector<std::string> supported_crs_uris() {
    return {crs_uri(OutputCrs::Crs84), crs_uri(OutputCrs::BritishNationalGrid), crs_uri(OutputCrs::WebMercator)};
}

int coordinate_decimals(OutputCrs crs) { return crs == OutputCrs::Crs84 ? 7 : 2; }

geo::Point crs84_to_web_mercator(const geo::Point& p) {
    const double lat = std::clamp(p.y(), -kMaxMercatorLatitude, kMaxMercatorLatitude);
    const double x = kEarthRadius * p.x() * std::numbers::pi / 180.0;
    const double y = kEarthRadius * std::log(std::tan(std::numbers::pi / 4.0 + lat * std::numbers::pi / 360.0));
    return {x, y};
}

geo::Point web_mercator_to_crs84(const geo::Point& p) {
    const double lon = p.x() / kEarthRadius * 180.0 / std::numbers::pi;
    const double lat = (2.0 * std::atan(std::exp(p.y() / kEarthRadius)) - std::numbers::pi / 2.0) * 180.0 / std::numbers::pi;
    return {lon, lat};
}

} // namespace coldspot::service
