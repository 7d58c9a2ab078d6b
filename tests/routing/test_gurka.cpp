// Gurka-style tests: tiny hand-drawn road networks with exact expected times.
//
//            D (1000,1000)
//           /  \            fast: 36 km/h = 10 m/s, two-way
//          /    \           slow: 18 km/h = 5 m/s, drawn C->B with oneway=-1 (so only B->C)
//   A (0,0)------B (1000,0)====C (2000,0)         island E-F far away (fast, two-way)
//
// Edge times: A-B 100 s, B->C 200 s, C-D and D-A 1414.2136 m / 10 = 141.421 s.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/routing/edge_snapper.hpp"
#include "coldspot/geo/routing/graph_cache.hpp"
#include "coldspot/geo/routing/multi_source_search.hpp"
#include "coldspot/geo/routing/road_graph.hpp"
#include "coldspot/geo/routing/road_source.hpp"
#include "coldspot/geo/routing/school_access.hpp"
#include "coldspot/geo/routing/speed_profile.hpp"
#include "coldspot/geo/geos.hpp"
#include "gurka.hpp"
#include "test_support.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <queue>
#include <random>
#include <regex>

using namespace coldspot;
using namespace coldspot::geo;
using namespace coldspot::geo::routing;

namespace {

using test::gurka::add;
using test::gurka::points;
using test::gurka::test_profile;

const Point A(0, 0), B(1000, 0), C(2000, 0), D(1000, 1000), E(50000, 50000), F(51000, 50000);

FeatureTable hand_drawn_roads() {
    FeatureTable t = make_roads_table();
    add(t, {A, B}, "fast", 0);
    add(t, {C, B}, "slow", -1);
    add(t, {C, D, A}, "fast", 0); // one line through D: D is an interior vertex
    add(t, {E, F}, "fast", 0);    // the island
    add(t, {A, Point(0, -300)}, "footway", 0); // not routable in this profile
    return t;
}

constexpr TimeMs kDiag = 141421; // 1414.2136 m at 10 m/s

} // namespace

TEST(RoutingGurka, BuildKeepsLargestComponentAndReportsRemoved) {
    const auto built = build_road_graph(hand_drawn_roads(), test_profile());
    const auto& r = built.report;
    EXPECT_EQ(r.roads_read, 5u);
    EXPECT_EQ(r.roads_not_routable, 1u);
    EXPECT_EQ(r.not_routable_classes.at("footway"), 1u);
    EXPECT_EQ(r.nodes_before, 6u);   // A B C D E F
    EXPECT_EQ(r.edges_before, 9u);   // A-B 2, B->C 1, C-D 2, D-A 2, E-F 2
    EXPECT_EQ(r.components, 2u);
    EXPECT_EQ(r.nodes_removed, 2u);
    EXPECT_EQ(r.edges_removed, 2u);
    EXPECT_EQ(built.graph.node_count(), 4u);
    EXPECT_EQ(built.graph.edge_count(), 7u);
    EXPECT_NE(r.to_string().find("removing 2 nodes and 2 edges"), std::string::npos);
}

TEST(RoutingGurka, OnewayMinusOneAllowsOnlyTheReverseOfTheDrawing) {
    const auto g = build_road_graph(hand_drawn_roads(), test_profile()).graph;
    EdgeSnapper snapper(g);
    // A point on B-C: only the B->C edge is there (drawn C->B with oneway=-1).
    const Snap s = snapper.snap(Point(1500, 3));
    ASSERT_EQ(s.positions.size(), 1u);
    EXPECT_EQ(g.coord(s.positions[0].tail).x(), 1000);
    EXPECT_EQ(g.coord(s.positions[0].head).x(), 2000);
    EXPECT_EQ(g.time_ms(s.positions[0].edge), 200000u);
    EXPECT_DOUBLE_EQ(s.positions[0].fraction, 0.5);
    EXPECT_DOUBLE_EQ(s.distance_m, 3.0);
    // A two-way street gives both directions.
    EXPECT_EQ(snapper.snap(Point(250, -7)).positions.size(), 2u);
}

