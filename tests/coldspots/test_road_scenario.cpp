// Scenarios and venue suggestion on a hand-drawn road network (road_fixture.hpp): adding or
// removing a venue re-routes access on the graph the access run used, with exact road times that
// a straight-line estimate would get wrong; candidate coverage comes from bounded road searches.
#include "coldspot/geo/coldspots/analysis.hpp"
#include "coldspot/geo/coldspots/detail/road_coverage.hpp"
#include "coldspot/geo/coldspots/targets.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/routing/access_parameters.hpp"
#include "coldspot/geo/routing/access_run.hpp"
#include "coldspot/geo/routing/graph_cache.hpp"
#include "coldspot/geo/routing/multi_source_search.hpp"
#include "coldspot/geo/routing/road_graph.hpp"
#include "coldspot/geo/routing/travel_time_matrix.hpp"

#include "road_fixture.hpp"
#include "test_support.hpp"

#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <set>

using namespace coldspot;
using namespace coldspot::geo;
using namespace coldspot::geo::coldspots;
using namespace coldspot::test::coldspots;
using nlohmann::json;

namespace {

// Access ramps 0 -> 1 over 0..30 min, so every school gets a positive index and score_access is
// minutes / 30. A 3.5 km band gives every school one or two neighbours (a band holding all five
// would leave Gi* with no variance).
const json kParams = json::parse(R"({"components": {"access": {"good_minutes": 0, "poor_minutes": 30}},
                                     "statistics": {"weights": "distance_band", "band_m": 3500, "permutations": 0}})");

constexpr double min_of(double seconds) { return seconds / 60.0; }

/// The old estimate: crow-fly metres x 1.3 at 30 km/h, in minutes.
// The one straight line (x 1.3 at 40 km/h, the speed profile's fallback; issue 19).
double straight_line_minutes(const Point& a, const Point& b) { return bg::distance(a, b) * 1.3 / (40 / 3.6) / 60.0; }

struct Row {
    double minutes = std::nan("");
    std::string method, venue;
};

/// The `nearest` maths-hub row of each school in a school_access layer.
std::map<std::int64_t, Row> nearest(const FeatureTable& sa) {
    std::map<std::int64_t, Row> out;
    const auto u = sa.require_field("urn"), r = sa.require_field("role"), m = sa.require_field("minutes"),
               me = sa.require_field("method"), v = sa.require_field("venue");
    for (const auto& f : sa.features)
        if (as_text(f.values[r]) == "nearest")
            out[static_cast<std::int64_t>(*as_number(f.values[u]))] = {as_number(f.values[m]).value_or(std::nan("")),
                                                                     as_text(f.values[me]), as_text(f.values[v])};
    return out;
}

double field_of(const FeatureTable& t, std::int64_t urn, const std::string& field) {
    const auto u = t.require_field("urn"), f = t.require_field(field);
    for (const auto& row : t.features)
        if (as_number(row.values[u]) == static_cast<double>(urn)) return as_number(row.values[f]).value_or(std::nan(""));
    return std::nan("");
}

bool has_note(const std::vector<std::string>& notes, const std::string& part) {
    return std::any_of(notes.begin(), notes.end(), [&](const std::string& n) { return n.find(part) != std::string::npos; });
}

/// Road workspace with access computed (school_access, isochrones, access_matrix, graph cache).
std::filesystem::path accessed_workspace(const test::TempDir& dir) {
    const auto ws = dir / "u.gpkg";
    write_u_workspace(ws);
    routing::run_access(ws, routing::AccessRunOptions{});
    return ws;
}

} // namespace

TEST(RoadScenario, BaselineAccessIsTheHandComputedRoadTime) {
    test::TempDir dir;
    const auto ws = accessed_workspace(dir);
    const auto rows = nearest(Workspace(ws).read("school_access"));
    EXPECT_NEAR(rows.at(1).minutes, min_of(400), 1e-9);  // B -> A
    EXPECT_NEAR(rows.at(2).minutes, min_of(800), 1e-9);  // C -> B -> A
    EXPECT_NEAR(rows.at(3).minutes, min_of(300), 1e-9);  // E -> F
    EXPECT_NEAR(rows.at(4).minutes, min_of(700), 1e-9);  // D -> E -> F
    EXPECT_NEAR(rows.at(5).minutes, min_of(600), 1e-9);  // half of B-C, then B -> A
    EXPECT_TRUE(std::filesystem::exists(routing::graph_cache_path(ws)));
}

