// The whole run on a workspace file: graph cache beside the workspace, result layers written
// into a new version, and the `coldspot access` verb's output and errors.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/routing/access_parameters.hpp"
#include "coldspot/geo/routing/access_run.hpp"
#include "coldspot/geo/routing/graph_cache.hpp"
#include "coldspot/geo/workspace.hpp"
#include "test_support.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
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
    // No roads is not an error: the graph is empty and says so.
    EXPECT_TRUE(load_or_build_graph(ws, AccessRunOptions{}).no_roads);
}

TEST(RoutingAccessRun, WithoutRoadsEverySchoolGetsAMarkedStraightLineEstimate) {
    test::TempDir dir;
    const auto ws = dir / "w.gpkg";
    write_workspace(ws);
    {
        // The same workspace without its roads layer (England's manifest has none).
        const Workspace w(ws);
        WorkspaceWriter out(dir / "noroads.gpkg");
        for (const char* layer : {"schools", "hub_venues"}) out.write(w.read(layer));
        out.commit();
    }
    const auto noroads = dir / "noroads.gpkg";
    const AccessRun run = run_access(noroads, AccessRunOptions{});
    EXPECT_TRUE(run.graph.no_roads);
    EXPECT_NE(run.graph.cache_note.find("straight-line"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(graph_cache_path(noroads))); // nothing to cache
    EXPECT_EQ(run.result.report.road_values, 0u);
    EXPECT_EQ(run.result.report.straight_line_values, 2u);
    const Workspace w(noroads);
    const FeatureTable sa = w.read("school_access");
    ASSERT_EQ(sa.features.size(), 2u);
    const SpeedProfile profile = default_speed_profile();
    // Hand-computed: crow-fly metres x circuity at the fallback speed, to V (3000, 0).
    const std::map<std::int64_t, double> crow{{1, std::hypot(2500.0, 20.0)}, {2, std::hypot(2000.0, 990.0)}};
    for (const auto& f : sa.features) {
        EXPECT_EQ(as_text(f.values[sa.require_field("method")]), "straight_line");
        EXPECT_EQ(as_text(f.values[sa.require_field("snap_flag")]), "no_road");
        const auto urn = std::get<std::int64_t>(f.values[sa.require_field("urn")]);
        const double minutes = crow.at(urn) * profile.circuity_factor / (profile.fallback_kph / 3.6) / 60.0;
        EXPECT_NEAR(*as_number(f.values[sa.require_field("minutes")]), minutes, 1e-9);
    }
    const FeatureTable runs = w.read("analysis_runs");
    EXPECT_NE(nlohmann::json::parse(as_text(runs.features.back().values[runs.require_field("parameters")]))["roads"].get<std::string>().find("none"),
              std::string::npos);

    if (!std::filesystem::exists(test::cli())) return;
    const auto r = test::run_cli({"access", noroads.string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::size_t warnings = 0;
    for (auto at = r.output.find("warning:"); at != std::string::npos; at = r.output.find("warning:", at + 1)) ++warnings;
    EXPECT_EQ(warnings, 1u) << r.output;
    EXPECT_NE(r.output.find("2 straight-line values"), std::string::npos) << r.output;
    const auto info = test::run_cli({"info", noroads.string()});
    EXPECT_NE(info.output.find("road coverage: 0 of 2 schools (0.0 %)"), std::string::npos) << info.output;
    const auto info_roads = test::run_cli({"info", ws.string()});
    // Both schools are within 2 km of a road (20 m and 10 m).
    EXPECT_NE(info_roads.output.find("road coverage: 2 of 2 schools (100.0 %) within 2000 m"), std::string::npos) << info_roads.output;
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

TEST(RoutingAccessParameters, RoundTripEveryOptionAndTheProfileItself) {
    AccessParameters p;
    p.profile.name = "odd";
    p.profile.class_kph = {{"fast", 36.5}, {"A Road", 1.0 / 3}};
    p.profile.maxspeed_factor = 0.7;
    p.profile.circuity_factor = 1.45;
    p.profile.fallback_kph = 27.25;
    p.access.flag_snap_m = 120;
    p.access.no_coverage_m = 900;
    p.access.own_hub_ratio = 2.5;
    p.access.own_hub_extra_minutes = 0;
    p.access.matrix_cutoff_minutes = 0;
    p.access.isochrones.minutes = {5, 12.5};
    p.access.isochrones.cell_m = 75;
    p.access.isochrones.access_radius_m = 0;
    p.access.isochrones.access_kph = 4;
    const std::string text = access_parameters_json(p, "roads.osm.pbf");
    const auto j = nlohmann::json::parse(text);
    EXPECT_EQ(j["step"], "access");
    EXPECT_EQ(j["roads"], "roads.osm.pbf");
    const AccessParameters q = parse_access_parameters(text, "row");
    EXPECT_EQ(q.profile.name, "odd");
    EXPECT_EQ(q.profile.class_kph, p.profile.class_kph); // 1/3 survives exactly
    EXPECT_EQ(profile_fingerprint(q.profile), profile_fingerprint(p.profile));
    EXPECT_EQ(q.profile.maxspeed_factor, 0.7);
    EXPECT_EQ(q.profile.circuity_factor, 1.45);
    EXPECT_EQ(q.profile.fallback_kph, 27.25);
    EXPECT_EQ(q.access.flag_snap_m, 120);
    EXPECT_EQ(q.access.no_coverage_m, 900);
    EXPECT_EQ(q.access.own_hub_ratio, 2.5);
    EXPECT_EQ(q.access.own_hub_extra_minutes, 0);
    EXPECT_EQ(q.access.matrix_cutoff_minutes, 0);
    EXPECT_EQ(q.access.isochrones.minutes, (std::vector<double>{5, 12.5}));
    EXPECT_EQ(q.access.isochrones.cell_m, 75);
    EXPECT_EQ(q.access.isochrones.access_radius_m, 0);
    EXPECT_EQ(q.access.isochrones.access_kph, 4);
    // The stored profile is the profile file format: load_speed_profile's parser reads it too.
    EXPECT_EQ(profile_fingerprint(parse_speed_profile(j["profile"].dump(), "profile")), profile_fingerprint(p.profile));
}

TEST(RoutingAccessParameters, MissingKeysKeepDefaultsAndBadFieldsAreNamed) {
    const AccessParameters d = parse_access_parameters(R"({"step": "access"})", "row");
    EXPECT_EQ(profile_fingerprint(d.profile), profile_fingerprint(default_speed_profile()));
    EXPECT_EQ(d.access.matrix_cutoff_minutes, 45);
    EXPECT_EQ(d.access.isochrones.minutes, (std::vector<double>{15, 30, 45, 60}));
    EXPECT_THROW(parse_access_parameters("{not json", "row"), FormatError);
    EXPECT_THROW(parse_access_parameters("[1]", "row"), FormatError);
    auto field_of_error = [](const std::string& text) -> std::string {
        try {
            parse_access_parameters(text, "ws.gpkg analysis_runs row 3");
        } catch (const ManifestError& e) {
            EXPECT_NE(std::string(e.what()).find("ws.gpkg analysis_runs row 3"), std::string::npos) << e.what();
            return e.where().field;
        }
        return "no error";
    };
    EXPECT_EQ(field_of_error(R"({"matrix_cutoff_minutes": -1})"), "matrix_cutoff_minutes");
    EXPECT_EQ(field_of_error(R"({"snap": {"no_coverage_m": 0}})"), "snap.no_coverage_m");
    EXPECT_EQ(field_of_error(R"({"own_hub": {"ratio": "x"}})"), "own_hub.ratio");
    EXPECT_EQ(field_of_error(R"({"isochrones": {"minutes": [10, 0]}})"), "isochrones.minutes");
    EXPECT_EQ(field_of_error(R"({"isochrones": 5})"), "isochrones");
    EXPECT_EQ(field_of_error(R"({"profile": {"class_kph": {}}})"), "class_kph");
}

TEST(RoutingAccessParameters, CliAccessRunIsRecordedAndReadBack) {
    if (!std::filesystem::exists(test::cli())) {
        if (test::running_in_ci()) FAIL() << "coldspot CLI not built";
        GTEST_SKIP() << "coldspot CLI not built";
    }
    test::TempDir dir;
    const auto ws = dir / "w.gpkg";
    write_workspace(ws);
    EXPECT_FALSE(recorded_access_parameters(Workspace(ws)).recorded);
    EXPECT_NE(recorded_access_parameters(Workspace(ws)).note.find("no access run recorded"), std::string::npos);
    const auto profile = write_profile(dir);
    auto r = test::run_cli({"access", ws.string(), "--profile", profile.string(), "--bands", "2,4", "--cell-m", "50",
                            "--matrix-cutoff", "3", "--flag-snap-m", "15", "--no-coverage-m", "1500",
                            "--own-hub-ratio", "2", "--own-hub-extra-min", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto rec = recorded_access_parameters(Workspace(ws));
    ASSERT_TRUE(rec.recorded) << rec.note;
    EXPECT_EQ(rec.parameters.profile.name, "test");
    EXPECT_EQ(rec.parameters.profile.class_kph.at("fast"), 36);
    EXPECT_EQ(rec.parameters.profile.fallback_kph, 30);
    EXPECT_EQ(rec.parameters.access.isochrones.minutes, (std::vector<double>{2, 4}));
    EXPECT_EQ(rec.parameters.access.isochrones.cell_m, 50);
    EXPECT_EQ(rec.parameters.access.matrix_cutoff_minutes, 3);
    EXPECT_EQ(rec.parameters.access.flag_snap_m, 15);
    EXPECT_EQ(rec.parameters.access.no_coverage_m, 1500);
    EXPECT_EQ(rec.parameters.access.own_hub_ratio, 2);
    EXPECT_EQ(rec.parameters.access.own_hub_extra_minutes, 1);
    // The profile file may change or vanish afterwards: the run kept the profile itself.
    std::filesystem::remove(profile);
    std::filesystem::remove(graph_cache_path(ws));
    const auto g = load_recorded_graph(ws);
    ASSERT_TRUE(g.has_value());
    EXPECT_NE(g->cache_note.find("speed profile test"), std::string::npos) << g->cache_note;
    // --no-write records nothing.
    r = test::run_cli({"access", ws.string(), "--profile", write_profile(dir).string(), "--no-write"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(Workspace(ws).read("analysis_runs").features.size(), 1u);
}
