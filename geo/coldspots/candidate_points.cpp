#include "coldspot/geo/coldspots/candidate_points.hpp"

#include "coldspot/geo/crs.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/import/csv_reader.hpp"

#include <charconv>
#include <cmath>
#include <optional>
#include <string>

namespace coldspot::geo::coldspots {
namespace {

/// The same bounds the service applies to a point in a request (service/what_if_routes.cpp).
bool in_great_britain_lonlat(const Point& p) { return p.x() >= -9 && p.x() <= 3 && p.y() >= 49 && p.y() <= 61; }
bool in_great_britain_grid(const Point& p) { return p.x() >= -100000 && p.x() <= 800000 && p.y() >= -100000 && p.y() <= 1400000; }

double number(const import::CsvRecord& r, std::size_t column, const std::string& field, const std::string& file) {
    static const std::string none;
    const std::string& text = column < r.fields.size() ? r.fields[column] : none;
    double v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
        throw FormatError({file, r.line, field}, "'" + text + "' is not a number");
    return v;
}

} // namespace

std::vector<Point> read_candidate_points(const std::filesystem::path& csv) {
    import::CsvReader reader(csv);
    const std::string file = csv.string();
    const auto lon = reader.column("lon"), lat = reader.column("lat");
    const auto east = reader.column("easting"), north = reader.column("northing");
    const bool degrees = lon && lat;
    if (!degrees && !(east && north))
        throw MissingColumnError({file, 1, "lon,lat"}, "a candidate list needs the columns lon and lat (WGS 84) or easting and northing (EPSG:27700)");
    std::optional<CrsTransform> to_bng;
    if (degrees) to_bng.emplace("OGC:CRS84", "EPSG:27700");
    std::vector<Point> out;
    import::CsvRecord r;
    while (reader.next(r)) {
        if (degrees) {
            const Point p{number(r, *lon, "lon", file), number(r, *lat, "lat", file)};
            if (!in_great_britain_lonlat(p)) throw FormatError({file, r.line, "lon,lat"}, "the site lies outside Great Britain");
            out.push_back((*to_bng)(p));
        } else {
            const Point p{number(r, *east, "easting", file), number(r, *north, "northing", file)};
            if (!in_great_britain_grid(p)) throw FormatError({file, r.line, "easting,northing"}, "the site lies outside Great Britain's grid");
            out.push_back(p);
        }
    }
    if (out.empty()) throw EmptyInputError({file, 0, ""}, "the candidate list has no site");
    return out;
}

} // namespace coldspot::geo::coldspots