TEST(RoadScenario, AddingAVenueAtANodeReroutesExactly) {
    test::TempDir dir;
    const auto ws = accessed_workspace(dir), out = dir / "dock.gpkg";
    Scenario sc;
    sc.add.push_back({"maths hub", "Dock", kD});
    const auto summary = run_scenario(kParams, ws, sc, out);
    EXPECT_TRUE(has_note(summary.notes, "access re-routed on the road graph for maths hub")) << summary.notes.front();
    EXPECT_TRUE(has_note(summary.notes, "read from")); // the access run's cache
    EXPECT_TRUE(has_note(summary.notes, "changed for 3 school rows"));
    const Workspace w(out);
    const auto rows = nearest(w.read("school_access"));
    EXPECT_NEAR(rows.at(4).minutes, 0.0, 1e-9);           // on the new venue
    EXPECT_NEAR(rows.at(2).minutes, min_of(300), 1e-9);   // C -> D
    EXPECT_NEAR(rows.at(5).minutes, min_of(500), 1e-9);   // 5 -> C -> D
    EXPECT_NEAR(rows.at(1).minutes, min_of(400), 1e-9);   // still West (Dock is 700 s)
    EXPECT_NEAR(rows.at(3).minutes, min_of(300), 1e-9);   // still North (Dock is 400 s)
    EXPECT_EQ(rows.at(2).venue, "Dock");
    EXPECT_EQ(rows.at(1).venue, "West");
    for (const auto& [urn, r] : rows) EXPECT_EQ(r.method, "road") << urn;
    // The straight-line estimate the scenario used to make is off on the U: 5.85 vs 5 min.
    EXPECT_NEAR(straight_line_minutes(kC, kD), 5.85, 1e-9);
    EXPECT_GT(std::abs(straight_line_minutes(kMid, kD) - min_of(500)), 1.0);
    // Index and statistics follow: score_access = minutes / 30.
    const auto cs = w.read("coldspots_schools");
    EXPECT_NEAR(field_of(cs, 2, "minutes_maths_hub"), 5.0, 1e-9);
    EXPECT_NEAR(field_of(cs, 2, "score_access"), 5.0 / 30, 1e-9);
    EXPECT_NEAR(field_of(cs, 5, "score_access"), min_of(500) / 30, 1e-9);
    EXPECT_TRUE(std::isfinite(field_of(cs, 2, "gi_z")));
    // Isochrones and the matrix were re-routed too: Dock appears in the matrix.
    const auto mx = w.read("access_matrix");
    const auto fid = mx.require_field("venue_fid"), mu = mx.require_field("urn"), mm = mx.require_field("minutes");
    bool dock_to_2 = false;
    for (const auto& f : mx.features)
        if (as_number(f.values[fid]) == 3.0 && as_number(f.values[mu]) == 2.0)
            dock_to_2 = std::abs(*as_number(f.values[mm]) - 5.0) < 1e-9;
    EXPECT_TRUE(dock_to_2);
    EXPECT_TRUE(w.has_layer("isochrones"));
    // The baseline is untouched.
    EXPECT_NEAR(nearest(Workspace(ws).read("school_access")).at(2).minutes, min_of(800), 1e-9);
}

TEST(RoadScenario, RemovingAVenueMovesSchoolsToTheNextByRoad) {
    test::TempDir dir;
    const auto ws = accessed_workspace(dir), out = dir / "nowest.gpkg";
    Scenario sc;
    sc.remove.push_back("West");
    const auto summary = run_scenario(kParams, ws, sc, out);
    const auto rows = nearest(Workspace(out).read("school_access"));
    EXPECT_NEAR(rows.at(1).minutes, min_of(1400), 1e-9); // B -> C -> D -> E -> F
    EXPECT_NEAR(rows.at(2).minutes, min_of(1000), 1e-9); // C -> D -> E -> F
    EXPECT_NEAR(rows.at(5).minutes, min_of(1200), 1e-9); // 5 -> C, not back through B
    EXPECT_NEAR(rows.at(4).minutes, min_of(700), 1e-9);
    EXPECT_NEAR(rows.at(3).minutes, min_of(300), 1e-9);
    for (const auto& [urn, r] : rows) EXPECT_EQ(r.venue, "North") << urn;
    EXPECT_GT(std::abs(straight_line_minutes(kB, kF) - min_of(1400)), 10.0); // 8.3 vs 23.3 min
    EXPECT_NEAR(field_of(Workspace(out).read("coldspots_schools"), 1, "score_access"), min_of(1400) / 30, 1e-9);
    EXPECT_TRUE(has_note(summary.notes, "changed for 3 school rows"));
}