TEST(RoutingGurka, ExactTimesFromSchoolsBetweenNodesToAVenue) {
    const auto g = build_road_graph(hand_drawn_roads(), test_profile()).graph;
    const RoadGraph rev = g.reversed();
    EdgeSnapper snapper(g);
    MultiSourceSearch search(rev);
    // Venue V on B->C, 800 m from B: reached from B in 160 s.
    const Snap venue = snapper.snap(Point(1800, 2));
    const auto sources = sources_for(g, venue, 7);
    std::vector<LabelledPosition> same;
    for (const auto& p : venue.positions) same.push_back({p, 7});
    search.run(sources);

    // School 1 halfway along A-B, 10 m off the road: 50 s to B, then 160 s.
    const Snap s1 = snapper.snap(Point(500, 10));
    EXPECT_DOUBLE_EQ(s1.distance_m, 10.0);
    Arrival a1 = arrival(g, search, s1, same);
    EXPECT_EQ(a1.time, 210000u);
    EXPECT_NEAR(a1.metres, 1300.0, 1e-3);
    EXPECT_EQ(a1.label, 7u);

    // School 2 on the one-way B->C upstream of the venue: 300 m at 5 m/s directly, 60 s (going
    // on to C would need the loop C-D-A-B: 642.8 s).
    Arrival a2 = arrival(g, search, snapper.snap(Point(1500, -5)), same);
    EXPECT_EQ(a2.time, 60000u);
    EXPECT_NEAR(a2.metres, 300.0, 1e-3);

    // School 3 downstream of the venue on the one-way: must go round C-D-A-B: 100 s + 141.421 x 2
    // + 100 s + 160 s.
    Arrival a3 = arrival(g, search, snapper.snap(Point(1900, 0)), same);
    EXPECT_EQ(a3.time, 20000u + 2 * kDiag + 100000u + 160000u);

    // School 4 exactly on node D (an interior vertex of the C-D-A line): D->A->B + 160 s.
    Arrival a4 = arrival(g, search, snapper.snap(D), same);
    EXPECT_EQ(a4.time, kDiag + 100000u + 160000u);
    EXPECT_NEAR(a4.metres, 1414.2136 + 1000 + 800, 1e-2);
}

TEST(RoutingGurka, VenueOnANodeIsReachedFromThatNode) {
    const auto g = build_road_graph(hand_drawn_roads(), test_profile()).graph;
    const RoadGraph rev = g.reversed();
    EdgeSnapper snapper(g);
    MultiSourceSearch search(rev);
    search.run(sources_for(g, snapper.snap(C), 0));
    // From A to C: A->B 100 s + B->C 200 s = 300 s beats A->D->C 282.8 s? No: 282.842 s wins.
    EXPECT_EQ(arrival(g, search, snapper.snap(A)).time, 2 * kDiag);
    // From B: B->C 200 s.
    EXPECT_EQ(arrival(g, search, snapper.snap(B)).time, 200000u);
}

TEST(RoutingGurka, MaxspeedOverridesClassAndLengthFieldScalesSegments) {
    FeatureTable t = make_roads_table();
    // 1000 m drawn, 1500 m by the length field, maxspeed 54 km/h (15 m/s): 100 s.
    add(t, {Point(0, 0), Point(600, 0), Point(1000, 0)}, "fast", 0, 54.0, 1500.0);
    const auto g = build_road_graph(t, test_profile()).graph;
    ASSERT_EQ(g.node_count(), 3u);
    TimeMs total = 0;
    double metres = 0;
    for (std::uint32_t e = 0; e < g.edge_count(); ++e) {
        total += g.time_ms(EdgeId{e});
        metres += g.length_m(EdgeId{e});
    }
    EXPECT_EQ(total, 2u * 100000u); // both directions
    EXPECT_NEAR(metres, 3000.0, 1e-3);
}

