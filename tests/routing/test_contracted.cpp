// The contracted graph (degree-2 chains as single edges) must give exactly the answers of the
// search over every node: the same millisecond times, the same venue (or one at exactly the same
// time), metres to float rounding, the same node times for isochrones and the same matrix cells.
// The reference is the uncontracted MultiSourceSearch + sources_for + arrival, which
// RoutingGurka and RoutingRealData check against hand-computed times and Boost.Graph.
//
// The hand-drawn network (cell 37 m; lower case letters are shape points inside a line, upper
// case are line ends):
//
//   A----b-----c---D------e------F--t---u          AbcD two-way, a school in its middle
//   |              |             |                 DeF  one-way D->F (slow)
//   g              h             i                 DhM  one-way M->D (slow, drawn D->M)
//   |              |             |                 Ftu  two-way dead end at u
//   J---k----l-----M-------------N--o---p          AgJ, Jkl, lM, FiN, MN two-way; A, J, l are
//                                / \               two-way pass-through line ends
//                               q   r              Nop  two-way dead end at p (slow)
//                                \ /               NqsrN a loop from N back to N
//                                 s
#include "coldspot/geo/routing/access_run.hpp"
#include "coldspot/geo/routing/contracted_graph.hpp"
#include "coldspot/geo/routing/edge_snapper.hpp"
#include "coldspot/geo/routing/graph_cache.hpp"
#include "coldspot/geo/routing/multi_source_search.hpp"
#include "coldspot/geo/routing/road_graph.hpp"
#include "coldspot/geo/routing/travel_time_matrix.hpp"
#include "coldspot/geo/workspace.hpp"
#include "gurka.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

using namespace coldspot;
using namespace coldspot::geo;
using namespace coldspot::geo::routing;
using test::gurka::add_way;
using test::gurka::ascii_nodes;
using test::gurka::test_profile;

namespace {

const std::string kMap = R"(
A----b-----c---D------e------F--t---u
|              |             |
g              h             i
|              |             |
J---k----l-----M-------------N--o---p
                            / \
                           q   r
                            \ /
                             s
)";

const std::map<char, Point>& nodes() {
    static const auto n = ascii_nodes(kMap, 37.0);
    return n;
}

const std::vector<std::pair<std::string, int>> kWays = {
    {"AbcD", 0}, {"DeF", 1}, {"DhM", -1}, {"Ftu", 0}, {"FiN", 0}, {"AgJ", 0},
    {"Jkl", 0},  {"lM", 0},  {"MN", 0},   {"Nop", 0}, {"NqsrN", 0}};

FeatureTable hand_drawn() {
    FeatureTable t = make_roads_table();
    for (const auto& [letters, oneway] : kWays) {
        const bool slow = letters == "DeF" || letters == "DhM" || letters == "Nop";
        add_way(t, nodes(), letters, slow ? "slow" : "fast", oneway);
    }
    return t;
}

/// Points along every drawn segment (ends included), 3 m to one side, plus every letter exactly.
std::vector<Point> school_points() {
    std::vector<Point> out;
    for (const auto& [letters, oneway] : kWays)
        for (std::size_t i = 0; i + 1 < letters.size(); ++i) {
            const Point a = nodes().at(letters[i]), b = nodes().at(letters[i + 1]);
            for (int k = 0; k <= 10; ++k) {
                const double f = k / 10.0;
                out.emplace_back(a.x() + f * (b.x() - a.x()) + 3, a.y() + f * (b.y() - a.y()) + 3);
            }
        }
    for (const auto& [c, p] : nodes()) out.push_back(p);
    return out;
}

Point between(char a, char b, double f) {
    const Point p = nodes().at(a), q = nodes().at(b);
    return {p.x() + f * (q.x() - p.x()), p.y() + f * (q.y() - p.y())};
}

/// The reference: one search over every node of the reversed graph.
struct FullSearch {
    RoadGraph reversed;
    MultiSourceSearch search;
    std::vector<LabelledPosition> same;
    FullSearch(const RoadGraph& g, const std::vector<Snap>& venues, TimeMs cutoff = kUnreachable)
        : reversed(g.reversed()), search(reversed) {
        std::vector<SearchSource> sources;
        for (std::uint32_t v = 0; v < venues.size(); ++v) {
            const auto s = sources_for(g, venues[v], v);
            sources.insert(sources.end(), s.begin(), s.end());
            for (const auto& p : venues[v].positions) same.push_back({p, v});
        }
        search.run(sources, cutoff);
    }
};

