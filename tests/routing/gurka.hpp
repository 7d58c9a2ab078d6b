#pragma once
// Gurka-style helpers (after Valhalla's gurka): hand-drawn road networks for exact-answer tests.
// `ascii_nodes` turns a map drawn in text into named points, one character cell = `cell_m` metres:
//
//     A--b--C        every letter is a point at (column x cell_m, -row x cell_m);
//     |     |        other characters are only drawing.
//     D-----E
//
// and `add` draws a road line through them, so the test names its geometry in letters.
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/routing/road_source.hpp"
#include "coldspot/geo/routing/speed_profile.hpp"

#include <cctype>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace coldspot::test::gurka {

using namespace coldspot::geo;

/// Two classes: fast 36 km/h (10 m/s), slow 18 km/h (5 m/s); straight-line fallback 36 km/h x 1.5.
inline routing::SpeedProfile test_profile() {
    routing::SpeedProfile p;
    p.class_kph = {{"fast", 36.0}, {"slow", 18.0}};
    p.maxspeed_factor = 1.0;
    p.circuity_factor = 1.5;
    p.fallback_kph = 36.0;
    return p;
}

/// One road line through `pts` (oneway: 0 both ways, 1 as drawn, -1 against the drawing).
inline void add(FeatureTable& t, std::vector<Point> pts, std::string cls, int oneway, Value maxspeed = {}, Value length = {}) {
    Feature f;
    f.fid = static_cast<std::int64_t>(t.features.size()) + 1;
    LineString ls(pts.begin(), pts.end());
    f.geometry = MultiLineString{ls};
    f.values = {std::move(cls), std::int64_t{oneway}, std::move(maxspeed), std::move(length)};
    t.features.push_back(std::move(f));
}

/// A point layer `name` with the given fids, points, fields and values.
inline FeatureTable points(const std::string& name, std::vector<std::pair<std::int64_t, Point>> pts,
                           std::vector<Field> fields = {}, std::vector<std::vector<Value>> values = {}) {
    FeatureTable t;
    t.name = name;
    t.geometry_type = GeometryType::Point;
    t.fields = std::move(fields);
    for (std::size_t i = 0; i < pts.size(); ++i) {
        Feature f;
        f.fid = pts[i].first;
        f.geometry = pts[i].second;
        if (i < values.size()) f.values = values[i];
        t.features.push_back(std::move(f));
    }
    return t;
}

/// The letters of an ASCII map and where they are.
inline std::map<char, Point> ascii_nodes(const std::string& map, double cell_m) {
    std::map<char, Point> out;
    std::istringstream in(map);
    std::string line;
    for (int row = 0; std::getline(in, line); ++row)
        for (std::size_t col = 0; col < line.size(); ++col)
            if (std::isalpha(static_cast<unsigned char>(line[col])))
                out[line[col]] = Point(static_cast<double>(col) * cell_m, -static_cast<double>(row) * cell_m);
    return out;
}

/// A road through the named letters, in order ("AbcD").
inline void add_way(FeatureTable& t, const std::map<char, Point>& nodes, const std::string& letters, std::string cls,
                    int oneway) {
    std::vector<Point> pts;
    for (char c : letters) pts.push_back(nodes.at(c));
    add(t, std::move(pts), std::move(cls), oneway);
}

} // namespace coldspot::test::gurka