TEST(RoutingGurka, SchoolAccessNearestOwnHubFallbackMatrixAndIsochrones) {
    const auto g = build_road_graph(hand_drawn_roads(), test_profile()).graph;
    // Two venues of type "tsh": V1 at C (hub h1), V2 near A (hub h2). School s1 at B's side.
    FeatureTable venues = points("hub_venues", {{1, C}, {2, Point(0, -5)}},
                                 {{"hub_id", FieldType::String}, {"hub_type", FieldType::String}, {"name", FieldType::String}},
                                 {{std::string("h1"), std::string("tsh"), std::string("V1")},
                                  {std::string("h2"), std::string("tsh"), std::string("V2")}});
    FeatureTable schools = points("schools", {{100, Point(900, 0)}, {200, Point(51000, 60000)}},
                                  {{"urn", FieldType::Integer}}, {{std::int64_t{100}}, {std::int64_t{200}}});
    // Hub h1's footprint covers school 100 (its own hub is h1 at C); h2 covers nothing.
    FeatureTable hubs;
    hubs.name = "hubs";
    hubs.geometry_type = GeometryType::MultiPolygon;
    hubs.fields = {{"hub_id", FieldType::String}, {"hub_type", FieldType::String}};
    Feature h;
    h.fid = 1;
    MultiPolygon mp;
    bg::read_wkt("MULTIPOLYGON(((500 -500,500 500,1500 500,1500 -500,500 -500)))", mp);
    bg::correct(mp);
    h.geometry = mp;
    h.values = {std::string("h1"), std::string("tsh")};
    hubs.features.push_back(h);

    AccessOptions opt;
    opt.own_hub_ratio = 1.5;
    opt.own_hub_extra_minutes = 1;
    opt.matrix_cutoff_minutes = 4; // 240 s
    opt.isochrones.minutes = {2, 5};
    opt.isochrones.cell_m = 50;
    AccessInputs in{&schools, &venues, &hubs, nullptr};
    const auto r = compute_school_access(g, in, test_profile(), opt);

    const auto& sa = r.school_access;
    auto col = [&](const Feature& f, const char* name) { return f.values[sa.require_field(name)]; };
    ASSERT_EQ(sa.features.size(), 3u); // 100 nearest, 100 own_hub, 200 nearest
    const Feature& near100 = sa.features[0];
    EXPECT_EQ(as_text(col(near100, "role")), "nearest");
    EXPECT_EQ(as_text(col(near100, "hub_id")), "h2");
    // School 100 at (900,0) on A-B: to V2 at A (5 m off, snapped onto A): 90 s.
    EXPECT_NEAR(*as_number(col(near100, "minutes")), 90.0 / 60, 1e-9);
    EXPECT_EQ(as_text(col(near100, "method")), "road");
    const Feature& own100 = sa.features[1];
    EXPECT_EQ(as_text(col(own100, "role")), "own_hub");
    EXPECT_EQ(as_text(col(own100, "hub_id")), "h1");
    // To V1 at C: 10 s to B then 200 s.
    EXPECT_NEAR(*as_number(col(own100, "minutes")), 210.0 / 60, 1e-9);
    EXPECT_EQ(std::get<std::int64_t>(col(own100, "own_hub_much_farther")), 1);
    // School 200 is 10 km from any kept road (the island was removed): straight line x 1.5 at
    // 10 m/s to the nearer venue (V1 at C).
    const Feature& near200 = sa.features[2];
    EXPECT_EQ(as_text(col(near200, "method")), "straight_line");
    EXPECT_EQ(as_text(col(near200, "snap_flag")), "no_road");
    const double crow = std::hypot(51000 - 2000, 60000 - 0);
    EXPECT_NEAR(*as_number(col(near200, "metres")), crow * 1.5, 1e-6);
    EXPECT_NEAR(*as_number(col(near200, "minutes")), crow * 1.5 / 10 / 60, 1e-9);
    EXPECT_EQ(r.report.straight_line_values, 1u);
    EXPECT_EQ(r.report.road_values, 2u);
    EXPECT_EQ(r.report.remit_source, "hubs (point in footprint)");

    // Matrix within 240 s: school 100 -> V1 210 s, -> V2 90 s; school 200 has no road.
    const auto& mx = r.access_matrix;
    ASSERT_EQ(mx.features.size(), 2u);
    std::map<std::int64_t, double> by_venue;
    for (const auto& f : mx.features)
        by_venue[std::get<std::int64_t>(f.values[mx.require_field("venue_fid")])] =
            *as_number(f.values[mx.require_field("minutes")]);
    EXPECT_NEAR(by_venue.at(1), 3.5, 1e-9);
    EXPECT_NEAR(by_venue.at(2), 1.5, 1e-9);

    // Isochrones: two valid polygons for "tsh"; the 5-minute one contains the 2-minute one,
    // covers B (100 s from A) and not the far island.
    ASSERT_EQ(r.isochrones.features.size(), 2u);
    const auto& iso2 = std::get<MultiPolygon>(r.isochrones.features[0].geometry);
    const auto& iso5 = std::get<MultiPolygon>(r.isochrones.features[1].geometry);
    EXPECT_EQ(invalid_reason(iso2), "");
    EXPECT_EQ(invalid_reason(iso5), "");
    EXPECT_TRUE(bg::covered_by(Point(700, 0), iso2));
    EXPECT_FALSE(bg::covered_by(D, iso2)); // 141 s from either venue
    EXPECT_TRUE(bg::covered_by(D, iso5));
    EXPECT_FALSE(bg::covered_by(E, iso5));
    EXPECT_GT(bg::area(iso5), bg::area(iso2));
}