TEST(RoadScenario, GraphIsBuiltFromTheRoadsLayerWhenTheCacheIsGone) {
    test::TempDir dir;
    const auto ws = accessed_workspace(dir), out = dir / "dock.gpkg";
    std::filesystem::remove(routing::graph_cache_path(ws));
    Scenario sc;
    sc.add.push_back({"maths hub", "Dock", kD});
    sc.remove.push_back("West");
    const auto summary = run_scenario(kParams, ws, sc, out);
    EXPECT_TRUE(has_note(summary.notes, "built from the workspace roads layer"));
    EXPECT_FALSE(std::filesystem::exists(routing::graph_cache_path(ws))); // the input is left as it was
    const auto rows = nearest(Workspace(out).read("school_access"));
    EXPECT_NEAR(rows.at(1).minutes, min_of(700), 1e-9); // B -> C -> D: Dock now nearer than North
    EXPECT_NEAR(rows.at(2).minutes, min_of(300), 1e-9);
    EXPECT_NEAR(rows.at(5).minutes, min_of(500), 1e-9);
}

TEST(RoadScenario, RemovingEveryVenueOfATypeLeavesNoAccess) {
    test::TempDir dir;
    const auto ws = accessed_workspace(dir), out = dir / "none.gpkg";
    Scenario sc;
    sc.remove = {"West", "North"};
    const auto summary = run_scenario(kParams, ws, sc, out);
    EXPECT_TRUE(has_note(summary.notes, "1 hub type(s) left with no venue"));
    const auto rows = nearest(Workspace(out).read("school_access"));
    ASSERT_EQ(rows.size(), 5u);
    for (const auto& [urn, r] : rows) {
        EXPECT_TRUE(std::isnan(r.minutes)) << urn;
        EXPECT_EQ(r.method, "none");
    }
    EXPECT_NEAR(field_of(Workspace(out).read("coldspots_schools"), 1, "score_access"), 1.0, 1e-9);
}

TEST(RoadScenario, WithoutAnyRoadGraphTheEstimateIsUsedAndSaid) {
    test::TempDir dir;
    const auto ws = accessed_workspace(dir), bare = dir / "bare.gpkg", out = dir / "out.gpkg";
    // The same access rows in a workspace with no roads layer and no cache.
    {
        WorkspaceWriter w(bare);
        const Workspace src(ws);
        for (const char* layer : {"schools", "hub_venues", "school_access", "access_matrix"}) w.write(src.read(layer));
        w.commit();
    }
    Scenario sc;
    sc.add.push_back({"maths hub", "Dock", kD});
    const auto summary = run_scenario(kParams, bare, sc, out);
    EXPECT_TRUE(has_note(summary.notes, "no road graph"));
    const auto rows = nearest(Workspace(out).read("school_access"));
    EXPECT_NEAR(rows.at(2).minutes, straight_line_minutes(kC, kD), 1e-9); // 5.85 min, not the road's 5
    EXPECT_EQ(rows.at(2).method, "straight_line");
}

