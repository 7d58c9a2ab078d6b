// The whole-England road benchmark program (driven by tools/bench/england_roads):
//   england_roads_bench build PBF CACHE          read the PBF, build and contract the graph, write the cache
//   england_roads_bench query CACHE SHARED_DATA  load the cache; every open school's nearest venue
//                                                per hub type; the East of England school x venue matrix
//                                                (both on the contracted graph); then, untimed, the
//                                                same nearest-venue answers on the full graph, compared
// Schools are the real register's open schools (../shared/data composite, EPSG:27700); venues are
// the 82 Teaching School Hub lead schools and, for a second hub type, 40 secondary schools spread
// over England standing in for the Maths Hubs (their real list is not in the shared data).
#include "coldspot/geo/detail/huge_pages.hpp"
#include "coldspot/geo/import/csv_reader.hpp"
#include "coldspot/geo/routing/contracted_graph.hpp"
#include "coldspot/geo/routing/edge_snapper.hpp"
#include "coldspot/geo/routing/graph_cache.hpp"
#include "coldspot/geo/routing/multi_source_search.hpp"
#include "coldspot/geo/routing/road_graph.hpp"
#include "coldspot/geo/routing/road_source.hpp"
#include "coldspot/geo/routing/speed_profile.hpp"
#include "coldspot/geo/routing/travel_time_matrix.hpp"

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <string>

using namespace coldspot::geo;
using namespace coldspot::geo::routing;
using Clock = std::chrono::steady_clock;