TEST(RoutingGurka, GraphCacheRoundTripsAndRejectsStaleOrCorrupt) {
    test::TempDir dir;
    const auto g = build_road_graph(hand_drawn_roads(), test_profile()).graph;
    const auto path = dir / "w.gpkg.roadgraph";
    save_graph_cache(path, g, "key-1");
    std::string why;
    auto back = load_graph_cache(path, "key-1", &why);
    ASSERT_TRUE(back) << why;
    EXPECT_EQ(back->node_count(), g.node_count());
    EXPECT_TRUE(std::equal(g.head_array().begin(), g.head_array().end(), back->head_array().begin()));
    EXPECT_TRUE(std::equal(g.time_array().begin(), g.time_array().end(), back->time_array().begin()));
    EXPECT_FALSE(load_graph_cache(path, "key-2", &why));
    EXPECT_NE(why.find("other roads"), std::string::npos);
    // Flip one byte in the middle: the checksum catches it.
    {
        std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(60);
        char c;
        f.seekg(60);
        f.read(&c, 1);
        c = static_cast<char>(c ^ 0x5a);
        f.seekp(60);
        f.write(&c, 1);
    }
    EXPECT_FALSE(load_graph_cache(path, "key-1", &why));
    EXPECT_NE(why.find("checksum"), std::string::npos);
    EXPECT_FALSE(load_graph_cache(dir / "missing", "key-1", &why));
}

TEST(RoutingGurka, GraphCacheChecksumCoversEveryBlockOfALargeCache) {
    // The loader checksums a cache in 4 MiB blocks on two threads and joins the pieces: a 48 MB cache
    // (a 1,000,000-node two-way path) must load, and a byte flipped in a late block must be caught.
    const std::uint32_t n = 1'000'000;
    std::vector<std::uint32_t> first(n + 1), head;
    std::vector<TimeMs> time;
    std::vector<float> length;
    std::vector<Point> coords(n);
    for (std::uint32_t v = 0; v < n; ++v) {
        first[v] = static_cast<std::uint32_t>(head.size());
        coords[v] = Point(v * 10.0, (v % 7) * 3.0);
        for (const std::int64_t w : {std::int64_t{v} - 1, std::int64_t{v} + 1})
            if (w >= 0 && w < n) {
                head.push_back(static_cast<std::uint32_t>(w));
                time.push_back(1000 + v % 13);
                length.push_back(10.0f);
            }
    }
    first[n] = static_cast<std::uint32_t>(head.size());
    const RoadGraph g(first, head, time, length, coords);
    test::TempDir dir;
    const auto path = dir / "big.roadgraph";
    save_graph_cache(path, g, "big");
    ASSERT_GT(std::filesystem::file_size(path), std::uintmax_t{40} << 20);
    std::string why;
    const auto back = load_graph_cache(path, "big", &why);
    ASSERT_TRUE(back) << why;
    for (std::uint32_t v = 0; v < n; v += 9973) EXPECT_EQ(back->coord(NodeId{v}).x(), coords[v].x());
    EXPECT_EQ(back->coord(NodeId{n - 1}).y(), coords[n - 1].y());
    EXPECT_TRUE(std::equal(time.begin(), time.end(), back->time_array().begin(), back->time_array().end()));
    {
        std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
        const auto at = static_cast<std::streamoff>(std::filesystem::file_size(path) - 4096);
        char c;
        f.seekg(at);
        f.read(&c, 1);
        c = static_cast<char>(c ^ 0x01);
        f.seekp(at);
        f.write(&c, 1);
    }
    EXPECT_FALSE(load_graph_cache(path, "big", &why));
    EXPECT_NE(why.find("checksum"), std::string::npos) << why;
}

