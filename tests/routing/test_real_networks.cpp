// Real road data: the Cambridge OSMnx edge file and the Rutland OSM extract. Times from their
// schools to a venue are checked against a second, independent computation: Boost.Graph's
// dijkstra_shortest_paths on an edge list built here, and a brute-force nearest-segment snap.
#include "coldspot/geo/crs.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/routing/access_run.hpp"
#include "coldspot/geo/routing/edge_snapper.hpp"
#include "coldspot/geo/routing/graph_cache.hpp"
#include "coldspot/geo/routing/multi_source_search.hpp"
#include "coldspot/geo/routing/road_graph.hpp"
#include "coldspot/geo/routing/road_source.hpp"
#include "coldspot/geo/routing/school_access.hpp"
#include "coldspot/geo/routing/speed_profile.hpp"
#include "test_support.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using namespace coldspot;
using namespace coldspot::geo;
using namespace coldspot::geo::routing;

namespace {

using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property,
                                         boost::property<boost::edge_weight_t, double>>;

std::vector<std::string> csv_row(const std::string& line) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') cur += '"', ++i;
            else if (c == '"') quoted = false;
            else cur += c;
        } else if (c == '"') quoted = true;
        else if (c == ',') out.push_back(cur), cur.clear();
        else cur += c;
    }
    out.push_back(cur);
    return out;
}

struct SchoolPoint {
    std::int64_t urn;
    std::string name;
    Point at;
};

std::vector<SchoolPoint> open_schools_in(const std::string& lad24) {
    std::ifstream in(test::shared_data() / "schools/schools_gias2024_composite_geocoded.csv");
    std::string line;
    std::getline(in, line);
    const auto header = csv_row(line);
    auto col = [&](const std::string& n) {
        return static_cast<std::size_t>(std::find(header.begin(), header.end(), n) - header.begin());
    };
    const auto i_urn = col("urn"), i_name = col("name"), i_status = col("status"), i_e = col("easting"),
               i_n = col("northing"), i_lad = col("lad24_code");
    std::vector<SchoolPoint> out;
    while (std::getline(in, line)) {
        const auto r = csv_row(line);
        if (r.size() <= i_lad || r[i_lad] != lad24 || r[i_status] != "Open" || r[i_e].empty()) continue;
        out.push_back({std::stoll(r[i_urn]), r[i_name], Point(std::stod(r[i_e]), std::stod(r[i_n]))});
    }
    return out;
}

/// Independent reading of OSM maxspeed values as they occur in the Cambridge file ("30 mph",
/// "30 mph;20 mph"): the lowest number, in mph.
std::optional<double> cambridge_maxspeed_kph(const nlohmann::json& v) {
    if (!v.is_string()) return std::nullopt;
    const std::string s = v.get<std::string>();
    std::regex number(R"((\d+(\.\d+)?)\s*mph)");
    std::optional<double> low;
    for (auto it = std::sregex_iterator(s.begin(), s.end(), number); it != std::sregex_iterator(); ++it) {
        const double kph = std::stod((*it)[1]) * 1.609344;
        if (!low || kph < *low) low = kph;
    }
    return low;
}

double segment_distance(const Point& p, const Point& a, const Point& b, double& t) {
    const double dx = b.x() - a.x(), dy = b.y() - a.y();
    const double l2 = dx * dx + dy * dy;
    t = l2 > 0 ? std::clamp(((p.x() - a.x()) * dx + (p.y() - a.y()) * dy) / l2, 0.0, 1.0) : 0.0;
    return std::hypot(p.x() - (a.x() + t * dx), p.y() - (a.y() + t * dy));
}

/// A directed edge drawn as a polyline with a total travel time (seconds).
struct PolyEdge {
    std::size_t tail, head;
    std::vector<Point> line;
    double seconds;
};

/// Time (s) from p to the target by brute force: nearest segment over all edges, then along the
/// edge to its head and on with the Dijkstra times to the target (`to_target`, s, by node).
double brute_force_time(const Point& p, const std::vector<PolyEdge>& edges, const std::vector<double>& to_target) {
    double best_d = std::numeric_limits<double>::infinity();
    for (const auto& e : edges)
        for (std::size_t i = 1; i < e.line.size(); ++i) {
            double t;
            best_d = std::min(best_d, segment_distance(p, e.line[i - 1], e.line[i], t));
        }
    double best = std::numeric_limits<double>::infinity();
    for (const auto& e : edges) {
        double drawn = 0;
        for (std::size_t i = 1; i < e.line.size(); ++i) drawn += bg::distance(e.line[i - 1], e.line[i]);
        double along = 0;
        for (std::size_t i = 1; i < e.line.size(); ++i) {
            double t;
            const double seg = bg::distance(e.line[i - 1], e.line[i]);
            if (segment_distance(p, e.line[i - 1], e.line[i], t) <= best_d + 1e-6 && drawn > 0) {
                const double f = (along + t * seg) / drawn;
                best = std::min(best, (1 - f) * e.seconds + to_target[e.head]);
                if (f <= 1e-9) best = std::min(best, to_target[e.tail]);
            }
            along += seg;
        }
    }
    return best;
}