TEST(RoadCoverage, CandidatesCoverBySchoolToVenueRoadTime) {
    const auto graph = routing::build_road_graph(u_roads(), routing::default_speed_profile()).graph;
    // Demand: schools 1..5 at B, C, E, D, mid (weights 1..5) and one school 3.5 km north of E,
    // beyond road coverage (weight 1). Candidates: the five road schools. Existing: West at A.
    const std::vector<Point> demand{kB, kC, kE, kD, kMid, Point{4000, 6500}};
    const std::vector<double> weight{1, 2, 3, 4, 5, 1};
    const std::vector<Point> candidates{kB, kC, kE, kD, kMid};
    const std::vector<Point> existing{kA};
    const auto rc = road_coverage(graph, CoverageInputs{demand, weight, candidates, existing, Minutes(8.0)});
    EXPECT_EQ(rc.demand_off_road, 1u);
    EXPECT_EQ(rc.candidates_off_road, 0u);
    const auto& p = rc.problem;
    // Within 8 min = 480 s of A: only B (400 s); mid is 600 s.
    EXPECT_EQ(p.already_covered, (std::vector<std::uint8_t>{1, 0, 0, 0, 0, 0}));
    using V = std::vector<std::uint32_t>;
    EXPECT_EQ(p.covers[0], (V{0, 1, 4}));    // to B: C 400, mid 200; D 700 and E 1100 too far
    EXPECT_EQ(p.covers[1], (V{0, 1, 3, 4})); // to C: B 400, D 300, mid 200; E 700
    // To E: D 400 s; B is 3 km away as the crow flies (3 km x 1.3 at 40 km/h = 5.85 min) but
    // 1100 s by road. The off-road school is 3.5 km from E: straight line at 40 km/h x 1.3 = 6.8 min.
    EXPECT_EQ(p.covers[2], (V{2, 3, 5}));
    EXPECT_EQ(p.covers[3], (V{1, 2, 3}));    // to D: C 300, E 400; mid 500 just over
    EXPECT_EQ(p.covers[4], (V{0, 1, 4}));    // to mid: B 200, C 200; D 500
    // Greedy: C adds 2 + 4 + 5 = 11, then E adds 3 + 1 = 4 (D would add 3).
    const auto g = greedy_max_cover(p, 2);
    EXPECT_EQ(g.chosen, (std::vector<std::size_t>{1, 2}));
    EXPECT_EQ(g.gain, (std::vector<double>{11, 4}));
    EXPECT_DOUBLE_EQ(g.covered_before, 1);
    EXPECT_DOUBLE_EQ(g.covered_after, 16);
    EXPECT_DOUBLE_EQ(exact_max_cover(p, 2).covered_after, 16);
    EXPECT_THROW(road_coverage(graph, CoverageInputs{demand, weight, candidates, existing, Minutes(0.0)}), InvalidArgumentError);
    EXPECT_THROW(road_coverage(graph, CoverageInputs{demand, {weight.data(), 2}, candidates, existing, Minutes(8.0)}),
                 InvalidArgumentError);
}

TEST(RoadCoverage, SuggestionOnAnAnalysedWorkspaceUsesTheRoadGraph) {
    test::TempDir dir;
    const auto ws = accessed_workspace(dir);
    run_analysis(kParams, ws);
    // Within 8 min, West and North already cover 1 (400 s) and 3 (300 s); 2, 4 and 5 are out.
    // Only a venue at C (school 2) reaches all three: D 300 s, mid 200 s.
    const auto s = suggest_venues(Workspace(ws), TargetQuery{}, "maths hub", 2, Minutes(8.0));
    EXPECT_NE(s.method.find("road graph"), std::string::npos) << s.method;
    EXPECT_NE(s.method.find("2 maths hub venue(s)"), std::string::npos) << s.method;
    ASSERT_EQ(s.urns.size(), 1u); // nothing left to cover after the first pick
    EXPECT_EQ(s.urns[0], 2);
    const auto cs = Workspace(ws).read("coldspots_schools");
    const double w1 = field_of(cs, 1, "coldspot_index") / 100, w3 = field_of(cs, 3, "coldspot_index") / 100;
    EXPECT_NEAR(s.choice.covered_before, w1 + w3, 1e-9);
    EXPECT_NEAR(s.choice.covered_after, s.choice.total, 1e-9);
    EXPECT_GT(s.choice.total, s.choice.covered_before);
}