/// Every school's arrival, and every node's time, equal on both graphs. Returns the number of
/// schools that reach a venue.
std::size_t expect_same_answers(const RoadGraph& g, const ContractedGraph& c, const std::vector<Snap>& venues,
                                const std::vector<Snap>& schools, const std::string& what) {
    const FullSearch full(g, venues);
    ChainSearch chains(g, c);
    for (std::uint32_t v = 0; v < venues.size(); ++v) chains.add_source(venues[v], v);
    chains.run();
    std::size_t reached = 0;
    for (std::size_t i = 0; i < schools.size(); ++i) {
        const Arrival want = arrival(g, full.search, schools[i], full.same);
        const Arrival got = chains.arrival(schools[i]);
        EXPECT_EQ(got.time, want.time) << what << ", school " << i << " at " << schools[i].snapped.x() << ","
                                       << schools[i].snapped.y();
        if (want.time == kUnreachable || got.time != want.time) continue;
        ++reached;
        if (got.label != want.label) {
            // Two venues at exactly the same time: the other one must really be that far.
            const FullSearch alone(g, {venues[got.label]});
            EXPECT_EQ(arrival(g, alone.search, schools[i], alone.same).time, want.time) << what << ", school " << i;
            continue;
        }
        EXPECT_NEAR(got.metres, want.metres, 1e-3 + 1e-5 * want.metres) << what << ", school " << i;
    }
    const auto node_times = chains.node_times();
    const auto want_times = full.search.times();
    EXPECT_TRUE(std::equal(node_times.begin(), node_times.end(), want_times.begin(), want_times.end())) << what;
    return reached;
}

void expect_same_matrix(const RoadGraph& g, const ContractedGraph& c, const std::vector<Snap>& places,
                        const std::vector<Snap>& destinations, TimeMs cutoff, const std::string& what) {
    const RoadGraph reversed = g.reversed();
    const auto want = times_to_destinations(g, reversed, places, destinations, cutoff);
    const auto got = times_to_destinations(g, c, places, destinations, cutoff);
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t d = 0; d < want.size(); ++d) {
        ASSERT_EQ(got[d].size(), want[d].size()) << what << ", destination " << d;
        for (std::size_t k = 0; k < want[d].size(); ++k) {
            EXPECT_EQ(got[d][k].place, want[d][k].place) << what;
            EXPECT_EQ(got[d][k].time, want[d][k].time) << what;
            EXPECT_NEAR(got[d][k].metres, want[d][k].metres, 1e-3 + 1e-5 * want[d][k].metres) << what;
        }
    }
}

std::vector<Snap> snap_all(const EdgeSnapper& snapper, const std::vector<Point>& pts) {
    std::vector<Snap> out;
    for (const auto& p : pts) out.push_back(snapper.snap(p));
    return out;
}

} // namespace

TEST(RoutingContracted, HandDrawnChainsBecomeSingleEdges) {
    const auto g = build_road_graph(hand_drawn(), test_profile()).graph;
    ASSERT_EQ(g.node_count(), nodes().size()); // one SCC: nothing pruned
    const ContractedGraph c(g);
    // Junctions D F M N, dead ends u p: every other letter (A, J and l are line ends with two
    // neighbours) is passed through.
    std::string kept;
    for (std::uint32_t k = 0; k < c.forward().node_count(); ++k)
        for (const auto& [letter, p] : nodes())
            if (bg::equals(p, c.forward().coord(NodeId{k}))) kept += letter;
    std::sort(kept.begin(), kept.end());
    EXPECT_EQ(kept, "DFMNpu");
    // D..A..M both ways, D->F, M->D, F-u, F-N, M-N, N-p both ways, the loop both ways.
    EXPECT_EQ(c.forward().edge_count(), 14u);
    // The one-way chain D->e->F is one edge of the two segments' summed times, and no F->D edge.
    const auto node_at = [&](char letter) {
        for (std::uint32_t k = 0; k < c.forward().node_count(); ++k)
            if (bg::equals(nodes().at(letter), c.forward().coord(NodeId{k}))) return k;
        return ContractedGraph::kInterior;
    };
    const std::uint32_t D = node_at('D'), F = node_at('F');
    std::size_t d_to_f = 0;
    for (auto e = c.forward().first_out(NodeId{D}); e < c.forward().end_out(NodeId{D}); ++e)
        if (c.forward().head(EdgeId{e}).value == F) {
            ++d_to_f;
            // 14 cells = 518 m at 5 m/s, as two segments rounded to the millisecond each.
            EXPECT_EQ(c.forward().time_ms(EdgeId{e}), segment_time_ms(7 * 37.0, 18) + segment_time_ms(7 * 37.0, 18));
        }
    EXPECT_EQ(d_to_f, 1u);
    for (auto e = c.forward().first_out(NodeId{F}); e < c.forward().end_out(NodeId{F}); ++e)
        EXPECT_NE(c.forward().head(EdgeId{e}).value, D);
    // Every original edge lies on a chain whose time includes its own.
    for (std::uint32_t e = 0; e < g.edge_count(); ++e)
        EXPECT_GE(c.forward().time_ms(EdgeId{c.chain_of(EdgeId{e})}), g.time_ms(EdgeId{e}));
}