/// Dijkstra from `target` over the reversed edges: seconds from every node to the target.
std::vector<double> boost_times_to(std::size_t n, const std::vector<PolyEdge>& edges, std::size_t target) {
    BoostGraph g(n);
    for (const auto& e : edges) boost::add_edge(e.head, e.tail, e.seconds, g);
    std::vector<double> dist(n);
    boost::dijkstra_shortest_paths(g, target, boost::distance_map(dist.data()));
    return dist;
}

Arrival our_time(const RoadGraph& g, const EdgeSnapper& snapper, const Point& venue, const Point& school) {
    static thread_local std::unique_ptr<RoadGraph> rev;
    static thread_local const RoadGraph* for_graph = nullptr;
    if (for_graph != &g) {
        rev = std::make_unique<RoadGraph>(g.reversed());
        for_graph = &g;
    }
    MultiSourceSearch search(*rev);
    const Snap v = snapper.snap(venue);
    search.run(sources_for(g, v, 0));
    std::vector<LabelledPosition> same;
    for (const auto& p : v.positions) same.push_back({p, 0});
    return arrival(g, search, snapper.snap(school), same);
}

RoadSource cambridge_source() {
    return parse_road_source(nlohmann::json::parse(R"({"kind": "ogr", "path": "osm/cambridge_drive_service_2020_edges.geojson",
        "fields": {"class": "highway", "speed": "maxspeed", "length": "length_m"},
        "exclude_classes": ["bus_guideway"], "directed_edges": true})"),
                             test::shared_data());
}

} // namespace

TEST(RoutingRealData, CambridgeEdgesImportWithoutTheBusway) {
    COLDSPOT_REQUIRE_SHARED("osm/cambridge_drive_service_2020_edges.geojson");
    const FeatureTable roads = read_road_lines(cambridge_source());
    // 10,194 edges less 47 'bus_guideway' and 2 'bus_guideway;unclassified' (PROVENANCE.md).
    EXPECT_EQ(roads.features.size(), 10194u - 49u);
    const auto i_class = roads.require_field("highway");
    for (const auto& f : roads.features) ASSERT_NE(as_text(f.values[i_class]), "bus_guideway");
    const Box box = roads.extent(); // in EPSG:27700: Cambridge is around (545000, 258000)
    EXPECT_GT(box.min_corner().x(), 535000);
    EXPECT_LT(box.max_corner().x(), 556000);
    EXPECT_GT(box.min_corner().y(), 250000);
    EXPECT_LT(box.max_corner().y(), 265000);
    const auto built = build_road_graph(roads, default_speed_profile());
    EXPECT_EQ(built.report.not_routable_classes.at("no"), 2u); // highway=no is not a road class
    // Almost all of the 4,708 OSM nodes stay in the largest component (the busway's own nodes go).
    EXPECT_GT(built.graph.node_count(), 4600u);
    EXPECT_LT(built.graph.memory_bytes() / built.graph.edge_count(), 64u);
}