namespace {

double secs(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
// CPU seconds of this single-threaded process: on a shared machine (load above the core count) the
// wall clock also counts the time spent waiting for a core; both are printed.
double cpu_s(std::clock_t c0) { return static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC; }
double peak_rss_mb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024.0;
}
const std::string kKey = "england-bench";

struct School {
    std::int64_t urn;
    Point at;
    bool eoe;
    std::string phase;
};

std::vector<School> open_schools(const std::filesystem::path& csv_path) {
    import::CsvReader csv(csv_path);
    const auto urn = csv.require_column("urn"), status = csv.require_column("status"), e = csv.require_column("easting"),
               n = csv.require_column("northing"), region = csv.require_column("region24_name"),
               phase = csv.require_column("phase_of_education");
    std::vector<School> out;
    import::CsvRecord row;
    while (csv.next(row)) {
        if (row.fields.size() != csv.header().size() || row.fields[e].empty() || row.fields[region].empty()) continue;
        if (row.fields[status] != "Open" && row.fields[status] != "Open, but proposed to close") continue;
        out.push_back({std::stoll(row.fields[urn]), Point(std::stod(row.fields[e]), std::stod(row.fields[n])),
                       row.fields[region] == "East of England", row.fields[phase]});
    }
    return out;
}

int build(const std::string& pbf, const std::string& cache) {
    auto t0 = Clock::now();
    const std::clock_t c0 = std::clock();
    RoadSource src;
    src.kind = RoadSourceKind::Pbf;
    src.path = pbf;
    const FeatureTable roads = read_road_lines(src);
    std::printf("read_s %.1f\nroad_lines %zu\nrss_after_read_mb %.0f\n", secs(t0), roads.features.size(), peak_rss_mb());
    const auto t1 = Clock::now();
    BuiltGraph built = build_road_graph(roads, default_speed_profile());
    std::printf("graph_build_s %.1f\ntotal_build_s %.1f\nnodes %u\nedges %u\ngraph_mb %.0f\ncomponents %zu\nnodes_removed %zu\n",
                secs(t1), secs(t0), built.graph.node_count(), built.graph.edge_count(), built.graph.memory_bytes() / 1048576.0,
                built.report.components, built.report.nodes_removed);
    const auto tc = Clock::now();
    const ContractedGraph contracted(built.graph);
    std::printf("contract_s %.1f\njunctions %u\nchains %u\ncontracted_mb %.0f\n", secs(tc), contracted.forward().node_count(),
                contracted.forward().edge_count(), contracted.memory_bytes() / 1048576.0);
    const auto t2 = Clock::now();
    save_graph_cache(cache, built.graph, contracted, kKey);
    std::printf("cache_write_s %.1f\ncache_mb %.0f\npeak_rss_mb %.0f\nbuild_cpu_s %.1f\n", secs(t2),
                std::filesystem::file_size(cache) / 1048576.0, peak_rss_mb(), cpu_s(c0));
    return 0;
}

int query(const std::string& cache, const std::filesystem::path& shared) {
    auto t0 = Clock::now();
    std::clock_t c0 = std::clock();
    std::string why;
    auto loaded = load_cached_graph(cache, kKey, &why);
    if (!loaded) {
        std::fprintf(stderr, "cache: %s\n", why.c_str());
        return 1;
    }
    const RoadGraph g = std::move(loaded->graph);
    const ContractedGraph contracted = std::move(loaded->contracted);
    std::printf("cache_load_s %.2f\ncache_load_cpu_s %.2f\n", secs(t0), cpu_s(c0));
    const auto schools = open_schools(shared / "schools/schools_gias2024_composite_geocoded.csv");
    std::map<std::int64_t, Point> by_urn;
    for (const auto& s : schools) by_urn[s.urn] = s.at;
    // Venues: TSH lead schools (with their area code) and 40 stand-in Maths Hub venues.
    struct Venue {
        std::string type;
        Point at;
        bool eoe;
    };
    std::vector<Venue> venues;
    {
        import::CsvReader csv(shared / "hubs/teaching_school_hubs_2025_areas.csv");
        const auto area = csv.require_column("tsh_area_code"), lead = csv.require_column("lead_school_urn");
        import::CsvRecord row;
        std::set<std::int64_t> seen;
        while (csv.next(row)) {
            const auto urn = std::stoll(row.fields[lead]);
            if (by_urn.count(urn) && seen.insert(urn).second)
                venues.push_back({"teaching school hub", by_urn[urn], row.fields[area].rfind("EE", 0) == 0});
        }
        std::vector<const School*> secondary;
        for (const auto& s : schools)
            if (s.phase == "Secondary") secondary.push_back(&s);
        for (std::size_t i = 0; i < 40; ++i) {
            const School* s = secondary[i * secondary.size() / 40];
            venues.push_back({"maths hub", s->at, s->eoe});
        }
    }
    std::printf("schools %zu\nvenues %zu\n", schools.size(), venues.size());

    // Every school: snap, then one multi-source search per hub type and an arrival per school.
    t0 = Clock::now();
    const EdgeSnapper snapper(g);
    std::printf("prepare_s %.2f (snap index %zu segments)\n", secs(t0), snapper.segment_count());
    t0 = Clock::now();
    c0 = std::clock();
    std::vector<Snap> school_snaps, venue_snaps;
    for (const auto& s : schools) school_snaps.push_back(snapper.snap(s.at));
    for (const auto& v : venues) venue_snaps.push_back(snapper.snap(v.at));
    const double snap_s = secs(t0);
    ChainSearch search(g, contracted);
    std::size_t reached = 0;
    double sum_min = 0;
    const char* const types[] = {"teaching school hub", "maths hub"};
    std::map<std::string, std::vector<Arrival>> answers;
    for (const char* type : types) {
        search.clear_sources();
        for (std::uint32_t v = 0; v < venues.size(); ++v)
            if (venues[v].type == type) search.add_source(venue_snaps[v], v);
        search.run();
        auto& out = answers[type];
        for (const auto& snap : school_snaps) {
            out.push_back(search.arrival(snap));
            if (out.back().time == kUnreachable) continue;
            ++reached;
            sum_min += out.back().time / 60000.0;
        }
    }
    const double nearest_s = secs(t0);
    std::printf("snap_s %.2f\nnearest_per_type_s %.2f (snapping included; 2 hub types)\nnearest_per_type_cpu_s %.2f\n"
                "school_type_pairs_reached %zu\nmean_minutes %.1f\n",
                snap_s, nearest_s, cpu_s(c0), reached, sum_min / std::max<std::size_t>(1, reached));

    // The East of England school x venue matrix within 45 minutes.
    t0 = Clock::now();
    c0 = std::clock();
    std::vector<Snap> region_schools, region_venues;
    for (std::size_t i = 0; i < schools.size(); ++i)
        if (schools[i].eoe) region_schools.push_back(school_snaps[i]);
    for (std::size_t v = 0; v < venues.size(); ++v)
        if (venues[v].eoe) region_venues.push_back(venue_snaps[v]);
    const auto cells = times_to_destinations(g, contracted, region_schools, region_venues, 45 * 60000);
    std::size_t pairs = 0;
    for (const auto& c : cells) pairs += c.size();
    std::printf("region_matrix_cpu_s %.2f\n", cpu_s(c0));
    std::printf("region_matrix_s %.2f\nregion_schools %zu\nregion_venues %zu\nregion_pairs_within_45_min %zu\npeak_rss_mb %.0f\n",
                secs(t0), region_schools.size(), region_venues.size(), pairs, peak_rss_mb());

    // Not timed: the same nearest-venue answers from one search over every node of the full
    // reversed graph (the implementation before contraction), compared school by school.
    t0 = Clock::now();
    const RoadGraph rev = g.reversed();
    MultiSourceSearch full(rev);
    std::size_t compared = 0, time_differs = 0, venue_differs = 0;
    for (const char* type : types) {
        std::vector<SearchSource> sources;
        std::vector<LabelledPosition> same;
        for (std::uint32_t v = 0; v < venues.size(); ++v)
            if (venues[v].type == type) {
                const auto s = sources_for(g, venue_snaps[v], v);
                sources.insert(sources.end(), s.begin(), s.end());
                for (const auto& p : venue_snaps[v].positions) same.push_back({p, v});
            }
        full.run(sources);
        for (std::size_t i = 0; i < school_snaps.size(); ++i) {
            const Arrival want = arrival(g, full, school_snaps[i], same);
            const Arrival& got = answers[type][i];
            ++compared;
            if (got.time != want.time) ++time_differs;
            else if (got.label != want.label) ++venue_differs;
        }
    }
    std::printf("full_graph_check_s %.1f\nfull_graph_check_pairs %zu\nfull_graph_time_differs %zu\n"
                "full_graph_venue_differs_at_equal_time %zu\n",
                secs(t0), compared, time_differs, venue_differs);
    return time_differs == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    coldspot::geo::detail::restart_with_huge_page_malloc(argv); // as `coldspot` itself does
    if (argc == 4 && std::string(argv[1]) == "build") return build(argv[2], argv[3]);
    if (argc == 4 && std::string(argv[1]) == "query") return query(argv[2], argv[3]);
    std::fprintf(stderr, "usage: england_roads_bench build PBF CACHE | query CACHE SHARED_DATA\n");
    return 2;
}