TEST(RoutingContracted, HandDrawnAnswersEqualTheFullSearch) {
    const auto g = build_road_graph(hand_drawn(), test_profile()).graph;
    const ContractedGraph c(g);
    const EdgeSnapper snapper(g);
    const auto schools = snap_all(snapper, school_points());
    const std::map<std::string, std::vector<Point>> cases = {
        {"a venue in the middle of a chain", {between('b', 'c', 0.4)}},
        {"a venue on a pass-through node, one on the loop", {nodes().at('b'), nodes().at('s')}},
        {"a venue on the one-way chain, one at a dead end", {between('e', 'F', 0.3), nodes().at('p')}},
        {"a venue on a junction, one at a dead end, one between two line ends",
         {nodes().at('M'), nodes().at('u'), between('k', 'l', 0.5)}},
        {"a venue on the pass-through line end l", {nodes().at('l')}},
        {"a venue on the one-way M->h->D", {between('h', 'M', 0.8)}},
        {"venues everywhere",
         {between('b', 'c', 0.4), nodes().at('s'), between('e', 'F', 0.3), nodes().at('p'), nodes().at('M'),
          between('q', 's', 0.1), nodes().at('A')}},
    };
    for (const auto& [what, venue_points] : cases) {
        const auto venues = snap_all(snapper, venue_points);
        EXPECT_EQ(expect_same_answers(g, c, venues, schools, what), schools.size()) << what;
        expect_same_matrix(g, c, schools, venues, 60000, what + " (matrix, 60 s)");
    }
    // A school in the middle of the chain, downstream of a venue on the one-way D->F: it must go
    // round (F-i-N-M-h-D) rather than back, both ways.
    const auto venues = snap_all(snapper, {between('D', 'e', 0.2)});
    const Snap school = snapper.snap(between('e', 'F', 0.5));
    ChainSearch chains(g, c);
    chains.add_source(venues[0], 0);
    chains.run();
    const FullSearch full(g, venues);
    EXPECT_EQ(chains.arrival(school).time, arrival(g, full.search, school, full.same).time);
    EXPECT_GT(chains.arrival(school).time, 100000u);
}

TEST(RoutingContracted, RandomNetworksAnswerAsTheFullSearch) {
    // Perturbed lattices with shape points, one-way streets both ways, dead ends and missing
    // streets; venues anywhere, some exactly on vertices.
    for (unsigned seed = 1; seed <= 6; ++seed) {
        std::mt19937 rng(seed);
        std::uniform_real_distribution<double> jitter(-30, 30), unit(0, 1);
        const int side = 9;
        const double cell = 400;
        auto corner = [&](int i, int j) { return Point(i * cell + jitter(rng), j * cell + jitter(rng)); };
        std::vector<std::vector<Point>> grid(side, std::vector<Point>(side));
        for (int i = 0; i < side; ++i)
            for (int j = 0; j < side; ++j) grid[i][j] = corner(i, j);
        FeatureTable roads = make_roads_table();
        std::vector<Point> vertices;
        auto street = [&](const Point& a, const Point& b) {
            if (unit(rng) < 0.12) return; // missing
            std::vector<Point> pts{a};
            const int shapes = static_cast<int>(unit(rng) * 4);
            for (int k = 1; k <= shapes; ++k) {
                const double f = static_cast<double>(k) / (shapes + 1);
                pts.emplace_back(a.x() + f * (b.x() - a.x()) + jitter(rng) / 3, a.y() + f * (b.y() - a.y()) + jitter(rng) / 3);
            }
            pts.push_back(b);
            vertices.insert(vertices.end(), pts.begin(), pts.end());
            const double r = unit(rng);
            test::gurka::add(roads, pts, r < 0.7 ? "fast" : "slow", r < 0.8 ? 0 : (r < 0.9 ? 1 : -1));
        };
        for (int i = 0; i < side; ++i)
            for (int j = 0; j < side; ++j) {
                if (i + 1 < side) street(grid[i][j], grid[i + 1][j]);
                if (j + 1 < side) street(grid[i][j], grid[i][j + 1]);
                if (unit(rng) < 0.08) street(grid[i][j], Point(grid[i][j].x() + 150, grid[i][j].y() + 170)); // a stub
            }
        const auto g = build_road_graph(roads, test_profile()).graph;
        const ContractedGraph c(g);
        EXPECT_LT(c.forward().node_count(), g.node_count() * 3 / 4) << "seed " << seed;
        const EdgeSnapper snapper(g);
        std::uniform_real_distribution<double> anywhere(-100, (side - 1) * cell + 100);
        std::vector<Point> school_pts, venue_pts;
        for (int k = 0; k < 400; ++k) school_pts.emplace_back(anywhere(rng), anywhere(rng));
        for (int k = 0; k < 40; ++k) school_pts.push_back(vertices[static_cast<std::size_t>(unit(rng) * (vertices.size() - 1))]);
        for (int k = 0; k < 3; ++k) venue_pts.emplace_back(anywhere(rng), anywhere(rng));
        for (int k = 0; k < 3; ++k) venue_pts.push_back(vertices[static_cast<std::size_t>(unit(rng) * (vertices.size() - 1))]);
        const auto schools = snap_all(snapper, school_pts);
        const auto venues = snap_all(snapper, venue_pts);
        const std::string what = "seed " + std::to_string(seed);
        EXPECT_GT(expect_same_answers(g, c, venues, schools, what), 400u) << what;
        expect_same_answers(g, c, {venues[4]}, schools, what + ", one venue on a vertex");
        expect_same_matrix(g, c, schools, venues, 150000, what + " (matrix, 150 s)");
    }
}

