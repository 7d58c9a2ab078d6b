// Demoshire's towns, LSOA-like areas, districts, upper-tier authorities and deprivation.
#include "demo_model.hpp"

#include "coldspot/geo/demo/detail/perturbed_lattice.hpp"
#include "coldspot/geo/geos.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace coldspot::geo::demo::detail {

namespace {

// The region: 48 km x 36 km of the English Midlands' grid squares, far from the coast, so every
// coordinate is a plausible British National Grid easting/northing in England.
constexpr double kOriginX = 430000;
constexpr double kOriginY = 250000;
constexpr double kCellM = 500;   // smallest area: 500 m x 500 m, about a dense urban LSOA
constexpr int kBlockCells = 8;   // largest area: 4 km x 4 km, a sparse rural LSOA
constexpr int kBlocksX = 12;
constexpr int kBlocksY = 9;
constexpr double kJitter = 0.25; // of a cell; PerturbedLattice keeps rings simple up to 0.3
constexpr double kUnitaryRadiusM = 6500; // the city's unitary authority: areas within this of its centre

Point km(double x, double y) { return Point{kOriginX + x * 1000.0, kOriginY + y * 1000.0}; }

double distance(const Point& a, const Point& b) { return std::hypot(a.x() - b.x(), a.y() - b.y()); }

/// The area size (in cells) wanted at a point: small in towns, large in open country, as with
/// LSOAs, which hold roughly equal populations.
int wanted_cells(const Model& m, const Point& p) {
    const double edge = m.nearest_town_edge(p).first;
    if (edge < -500) return 1; // probes sit on square corners: ask for well inside the town
    if (edge < 1000) return 2;
    if (edge < 4000) return 4;
    return 8;
}

struct Square {
    int i, j, size;
};

void split(const Model& m, const PerturbedLattice& lattice, Square s, std::vector<Square>& out) {
    // The smallest size wanted at the square's corners and centre, so that a town reaching only a
    // corner of a big square still splits it.
    const Point sw = lattice.regular_vertex(s.i, s.j);
    const double side = s.size * kCellM;
    const Point probes[] = {sw, Point{sw.x() + side, sw.y()}, Point{sw.x(), sw.y() + side},
                            Point{sw.x() + side, sw.y() + side}, Point{sw.x() + side / 2, sw.y() + side / 2}};
    int wanted = kBlockCells;
    for (const auto& p : probes) wanted = std::min(wanted, wanted_cells(m, p));
    if (s.size <= wanted) {
        out.push_back(s);
        return;
    }
    const int h = s.size / 2;
    // North-west, north-east, south-west, south-east: the order areas are numbered in within a block.
    split(m, lattice, {s.i, s.j + h, h}, out);
    split(m, lattice, {s.i + h, s.j + h, h}, out);
    split(m, lattice, {s.i, s.j, h}, out);
    split(m, lattice, {s.i + h, s.j, h}, out);
}

std::string three_digits(std::size_t n) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%03zu", n);
    return buf;
}

} // namespace

std::optional<std::size_t> Model::area_strictly_containing(const Point& p) const {
    std::optional<std::size_t> found;
    for (std::size_t k = 0; k < areas.size(); ++k) {
        if (!bg::covered_by(p, areas[k].polygon)) continue;
        if (found || !bg::within(p, areas[k].polygon)) return std::nullopt; // on a shared edge
        found = k;
    }
    return found;
}

std::pair<double, std::size_t> Model::nearest_town_edge(const Point& p) const {
    double best = std::numeric_limits<double>::infinity();
    std::size_t which = 0;
    for (std::size_t t = 0; t < towns.size(); ++t) {
        const double d = distance(p, towns[t].centre) - towns[t].radius_m;
        if (d < best) best = d, which = t;
    }
    return {best, which};
}

void draw_towns(Model& m) {
    m.bounds = Box{km(0, 0), km(kBlocksX * kBlockCells * kCellM / 1000.0, kBlocksY * kBlockCells * kCellM / 1000.0)};
    // Fictional names; sizes span a city to a small market town so that the areas, schools and
    // roads have the density contrasts the analysis looks for.
    m.towns = {
        {"Castlebury", "city", km(20, 17), 4500, 280000, 0},
        {"Demoton", "town", km(38.5, 28), 2600, 90000, 0},
        {"Wexmoor", "town", km(8, 28.5), 2000, 50000, 0},
        {"Ashvale", "town", km(36.5, 7.5), 1700, 35000, 0},
        {"Fennick", "town", km(8.5, 7), 1300, 20000, 0},
        {"Hollinbrook", "town", km(26, 31), 900, 10000, 0},
    };
}

void draw_areas(Model& m, DemoRandom& random) {
    const PerturbedLattice lattice(km(0, 0), kCellM, kBlocksX * kBlockCells, kBlocksY * kBlockCells, kJitter, random);
    std::vector<Square> squares;
    for (int bj = kBlocksY - 1; bj >= 0; --bj)
        for (int bi = 0; bi < kBlocksX; ++bi) split(m, lattice, {bi * kBlockCells, bj * kBlockCells, kBlockCells}, squares);
    m.areas.reserve(squares.size());
    for (const auto& s : squares) {
        Area a;
        a.polygon = lattice.square(s.i, s.j, s.size);
        const Point sw = lattice.regular_vertex(s.i, s.j);
        a.centre = Point{sw.x() + s.size * kCellM / 2, sw.y() + s.size * kCellM / 2};
        m.areas.push_back(std::move(a));
    }
}

