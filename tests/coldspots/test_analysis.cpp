// The whole analysis on the hand-drawn workspace: layers, aggregation, ranking, runs table.
#include "coldspot/geo/coldspots/analysis.hpp"
#include "coldspot/geo/error.hpp"

#include "fixture.hpp"
#include "test_support.hpp"

#include <cmath>

using namespace coldspot;
using namespace coldspot::geo;
using namespace coldspot::geo::coldspots;
using nlohmann::json;

namespace {

const Feature* find_row(const FeatureTable& t, const std::string& field, const std::string& value) {
    const std::size_t f = t.require_field(field);
    for (const auto& row : t.features)
        if (as_text(row.values[f]) == value) return &row;
    return nullptr;
}

double num(const FeatureTable& t, const Feature& row, const std::string& field) {
    return as_number(row.values[t.require_field(field)]).value_or(std::nan(""));
}

} // namespace

TEST(Analysis, WritesEveryLayerAndAppendsRuns) {
    test::TempDir dir;
    const auto ws_path = dir / "ws.gpkg";
    test::coldspots::write_workspace(test::coldspots::make_fixture(), ws_path);
    std::vector<std::string> stages;
    const json params = json::parse(R"({"statistics": {"weights": "distance_band", "band_m": 3000, "permutations": 99}})");
    const auto summary = run_analysis(params, ws_path, [&](std::string_view s, double) { stages.emplace_back(s); });
    EXPECT_EQ(summary.schools, 6u);
    EXPECT_EQ(summary.scored, 6u);
    EXPECT_EQ(summary.islands, 0u);
    EXPECT_EQ(stages.back(), "done");

    const Workspace ws(ws_path);
    for (const char* layer : {"coldspots_schools", "coldspots_areas", "coldspots_hex", "targets", "analysis_runs", "schools"})
        EXPECT_TRUE(ws.has_layer(layer)) << layer;

    const auto cs = ws.read("coldspots_schools");
    ASSERT_EQ(cs.features.size(), 6u);
    const Feature* s3 = find_row(cs, "urn", "3");
    ASSERT_NE(s3, nullptr);
    EXPECT_NEAR(num(cs, *s3, "coldspot_index"), 67.5, 1e-9);
    EXPECT_NEAR(num(cs, *s3, "contrib_access"), 35.0, 1e-9);
    EXPECT_NEAR(num(cs, *s3, "minutes_maths_hub"), 45.0, 1e-9);
    // Each school has the other two of its group within 3 km, none of the other group: with
    // binary weights Gi* of school 3 = (36.25 + 47.5 + 67.5) / (sum of all six).
    const double total = 36.25 + 47.5 + 67.5 + 61.5 + 50 + 100.0 * (0.35 / 6 + 0.075 + 0.1 + 0.05);
    EXPECT_NEAR(num(cs, *s3, "gi_star"), (36.25 + 47.5 + 67.5) / total, 1e-9);
    EXPECT_FALSE(std::isnan(num(cs, *s3, "gi_p_sim")));

    // LSOA means: L1 = (36.25 + 47.5 + 67.5) / 3; L2 likewise for its three.
    const auto ca = ws.read("coldspots_areas");
    const Feature* l1 = find_row(ca, "code", "L1");
    ASSERT_NE(l1, nullptr);
    EXPECT_NEAR(num(ca, *l1, "mean_index"), (36.25 + 47.5 + 67.5) / 3, 1e-9);
    EXPECT_EQ(num(ca, *l1, "schools"), 3);
    const Feature* h2 = find_row(ca, "code", "H2"); // schools 2, 5, 6
    ASSERT_NE(h2, nullptr);
    EXPECT_EQ(num(ca, *h2, "schools"), 3);
    EXPECT_NEAR(num(ca, *h2, "max_index"), 50.0, 1e-9);
    ASSERT_NE(find_row(ca, "code", "D2"), nullptr);

    // Hexagons hold every scored school once, with exact areas.
    const auto hex = ws.read("coldspots_hex");
    double schools_in_hex = 0;
    for (const auto& row : hex.features) {
        schools_in_hex += num(hex, row, "schools");
        EXPECT_NEAR(std::fabs(bg::area(std::get<MultiPolygon>(row.geometry))), 25e6, 1e-3);
    }
    EXPECT_EQ(schools_in_hex, 6);

    // Targets: ranked by cold spot, then Gi* bin, then index.
    const auto tg = ws.read("targets");
    ASSERT_EQ(tg.features.size(), 6u);
    for (std::size_t i = 1; i < tg.features.size(); ++i) {
        const auto& a = tg.features[i - 1];
        const auto& b = tg.features[i];
        const auto key = [&](const Feature& f) {
            return std::make_tuple(num(tg, f, "cold_spot"), num(tg, f, "gi_bin"), num(tg, f, "coldspot_index"));
        };
        EXPECT_GE(key(a), key(b));
        EXPECT_EQ(num(tg, b, "rank"), static_cast<double>(i + 1));
    }

    // The parameters are stored with the run; a second run appends.
    run_analysis(json::object(), ws_path);
    const auto runs = Workspace(ws_path).read("analysis_runs");
    ASSERT_EQ(runs.features.size(), 2u);
    const auto stored = json::parse(as_text(runs.features[0].values[runs.require_field("parameters")]));
    EXPECT_EQ(stored["statistics"]["band_m"], 3000);
    EXPECT_EQ(stored["statistics"]["permutations"], 99);
    EXPECT_EQ(json::parse(as_text(runs.features[1].values[runs.require_field("parameters")])), default_parameters_json());
}