TEST(RoutingContracted, RingWithoutJunctionsKeepsOneNode) {
    // The whole graph is one two-way loop: no node has more than two neighbours.
    FeatureTable roads = make_roads_table();
    add_way(roads, nodes(), "NqsrN", "fast", 0);
    const auto g = build_road_graph(roads, test_profile()).graph;
    const ContractedGraph c(g);
    EXPECT_EQ(c.forward().node_count(), 1u);
    EXPECT_EQ(c.forward().edge_count(), 2u); // round the loop each way
    const EdgeSnapper snapper(g);
    const auto schools = snap_all(snapper, school_points());
    const auto venues = snap_all(snapper, {between('q', 's', 0.5)});
    EXPECT_EQ(expect_same_answers(g, c, venues, schools, "ring"), schools.size());
}

TEST(RoutingContracted, CacheHoldsTheContractionAndAnOldVersionIsRebuilt) {
    test::TempDir dir;
    const auto ws = dir / "w.gpkg";
    {
        WorkspaceWriter w(ws);
        w.write(hand_drawn());
        w.commit();
    }
    AccessRunOptions options;
    options.profile = test_profile();
    const LoadedGraph built = load_or_build_graph(ws, options);
    ASSERT_FALSE(built.from_cache);
    EXPECT_EQ(built.contracted.forward().node_count(), 6u);
    const auto cache = graph_cache_path(ws);

    // Read back: the same contraction.
    std::string why;
    const auto key = graph_cache_key(cache);
    ASSERT_TRUE(key);
    const auto back = load_cached_graph(cache, *key, &why);
    ASSERT_TRUE(back) << why;
    const ContractedGraph fresh(back->graph);
    auto same = [](auto a, auto b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); };
    EXPECT_TRUE(same(back->contracted.original_of_array(), fresh.original_of_array()));
    EXPECT_TRUE(same(back->contracted.chain_of_array(), fresh.chain_of_array()));
    EXPECT_TRUE(same(back->contracted.forward().head_array(), fresh.forward().head_array()));
    EXPECT_TRUE(same(back->contracted.forward().time_array(), fresh.forward().time_array()));
    EXPECT_TRUE(same(back->contracted.reversed().first_out_array(), fresh.reversed().first_out_array()));
    const LoadedGraph cached = load_or_build_graph(ws, options);
    EXPECT_TRUE(cached.from_cache) << cached.cache_note;
    EXPECT_EQ(cached.contracted.forward().edge_count(), 14u);

    // A cache written by the previous format (version 2, arrays not aligned for mapping) is not read:
    // the version is checked before anything else, and the graph is rebuilt and cached again as version 3.
    {
        std::fstream f(cache, std::ios::in | std::ios::out | std::ios::binary);
        const std::uint32_t two = 2;
        f.seekp(8);
        f.write(reinterpret_cast<const char*>(&two), 4);
    }
    EXPECT_FALSE(graph_cache_key(cache));
    EXPECT_FALSE(load_cached_graph(cache, *key, &why));
    EXPECT_EQ(why, "cache format version 2 (expected 3)");
    const LoadedGraph rebuilt = load_or_build_graph(ws, options);
    EXPECT_FALSE(rebuilt.from_cache);
    EXPECT_NE(rebuilt.cache_note.find("cache format version 2 (expected 3)"), std::string::npos) << rebuilt.cache_note;
    EXPECT_NE(rebuilt.cache_note.find("built and cached"), std::string::npos) << rebuilt.cache_note;
    EXPECT_TRUE(load_or_build_graph(ws, options).from_cache);
    EXPECT_EQ(kGraphCacheVersion, 3u);
    // Read straight into place: a file cut short is reported, never half-used.
    std::filesystem::resize_file(cache, std::filesystem::file_size(cache) - 100);
    EXPECT_FALSE(load_cached_graph(cache, *key, &why));
    EXPECT_EQ(why, "cache truncated");
}
