// Demoshire's roads: a street grid in each town, primary roads between towns, a dual-carriageway
// motorway with two junctions, and lanes out to schools far from any street. Ways meet only at shared
// nodes; where two ways cross without one (a primary over the motorway) it is a bridge, as in OSM.
#include "demo_model.hpp"

#include <cmath>
#include <limits>
#include <map>

namespace coldspot::geo::demo::detail {

namespace {

constexpr double kStreetSpacingM = 400;
constexpr double kPrimaryNodeSpacingM = 1000;
constexpr double kCarriagewayOffsetM = 15;
constexpr double kLaneBeyondM = 300;

struct TownGrid {
    int half = 0; ///< streets run at -half..half spacings from the centre
    std::map<std::pair<int, int>, std::int64_t> nodes;
    std::int64_t at(int i, int j) const { return nodes.at({i, j}); }
};

/// The end of the town's central streets closest to a point: where a road out of town leaves.
std::int64_t exit_towards(const Model& m, const TownGrid& g, const Point& target) {
    const std::pair<int, int> ends[] = {{-g.half, 0}, {g.half, 0}, {0, -g.half}, {0, g.half}};
    std::int64_t best = 0;
    double best_d = std::numeric_limits<double>::infinity();
    for (const auto& e : ends) {
        const std::int64_t id = g.at(e.first, e.second);
        const Point p = m.roads.node(id).position;
        const double d = std::hypot(p.x() - target.x(), p.y() - target.y());
        if (d < best_d) best_d = d, best = id;
    }
    return best;
}

/// A road between two existing nodes with intermediate nodes about every kilometre, each pushed
/// sideways a little so that it does not look ruled.
std::vector<std::int64_t> country_road(Model& m, std::int64_t from, std::int64_t to, DemoRandom& random) {
    const Point a = m.roads.node(from).position;
    const Point b = m.roads.node(to).position;
    const double length = std::hypot(b.x() - a.x(), b.y() - a.y());
    const int segments = std::max(1, static_cast<int>(std::lround(length / kPrimaryNodeSpacingM)));
    const double nx = -(b.y() - a.y()) / length, ny = (b.x() - a.x()) / length;
    std::vector<std::int64_t> nodes{from};
    for (int k = 1; k < segments; ++k) {
        const double f = static_cast<double>(k) / segments;
        const double side = random.uniform(-100, 100);
        nodes.push_back(m.roads.add_node(Point{a.x() + f * (b.x() - a.x()) + side * nx, a.y() + f * (b.y() - a.y()) + side * ny}));
    }
    nodes.push_back(to);
    return nodes;
}

} // namespace

void draw_roads(Model& m, DemoRandom& random) {
    RoadNetwork& r = m.roads;
    std::vector<TownGrid> grids(m.towns.size());
    for (std::size_t t = 0; t < m.towns.size(); ++t) {
        const Town& town = m.towns[t];
        TownGrid& g = grids[t];
        g.half = std::max(1, static_cast<int>(0.7 * town.radius_m / kStreetSpacingM));
        for (int j = -g.half; j <= g.half; ++j)
            for (int i = -g.half; i <= g.half; ++i)
                g.nodes[{i, j}] = r.add_node(Point{town.centre.x() + i * kStreetSpacingM, town.centre.y() + j * kStreetSpacingM});
        const std::string town_speed = town.kind == "city" ? "20 mph" : "30 mph";
        for (int line = -g.half; line <= g.half; ++line) {
            std::vector<std::int64_t> row, column;
            for (int k = -g.half; k <= g.half; ++k) {
                row.push_back(g.at(k, line));
                column.push_back(g.at(line, k));
            }
            if (line == 0) {
                r.add_way(row, "tertiary", "", "30 mph", town.name + " High Street");
                r.add_way(column, "tertiary", "", "30 mph", town.name + " Road");
                continue;
            }
            // One one-way street each way through each town big enough to have a second row.
            std::string oneway;
            if (g.half >= 2 && line == 1) oneway = "yes";
            if (g.half >= 2 && line == -1) oneway = "-1";
            r.add_way(row, "residential", oneway, town_speed);
            r.add_way(column, "residential", "", town_speed);
        }
    }

    // Primary roads: the city to each town, and round the outside.
    const std::pair<std::size_t, std::size_t> links[] = {{0, 1}, {0, 2}, {0, 3}, {0, 4}, {1, 5}, {2, 5}, {3, 4}};
    int number = 0;
    for (const auto& [a, b] : links) {
        const std::int64_t from = exit_towards(m, grids[a], m.towns[b].centre);
        const std::int64_t to = exit_towards(m, grids[b], m.towns[a].centre);
        r.add_way(country_road(m, from, to, random), "primary", "", "60 mph", "A" + std::to_string(990 + number++));
    }

    // The motorway: two one-way carriageways from the south edge to the north edge, nodes every
    // kilometre, passing east of the city.
    const double south = bg::get<1>(m.bounds.min_corner());
    const double north = bg::get<1>(m.bounds.max_corner());
    const double west = bg::get<0>(m.bounds.min_corner());
    const auto motorway_x = [&](double y) { return west + 29000 + 0.05 * (y - south); };
    std::vector<std::int64_t> northbound, southbound;
    // A node every kilometre from south to north (accumulated as before: the demo's coordinates stay).
    double y = south;
    while (y <= north + 1e-6) {
        northbound.push_back(r.add_node(Point{motorway_x(y) + kCarriagewayOffsetM, y}));
        southbound.push_back(r.add_node(Point{motorway_x(y) - kCarriagewayOffsetM, y}));
        y += 1000;
    }
    std::vector<std::int64_t> southbound_order(southbound.rbegin(), southbound.rend());
    r.add_way(northbound, "motorway", "yes", "70 mph", "M99 northbound");
    r.add_way(southbound_order, "motorway", "yes", "70 mph", "M99 southbound");
    // Two junctions: a feeder primary from the town to a junction node beside the motorway, and a
    // two-way slip road from there onto each carriageway.
    const struct {
        std::size_t town;
        int km;
        double side;
    } junctions[] = {{0, 17, -1}, {1, 28, +1}};
    for (const auto& j : junctions) {
        const double y = south + j.km * 1000.0;
        const std::int64_t junction = r.add_node(Point{motorway_x(y - 500) + j.side * 400, y - 500});
        const std::int64_t exit = exit_towards(m, grids[j.town], r.node(junction).position);
        r.add_way(country_road(m, exit, junction, random), "primary", "", "60 mph",
                  m.towns[j.town].name + " Link Road");
        const auto k = static_cast<std::size_t>(j.km);
        r.add_way({junction, j.side < 0 ? southbound[k] : northbound[k]}, "motorway_link", "no", "40 mph");
        r.add_way({junction, j.side < 0 ? northbound[k - 1] : southbound[k - 1]}, "motorway_link", "no", "40 mph");
    }

    // The map ends where the motorway would go on: each end gets a slip road between the two
    // carriageways, so that no carriageway node is a one-way dead end and the whole network is one
    // strongly connected graph.
    r.add_way({northbound.back(), southbound.back()}, "motorway_link", "no", "40 mph");
    r.add_way({southbound.front(), northbound.front()}, "motorway_link", "no", "40 mph");

    // Lanes: every school farther than kLaneBeyondM from the streets and primary roads gets a lane
    // from a point 50 m beside it to the nearest such node. No maxspeed tag (NULL maxspeed_kph), as
    // on most real lanes.
    const std::int64_t last_street = static_cast<std::int64_t>(r.nodes().size());
    std::vector<bool> motorway_node(static_cast<std::size_t>(last_street) + 1, false);
    for (std::size_t k = 0; k < northbound.size(); ++k)
        motorway_node[static_cast<std::size_t>(northbound[k])] = motorway_node[static_cast<std::size_t>(southbound[k])] = true;
    for (const auto& s : m.schools) {
        std::int64_t best = 0;
        double best_d = std::numeric_limits<double>::infinity();
        for (std::int64_t id = 1; id <= last_street; ++id) {
            if (motorway_node[static_cast<std::size_t>(id)]) continue;
            const Point p = r.node(id).position;
            const double d = std::hypot(p.x() - s.position.x(), p.y() - s.position.y());
            if (d < best_d) best_d = d, best = id;
        }
        if (best_d <= kLaneBeyondM) continue;
        const bool east_edge = s.position.x() + 50 > bg::get<0>(m.bounds.max_corner());
        const std::int64_t gate = r.add_node(Point{s.position.x() + (east_edge ? -50 : 50), s.position.y()});
        r.add_way({gate, best}, "unclassified");
    }
}

} // namespace coldspot::geo::demo::detail