void draw_authorities(Model& m) {
    m.upper_tiers = {
        {"E06999901", "Castlebury", "990", {}},
        {"E10999901", "Demoshire", "991", {}},
    };
    m.districts = {
        {"E06999901", "Castlebury", 0, {}},
        {"E07999901", "Wexmoor", 1, {}},
        {"E07999902", "Demoton", 1, {}},
        {"E07999903", "Ashvale", 1, {}},
        {"E07999904", "Fennick", 1, {}},
    };
    // The county's districts are the nearest-seed (Voronoi) regions of these points, taken over
    // whole areas, so that their borders run diagonally across the lattice like real ones.
    const Point seeds[] = {km(6, 30), km(40, 30), km(34, 4), km(10, 6)};
    const Point city = m.towns[0].centre;
    for (auto& a : m.areas) {
        if (distance(a.centre, city) <= kUnitaryRadiusM) {
            a.district = 0;
            continue;
        }
        std::size_t best = 0;
        for (std::size_t s = 1; s < std::size(seeds); ++s)
            if (distance(a.centre, seeds[s]) < distance(a.centre, seeds[best])) best = s;
        a.district = best + 1;
    }
    // LSOA-style codes and names: numbered by district, then north to south, west to east.
    std::vector<std::size_t> order(m.areas.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const auto& x = m.areas[a];
        const auto& y = m.areas[b];
        if (x.district != y.district) return x.district < y.district;
        if (x.centre.y() != y.centre.y()) return x.centre.y() > y.centre.y();
        return x.centre.x() < y.centre.x();
    });
    std::vector<Area> sorted;
    sorted.reserve(m.areas.size());
    std::vector<std::size_t> per_district(m.districts.size(), 0);
    for (std::size_t rank = 0; rank < order.size(); ++rank) {
        Area a = std::move(m.areas[order[rank]]);
        const std::size_t k = per_district[a.district]++;
        a.code = "E01" + std::to_string(990001 + rank);
        a.name = m.districts[a.district].name + " " + three_digits(k / 4 + 1) + static_cast<char>('A' + k % 4);
        sorted.push_back(std::move(a));
    }
    m.areas = std::move(sorted);

    std::vector<std::vector<MultiPolygon>> parts(m.districts.size());
    for (const auto& a : m.areas) parts[a.district].push_back(a.polygon);
    for (std::size_t d = 0; d < m.districts.size(); ++d) m.districts[d].polygon = union_all(parts[d]);
    std::vector<std::vector<MultiPolygon>> tiers(m.upper_tiers.size());
    for (const auto& d : m.districts) tiers[d.upper_tier].push_back(d.polygon);
    for (std::size_t u = 0; u < m.upper_tiers.size(); ++u) m.upper_tiers[u].polygon = union_all(tiers[u]);
    for (auto& t : m.towns) t.district = m.areas[*m.area_strictly_containing(t.centre)].district;
}

void draw_deprivation(Model& m, DemoRandom& random) {
    const Point city = m.towns[0].centre;
    for (auto& a : m.areas) {
        // Deprivation concentrates in the inner parts of the larger towns, with a milder rise in
        // the remotest countryside, and multiplicative noise, as in the real IMD's long right tail.
        double score = 7.0;
        for (const auto& t : m.towns) {
            if (t.population < 30000) continue;
            const double amplitude = t.kind == "city" ? 30.0 : 18.0;
            const double d = distance(a.centre, t.centre) / (0.55 * t.radius_m);
            score += amplitude * std::exp(-d * d);
        }
        const auto [edge, town] = m.nearest_town_edge(a.centre);
        score += 5.0 * std::clamp(edge / 10000.0, 0.0, 1.0);
        score *= std::exp(random.normal(0.0, 0.3));
        a.imd_score = std::round(std::clamp(score, 0.5, 85.0) * 1000.0) / 1000.0;

        const bool near_city = distance(a.centre, city) <= 18000;
        if (edge < 0) {
            const bool major = near_city || town == 0;
            a.ruc_code = major ? "UN1" : "UF1";
            a.ruc_class = major ? "Urban: Nearer to a major town or city" : "Urban: Further from a major town or city";
        } else {
            const bool larger = edge < 2500;
            const bool nearer = distance(a.centre, city) <= 16000;
            a.ruc_code = std::string(larger ? "RL" : "RS") + (nearer ? "N1" : "F1");
            a.ruc_class = std::string(larger ? "Larger rural: " : "Smaller rural: ") +
                          (nearer ? "Nearer to a major town or city" : "Further from a major town or city");
        }
    }
    // Rank 1 = most deprived, as in the IoD; deciles over the demo's own areas.
    std::vector<std::size_t> order(m.areas.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return m.areas[a].imd_score > m.areas[b].imd_score; });
    const auto n = static_cast<std::int64_t>(order.size());
    for (std::int64_t r = 0; r < n; ++r) {
        auto& a = m.areas[order[static_cast<std::size_t>(r)]];
        a.imd_rank = r + 1;
        a.imd_decile = 1 + (r * 10) / n;
    }
}

} // namespace coldspot::geo::demo::detail
