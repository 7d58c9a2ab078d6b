#pragma once
// A hand-drawn road network for scenario and venue-suggestion tests (gurka style), every road
// "primary" with maxspeed 45 km/h, driven at 0.8 x 45 = 36 km/h = 10 m/s by the default profile:
//
//   F (1000,3000) ---- E (4000,3000) ---------- D (8000,3000)
//     venue North        school 3                school 4    |
//                                                            |  3 km
//   A (0,0) ---------- B (4000,0) ---- 5 ---- C (8000,0) ----+
//     venue West         school 1   (6000,0)    school 2
//
// Edge times: A-B 400 s, B-C 400 s (B-5 and 5-C 200 s each), C-D 300 s, D-E 400 s, E-F 300 s.
// The road is a U: E is 3 km from B as the crow flies but 1100 s away by road, so straight-line
// estimates and road times disagree.
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/routing/road_source.hpp"
#include "coldspot/geo/workspace.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace coldspot::test::coldspots {

using namespace coldspot::geo;

inline const Point kA{0, 0}, kB{4000, 0}, kC{8000, 0}, kD{8000, 3000}, kE{4000, 3000}, kF{1000, 3000}, kMid{6000, 0};

inline FeatureTable u_roads() {
    FeatureTable roads = routing::make_roads_table();
    for (const auto& [p, q] : std::vector<std::pair<Point, Point>>{{kA, kB}, {kB, kC}, {kC, kD}, {kD, kE}, {kE, kF}}) {
        Feature f;
        f.fid = static_cast<std::int64_t>(roads.features.size()) + 1;
        f.geometry = MultiLineString{LineString{p, q}};
        f.values = {std::string("primary"), std::int64_t{0}, 45.0, Value()};
        roads.features.push_back(std::move(f));
    }
    return roads;
}

/// Schools 1..5 at B, C, E, D and (6000,0), as `urn` order: 1 B, 2 C, 3 E, 4 D, 5 mid.
inline FeatureTable u_schools() {
    FeatureTable t{"schools", "", GeometryType::Point, 27700, {}, {}};
    t.fields = {{"urn", FieldType::Integer}, {"name", FieldType::String}};
    const std::vector<Point> at{kB, kC, kE, kD, kMid};
    for (std::size_t i = 0; i < at.size(); ++i) {
        const auto urn = static_cast<std::int64_t>(i + 1);
        t.features.push_back({urn, at[i], {urn, "School " + std::to_string(urn)}});
    }
    return t;
}

inline FeatureTable u_venues() {
    FeatureTable t{"hub_venues", "", GeometryType::Point, 27700, {}, {}};
    t.fields = {{"hub_id", FieldType::String}, {"hub_type", FieldType::String}, {"name", FieldType::String}};
    t.features.push_back({1, kA, {std::string("H1"), std::string("maths hub"), std::string("West")}});
    t.features.push_back({2, kF, {std::string("H2"), std::string("maths hub"), std::string("North")}});
    return t;
}

inline void write_u_workspace(const std::filesystem::path& path, bool with_roads = true) {
    WorkspaceWriter w(path);
    if (with_roads) w.write(u_roads());
    w.write(u_schools());
    w.write(u_venues());
    w.commit();
}

} // namespace coldspot::test::coldspots
