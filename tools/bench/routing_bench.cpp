// The routing benchmark program (driven by tools/bench/routing): builds a road graph from a
// generated grid or a real extract, then times snapping, the multi-source pass, and the
// schools x venues matrix; writes the reversed edge list and the venue nodes for pgRouting.
//   routing_bench grid SIDE OUT_DIR
//   routing_bench pbf PATH SCHOOLS_CSV OUT_DIR
//   routing_bench ogr ROAD_SOURCE_JSON SCHOOLS_CSV OUT_DIR
#include "coldspot/geo/routing/edge_snapper.hpp"
#include "coldspot/geo/routing/multi_source_search.hpp"
#include "coldspot/geo/routing/road_graph.hpp"
#include "coldspot/geo/routing/road_source.hpp"
#include "coldspot/geo/routing/speed_profile.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <string>

using namespace coldspot::geo;
using namespace coldspot::geo::routing;
using Clock = std::chrono::steady_clock;

namespace {

double secs(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
// CPU seconds of this (single-threaded) process: on a shared, overloaded machine the wall clock
// also counts time spent waiting for a core; both are printed.
double cpu_secs(std::clock_t c0) { return static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC; }

BuiltGraph grid_graph(int side) {
    // 100 m blocks; every 10th street primary (65 km/h), others residential (25 km/h); every 7th
    // east-west street one-way eastbound. Columns stay two-way, so the grid is strongly connected.
    RoadGraphBuilder b;
    for (int r = 0; r < side; ++r)
        for (int c = 0; c < side; ++c) b.add_node(Point(400000.0 + c * 100.0, 200000.0 + r * 100.0));
    auto id = [side](int r, int c) { return NodeId{static_cast<std::uint32_t>(r * side + c)}; };
    for (int r = 0; r < side; ++r)
        for (int c = 0; c < side; ++c) {
            if (c + 1 < side) b.add_segment(id(r, c), id(r, c + 1), 100, r % 10 == 0 ? 65 : 25, r % 7 == 3 ? 1 : 0);
            if (r + 1 < side) b.add_segment(id(r, c), id(r + 1, c), 100, c % 10 == 0 ? 65 : 25, 0);
        }
    return b.build(true);
}

std::vector<Point> schools_in(const std::string& csv, const Box& box) {
    std::ifstream in(csv);
    std::string line;
    std::getline(in, line);
    std::vector<Point> out;
    while (std::getline(in, line)) {
        // Quoted CSV; easting and northing are the 12th and 13th columns and never contain commas
        // after the name field is skipped, so split on the quote-comma-quote pattern.
        std::vector<std::string> f;
        std::string cur;
        bool q = false;
        for (char ch : line) {
            if (ch == '"') q = !q;
            else if (ch == ',' && !q) f.push_back(cur), cur.clear();
            else cur += ch;
        }
        f.push_back(cur);
        if (f.size() < 13 || f[4] != "Open" || f[11].empty()) continue;
        const Point p(std::stod(f[11]), std::stod(f[12]));
        if (bg::covered_by(p, box)) out.push_back(p);
    }
    return out;
}

void measure(const RoadGraph& g, const std::vector<Point>& schools, const std::vector<Point>& venue_points,
             const std::string& out_dir, double matrix_cutoff_min) {
    std::printf("nodes %u\nedges %u\ngraph_bytes %zu\nbytes_per_edge %.2f\n", g.node_count(), g.edge_count(),
                g.memory_bytes(), static_cast<double>(g.memory_bytes()) / g.edge_count());
    auto t0 = Clock::now();
    const RoadGraph rev = g.reversed();
    std::printf("reverse_s %.3f\n", secs(t0));
    t0 = Clock::now();
    std::clock_t c0 = std::clock();
    const EdgeSnapper snapper(g);
    std::printf("snap_index_s %.3f\nsnap_index_cpu_s %.3f\nsnap_segments %zu\n", secs(t0), cpu_secs(c0),
                snapper.segment_count());
    t0 = Clock::now();
    c0 = std::clock();
    std::vector<Snap> school_snaps;
    school_snaps.reserve(schools.size());
    double snap_sum = 0;
    for (const auto& p : schools) {
        school_snaps.push_back(snapper.snap(p));
        snap_sum += school_snaps.back().distance_m;
    }
    const double snap_s = secs(t0);
    std::printf("snap_cpu_s %.3f\n", cpu_secs(c0));
    std::printf("schools %zu\nsnap_s %.3f\nsnap_us_per_point %.2f\nsnap_mean_m %.1f\n", schools.size(), snap_s,
                1e6 * snap_s / std::max<std::size_t>(1, schools.size()), snap_sum / std::max<std::size_t>(1, schools.size()));

    // Venues on their nearest node, so pgRouting (node sources only) answers the same question.
    std::vector<SearchSource> sources;
    std::vector<std::uint32_t> venue_nodes;
    for (std::size_t i = 0; i < venue_points.size(); ++i) {
        const Snap s = snapper.snap(venue_points[i]);
        const auto& p = s.positions.front();
        const NodeId n = p.fraction < 0.5 ? p.tail : p.head;
        if (std::find(venue_nodes.begin(), venue_nodes.end(), n.value) != venue_nodes.end()) continue;
        venue_nodes.push_back(n.value);
        sources.push_back({n, 0, 0, static_cast<std::uint32_t>(i)});
    }
    std::printf("venues %zu\n", sources.size());
    MultiSourceSearch search(rev);
    std::vector<double> runs, cpu_runs;
    for (int k = 0; k < 5; ++k) {
        t0 = Clock::now();
        c0 = std::clock();
        search.run(sources);
        runs.push_back(secs(t0));
        cpu_runs.push_back(cpu_secs(c0));
    }
    std::sort(runs.begin(), runs.end());
    std::sort(cpu_runs.begin(), cpu_runs.end());
    std::printf("multi_source_cpu_s_median %.4f\n", cpu_runs[2]);
    double sum_s = 0;
    std::size_t reached = 0;
    for (std::uint32_t n = 0; n < g.node_count(); ++n)
        if (search.time(NodeId{n}) != kUnreachable) {
            sum_s += search.time(NodeId{n}) / 1000.0;
            ++reached;
        }
    std::printf("multi_source_s_median %.4f\nmulti_source_s_min %.4f\nreached %zu\nsum_time_s %.3f\n", runs[2], runs[0],
                reached, sum_s);
    t0 = Clock::now();
    std::size_t within = 0;
    for (const auto& s : school_snaps)
        if (arrival(g, search, s).time != kUnreachable) ++within;
    std::printf("schools_nearest_s %.4f\nschools_reached %zu\n", secs(t0), within);

    // Matrix: one search per venue bounded by the cutoff, schools looked up by the nodes reached.
    const auto cutoff = static_cast<TimeMs>(matrix_cutoff_min * 60000);
    std::vector<std::uint32_t> first(g.node_count() + 1, 0), bucket;
    for (const auto& s : school_snaps)
        for (const auto& p : s.positions) ++first[p.head.value + 1];
    for (std::size_t i = 1; i < first.size(); ++i) first[i] += first[i - 1];
    bucket.resize(first.back());
    {
        std::vector<std::uint32_t> pos(first.begin(), first.end() - 1);
        for (std::uint32_t i = 0; i < school_snaps.size(); ++i)
            for (const auto& p : school_snaps[i].positions) bucket[pos[p.head.value]++] = i;
    }
    std::vector<std::uint32_t> seen(school_snaps.size(), ~0u);
    std::size_t pairs = 0;
    t0 = Clock::now();
    c0 = std::clock();
    for (std::uint32_t v = 0; v < sources.size(); ++v) {
        search.run(std::span<const SearchSource>(&sources[v], 1), cutoff);
        for (auto n : search.settled())
            for (auto k = first[n]; k < first[n + 1]; ++k) {
                const auto i = bucket[k];
                if (seen[i] == v) continue;
                seen[i] = v;
                const Arrival a = arrival(g, search, school_snaps[i]);
                if (a.time <= cutoff) ++pairs;
            }
    }
    std::printf("matrix_cutoff_min %.1f\nmatrix_s %.3f\nmatrix_cpu_s %.3f\nmatrix_pairs %zu\n", matrix_cutoff_min,
                secs(t0), cpu_secs(c0), pairs);

    // pgRouting input: the reversed graph (so agg_cost = time to the venue), 1-based ids.
    std::ofstream edges(out_dir + "/edges.csv");
    char buf[96];
    std::uint32_t id = 0;
    for (std::uint32_t u = 0; u < rev.node_count(); ++u)
        for (std::uint32_t e = rev.first_out(NodeId{u}); e < rev.end_out(NodeId{u}); ++e) {
            const int n = std::snprintf(buf, sizeof buf, "%u,%u,%u,%.3f\n", ++id, u + 1, rev.head(EdgeId{e}).value + 1,
                                        rev.time_ms(EdgeId{e}) / 1000.0);
            edges.write(buf, n);
        }
    std::ofstream venues(out_dir + "/venues.txt");
    for (std::size_t i = 0; i < venue_nodes.size(); ++i) venues << (i ? "," : "") << venue_nodes[i] + 1;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::cerr << "usage: routing_bench grid SIDE OUT_DIR | pbf PATH SCHOOLS_CSV OUT_DIR | ogr JSON SCHOOLS_CSV OUT_DIR\n";
        return 2;
    }
    const std::string mode = argv[1];
    std::mt19937_64 rng(42);
    auto t0 = Clock::now();
    const std::clock_t c0 = std::clock();
    if (mode == "grid") {
        const int side = std::stoi(argv[2]);
        BuiltGraph built = grid_graph(side);
        std::printf("build_s %.3f\nbuild_cpu_s %.3f\n", secs(t0), cpu_secs(c0));
        std::uniform_real_distribution<double> x(400000.0, 400000.0 + (side - 1) * 100.0),
            y(200000.0, 200000.0 + (side - 1) * 100.0);
        std::vector<Point> schools(20000), venues(100);
        for (auto& p : schools) p = Point(x(rng), y(rng));
        for (auto& p : venues) p = Point(x(rng), y(rng));
        measure(built.graph, schools, venues, argv[3], 10);
        return 0;
    }
    if (argc < 5) return 2;
    RoadSource src;
    if (mode == "pbf") {
        src.kind = RoadSourceKind::Pbf;
        src.path = argv[2];
    } else {
        src = parse_road_source(nlohmann::json::parse(std::string(argv[2])), std::filesystem::current_path(), "argv");
    }
    const FeatureTable roads = read_road_lines(src);
    std::printf("read_s %.3f\nroad_lines %zu\n", secs(t0), roads.features.size());
    t0 = Clock::now();
    BuiltGraph built = build_road_graph(roads, default_speed_profile());
    std::printf("build_s %.3f\n", secs(t0));
    std::printf("components %zu\nnodes_removed %zu\nedges_removed %zu\n", built.report.components,
                built.report.nodes_removed, built.report.edges_removed);
    Box box = empty_box();
    for (const auto& p : built.graph.coords()) bg::expand(box, p);
    const auto schools = schools_in(argv[3], box);
    std::vector<Point> venues;
    for (std::size_t i = 0; i < schools.size(); i += std::max<std::size_t>(1, schools.size() / 5)) venues.push_back(schools[i]);
    measure(built.graph, schools, venues, argv[4], 15);
    return 0;
}