TEST(RoutingGurka, MaxspeedParsing) {
    EXPECT_DOUBLE_EQ(*parse_maxspeed("50"), 50.0);
    EXPECT_DOUBLE_EQ(*parse_maxspeed("30 mph"), 30 * 1.609344);
    EXPECT_DOUBLE_EQ(*parse_maxspeed("20mph"), 20 * 1.609344);
    EXPECT_DOUBLE_EQ(*parse_maxspeed("48 km/h"), 48.0);
    EXPECT_DOUBLE_EQ(*parse_maxspeed("GB:nsl_single"), 60 * 1.609344);
    EXPECT_DOUBLE_EQ(*parse_maxspeed("GB:nsl_dual"), 70 * 1.609344);
    EXPECT_DOUBLE_EQ(*parse_maxspeed("30 mph;20 mph"), 20 * 1.609344);
    EXPECT_FALSE(parse_maxspeed("none"));
    EXPECT_FALSE(parse_maxspeed("signals"));
    EXPECT_FALSE(parse_maxspeed(""));
    EXPECT_FALSE(parse_maxspeed("-5"));
    EXPECT_EQ(primary_class("unclassified;residential"), "unclassified");
}

TEST(RoutingGurka, SpeedProfileFileErrorsNameTheField) {
    EXPECT_THROW(parse_speed_profile("{not json", "p.json"), FormatError);
    EXPECT_THROW(parse_speed_profile(R"({"class_kph": {}})", "p.json"), ManifestError);
    try {
        parse_speed_profile(R"({"class_kph": {"residential": -3}})", "p.json");
        FAIL();
    } catch (const ManifestError& e) {
        EXPECT_EQ(e.where().file, "p.json");
        EXPECT_EQ(e.where().field, "class_kph.residential");
    }
    EXPECT_THROW(parse_speed_profile(R"({"class_kph": {"a": 3}, "fallback": {"circuity_factor": 0.5}})", "p"),
                 ManifestError);
    EXPECT_THROW(load_speed_profile("/nonexistent/car.json"), FileNotFoundError);
    // The shipped file parses and equals the built-in profile.
    const auto shipped = load_speed_profile(test::source_dir() / "data/profiles/car.json");
    EXPECT_EQ(profile_fingerprint(shipped), profile_fingerprint(default_speed_profile()));
}

