// The road graph read from OSM PBF, checked against an independent reader: `osmium cat -f opl`
// (osmium-tool, Debian) turns the Rutland extract into text, and this file builds the directed
// graph from that text by the rules docs/routing.md documents (car classes, area=yes, access tags,
// oneway including -1 and the implied cases, maxspeed parsing, the speed profile, the largest
// strongly connected component), with no Coldspot code but PROJ's EPSG:4326 -> 27700 through
// geo::CrsTransform. Compared edge by edge (count, direction, length within 1 m, speed) and by 500
// shortest times between random nodes.
#include "coldspot/geo/crs.hpp"
#include "coldspot/geo/routing/road_graph.hpp"
#include "coldspot/geo/routing/road_source.hpp"

#include "test_support.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <numbers>
#include <optional>
#include <queue>
#include <random>
#include <sstream>
#include <unordered_map>

using namespace coldspot;
using namespace coldspot::geo;

namespace {

// ---- OPL (osmium's text format): "n<id> ... x<lon> y<lat>", "w<id> ... T<k=v,...> N<n1,n2,...>"

/// OPL escapes characters outside a safe set as %<hex code point>%.
std::string opl_unescape(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        const auto end = s.find('%', i + 1);
        const auto cp = std::stoul(s.substr(i + 1, end - i - 1), nullptr, 16);
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
        i = end;
    }
    return out;
}

struct OplWay {
    std::map<std::string, std::string> tags;
    std::vector<std::int64_t> refs;
};

struct Opl {
    std::unordered_map<std::int64_t, std::pair<double, double>> nodes; ///< lon, lat (nodes with a location)
    std::vector<OplWay> ways;
};

Opl read_opl(const std::filesystem::path& file) {
    Opl opl;
    std::ifstream in(file);
    std::string line, field;
    while (std::getline(in, line)) {
        if (line.empty() || (line[0] != 'n' && line[0] != 'w')) continue;
        std::istringstream ss(line);
        ss >> field;
        const std::int64_t id = std::stoll(field.substr(1));
        if (line[0] == 'n') {
            std::string x, y;
            while (ss >> field) {
                if (field[0] == 'x') x = field.substr(1);
                if (field[0] == 'y') y = field.substr(1);
            }
            if (!x.empty() && !y.empty()) opl.nodes[id] = {std::stod(x), std::stod(y)};
            continue;
        }
        OplWay w;
        while (ss >> field) {
            if (field[0] == 'T' && field.size() > 1) {
                std::istringstream tags(field.substr(1));
                std::string kv;
                while (std::getline(tags, kv, ',')) {
                    const auto eq = kv.find('=');
                    w.tags[opl_unescape(kv.substr(0, eq))] = opl_unescape(kv.substr(eq + 1));
                }
            } else if (field[0] == 'N' && field.size() > 1) {
                std::istringstream refs(field.substr(1));
                std::string r;
                while (std::getline(refs, r, ',')) w.refs.push_back(std::stoll(r.substr(1)));
            }
        }
        opl.ways.push_back(std::move(w));
    }
    return opl;
}

// ---- the documented rules (docs/routing.md "Road data in" and "Speed profile")

std::optional<std::string> tag(const OplWay& w, const std::string& k) {
    const auto it = w.tags.find(k);
    return it == w.tags.end() ? std::nullopt : std::optional<std::string>(it->second);
}

bool car_class(const std::string& h) {
    for (const char* c : {"motorway", "trunk", "primary", "secondary", "tertiary", "motorway_link", "trunk_link", "primary_link",
                          "secondary_link", "tertiary_link", "unclassified", "residential", "living_street", "service", "road"})
        if (h == c) return true;
    return false;
}

bool no_motor_access(const OplWay& w) {
    auto is = [&](const char* k, std::initializer_list<const char*> values) {
        const auto v = tag(w, k);
        return v && std::any_of(values.begin(), values.end(), [&](const char* x) { return *v == x; });
    };
    if (is("motorcar", {"no", "private"}) || is("motor_vehicle", {"no", "private"})) return true;
    const bool car_yes = is("motorcar", {"yes", "designated", "destination", "permissive"}) ||
                         is("motor_vehicle", {"yes", "designated", "destination", "permissive"});
    return !car_yes && (is("access", {"no", "private"}) || is("vehicle", {"no", "private"}));
}

