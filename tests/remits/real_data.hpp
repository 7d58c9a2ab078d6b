#pragma once
// Loading the real data in ../shared/data for the remit tests: boundaries through ogr2ogr into a
// GeoPackage in EPSG:27700 (read back with geo::Workspace), CSVs with a small RFC 4180 parser.
// Expected answers are derived here from the CSVs, never from Coldspot's output.
#include "test_support.hpp"

#include "coldspot/geo/remits/inputs.hpp"
#include "coldspot/geo/workspace.hpp"

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace coldspot::test::remits {

using CsvRow = std::map<std::string, std::string>;

/// Parses a CSV file with a header row (quoted fields, doubled quotes, commas inside quotes).
inline std::vector<CsvRow> read_csv(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path.string());
    std::stringstream buf;
    buf << in.rdbuf();
    const std::string text = buf.str();
    std::vector<std::vector<std::string>> rows(1);
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += '"', ++i;
            else if (c == '"') quoted = false;
            else field += c;
        } else if (c == '"') quoted = true;
        else if (c == ',') rows.back().push_back(std::move(field)), field.clear();
        else if (c == '\n') {
            rows.back().push_back(std::move(field));
            field.clear();
            rows.emplace_back();
        } else if (c != '\r') field += c;
    }
    if (!field.empty() || !rows.back().empty()) rows.back().push_back(std::move(field));
    if (rows.back().empty()) rows.pop_back();
    std::vector<CsvRow> out;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        CsvRow row;
        for (std::size_t c = 0; c < rows[0].size() && c < rows[r].size(); ++c) row[rows[0][c]] = rows[r][c];
        out.push_back(std::move(row));
    }
    return out;
}

/// Converts a GeoJSON (optionally /vsigzip/) to one GeoPackage layer in EPSG:27700 with `sql`.
inline geo::FeatureTable load_with_ogr(const TempDir& tmp, const std::string& source, const std::string& layer,
                                       const std::string& sql) {
    const auto gpkg = tmp / (layer + ".gpkg");
    const auto r = run_command("ogr2ogr -f GPKG -t_srs EPSG:27700 -nln " + layer + " -nlt PROMOTE_TO_MULTI " +
                               quote(gpkg.string()) + " " + quote(source) + " -dialect SQLite -sql " + quote(sql));
    if (r.exit_code != 0) throw std::runtime_error("ogr2ogr failed: " + r.output);
    geo::FeatureTable t = geo::Workspace(gpkg).read(layer);
    t.name = layer;
    return t;
}

inline std::vector<geo::remits::Area> england_districts(const TempDir& tmp) {
    const auto t = load_with_ogr(tmp, (shared_data() / "boundaries/lad24_buc/lad24_england_buc.geojson").string(),
                                 "local_authorities",
                                 "SELECT ltla24_code AS code, ltla24_name AS name, region24_name AS region, geometry "
                                 "FROM lad24_england_buc");
    return geo::remits::read_areas(t, "lad24_england_buc");
}

} // namespace coldspot::test::remits