TEST(RoutingRealData, CambridgeSchoolTimesMatchBoostDijkstraOnTheEdgeFile) {
    COLDSPOT_REQUIRE_SHARED("osm/cambridge_drive_service_2020_edges.geojson");
    COLDSPOT_REQUIRE_SHARED("schools/schools_gias2024_composite_geocoded.csv");
    // Independent graph: nodes by OSM id (not by coordinate), weights from length_m and the
    // profile's numbers read straight from data/profiles/car.json.
    nlohmann::json profile;
    std::ifstream(test::source_dir() / "data/profiles/car.json") >> profile;
    const double factor = profile["maxspeed_factor"].get<double>();
    nlohmann::json fc;
    std::ifstream(test::shared_data() / "osm/cambridge_drive_service_2020_edges.geojson") >> fc;
    CrsTransform to_bng(kWgs84, kBritishNationalGrid);
    std::map<std::int64_t, std::size_t> node_of;
    std::vector<PolyEdge> edges;
    auto node = [&](std::int64_t osm) { return node_of.try_emplace(osm, node_of.size()).first->second; };
    for (const auto& f : fc["features"]) {
        const auto& p = f["properties"];
        const std::string hw = p["highway"].get<std::string>();
        if (hw.find("bus_guideway") != std::string::npos) continue;
        const std::string cls = hw.substr(0, hw.find(';'));
        if (!profile["class_kph"].contains(cls)) continue;
        const auto ms = cambridge_maxspeed_kph(p.value("maxspeed", nlohmann::json()));
        const double kph = ms ? *ms * factor : profile["class_kph"][cls].get<double>();
        PolyEdge e{node(p["u"].get<std::int64_t>()), node(p["v"].get<std::int64_t>()), {},
                   p["length_m"].get<double>() / (kph / 3.6)};
        for (const auto& c : f["geometry"]["coordinates"])
            e.line.push_back(to_bng(Point(c[0].get<double>(), c[1].get<double>())));
        edges.push_back(std::move(e));
    }
    // Venue: the node where Norfolk Terrace starts (OSM node 1475280906), central Cambridge.
    const std::size_t target = node_of.at(1475280906);
    const auto to_target = boost_times_to(node_of.size(), edges, target);
    Point venue;
    for (const auto& e : edges)
        if (e.tail == target) venue = e.line.front();

    const auto built = build_road_graph(read_road_lines(cambridge_source()), default_speed_profile());
    const EdgeSnapper snapper(built.graph);
    const auto schools = open_schools_in("E07000008"); // Cambridge
    ASSERT_GT(schools.size(), 40u);
    std::size_t compared = 0;
    double worst = 0;
    for (const auto& s : schools) {
        const double expected = brute_force_time(s.at, edges, to_target);
        if (!std::isfinite(expected)) continue;
        const Arrival a = our_time(built.graph, snapper, venue, s.at);
        ASSERT_NE(a.time, kUnreachable) << s.urn << " " << s.name;
        // Per-segment times are rounded to the millisecond: allow 0.25 s over a whole route.
        EXPECT_NEAR(a.time / 1000.0, expected, 0.25) << s.urn << " " << s.name;
        worst = std::max(worst, std::abs(a.time / 1000.0 - expected));
        ++compared;
    }
    EXPECT_GT(compared, 40u);
    RecordProperty("worst_difference_s", std::to_string(worst));
}

TEST(RoutingRealData, RutlandPbfImportsCarRoadsSplitAtJunctions) {
    COLDSPOT_REQUIRE_SHARED("osm/rutland-latest.osm.pbf");
    RoadSource src;
    src.kind = RoadSourceKind::Pbf;
    src.path = test::shared_data() / "osm/rutland-latest.osm.pbf";
    const FeatureTable roads = read_road_lines(src);
    ASSERT_GT(roads.features.size(), 3000u);
    const auto i_class = roads.require_field("highway");
    const auto i_oneway = roads.require_field("oneway");
    std::map<std::string, std::size_t> classes;
    std::size_t oneway = 0;
    for (const auto& f : roads.features) {
        ++classes[as_text(f.values[i_class])];
        if (std::get<std::int64_t>(f.values[i_oneway]) != 0) ++oneway;
    }
    EXPECT_EQ(classes.count("footway"), 0u);
    EXPECT_EQ(classes.count("track"), 0u);
    EXPECT_GT(classes["trunk"], 100u); // the A1 and A47 (166 trunk ways before splitting)
    EXPECT_GT(oneway, 50u);            // dual carriageways, roundabouts
    // Rutland in EPSG:27700: roughly 480-505 km E, 295-320 km N.
    const Box box = roads.extent();
    EXPECT_GT(box.min_corner().x(), 475000);
    EXPECT_LT(box.max_corner().x(), 510000);
    const auto built = build_road_graph(roads, default_speed_profile());
    EXPECT_GT(built.report.components, 1u); // ends cut by the extract border
    EXPECT_GT(built.report.nodes_removed, 0u);
    EXPECT_GT(built.graph.node_count(), 10000u);
    EXPECT_LT(built.graph.memory_bytes() / built.graph.edge_count(), 64u);
}

