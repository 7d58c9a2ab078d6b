// The hexagonal grid: exact cell areas, point location, covering and tiling.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/stats/detail/contiguity_weights.hpp"
#include "coldspot/geo/stats/detail/hex_grid.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace coldspot;
using namespace coldspot::geo;
using namespace coldspot::geo::stats;

TEST(HexGrid, CellAreaIsExact) {
    // A regular hexagon of side s has area 3 sqrt(3) / 2 s^2: 2,598,076.2 m^2 for s = 1 km.
    const HexGrid grid(1000.0, Point{400000, 300000});
    EXPECT_NEAR(grid.cell_area(), 2598076.2113533160, 1e-6);
    for (const HexCell c : {HexCell{0, 0}, HexCell{-7, 3}, HexCell{250, -120}})
        EXPECT_NEAR(std::fabs(bg::area(grid.polygon(c))), 2598076.2113533160, 1e-3);
    EXPECT_GT(bg::area(grid.polygon(HexCell{0, 0})), 0); // clockwise outer ring: positive for Boost
    // By area: 1 km^2 cells have side sqrt(2e6 / (3 sqrt 3)) = 620.403 m.
    const auto km2 = HexGrid::with_cell_area(1e6);
    EXPECT_NEAR(km2.side(), 620.40323998, 1e-6);
    EXPECT_NEAR(bg::area(km2.polygon(HexCell{12, -4})), 1e6, 1e-4);
    EXPECT_THROW(HexGrid(0.0), InvalidArgumentError);
    EXPECT_THROW(HexGrid::with_cell_area(-5), InvalidArgumentError);
}

TEST(HexGrid, CentresByHand) {
    // Side 2: width across flats 2 sqrt(3); rows 3 apart, odd rows shifted by half a width.
    const HexGrid grid(2.0);
    EXPECT_NEAR(grid.centre(HexCell{1, 0}).x(), 2 * std::sqrt(3.0), 1e-12);
    EXPECT_NEAR(grid.centre(HexCell{0, 1}).x(), std::sqrt(3.0), 1e-12);
    EXPECT_NEAR(grid.centre(HexCell{0, 1}).y(), 3.0, 1e-12);
    EXPECT_EQ(grid.cell_of(Point{0.1, 1.9}), (HexCell{0, 0}));    // just under the top vertex
    EXPECT_EQ(grid.cell_of(Point{1.7, 0.0}), (HexCell{0, 0}));    // just inside the right flat (at 1.732)
    EXPECT_EQ(grid.cell_of(Point{1.8, 0.0}), (HexCell{1, 0}));    // just past it
    EXPECT_EQ(HexGrid::from_id(HexGrid::id(HexCell{-3, 77})), (HexCell{-3, 77}));
    EXPECT_NE(HexGrid::id(HexCell{1, 0}), HexGrid::id(HexCell{0, 1}));
}

TEST(HexGrid, EveryPointLiesInItsCellAndNearestCentre) {
    const HexGrid grid(750.0, Point{531000, 181000});
    std::mt19937 gen(1);
    std::uniform_real_distribution<double> ux(500000, 560000), uy(150000, 210000);
    for (int k = 0; k < 5000; ++k) {
        const Point p{ux(gen), uy(gen)};
        const HexCell c = grid.cell_of(p);
        ASSERT_TRUE(bg::covered_by(p, grid.polygon(c))) << p.x() << ' ' << p.y();
        // Hexagons are Voronoi cells of their centres: no neighbouring centre is closer.
        const double own = bg::distance(p, grid.centre(c));
        for (auto [dq, dr] : {std::pair{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, -1}, {-1, 1}})
            ASSERT_LE(own, bg::distance(p, grid.centre(HexCell{c.q + dq, c.r + dr})) + 1e-9);
    }
}

TEST(HexGrid, CoveringTilesTheBoxWithoutOverlap) {
    const HexGrid grid(1000.0);
    const Box box{Point{-3200, -2100}, Point{5400, 4300}};
    const auto cells = grid.covering(box);
    // Area: the clipped cells add up to the box exactly (no gaps, no overlaps).
    double clipped = 0;
    for (const auto& c : cells) {
        std::vector<Polygon> parts;
        bg::intersection(grid.polygon(c), box, parts);
        for (const auto& part : parts) clipped += bg::area(part);
    }
    EXPECT_NEAR(clipped, bg::area(box), 1e-3);
    // No cell listed that misses the box, and a point in the box always finds a listed cell.
    std::mt19937 gen(2);
    std::uniform_real_distribution<double> ux(-3200, 5400), uy(-2100, 4300);
    for (int k = 0; k < 2000; ++k) {
        const HexCell c = grid.cell_of(Point{ux(gen), uy(gen)});
        ASSERT_NE(std::find(cells.begin(), cells.end(), c), cells.end());
    }
    // The grid's cells share edges exactly: queen contiguity gives 6 neighbours inside.
    std::vector<MultiPolygon> polys;
    for (const auto& c : cells) polys.push_back(MultiPolygon{grid.polygon(c)});
    const auto w = queen_weights(polys, QueenOptions{1e-6, false});
    std::size_t six = 0;
    for (std::size_t i = 0; i < w.size(); ++i) {
        EXPECT_LE(w.cardinality(i), 6u);
        six += w.cardinality(i) == 6;
    }
    EXPECT_GT(six, cells.size() / 3);
}
