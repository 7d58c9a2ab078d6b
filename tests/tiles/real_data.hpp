#pragma once
// Reads the shared real data straight from GeoJSON with nlohmann::json (no GDAL, no workspace),
// so the tiles tests do not depend on the importer.
#include "tiles_test_support.hpp"

#include "coldspot/tiles/gzip.hpp"

#include <fstream>
#include <sstream>

namespace coldspot::tiles::test {

inline json read_json_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    if (p.extension() == ".gz") text = gzip_decompress(text);
    return json::parse(text);
}

/// East of England open schools, EPSG:4326, fid = URN.
inline geo::FeatureTable east_of_england_schools() {
    const json fc = read_json_file(coldspot::test::shared_data() / "schools/schools_open_east_of_england.geojson");
    geo::FeatureTable t;
    t.name = "schools";
    t.geometry_type = geo::GeometryType::Point;
    t.epsg = 4326;
    t.fields = {{"urn", geo::FieldType::Integer}, {"name", geo::FieldType::String}, {"phase", geo::FieldType::String},
                {"postcode", geo::FieldType::String}};
    for (const auto& f : fc["features"]) {
        const auto& p = f["properties"];
        const auto urn = std::stoll(p["urn"].get<std::string>());
        const auto& c = f["geometry"]["coordinates"];
        const auto text = [&](const char* k) { return p[k].is_string() ? geo::Value{p[k].get<std::string>()} : geo::Value{}; };
        t.features.push_back({urn, geo::Point{c[0].get<double>(), c[1].get<double>()},
                              {std::int64_t{urn}, text("name"), text("phase_of_education"), text("postcode")}});
    }
    return t;
}

/// A polygon layer (EPSG:4326) from a GeoJSON FeatureCollection: `columns` maps a source property
/// to a string field; fids count from 1 in file order.
inline geo::FeatureTable polygons_from_geojson(const std::filesystem::path& file, std::string layer,
                                               const std::vector<std::pair<std::string, std::string>>& columns) {
    const json fc = read_json_file(file);
    geo::FeatureTable t;
    t.name = std::move(layer);
    t.geometry_type = geo::GeometryType::MultiPolygon;
    t.epsg = 4326;
    for (const auto& [from, to] : columns) t.fields.push_back({to, geo::FieldType::String});
    std::int64_t fid = 0;
    for (const auto& f : fc["features"]) {
        const auto& g = f["geometry"];
        geo::MultiPolygon mp;
        const auto add_polygon = [&](const json& rings) {
            geo::Polygon poly;
            for (std::size_t r = 0; r < rings.size(); ++r) {
                geo::Ring ring;
                for (const auto& c : rings[r]) ring.emplace_back(c[0].get<double>(), c[1].get<double>());
                if (r == 0) poly.outer() = ring;
                else poly.inners().push_back(ring);
            }
            mp.push_back(poly);
        };
        if (g["type"] == "Polygon") add_polygon(g["coordinates"]);
        else
            for (const auto& rings : g["coordinates"]) add_polygon(rings);
        boost::geometry::correct(mp);
        std::vector<geo::Value> values;
        for (const auto& [from, to] : columns) values.emplace_back(f["properties"][from].get<std::string>());
        t.features.push_back({++fid, mp, std::move(values)});
    }
    return t;
}

/// LSOA 2021 polygons as the `areas` layer (code, name, lad_code).
inline geo::FeatureTable lsoa_areas(const std::filesystem::path& file) {
    return polygons_from_geojson(file, "areas", {{"lsoa21_code", "code"}, {"lsoa21_name", "name"}, {"ltla24_code", "lad_code"}});
}

/// Spherical Mercator written out here (not through PROJ), for independent expectations.
inline geo::Point lonlat_to_3857(double lon, double lat) {
    constexpr double R = 6378137.0;
    const double pi = std::acos(-1.0);
    return {R * lon * pi / 180, R * std::log(std::tan(pi / 4 + lat * pi / 360))};
}

} // namespace coldspot::tiles::test