TEST(RoutingGurka, RoadSourceParsing) {
    const auto s = parse_road_source(nlohmann::json::parse(R"({"path": "x/edges.geojson", "fields": {"class": "highway",
        "oneway": "oneway", "length": "length_m"}, "exclude_classes": ["bus_guideway"], "directed_edges": true})"),
                                     "/base");
    EXPECT_EQ(s.kind, RoadSourceKind::Ogr);
    EXPECT_EQ(s.path, "/base/x/edges.geojson");
    EXPECT_EQ(s.fields.road_class, "highway");
    EXPECT_EQ(s.fields.length, "length_m");
    EXPECT_TRUE(s.directed_edges);
    EXPECT_EQ(s.exclude_classes, std::vector<std::string>{"bus_guideway"});
    EXPECT_EQ(parse_road_source(nlohmann::json::parse(R"({"path": "/r.osm.pbf"})"), "/b").kind, RoadSourceKind::Pbf);
    try {
        parse_road_source(nlohmann::json::parse(R"({"path": "e.gpkg", "fields": {"clas": "x"}})"), "/b", "m.json");
        FAIL();
    } catch (const ManifestError& e) {
        EXPECT_EQ(e.where().field, "roads.fields.clas");
    }
    EXPECT_THROW(parse_road_source(nlohmann::json::parse(R"({"path": "e.gpkg"})"), "/b"), ManifestError);
    EXPECT_THROW(parse_road_source(nlohmann::json::parse(R"({"path": "e", "kind": "shp"})"), "/b"), ManifestError);
    RoadSource missing;
    missing.kind = RoadSourceKind::Pbf;
    missing.path = "/nonexistent.osm.pbf";
    EXPECT_THROW(read_road_lines(missing), FileNotFoundError);
    missing.kind = RoadSourceKind::Ogr;
    missing.path = "/nonexistent.gpkg";
    missing.fields.road_class = "highway";
    EXPECT_THROW(read_road_lines(missing), FileNotFoundError);
}

TEST(RoutingGurka, NotAPbfIsAFormatError) {
    test::TempDir dir;
    const auto p = dir / "bad.osm.pbf";
    std::ofstream(p) << "this is not a pbf";
    RoadSource s;
    s.path = p;
    EXPECT_THROW(read_road_lines(s), FormatError);
}

TEST(RoutingGurka, ATagWithANulByteInsideIsAFormatErrorNamingTheWay) {
    // Found by the osm_pbf fuzz target: a string-table entry with a NUL byte inside, used as a way's
    // tag key, put libosmium's walk over the tag list out of step and past its end (ASan).
    RoadSource s;
    s.path = test::source_dir() / "tests/fuzz/regressions/osm_pbf/nul-byte-in-tag-key";
    try {
        read_road_lines(s);
        FAIL() << "read a PBF whose tag list libosmium cannot walk";
    } catch (const FormatError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("nul-byte-in-tag-key"), std::string::npos) << message;
        EXPECT_TRUE(std::regex_search(message, std::regex("way -?[0-9]+ has a tag key or value with a NUL byte in it"))) << message;
    }
}

TEST(RoutingGurka, RefusedPbfsLeaveNoFileDescriptorOpen) {
    // libosmium 2.18 leaves a refused PBF's descriptor open (found by the osm_pbf fuzz target, which
    // ran out of descriptors after about a thousand inputs); read_road_lines closes it.
    const auto open_descriptors = [] {
        return std::distance(std::filesystem::directory_iterator("/proc/self/fd"), std::filesystem::directory_iterator{});
    };
    test::TempDir dir;
    RoadSource garbage;
    garbage.path = dir / "bad.osm.pbf";
    std::ofstream(garbage.path) << "this is not a pbf";
    RoadSource nul;
    nul.path = test::source_dir() / "tests/fuzz/regressions/osm_pbf/nul-byte-in-tag-key";
    const auto before = open_descriptors();
    for (int i = 0; i < 20; ++i) {
        EXPECT_THROW(read_road_lines(garbage), FormatError);
        EXPECT_THROW(read_road_lines(nul), FormatError);
    }
    EXPECT_EQ(open_descriptors(), before);
}

TEST(RoutingGurka, RadixHeapPopsInTheSameOrderAsAPriorityQueue) {
    // Dijkstra-like use: keys pushed are never below the last key popped.
    std::mt19937 rng(7);
    detail::RadixHeap heap;
    std::priority_queue<std::uint32_t, std::vector<std::uint32_t>, std::greater<>> reference;
    std::uint32_t last = 0;
    for (int round = 0; round < 20000; ++round) {
        if (reference.empty() || rng() % 3 != 0) {
            const std::uint32_t key = last + rng() % 100000;
            heap.push(key, key ^ 0x5555u);
            reference.push(key);
        } else {
            const auto [key, value] = heap.pop();
            ASSERT_EQ(key, reference.top());
            ASSERT_EQ(value, key ^ 0x5555u);
            reference.pop();
            last = key;
        }
    }
    EXPECT_EQ(heap.size(), reference.size());
}