/// km/h from one maxspeed value, or nullopt when unreadable.
std::optional<double> one_maxspeed(std::string v) {
    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
    while (!v.empty() && v.back() == ' ') v.pop_back();
    const double mph = 1.609344;
    if (v == "GB:nsl_single" || v == "UK:nsl_single" || v == "national") return 60 * mph;
    if (v == "GB:nsl_dual" || v == "UK:nsl_dual" || v == "GB:motorway" || v == "UK:motorway") return 70 * mph;
    if (v == "GB:zone20" || v == "UK:zone20") return 20 * mph;
    std::size_t used = 0;
    double n;
    try {
        n = std::stod(v, &used);
    } catch (...) {
        return std::nullopt;
    }
    std::string unit = v.substr(used);
    while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
    if (unit.empty() || unit == "km/h" || unit == "kmh" || unit == "kph") return n;
    if (unit == "mph") return n * mph;
    if (unit == "knots") return n * 1.852;
    return std::nullopt;
}

/// The lowest of a ';' list.
std::optional<double> maxspeed_kph(const std::string& text) {
    std::optional<double> lowest;
    std::istringstream ss(text);
    std::string part;
    while (std::getline(ss, part, ';'))
        if (const auto v = one_maxspeed(part); v && (!lowest || *v < *lowest)) lowest = v;
    return lowest;
}

double haversine_m(std::pair<double, double> a, std::pair<double, double> b) {
    const double r = 6371008.8, d2r = std::numbers::pi / 180.0;
    const double dlat = (b.second - a.second) * d2r, dlon = (b.first - a.first) * d2r;
    const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                     std::cos(a.second * d2r) * std::cos(b.second * d2r) * std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2 * r * std::asin(std::min(1.0, std::sqrt(h)));
}

struct Edge {
    std::size_t tail, head;
    double length_m, kph;
};

/// Keeps the edges whose both ends are in the largest strongly connected component (Kosaraju,
/// iterative).
std::vector<Edge> largest_component(const std::vector<Edge>& edges, std::size_t n, std::vector<char>& kept) {
    std::vector<std::vector<std::size_t>> out(n), in(n);
    for (const auto& e : edges) out[e.tail].push_back(e.head), in[e.head].push_back(e.tail);
    std::vector<char> seen(n, 0);
    std::vector<std::size_t> order;
    for (std::size_t s = 0; s < n; ++s) {
        if (seen[s]) continue;
        std::vector<std::pair<std::size_t, std::size_t>> stack{{s, 0}};
        seen[s] = 1;
        while (!stack.empty()) {
            auto& [v, i] = stack.back();
            if (i < out[v].size()) {
                const auto w = out[v][i++];
                if (!seen[w]) seen[w] = 1, stack.push_back({w, 0});
            } else {
                order.push_back(v);
                stack.pop_back();
            }
        }
    }
    std::vector<long> comp(n, -1);
    std::vector<std::size_t> size;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        if (comp[*it] >= 0) continue;
        const long c = static_cast<long>(size.size());
        size.push_back(0);
        std::vector<std::size_t> stack{*it};
        comp[*it] = c;
        while (!stack.empty()) {
            const auto v = stack.back();
            stack.pop_back();
            ++size[static_cast<std::size_t>(c)];
            for (auto w : in[v])
                if (comp[w] < 0) comp[w] = c, stack.push_back(w);
        }
    }
    const long big = static_cast<long>(std::max_element(size.begin(), size.end()) - size.begin());
    kept.assign(n, 0);
    for (std::size_t v = 0; v < n; ++v) kept[v] = comp[v] == big;
    std::vector<Edge> result;
    for (const auto& e : edges)
        if (kept[e.tail] && kept[e.head]) result.push_back(e);
    return result;
}

/// Dijkstra over integer milliseconds from `source` on adjacency lists (head, ms).
std::vector<std::int64_t> dijkstra(const std::vector<std::vector<std::pair<std::size_t, std::int64_t>>>& adj, std::size_t source) {
    std::vector<std::int64_t> dist(adj.size(), std::numeric_limits<std::int64_t>::max());
    using Item = std::pair<std::int64_t, std::size_t>;
    std::priority_queue<Item, std::vector<Item>, std::greater<>> heap;
    dist[source] = 0;
    heap.push({0, source});
    while (!heap.empty()) {
        const auto [d, v] = heap.top();
        heap.pop();
        if (d != dist[v]) continue;
        for (const auto& [w, t] : adj[v])
            if (d + t < dist[w]) dist[w] = d + t, heap.push({dist[w], w});
    }
    return dist;
}

std::int64_t ms_of(double length_m, double kph) { return std::llround(length_m / (kph / 3.6) * 1000.0); }

} // namespace