TEST(RoutingRealData, RutlandSchoolTimesMatchBoostDijkstraOnTheSameEdges) {
    COLDSPOT_REQUIRE_SHARED("osm/rutland-latest.osm.pbf");
    COLDSPOT_REQUIRE_SHARED("schools/schools_gias2024_composite_geocoded.csv");
    RoadSource src;
    src.kind = RoadSourceKind::Pbf;
    src.path = test::shared_data() / "osm/rutland-latest.osm.pbf";
    const auto built = build_road_graph(read_road_lines(src), default_speed_profile());
    const RoadGraph& g = built.graph;
    // The second implementation: Boost.Graph Dijkstra and a brute-force snap over the same edges.
    std::vector<PolyEdge> edges;
    const auto tails = g.tails();
    for (std::uint32_t e = 0; e < g.edge_count(); ++e)
        edges.push_back({tails[e], g.head(EdgeId{e}).value, {g.coord(NodeId{tails[e]}), g.coord(g.head(EdgeId{e}))},
                         g.time_ms(EdgeId{e}) / 1000.0});
    const auto schools = open_schools_in("E06000017"); // Rutland
    ASSERT_GT(schools.size(), 20u);
    // Venue: Oakham School (URN 120322).
    const auto venue_it = std::find_if(schools.begin(), schools.end(), [](const auto& s) { return s.urn == 120322; });
    ASSERT_NE(venue_it, schools.end());
    const EdgeSnapper snapper(g);
    const Snap vs = snapper.snap(venue_it->at);
    ASSERT_LT(vs.distance_m, 200);
    // Put the independent target at the venue's snapped node-end: move the venue exactly onto the
    // nearest node so both sides agree on where it is.
    const auto& pos = vs.positions.front();
    const NodeId vnode = pos.fraction < 0.5 ? pos.tail : pos.head;
    const Point venue = g.coord(vnode);
    const auto to_target = boost_times_to(g.node_count(), edges, vnode.value);
    std::size_t compared = 0;
    for (const auto& s : schools) {
        const double expected = brute_force_time(s.at, edges, to_target);
        if (!std::isfinite(expected)) continue;
        const Arrival a = our_time(g, snapper, venue, s.at);
        ASSERT_NE(a.time, kUnreachable) << s.urn;
        EXPECT_NEAR(a.time / 1000.0, expected, 0.002) << s.urn << " " << s.name;
        EXPECT_LT(a.time / 60000.0, 40.0) << s.urn << " " << s.name; // Rutland is ~25 km across
        ++compared;
    }
    EXPECT_EQ(compared, schools.size());
}

TEST(RoutingRealData, RutlandGraphIsCachedSoARestartDoesNotReparseThePbf) {
    COLDSPOT_REQUIRE_SHARED("osm/rutland-latest.osm.pbf");
    test::TempDir dir;
    AccessRunOptions o;
    RoadSource src;
    src.kind = RoadSourceKind::Pbf;
    src.path = test::shared_data() / "osm/rutland-latest.osm.pbf";
    o.roads = src;
    const auto ws = dir / "w.gpkg"; // only names the cache: a road source needs no workspace
    const LoadedGraph first = load_or_build_graph(ws, o);
    EXPECT_FALSE(first.from_cache);
    ASSERT_TRUE(first.build);
    const LoadedGraph second = load_or_build_graph(ws, o);
    EXPECT_TRUE(second.from_cache) << second.cache_note;
    EXPECT_FALSE(second.build); // nothing was parsed or built
    EXPECT_EQ(second.graph.node_count(), first.graph.node_count());
    EXPECT_TRUE(std::equal(first.graph.time_array().begin(), first.graph.time_array().end(),
                           second.graph.time_array().begin()));
}

TEST(RoutingRealData, MissingMappedFieldNamesFileAndField) {
    COLDSPOT_REQUIRE_SHARED("osm/cambridge_drive_service_2020_edges.geojson");
    RoadSource src = cambridge_source();
    src.fields.speed = "max_speed";
    try {
        read_road_lines(src);
        FAIL() << "expected MissingColumnError";
    } catch (const MissingColumnError& e) {
        EXPECT_EQ(e.where().field, "max_speed");
        EXPECT_NE(e.where().file.find("cambridge_drive_service_2020_edges.geojson"), std::string::npos);
    }
}

