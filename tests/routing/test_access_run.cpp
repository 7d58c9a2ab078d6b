// The whole run on a workspace file: graph cache beside the workspace, result layers written
// into a new version, and the `coldspot access` verb's output and errors.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/routing/access_run.hpp"
#include "coldspot/geo/routing/graph_cache.hpp"
#include "coldspot/geo/workspace.hpp"
#include "test_support.hpp"

#include <fstream>

using namespace coldspot;
using namespace coldspot::geo;
using namespace coldspot::geo::routing;

namespace {

// A 3 km street west-east with a side street; both "fast" (10 m/s). Venue at the east end.
//   S1 (500,20) ---- J (1000,0) ---- V (3000,0)
//                    |
//                    S2 (1000,-990) at the end of a 1000 m side street
void write_workspace(const std::filesystem::path& path) {
    FeatureTable roads = make_roads_table();
    auto road = [&](std::vector<Point> pts) {
        Feature f;
        f.fid = static_cast<std::int64_t>(roads.features.size()) + 1;
        f.geometry = MultiLineString{LineString(pts.begin(), pts.end())};
        f.values = {std::string("fast"), std::int64_t{0}, Value{}, Value{}};
        roads.features.push_back(std::move(f));
    };
    road({Point(0, 0), Point(1000, 0)});
    road({Point(1000, 0), Point(3000, 0)});
    road({Point(1000, 0), Point(1000, -1000)});

    FeatureTable schools;
    schools.name = "schools";
    schools.geometry_type = GeometryType::Point;
    schools.fields = {{"urn", FieldType::Integer}, {"name", FieldType::String}};
    for (auto [urn, p] : std::vector<std::pair<std::int64_t, Point>>{{1, Point(500, 20)}, {2, Point(1000, -990)}}) {
        Feature f;
        f.fid = urn;
        f.geometry = p;
        f.values = {urn, std::string("school ") + std::to_string(urn)};
        schools.features.push_back(std::move(f));
    }
    FeatureTable venues;
    venues.name = "hub_venues";
    venues.geometry_type = GeometryType::Point;
    venues.fields = {{"hub_id", FieldType::String}, {"hub_type", FieldType::String}, {"name", FieldType::String}};
    Feature v;
    v.fid = 1;
    v.geometry = Point(3000, 0);
    v.values = {std::string("maths-hub:X"), std::string("maths hub"), std::string("East venue")};
    venues.features.push_back(v);

    WorkspaceWriter w(path);
    w.write(roads);
    w.write(schools);
    w.write(venues);
    w.commit();
}

std::filesystem::path write_profile(const test::TempDir& dir) {
    const auto p = dir / "fast.json";
    std::ofstream(p) << R"({"name": "test", "class_kph": {"fast": 36}, "maxspeed_factor": 1,
                            "fallback": {"circuity_factor": 1.3, "kph": 30}})";
    return p;
}

std::map<std::int64_t, double> nearest_minutes(const FeatureTable& sa) {
    std::map<std::int64_t, double> out;
    for (const auto& f : sa.features)
        if (as_text(f.values[sa.require_field("role")]) == "nearest")
            out[std::get<std::int64_t>(f.values[sa.require_field("urn")])] = *as_number(f.values[sa.require_field("minutes")]);
    return out;
}

} // namespace

TEST(RoutingAccessRun, WritesLayersAndReusesTheGraphCache) {
    test::TempDir dir;
    const auto ws = dir / "w.gpkg";
    write_workspace(ws);
    AccessRunOptions o;
    o.profile = load_speed_profile(write_profile(dir));
    o.access.isochrones.minutes = {2, 4};
    o.access.isochrones.cell_m = 50;
    const AccessRun first = run_access(ws, o);
    EXPECT_FALSE(first.graph.from_cache);
    ASSERT_TRUE(first.graph.build);
    EXPECT_TRUE(std::filesystem::exists(graph_cache_path(ws)));

    const Workspace w(ws);
    ASSERT_TRUE(w.has_layer("school_access"));
    ASSERT_TRUE(w.has_layer("isochrones"));
    ASSERT_TRUE(w.has_layer("access_matrix"));
    const auto times = nearest_minutes(w.read("school_access"));
    // S1: 500 m to J, 2000 m to V = 250 s. S2: 990 m... the side street end is 10 m beyond S2's
    // snap (1000,-990): 990 m to J + 2000 m = 299 s.
    EXPECT_NEAR(times.at(1), 250.0 / 60, 1e-6);
    EXPECT_NEAR(times.at(2), 299.0 / 60, 1e-6);
    EXPECT_EQ(w.read("isochrones").features.size(), 2u);

    const AccessRun second = run_access(ws, o);
    EXPECT_TRUE(second.graph.from_cache) << second.graph.cache_note;
    EXPECT_EQ(nearest_minutes(second.result.school_access), times);

    // Another profile is another graph: the cache is not used.
    o.profile.class_kph["fast"] = 18;
    const AccessRun third = run_access(ws, o);
    EXPECT_FALSE(third.graph.from_cache);
    EXPECT_NEAR(nearest_minutes(third.result.school_access).at(1), 500.0 / 60, 1e-6);
}

TEST(RoutingAccessRun, MissingLayersAreWorkspaceErrors) {
    test::TempDir dir;
    const auto ws = dir / "empty.gpkg";
    {
        WorkspaceWriter w(ws);
        FeatureTable t;
        t.name = "provenance";
        t.fields = {{"dataset", FieldType::String}};
        w.write(t);
        w.commit();
    }
    EXPECT_THROW(run_access(ws, AccessRunOptions{}), WorkspaceError);
    EXPECT_THROW(load_or_build_graph(ws, AccessRunOptions{}), WorkspaceError);
}

TEST(RoutingAccessRun, CliRunsAndReportsBadOptions) {
    if (!std::filesystem::exists(test::cli())) GTEST_SKIP() << "coldspot CLI not built";
    test::TempDir dir;
    const auto ws = dir / "w.gpkg";
    write_workspace(ws);
    const auto profile = write_profile(dir);
    auto r = test::run_cli({"access", ws.string(), "--profile", profile.string(), "--bands", "2,4", "--cell-m", "50"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("built and cached"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("maths hub"), std::string::npos) << r.output;
    r = test::run_cli({"access", ws.string(), "--profile", profile.string(), "--bands", "2,4", "--no-write"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("read from cache"), std::string::npos) << r.output;
    r = test::run_cli({"access", ws.string(), "--bands", "15,abc"});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("abc"), std::string::npos);
    r = test::run_cli({"access", ws.string(), "--roads", (dir / "missing.osm.pbf").string()});
    EXPECT_EQ(r.exit_code, 3) << r.output;
    EXPECT_NE(r.output.find("missing.osm.pbf"), std::string::npos);
    r = test::run_cli({"access", ws.string(), "--profile", (dir / "nope.json").string()});
    EXPECT_EQ(r.exit_code, 3) << r.output;
}