TEST(RoadScenarioCli, AddAndRemoveVenueOnTheRoadWorkspace) {
    ASSERT_TRUE(std::filesystem::exists(test::cli())) << test::cli();  // test targets depend on coldspot
    test::TempDir dir;
    const auto ws = accessed_workspace(dir), out = dir / "s.gpkg";
    const auto params = dir / "p.json";
    std::ofstream(params) << kParams.dump();
    auto r = test::run_cli({"coldspots", ws.string(), "--params", params.string(), "--quiet", "--add-venue",
                            "maths hub:Dock:8000:3000", "--remove-venue", "West", "--output", out.string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("access re-routed on the road graph for maths hub"), std::string::npos) << r.output;
    const auto rows = nearest(Workspace(out).read("school_access"));
    EXPECT_NEAR(rows.at(1).minutes, min_of(700), 1e-9); // B -> Dock, West gone
    EXPECT_NEAR(rows.at(4).minutes, 0.0, 1e-9);
    EXPECT_NEAR(rows.at(3).minutes, min_of(300), 1e-9);
    EXPECT_EQ(rows.at(1).venue, "Dock");
    r = test::run_cli({"coldspots", ws.string(), "--remove-venue", "Nowhere", "--output", out.string()});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("no venue named 'Nowhere'"), std::string::npos) << r.output;
    r = test::run_cli({"target", ws.string(), "--suggest", "1", "--hub-type", "maths hub", "--cutoff", "8"});
    EXPECT_NE(r.exit_code, 0) << r.output; // not analysed yet
    r = test::run_cli({"coldspots", ws.string(), "--params", params.string(), "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    r = test::run_cli({"target", ws.string(), "--suggest", "1", "--hub-type", "maths hub", "--cutoff", "8"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("coverage: road graph"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("URN 2 School 2"), std::string::npos) << r.output;
}

TEST(RecordedGraph, CacheThenRoadsLayerThenNothing) {
    test::TempDir dir;
    const auto ws = accessed_workspace(dir);
    auto g = routing::load_recorded_graph(ws);
    ASSERT_TRUE(g.has_value());
    EXPECT_TRUE(g->from_cache) << g->cache_note;
    EXPECT_EQ(g->graph.node_count(), 6u); // A..F: every line end is a junction
    ASSERT_TRUE(routing::graph_cache_key(routing::graph_cache_path(ws)).has_value());
    EXPECT_NE(routing::graph_cache_key(routing::graph_cache_path(ws))->find("workspace-roads:"), std::string::npos);

    // Re-import faster roads: the cache names the old roads, so the graph is rebuilt from the layer.
    {
        FeatureTable roads = u_roads();
        for (auto& f : roads.features) f.values[2] = 90.0;
        WorkspaceWriter w(ws, ws);
        w.write(roads);
        w.commit();
    }
    g = routing::load_recorded_graph(ws);
    ASSERT_TRUE(g.has_value());
    EXPECT_FALSE(g->from_cache);
    EXPECT_NE(g->cache_note.find("built from other roads"), std::string::npos) << g->cache_note;
    for (std::uint32_t e = 0; e < g->graph.edge_count(); ++e) // 0.8 x 90 km/h = 20 m/s on every edge
        EXPECT_EQ(static_cast<long>(g->graph.time_ms(routing::EdgeId{e})), std::lround(g->graph.length_m(routing::EdgeId{e}) / 20 * 1000));

    // A corrupt cache is not trusted either.
    std::ofstream(routing::graph_cache_path(ws), std::ios::binary | std::ios::trunc) << "CSPTRGRF garbage";
    g = routing::load_recorded_graph(ws);
    ASSERT_TRUE(g.has_value());
    EXPECT_FALSE(g->from_cache);

    const auto bare = dir / "bare.gpkg";
    write_u_workspace(bare, false);
    EXPECT_FALSE(routing::load_recorded_graph(bare).has_value());
}

TEST(RoadCoverage, BoundedBucketMatrixEqualsOneFullSearchPerDestination) {
    // A 25 x 25 grid of 500 m streets with mixed speeds and some one-way streets; 150 places and
    // 20 destinations at random. times_to_destinations (bounded searches, places found through
    // node buckets) must give exactly the pairs and times that one unbounded search per
    // destination plus arrival() for every place gives.
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> coord(0, 12000);
    FeatureTable roads = routing::make_roads_table();
    const double speeds[] = {30, 45, 60, 90};
    auto add = [&](Point a, Point b) {
        Feature f;
        f.fid = static_cast<std::int64_t>(roads.features.size()) + 1;
        f.geometry = MultiLineString{LineString{a, b}};
        f.values = {std::string("residential"), std::int64_t{rng() % 7 == 0 ? 1 : 0}, speeds[rng() % 4], Value()};
        roads.features.push_back(std::move(f));
    };
    for (int i = 0; i < 25; ++i)
        for (int j = 0; j < 25; ++j) {
            const Point p(i * 500.0, j * 500.0);
            if (i + 1 < 25) add(p, Point((i + 1) * 500.0, j * 500.0));
            if (j + 1 < 25) add(p, Point(i * 500.0, (j + 1) * 500.0));
        }
    const auto graph = routing::build_road_graph(roads, routing::default_speed_profile()).graph;
    const auto reversed = graph.reversed();
    const routing::EdgeSnapper snapper(graph);
    std::vector<routing::Snap> places, destinations;
    for (int k = 0; k < 150; ++k) places.push_back(snapper.snap(Point(coord(rng), coord(rng))));
    for (int k = 0; k < 20; ++k) destinations.push_back(snapper.snap(Point(coord(rng), coord(rng))));
    const routing::TimeMs cutoff = 6 * 60000;
    const auto matrix = routing::times_to_destinations(graph, reversed, places, destinations, cutoff);

    routing::MultiSourceSearch full(reversed);
    std::size_t pairs = 0;
    for (std::size_t d = 0; d < destinations.size(); ++d) {
        full.run(routing::sources_for(graph, destinations[d], 0));
        std::vector<routing::LabelledPosition> same;
        for (const auto& p : destinations[d].positions) same.push_back({p, 0});
        std::vector<std::pair<std::uint32_t, routing::TimeMs>> expected, got;
        for (std::uint32_t i = 0; i < places.size(); ++i) {
            const auto a = routing::arrival(graph, full, places[i], same);
            if (a.time <= cutoff) expected.emplace_back(i, a.time);
        }
        for (const auto& c : matrix[d]) got.emplace_back(c.place, c.time);
        EXPECT_EQ(got, expected) << "destination " << d;
        pairs += expected.size();
    }
    EXPECT_GT(pairs, 100u); // the cutoff is not so small that nothing is compared
    EXPECT_LT(pairs, places.size() * destinations.size()); // nor so large that nothing is bounded
}

namespace {

/// Every speed of the default profile halved: class speeds, the share of a tagged maxspeed
/// driven (0.8 -> 0.4, so the fixture's 45 km/h roads are driven at 18 km/h = 5 m/s, every edge
/// time doubles) and the straight-line fallback.
routing::SpeedProfile halved_profile() {
    routing::SpeedProfile p = routing::default_speed_profile();
    p.name = "car-halved";
    for (auto& [cls, kph] : p.class_kph) kph /= 2;
    p.maxspeed_factor /= 2;
    p.fallback_kph /= 2;
    return p;
}

/// The U workspace with access run under the halved profile, an 18 min matrix cutoff and
/// 10/20 min isochrone bands.
std::filesystem::path halved_workspace(const test::TempDir& dir) {
    const auto ws = dir / "slow.gpkg";
    write_u_workspace(ws);
    routing::AccessRunOptions o;
    o.profile = halved_profile();
    o.access.matrix_cutoff_minutes = 18;
    o.access.isochrones.minutes = {10, 20};
    routing::run_access(ws, o);
    return ws;
}

std::set<std::int64_t> matrix_urns_of(const FeatureTable& mx, std::int64_t venue_fid) {
    std::set<std::int64_t> out;
    const auto u = mx.require_field("urn"), v = mx.require_field("venue_fid");
    for (const auto& f : mx.features)
        if (as_number(f.values[v]) == static_cast<double>(venue_fid)) out.insert(static_cast<std::int64_t>(*as_number(f.values[u])));
    return out;
}

/// Dock added at D under the halved profile: every time is twice the default one.
void expect_halved_dock_times(const std::filesystem::path& out) {
    const Workspace w(out);
    const auto rows = nearest(w.read("school_access"));
    EXPECT_NEAR(rows.at(4).minutes, 0.0, 1e-9);
    EXPECT_NEAR(rows.at(2).minutes, min_of(600), 1e-9);  // C -> D, 300 s x 2 (default: 5 min)
    EXPECT_NEAR(rows.at(5).minutes, min_of(1000), 1e-9); // 5 -> C -> D, 500 s x 2
    EXPECT_NEAR(rows.at(1).minutes, min_of(800), 1e-9);  // B -> A, still West (Dock 1400 s)
    EXPECT_NEAR(rows.at(3).minutes, min_of(600), 1e-9);  // E -> F, still North (Dock 800 s)
    EXPECT_EQ(rows.at(2).venue, "Dock");
    EXPECT_GT(std::abs(rows.at(2).minutes - min_of(300)), 4.9); // not the default-profile answer
    // The matrix keeps the recorded 18 min cutoff (1080 s): Dock reaches 2 (600 s), 3 (800 s),
    // 4 (0) and 5 (1000 s) but not 1 (1400 s), which the default 45 min cutoff would include.
    const auto mx = w.read("access_matrix");
    const auto venues = w.read("hub_venues");
    std::int64_t dock = 0;
    for (const auto& f : venues.features)
        if (as_text(f.values[venues.require_field("name")]) == "Dock") dock = f.fid;
    ASSERT_NE(dock, 0);
    EXPECT_EQ(matrix_urns_of(mx, dock), (std::set<std::int64_t>{2, 3, 4, 5}));
    const auto mm = mx.require_field("minutes");
    for (const auto& f : mx.features) EXPECT_LE(*as_number(f.values[mm]), 18.0 + 1e-9);
    // Isochrones keep the recorded bands.
    const auto iso = w.read("isochrones");
    std::set<double> bands;
    for (const auto& f : iso.features) bands.insert(*as_number(f.values[iso.require_field("minutes")]));
    EXPECT_EQ(bands, (std::set<double>{10, 20}));
}

} // namespace

TEST(RecordedAccessOptions, AccessRunRecordsItsOptionsInAnalysisRuns) {
    test::TempDir dir;
    const auto ws = halved_workspace(dir);
    const auto recorded = routing::recorded_access_parameters(Workspace(ws));
    ASSERT_TRUE(recorded.recorded) << recorded.note;
    EXPECT_NE(recorded.note.find("options of access run access-1-"), std::string::npos) << recorded.note;
    const auto& p = recorded.parameters;
    EXPECT_EQ(p.profile.name, "car-halved");
    EXPECT_EQ(p.profile.class_kph, halved_profile().class_kph); // the profile itself, not a path
    EXPECT_DOUBLE_EQ(p.profile.maxspeed_factor, 0.4);
    EXPECT_DOUBLE_EQ(p.profile.fallback_kph, 20);
    EXPECT_DOUBLE_EQ(p.profile.circuity_factor, 1.3);
    EXPECT_DOUBLE_EQ(p.access.matrix_cutoff_minutes, 18);
    EXPECT_EQ(p.access.isochrones.minutes, (std::vector<double>{10, 20}));
    EXPECT_DOUBLE_EQ(p.access.own_hub_ratio, 1.5);
    const auto runs = Workspace(ws).read("analysis_runs");
    ASSERT_EQ(runs.features.size(), 1u);
    const auto params = json::parse(as_text(runs.features[0].values[runs.require_field("parameters")]));
    EXPECT_EQ(params["step"], "access");
    EXPECT_EQ(params["roads"], "workspace roads layer");
    // A second run appends; the last one is the one reproduced.
    routing::run_access(ws, routing::AccessRunOptions{});
    EXPECT_EQ(Workspace(ws).read("analysis_runs").features.size(), 2u);
    EXPECT_EQ(routing::recorded_access_parameters(Workspace(ws)).parameters.profile.name, "car");
}

TEST(RecordedAccessOptions, ScenarioFromTheCacheUsesTheRecordedProfileAndCutoff) {
    test::TempDir dir;
    const auto ws = halved_workspace(dir), out = dir / "dock.gpkg";
    // The access run itself: B -> A 400 s x 2.
    EXPECT_NEAR(nearest(Workspace(ws).read("school_access")).at(1).minutes, min_of(800), 1e-9);
    Scenario sc;
    sc.add.push_back({"maths hub", "Dock", kD});
    const auto summary = run_scenario(kParams, ws, sc, out);
    EXPECT_TRUE(has_note(summary.notes, "read from")) << summary.notes.back();
    EXPECT_TRUE(has_note(summary.notes, "speed profile car-halved")) << summary.notes.back();
    expect_halved_dock_times(out);
}

TEST(RecordedAccessOptions, ScenarioRebuildingFromTheRoadsLayerUsesTheRecordedProfile) {
    test::TempDir dir;
    const auto ws = halved_workspace(dir), out = dir / "dock.gpkg";
    std::filesystem::remove(routing::graph_cache_path(ws));
    const auto g = routing::load_recorded_graph(ws);
    ASSERT_TRUE(g.has_value());
    EXPECT_FALSE(g->from_cache);
    EXPECT_NE(g->cache_note.find("speed profile car-halved"), std::string::npos) << g->cache_note;
    for (std::uint32_t e = 0; e < g->graph.edge_count(); ++e) // 5 m/s on every edge
        EXPECT_EQ(static_cast<long>(g->graph.time_ms(routing::EdgeId{e})),
                  std::lround(g->graph.length_m(routing::EdgeId{e}) / 5 * 1000));
    Scenario sc;
    sc.add.push_back({"maths hub", "Dock", kD});
    const auto summary = run_scenario(kParams, ws, sc, out);
    EXPECT_TRUE(has_note(summary.notes, "built from the workspace roads layer (speed profile car-halved)"))
        << summary.notes.back();
    expect_halved_dock_times(out);
}

TEST(RecordedAccessOptions, CacheBuiltWithAnotherProfileIsRebuiltFromTheRoadsLayer) {
    test::TempDir dir;
    const auto ws = halved_workspace(dir);
    routing::AccessRunOptions o; // default profile, not written: the cache no longer matches the record
    o.write = false;
    routing::run_access(ws, o);
    const auto g = routing::load_recorded_graph(ws);
    ASSERT_TRUE(g.has_value());
    EXPECT_FALSE(g->from_cache);
    EXPECT_NE(g->cache_note.find("built with another speed profile"), std::string::npos) << g->cache_note;
    EXPECT_EQ(g->parameters.profile.name, "car-halved");
}

TEST(RecordedAccessOptions, OlderWorkspaceWithoutRecordedOptionsUsesTheDefaultsAndSaysSo) {
    test::TempDir dir;
    const auto ws = halved_workspace(dir), out = dir / "dock.gpkg";
    { // As written before access runs recorded their options.
        WorkspaceWriter w(ws, ws);
        w.remove("analysis_runs");
        w.commit();
    }
    std::filesystem::remove(routing::graph_cache_path(ws));
    const auto g = routing::load_recorded_graph(ws);
    ASSERT_TRUE(g.has_value());
    EXPECT_NE(g->cache_note.find("no access run recorded"), std::string::npos) << g->cache_note;
    EXPECT_EQ(g->parameters.profile.name, "car");
    Scenario sc;
    sc.add.push_back({"maths hub", "Dock", kD});
    const auto summary = run_scenario(kParams, ws, sc, out);
    EXPECT_TRUE(has_note(summary.notes, "no access run recorded")) << summary.notes.back();
    const auto rows = nearest(Workspace(out).read("school_access"));
    EXPECT_NEAR(rows.at(2).minutes, min_of(300), 1e-9); // default profile: C -> D 300 s
    EXPECT_NEAR(rows.at(5).minutes, min_of(500), 1e-9);
}

TEST(RecordedAccessOptions, UnreadableRecordedOptionsNameTheRowAndField) {
    test::TempDir dir;
    const auto ws = halved_workspace(dir);
    FeatureTable runs = Workspace(ws).read("analysis_runs");
    const auto i = runs.require_field("parameters");
    auto params = json::parse(as_text(runs.features[0].values[i]));
    params["matrix_cutoff_minutes"] = "soon";
    runs.features[0].values[i] = params.dump();
    {
        WorkspaceWriter w(ws, ws);
        w.write(runs);
        w.commit();
    }
    try {
        routing::load_recorded_graph(ws);
        FAIL() << "expected ManifestError";
    } catch (const ManifestError& e) {
        EXPECT_NE(std::string(e.what()).find("analysis_runs row 1"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("matrix_cutoff_minutes"), std::string::npos) << e.what();
    }
}

TEST(RecordedAccessOptions, SuggestionCoversByTheRecordedProfile) {
    test::TempDir dir;
    const auto ws = halved_workspace(dir);
    run_analysis(kParams, ws);
    // Every drive takes twice as long, so 16 min under the halved profile is the default 8 min
    // case: West and North cover 1 (800 s) and 3 (600 s); only C reaches 2, 4 (600 s) and 5 (400 s).
    auto s = suggest_venues(Workspace(ws), TargetQuery{}, "maths hub", 2, Minutes(16.0));
    EXPECT_NE(s.method.find("speed profile car-halved"), std::string::npos) << s.method;
    ASSERT_EQ(s.urns.size(), 1u);
    EXPECT_EQ(s.urns[0], 2);
    const auto cs = Workspace(ws).read("coldspots_schools");
    EXPECT_NEAR(s.choice.covered_before,
                (field_of(cs, 1, "coldspot_index") + field_of(cs, 3, "coldspot_index")) / 100, 1e-9);
    EXPECT_NEAR(s.choice.covered_after, s.choice.total, 1e-9);
    // At 8 min nothing existing covers anyone any more (800 s, 600 s > 480 s): more is left to cover.
    s = suggest_venues(Workspace(ws), TargetQuery{}, "maths hub", 2, Minutes(8.0));
    EXPECT_NEAR(s.choice.covered_before, 0.0, 1e-12);
}

TEST(RecordedAccessOptions, CliAccessWithAProfileThenCliScenario) {
    ASSERT_TRUE(std::filesystem::exists(test::cli())) << test::cli();  // test targets depend on coldspot
    test::TempDir dir;
    const auto ws = dir / "u.gpkg", out = dir / "s.gpkg", profile = dir / "slow.json", params = dir / "p.json";
    write_u_workspace(ws);
    std::ofstream(profile) << routing::speed_profile_json(halved_profile());
    std::ofstream(params) << kParams.dump();
    auto r = test::run_cli({"access", ws.string(), "--profile", profile.string(), "--matrix-cutoff", "18", "--bands", "10,20"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::filesystem::remove(profile); // the run recorded the profile itself
    r = test::run_cli({"coldspots", ws.string(), "--params", params.string(), "--quiet", "--add-venue",
                       "maths hub:Dock:8000:3000", "--output", out.string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_halved_dock_times(out);
}
