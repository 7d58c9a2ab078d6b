// One straight-line fallback (issue 19): a school's estimate is the same whichever step makes it,
// the access run (a school beyond road coverage), the index (no school_access) or a scenario
// without a road graph. On the U network of road_fixture.hpp, plus school 6 far south of every road:
//
//   F ---------- E ---------- D
//   |                         |
//   A ---------- B ---------- C
//   (venue West at A)
//
//                 6 (4000,-5000): 6,403 m from A as the crow flies, 5 km from the nearest road
#include "coldspot/geo/coldspots/analysis.hpp"
#include "coldspot/geo/coldspots/parameters.hpp"
#include "coldspot/geo/routing/access_run.hpp"
#include "coldspot/geo/routing/speed_profile.hpp"

#include "road_fixture.hpp"
#include "test_support.hpp"

#include <cmath>

using namespace coldspot;
using namespace coldspot::geo;
using namespace coldspot::test::coldspots;

namespace {

const Point kFar{4000, -5000};

void write_far_school_workspace(const std::filesystem::path& path, bool with_roads) {
    FeatureTable schools = u_schools();
    schools.features.push_back({6, kFar, {std::int64_t{6}, std::string("School 6")}});
    WorkspaceWriter w(path);
    if (with_roads) w.write(u_roads());
    w.write(schools);
    w.write(u_venues());
    w.commit();
}

double minutes_of(const FeatureTable& t, std::int64_t urn, const std::string& field) {
    for (const auto& f : t.features)
        if (as_number(f.values[t.require_field("urn")]) == static_cast<double>(urn))
            return as_number(f.values[t.require_field(field)]).value_or(std::nan(""));
    return std::nan("");
}

/// The documented estimate: crow-fly metres x circuity at the fallback speed.
double estimate(double metres, double circuity, double kph) { return metres * circuity / (kph / 3.6) / 60.0; }

} // namespace

TEST(StraightLineFallback, IndexDefaultsAreTheSpeedProfilesFallback) {
    const auto p = coldspots::parse_parameters(nlohmann::json::object());
    const auto profile = routing::default_speed_profile();
    EXPECT_EQ(p.straight_line_kph, profile.fallback_kph);
    EXPECT_EQ(p.detour_factor, profile.circuity_factor);
    EXPECT_EQ(p.straight_line_kph, 40.0);
}

TEST(StraightLineFallback, AccessRunAndIndexGiveTheSameEstimate) {
    test::TempDir dir;
    // With roads: the access run routes schools 1-5 and gives school 6 (beyond road coverage) the
    // straight-line estimate; the index takes school_access as it is.
    const auto routed = dir / "routed.gpkg";
    write_far_school_workspace(routed, true);
    routing::run_access(routed, routing::AccessRunOptions{});
    const auto a = coldspots::compute_analysis(Workspace(routed), coldspots::parse_parameters(nlohmann::json::object()));
    // Without roads or an access run: the index makes the estimate itself.
    const auto bare = dir / "bare.gpkg";
    write_far_school_workspace(bare, false);
    const auto b = coldspots::compute_analysis(Workspace(bare), coldspots::parse_parameters(nlohmann::json::object()));

    const double expected = estimate(std::hypot(4000.0, 5000.0), 1.3, 40); // 12.49 min to venue West
    EXPECT_NEAR(minutes_of(a.tables.at(0), 6, "minutes_maths_hub"), expected, 1e-9);
    EXPECT_NEAR(minutes_of(b.tables.at(0), 6, "minutes_maths_hub"), expected, 1e-9);
    EXPECT_EQ(as_text(a.tables.at(0).features.back().values[a.tables.at(0).require_field("access_method")]), "straight_line");
}

TEST(StraightLineFallback, ScenarioWithoutGraphUsesTheAccessRunsFallback) {
    test::TempDir dir;
    const auto ws = dir / "w.gpkg";
    write_far_school_workspace(ws, true);
    // An access run with a slow fallback (20 km/h x 1.5), recorded in analysis_runs.
    routing::AccessRunOptions options;
    options.profile.fallback_kph = 20;
    options.profile.circuity_factor = 1.5;
    routing::run_access(ws, options);
    EXPECT_NEAR(minutes_of(Workspace(ws).read("school_access"), 6, "minutes"), estimate(std::hypot(4000.0, 5000.0), 1.5, 20), 1e-9);
    // No road graph any more: no cache, no roads layer. A venue added 1 km from school 6 is then
    // reached by the straight line, which must be the access run's (x 1.5 at 20 km/h = 4.5 min), not
    // the index parameters' defaults (x 1.3 at 40 km/h = 1.95 min).
    std::filesystem::remove(routing::graph_cache_path(ws));
    const auto dropped = test::run_command("sqlite3 " + test::quote(ws.string()) +
                                           " \"DROP TABLE roads; DELETE FROM gpkg_contents WHERE table_name = 'roads';"
                                           " DELETE FROM gpkg_geometry_columns WHERE table_name = 'roads';\"");
    ASSERT_EQ(dropped.exit_code, 0) << dropped.output;
    coldspots::Scenario sc;
    sc.add.push_back({"maths hub", "Near 6", Point{4000, -6000}});
    const auto out = dir / "scenario.gpkg";
    const auto summary = coldspots::run_scenario(nlohmann::json::object(), ws, sc, out);
    const auto cs = Workspace(out).read("coldspots_schools");
    EXPECT_NEAR(minutes_of(cs, 6, "minutes_maths_hub"), estimate(1000, 1.5, 20), 1e-9);
    bool noted = false;
    for (const auto& n : summary.notes) noted |= n.find("access run's fallback (x 1.5 at 20 km/h)") != std::string::npos;
    EXPECT_TRUE(noted);
}