TEST(RoutingRealData, OsOpenRoadsMotorwaysImportWithTheirPublishedLength) {
    COLDSPOT_REQUIRE_SHARED("roads/os_openroads_2024_motorways_gb.geojson");
    const RoadSource src = parse_road_source(
        nlohmann::json::parse(R"({"path": "roads/os_openroads_2024_motorways_gb.geojson",
                                  "fields": {"class": "road_classification", "length": "length"}})"),
        test::shared_data());
    const FeatureTable roads = read_road_lines(src);
    ASSERT_EQ(roads.features.size(), 6648u); // PROVENANCE.md
    double km = 0;
    for (const auto& f : roads.features) km += *as_number(f.values[roads.require_field("length_m")]) / 1000;
    EXPECT_NEAR(km, 4641, 1); // "Total 4,641 km"
    const auto built = build_road_graph(roads, default_speed_profile());
    EXPECT_EQ(built.report.roads_not_routable, 0u); // "Motorway" is an OS class in the profile
    // OS Open Roads has no direction: every link is two-way, so each kept segment has a twin.
    EXPECT_EQ(built.graph.edge_count() % 2, 0u);
    double graph_km = 0;
    for (std::uint32_t e = 0; e < built.graph.edge_count(); ++e) graph_km += built.graph.length_m(EdgeId{e}) / 2000;
    EXPECT_GT(graph_km, 0.9 * 4641); // the largest component is most of the network (the source removed islands)
}

TEST(RoutingRealData, CambridgeMatrixEqualsOneFullSearchPerPair) {
    COLDSPOT_REQUIRE_SHARED("osm/cambridge_drive_service_2020_edges.geojson");
    COLDSPOT_REQUIRE_SHARED("schools/schools_gias2024_composite_geocoded.csv");
    const auto built = build_road_graph(read_road_lines(cambridge_source()), default_speed_profile());
    const auto schools_in_city = open_schools_in("E07000008");
    FeatureTable schools;
    schools.name = "schools";
    schools.geometry_type = GeometryType::Point;
    schools.fields = {{"urn", FieldType::Integer}};
    for (const auto& s : schools_in_city) {
        Feature f;
        f.fid = s.urn;
        f.geometry = s.at;
        f.values = {s.urn};
        schools.features.push_back(std::move(f));
    }
    // Venues: six schools spread through the list, two hub types.
    FeatureTable venues;
    venues.name = "hub_venues";
    venues.geometry_type = GeometryType::Point;
    venues.fields = {{"hub_id", FieldType::String}, {"hub_type", FieldType::String}};
    for (std::size_t i = 0; i < schools_in_city.size(); i += schools_in_city.size() / 6) {
        Feature f;
        f.fid = static_cast<std::int64_t>(venues.features.size()) + 1;
        f.geometry = schools_in_city[i].at;
        f.values = {std::string("h") + std::to_string(f.fid), std::string(f.fid % 2 ? "odd" : "even")};
        venues.features.push_back(std::move(f));
    }
    AccessOptions opt;
    opt.matrix_cutoff_minutes = 8;
    opt.isochrones.minutes.clear();
    const auto r = compute_school_access(built.graph, {&schools, &venues, nullptr, nullptr}, default_speed_profile(), opt);

    // Reference: a full, unbounded search per venue, then every school's arrival.
    const EdgeSnapper snapper(built.graph);
    const RoadGraph rev = built.graph.reversed();
    MultiSourceSearch search(rev);
    std::map<std::pair<std::int64_t, std::int64_t>, double> expected; // (urn, venue fid) -> minutes
    for (const auto& v : venues.features) {
        const Snap vs = snapper.snap(std::get<Point>(v.geometry));
        search.run(sources_for(built.graph, vs, 0));
        std::vector<LabelledPosition> same;
        for (const auto& p : vs.positions) same.push_back({p, 0});
        for (const auto& s : schools_in_city) {
            const Arrival a = arrival(built.graph, search, snapper.snap(s.at), same);
            if (a.time <= 8 * 60000) expected[{s.urn, v.fid}] = a.time / 60000.0;
        }
    }
    const auto& mx = r.access_matrix;
    std::map<std::pair<std::int64_t, std::int64_t>, double> got;
    for (const auto& f : mx.features)
        got[{std::get<std::int64_t>(f.values[mx.require_field("urn")]),
             std::get<std::int64_t>(f.values[mx.require_field("venue_fid")])}] = *as_number(f.values[mx.require_field("minutes")]);
    ASSERT_GT(expected.size(), 50u);
    EXPECT_EQ(got.size(), expected.size());
    for (const auto& [key, minutes] : expected) {
        auto it = got.find(key);
        ASSERT_NE(it, got.end()) << "missing pair urn " << key.first << " venue " << key.second;
        EXPECT_DOUBLE_EQ(it->second, minutes);
    }
    // Every Cambridge school is on the network: a road value for each of the two hub types.
    EXPECT_EQ(r.report.road_values, 2 * schools_in_city.size());
}
