#pragma once
// Tiny hand-written inputs for importer tests: a 3x1 row of 10 km square districts in British
// National Grid, schools inside them, and a manifest tying them together.
#include "test_support.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

namespace coldspot::test {

inline void write_file(const std::filesystem::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

/// GeoJSON square in EPSG:27700 (declared with the legacy "crs" member GDAL understands).
inline std::string square_feature(const std::string& code, const std::string& name, double x0, double y0, double size) {
    const auto c = [](double v) { return std::to_string(v); };
    return R"({"type":"Feature","properties":{"code":")" + code + R"(","name":")" + name +
           R"("},"geometry":{"type":"Polygon","coordinates":[[[)" + c(x0) + "," + c(y0) + "],[" + c(x0 + size) + "," + c(y0) +
           "],[" + c(x0 + size) + "," + c(y0 + size) + "],[" + c(x0) + "," + c(y0 + size) + "],[" + c(x0) + "," + c(y0) + "]]]}}";
}

inline std::string feature_collection_27700(const std::vector<std::string>& features) {
    std::string s = R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[)";
    for (std::size_t i = 0; i < features.size(); ++i) s += (i ? "," : "") + features[i];
    return s + "]}";
}

/// Districts D1, D2, D3: 10 km squares side by side from (500000, 200000).
inline void write_districts(const std::filesystem::path& p) {
    write_file(p, feature_collection_27700({square_feature("D1", "One", 500000, 200000, 10000),
                                            square_feature("D2", "Two", 510000, 200000, 10000),
                                            square_feature("D3", "Three", 520000, 200000, 10000)}));
}

inline const char* kSchoolsHeader = "urn,name,phase,status,easting,northing\n";

/// A manifest with schools and districts; callers add or change entries.
inline nlohmann::json base_manifest(const std::filesystem::path& dir) {
    return nlohmann::json{
        {"name", "fixture"},
        {"base_dir", dir.string()},
        {"schools",
         {{"path", "schools.csv"},
          {"columns", {{"urn", "urn"}, {"name", "name"}, {"phase", "phase"}, {"status", "status"}}},
          {"coordinates", nlohmann::json::array({{{"x", "easting"}, {"y", "northing"}, {"crs", "EPSG:27700"}}})}}},
        {"local_authorities", {{"path", "districts.geojson"}, {"code", "code"}, {"name", "name"}}}};
}

inline std::filesystem::path write_manifest(const std::filesystem::path& dir, const nlohmann::json& m) {
    const auto p = dir / "manifest.json";
    write_file(p, m.dump(2));
    return p;
}

} // namespace coldspot::test