TEST(OsmiumGraph, RutlandGraphMatchesAnIndependentReaderOfOsmiumOpl) {
    COLDSPOT_REQUIRE_SHARED("osm/rutland-latest.osm.pbf");
    const auto pbf = test::shared_data() / "osm/rutland-latest.osm.pbf";
    test::TempDir dir;
    const auto opl_file = dir / "rutland.opl";
    const auto conv = test::run_command("osmium cat " + test::quote(pbf.string()) + " -f opl -o " + test::quote(opl_file.string()) + " 2>&1");
    ASSERT_EQ(conv.exit_code, 0) << "osmium-tool (tools/deps/test.txt): " << conv.output;
    const Opl opl = read_opl(opl_file);
    nlohmann::json profile;
    std::ifstream(test::source_dir() / "data/profiles/car.json") >> profile;
    const double factor = profile["maxspeed_factor"].get<double>();

    // ---- the independent graph: every way vertex a node (OSM id), one edge per segment and direction.
    std::unordered_map<std::int64_t, std::size_t> node_index;
    std::vector<std::int64_t> node_ids;
    auto node_of = [&](std::int64_t id) {
        auto [it, added] = node_index.emplace(id, node_ids.size());
        if (added) node_ids.push_back(id);
        return it->second;
    };
    std::vector<Edge> edges;
    std::size_t ways_kept = 0;
    std::map<std::string, std::size_t> dropped;
    for (const auto& w : opl.ways) {
        const auto h = tag(w, "highway");
        if (!h || !car_class(*h)) continue;
        if (tag(w, "area") == "yes") { ++dropped["area=yes"]; continue; }
        if (no_motor_access(w)) { ++dropped["no motor access"]; continue; }
        const auto ow = tag(w, "oneway");
        int dir = 0;
        if (ow == "reversible" || ow == "alternating") { ++dropped["oneway reversible/alternating"]; continue; }
        if (ow == "yes" || ow == "true" || ow == "1") dir = 1;
        else if (ow == "-1" || ow == "reverse") dir = -1;
        else if (!ow && (*h == "motorway" || tag(w, "junction") == "roundabout" || tag(w, "junction") == "circular")) dir = 1;
        double kph = profile["class_kph"].value(*h, 0.0);
        if (const auto ms = tag(w, "maxspeed"))
            if (const auto v = maxspeed_kph(*ms)) kph = *v * factor;
        ASSERT_GT(kph, 0) << *h;
        ++ways_kept;
        for (std::size_t i = 0; i + 1 < w.refs.size(); ++i) {
            const auto a = opl.nodes.find(w.refs[i]), b = opl.nodes.find(w.refs[i + 1]);
            if (a == opl.nodes.end() || b == opl.nodes.end()) continue; // outside the clipped extract
            const double len = haversine_m(a->second, b->second);
            if (len == 0) continue;
            const auto u = node_of(w.refs[i]), v = node_of(w.refs[i + 1]);
            if (dir >= 0) edges.push_back({u, v, len, kph});
            if (dir <= 0) edges.push_back({v, u, len, kph});
        }
    }
    std::vector<char> kept;
    const auto mine = largest_component(edges, node_ids.size(), kept);

    // ---- Coldspot's graph from the same PBF.
    routing::RoadSource src;
    src.kind = routing::RoadSourceKind::Pbf;
    src.path = pbf;
    const auto built = routing::build_road_graph(routing::read_road_lines(src), routing::default_speed_profile());
    const auto& g = built.graph;

    // Nodes meet by position: each of ours, projected by PROJ, to the Coldspot node within 5 cm.
    const CrsTransform to_bng(kWgs84, kBritishNationalGrid);
    std::map<std::pair<long, long>, std::vector<std::uint32_t>> cells; // 10 cm cells
    for (std::uint32_t n = 0; n < g.node_count(); ++n) {
        const auto& p = g.coord(routing::NodeId{n});
        cells[{std::lround(p.x() * 10), std::lround(p.y() * 10)}].push_back(n);
    }
    std::vector<long> to_cs(node_ids.size(), -1);
    std::size_t unmatched = 0;
    for (std::size_t v = 0; v < node_ids.size(); ++v) {
        if (!kept[v]) continue;
        const auto& ll = opl.nodes.at(node_ids[v]);
        const Point p = to_bng(Point{ll.first, ll.second});
        for (long dx = -1; dx <= 1 && to_cs[v] < 0; ++dx)
            for (long dy = -1; dy <= 1 && to_cs[v] < 0; ++dy) {
                const auto it = cells.find({std::lround(p.x() * 10) + dx, std::lround(p.y() * 10) + dy});
                if (it == cells.end()) continue;
                for (auto n : it->second)
                    if (bg::distance(g.coord(routing::NodeId{n}), p) < 0.05) to_cs[v] = n;
            }
        unmatched += to_cs[v] < 0;
    }
    EXPECT_EQ(unmatched, 0u) << "kept nodes of the independent graph with no Coldspot node within 5 cm";

    // ---- edge by edge: the same directed edges, lengths within 1 m, the same speed.
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<std::uint32_t>> cs_edges;
    const auto tails = g.tails();
    for (std::uint32_t e = 0; e < g.edge_count(); ++e) cs_edges[{tails[e], g.head(routing::EdgeId{e}).value}].push_back(e);
    std::size_t missing = 0, length_off = 0, speed_off = 0;
    double worst_length = 0, worst_speed = 0;
    for (const auto& e : mine) {
        const long a = to_cs[e.tail], b = to_cs[e.head];
        const auto it = cs_edges.find({static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(b)});
        if (a < 0 || b < 0 || it == cs_edges.end() || it->second.empty()) {
            if (++missing <= 5) ADD_FAILURE() << "no Coldspot edge for OSM nodes " << node_ids[e.tail] << " -> " << node_ids[e.head];
            continue;
        }
        const auto ce = routing::EdgeId{it->second.back()};
        it->second.pop_back(); // each Coldspot edge answers one of ours
        const double dl = std::fabs(g.length_m(ce) - e.length_m);
        worst_length = std::max(worst_length, dl);
        length_off += dl > 1.0;
        // Speed: Coldspot stores whole milliseconds, so compare the time within the rounding.
        const double kph = g.length_m(ce) / (g.time_ms(ce) / 1000.0) * 3.6;
        const double dt = std::fabs(static_cast<double>(g.time_ms(ce)) - e.length_m / (e.kph / 3.6) * 1000.0);
        worst_speed = std::max(worst_speed, std::fabs(kph - e.kph));
        speed_off += dt > 0.5 + 1000.0 * 1.0 / (e.kph / 3.6); // ms rounding plus the 1 m length allowance
    }
    std::size_t extra = 0;
    for (const auto& [k, v] : cs_edges) extra += v.size();
    EXPECT_EQ(missing, 0u);
    EXPECT_EQ(extra, 0u) << "Coldspot edges with no independent counterpart";
    EXPECT_EQ(mine.size(), static_cast<std::size_t>(g.edge_count()));
    EXPECT_EQ(length_off, 0u) << "edges whose length differs by more than 1 m";
    EXPECT_EQ(speed_off, 0u) << "edges whose time differs beyond rounding";
    EXPECT_GT(mine.size(), 20000u);
    std::cout << "Rutland: " << ways_kept << " car ways kept; " << mine.size() << " directed edges on both sides; max |dlength| "
              << worst_length << " m; max |dspeed| " << worst_speed << " km/h\n";
    for (const auto& [why, n] : dropped) std::cout << "  dropped " << n << " ways: " << why << "\n";

    // ---- 500 shortest times between random kept nodes, on both graphs.
    std::vector<std::vector<std::pair<std::size_t, std::int64_t>>> adj_mine(node_ids.size()), adj_cs(g.node_count());
    for (const auto& e : mine) adj_mine[e.tail].push_back({e.head, ms_of(e.length_m, e.kph)});
    for (std::uint32_t e = 0; e < g.edge_count(); ++e) adj_cs[tails[e]].push_back({static_cast<std::size_t>(g.head(routing::EdgeId{e}).value), static_cast<std::int64_t>(g.time_ms(routing::EdgeId{e}))});
    std::vector<std::size_t> kept_nodes;
    for (std::size_t v = 0; v < node_ids.size(); ++v)
        if (kept[v] && to_cs[v] >= 0) kept_nodes.push_back(v);
    std::mt19937_64 rng(19);
    std::uniform_int_distribution<std::size_t> pick(0, kept_nodes.size() - 1);
    double worst = 0, worst_rel = 0;
    std::size_t pairs = 0;
    for (int s = 0; s < 20; ++s) { // 20 sources x 25 targets = 500 pairs
        const auto src_mine = kept_nodes[pick(rng)];
        const auto d_mine = dijkstra(adj_mine, src_mine);
        const auto d_cs = dijkstra(adj_cs, static_cast<std::size_t>(to_cs[src_mine]));
        for (int t = 0; t < 25; ++t) {
            const auto dst = kept_nodes[pick(rng)];
            const auto a = d_mine[dst], b = d_cs[static_cast<std::size_t>(to_cs[dst])];
            ASSERT_NE(a, std::numeric_limits<std::int64_t>::max()) << "unreachable in the independent graph";
            ASSERT_NE(b, std::numeric_limits<std::int64_t>::max()) << "unreachable in Coldspot's graph";
            const double diff = std::fabs(static_cast<double>(a - b)) / 1000.0;
            worst = std::max(worst, diff);
            if (a > 0) worst_rel = std::max(worst_rel, diff * 1000.0 / static_cast<double>(a));
            EXPECT_LE(diff, 0.5 + 1e-3 * static_cast<double>(a) / 1000.0) << "OSM " << node_ids[src_mine] << " -> " << node_ids[dst];
            ++pairs;
        }
    }
    EXPECT_EQ(pairs, 500u);
    std::cout << "500 shortest times: max |dt| " << worst << " s (relative " << worst_rel << ")\n";
}