TEST(Analysis, SameSeedSameResults) {
    test::TempDir dir;
    const auto a = dir / "a.gpkg", b = dir / "b.gpkg";
    test::coldspots::write_workspace(test::coldspots::make_fixture(), a);
    test::coldspots::write_workspace(test::coldspots::make_fixture(), b);
    const json params = json::parse(R"({"statistics": {"weights": "distance_band", "band_m": 3000, "permutations": 199, "seed": 5}})");
    run_analysis(params, a);
    run_analysis(params, b);
    const auto ta = Workspace(a).read("coldspots_schools"), tb = Workspace(b).read("coldspots_schools");
    const auto f = ta.require_field("gi_p_sim");
    for (std::size_t i = 0; i < ta.features.size(); ++i) EXPECT_EQ(as_number(ta.features[i].values[f]), as_number(tb.features[i].values[f]));
}

TEST(Analysis, MissingInputsAreNotedNotFatal) {
    test::TempDir dir;
    const auto ws_path = dir / "ws.gpkg";
    test::coldspots::write_workspace(test::coldspots::make_fixture(), ws_path, false);
    const auto summary = run_analysis(json::parse(R"({"statistics": {"weights": "distance_band", "band_m": 3000, "permutations": 0}})"), ws_path);
    EXPECT_EQ(summary.scored, 6u);
    const auto has = [&](const std::string& needle) {
        return std::any_of(summary.notes.begin(), summary.notes.end(),
                           [&](const std::string& n) { return n.find(needle) != std::string::npos; });
    };
    EXPECT_TRUE(has("areas missing"));
    EXPECT_TRUE(has("no layer for level 'lsoa'"));
    EXPECT_TRUE(Workspace(ws_path).has_layer("coldspots_hex"));
}

TEST(Analysis, BadParametersOrWorkspaceAreClearErrors) {
    test::TempDir dir;
    const auto ws_path = dir / "ws.gpkg";
    EXPECT_THROW(run_analysis(json::object(), ws_path), WorkspaceError);
    test::coldspots::write_workspace(test::coldspots::make_fixture(), ws_path);
    EXPECT_THROW(run_analysis(json::parse(R"({"statistics": {"bandwidth": 1}})"), ws_path), ManifestError);
    // A failed run leaves the workspace as it was.
    EXPECT_FALSE(Workspace(ws_path).has_layer("analysis_runs"));
}

TEST(Scenario, AddingAVenueRecomputesAccessIntoANewWorkspace) {
    test::TempDir dir;
    const auto base = dir / "base.gpkg", out = dir / "scenario.gpkg";
    test::coldspots::write_workspace(test::coldspots::make_fixture(), base);
    Scenario sc;
    sc.add.push_back({"maths hub", "Venue East", Point{20000, 0}});
    const json params = json::parse(R"({"statistics": {"weights": "distance_band", "band_m": 3000, "permutations": 0}})");
    const auto summary = run_scenario(params, base, sc, out);
    EXPECT_FALSE(Workspace(base).has_layer("coldspots_schools")); // the baseline is left alone
    const Workspace ws(out);
    EXPECT_EQ(ws.read("hub_venues").features.size(), 2u);
    const auto cs = ws.read("coldspots_schools");
    // School 4 sits on the new venue (0 min), 5 and 6 are 1 km away (1.95 min at 40 km/h): access score 0, so
    // each index drops by the 35 points of access: 61.5 -> 26.5, 50 -> 15; school 6 loses its
    // 100 * .35 / 6 = 5.83.
    EXPECT_NEAR(num(cs, *find_row(cs, "urn", "4"), "coldspot_index"), 26.5, 1e-9);
    EXPECT_NEAR(num(cs, *find_row(cs, "urn", "5"), "coldspot_index"), 15.0, 1e-9);
    EXPECT_NEAR(num(cs, *find_row(cs, "urn", "6"), "minutes_maths_hub"), 1.95, 1e-9);
    EXPECT_NEAR(num(cs, *find_row(cs, "urn", "1"), "coldspot_index"), 36.25, 1e-9); // unaffected
    EXPECT_TRUE(std::any_of(summary.notes.begin(), summary.notes.end(),
                            [](const std::string& n) { return n.find("add maths hub venue 'Venue East'") != std::string::npos; }));
}

TEST(Scenario, RemovingTheOnlyVenueLeavesNoAccess) {
    test::TempDir dir;
    const auto base = dir / "base.gpkg", out = dir / "scenario.gpkg";
    test::coldspots::write_workspace(test::coldspots::make_fixture(), base);
    Scenario sc;
    sc.remove.push_back("Venue West");
    const json params = json::parse(R"({"statistics": {"weights": "distance_band", "band_m": 3000, "permutations": 0}})");
    run_scenario(params, base, sc, out);
    const auto cs = Workspace(out).read("coldspots_schools");
    // School 1 was 10 min away (access 0); with no venue left its access score is 1: 36.25 + 35.
    EXPECT_NEAR(num(cs, *find_row(cs, "urn", "1"), "coldspot_index"), 71.25, 1e-9);
    Scenario bad;
    bad.remove.push_back("Venue Nowhere");
    EXPECT_THROW(run_scenario(params, base, bad, out), NotFoundError);
}
