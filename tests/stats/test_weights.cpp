// Spatial weights builders on tiny hand-drawn fixtures whose neighbours can be read off a sketch.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/stats/detail/contiguity_weights.hpp"
#include "coldspot/geo/stats/distance_weights.hpp"

#include <algorithm>
#include <random>
#include <gtest/gtest.h>

#include <vector>

using namespace coldspot;
using namespace coldspot::geo;
using namespace coldspot::geo::stats;

namespace {

MultiPolygon rect(double x0, double y0, double x1, double y1) {
    Polygon p;
    bg::append(p.outer(), Point{x0, y0});
    bg::append(p.outer(), Point{x0, y1});
    bg::append(p.outer(), Point{x1, y1});
    bg::append(p.outer(), Point{x1, y0});
    bg::append(p.outer(), Point{x0, y0});
    return MultiPolygon{p};
}

std::vector<FeatureIndex> nb(const SpatialWeights& w, std::size_t i) {
    const auto s = w.neighbours(i);
    return {s.begin(), s.end()};
}

/// 3 x 3 unit squares, numbered row by row from the bottom left:
///   6 7 8
///   3 4 5
///   0 1 2
std::vector<MultiPolygon> lattice3x3() {
    std::vector<MultiPolygon> cells;
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c) cells.push_back(rect(c, r, c + 1, r + 1));
    return cells;
}

} // namespace

TEST(QueenWeights, LatticeCornersEdgesAndCentre) {
    const auto cells = lattice3x3();
    const auto w = queen_weights(cells);
    ASSERT_EQ(w.size(), 9u);
    EXPECT_EQ(nb(w, 4), (std::vector<FeatureIndex>{0, 1, 2, 3, 5, 6, 7, 8}));
    EXPECT_EQ(nb(w, 0), (std::vector<FeatureIndex>{1, 3, 4}));         // corner: 3 (one by a vertex only)
    EXPECT_EQ(nb(w, 1), (std::vector<FeatureIndex>{0, 2, 3, 4, 5}));   // edge: 5
    EXPECT_EQ(nb(w, 8), (std::vector<FeatureIndex>{4, 5, 7}));
    EXPECT_EQ(w.link_count(), 4u * 3 + 4u * 5 + 8u);
    EXPECT_TRUE(w.is_symmetric());
    EXPECT_TRUE(w.islands().empty());
}

TEST(QueenWeights, SnapToleranceJoinsNearlySharedVertices) {
    // Two squares whose common edge is off by 0.4 mm, as a reprojection might leave it.
    const std::vector<MultiPolygon> cells{rect(0, 0, 1, 1), rect(1.0004, 0, 2, 1)};
    EXPECT_EQ(queen_weights(cells, QueenOptions{1e-3, false}).link_count(), 2u);
    EXPECT_EQ(queen_weights(cells, QueenOptions{1e-4, false}).link_count(), 0u);
}

TEST(QueenWeights, EdgeTouchWithoutSharedVertexNeedsTheEdgePass) {
    // A small square against the middle of a big square's right edge: no vertex in common.
    //  +----+
    //  |    |-+
    //  |  0 |1|
    //  |    |-+
    //  +----+
    const std::vector<MultiPolygon> cells{rect(0, 0, 2, 2), rect(2, 0.5, 3, 1.5), rect(10, 10, 11, 11)};
    const auto vertex_only = queen_weights(cells, QueenOptions{1e-3, false});
    EXPECT_EQ(vertex_only.link_count(), 0u);
    EXPECT_EQ(vertex_only.islands(), (std::vector<FeatureIndex>{0, 1, 2}));
    const auto with_edges = queen_weights(cells, QueenOptions{1e-3, true});
    EXPECT_EQ(nb(with_edges, 0), std::vector<FeatureIndex>{1});
    EXPECT_EQ(nb(with_edges, 1), std::vector<FeatureIndex>{0});
    EXPECT_EQ(with_edges.islands(), std::vector<FeatureIndex>{2});
}

TEST(QueenWeights, HolesAndMultiPartsCount) {
    // Feature 0 is a frame (square with a hole); feature 1 fills the hole; feature 2 is a
    // two-part feature whose second part touches the frame's corner.
    Polygon frame;
    frame.outer() = rect(0, 0, 4, 4)[0].outer();
    Ring hole;
    for (const auto& p : {Point{1, 1}, Point{3, 1}, Point{3, 3}, Point{1, 3}, Point{1, 1}}) hole.push_back(p);
    frame.inners().push_back(hole);
    MultiPolygon two_parts = rect(10, 10, 11, 11);
    two_parts.push_back(rect(4, 4, 5, 5)[0]);
    const std::vector<MultiPolygon> cells{MultiPolygon{frame}, rect(1, 1, 3, 3), two_parts};
    const auto w = queen_weights(cells, QueenOptions{1e-6, false});
    EXPECT_EQ(nb(w, 0), (std::vector<FeatureIndex>{1, 2}));
    EXPECT_EQ(nb(w, 1), (std::vector<FeatureIndex>{0}));
    EXPECT_EQ(nb(w, 2), (std::vector<FeatureIndex>{0}));
}

TEST(QueenWeights, RejectsBadTolerance) {
    const auto cells = lattice3x3();
    EXPECT_THROW(queen_weights(cells, QueenOptions{0.0, false}), InvalidArgumentError);
}

TEST(DistanceWeights, BandOnALine) {
    // Points at x = 0, 1, 2, 4 and a coincident pair at x = 9.
    const std::vector<Point> pts{{0, 0}, {1, 0}, {2, 0}, {4, 0}, {9, 0}, {9, 0}};
    const auto w1 = distance_band_weights(pts, 1.0); // band is inclusive
    EXPECT_EQ(nb(w1, 0), std::vector<FeatureIndex>{1});
    EXPECT_EQ(nb(w1, 1), (std::vector<FeatureIndex>{0, 2}));
    EXPECT_EQ(nb(w1, 3), std::vector<FeatureIndex>{});
    EXPECT_EQ(nb(w1, 4), std::vector<FeatureIndex>{5}); // coincident points are neighbours
    EXPECT_EQ(w1.islands(), std::vector<FeatureIndex>{3});
    const auto w2 = distance_band_weights(pts, 2.0);
    EXPECT_EQ(nb(w2, 0), (std::vector<FeatureIndex>{1, 2}));
    EXPECT_EQ(nb(w2, 3), std::vector<FeatureIndex>{2});
    EXPECT_TRUE(w2.is_symmetric());
    EXPECT_DOUBLE_EQ(min_threshold_distance(pts), 2.0);
    EXPECT_THROW(distance_band_weights(pts, 0.0), InvalidArgumentError);
    EXPECT_THROW(distance_band_weights(pts, -3.0), InvalidArgumentError);
}

TEST(DistanceWeights, KNearestIsAsymmetric) {
    const std::vector<Point> pts{{0, 0}, {1, 0}, {3, 0}, {7, 0}};
    const auto w = k_nearest_weights(pts, 1);
    EXPECT_EQ(nb(w, 0), std::vector<FeatureIndex>{1});
    EXPECT_EQ(nb(w, 1), std::vector<FeatureIndex>{0});
    EXPECT_EQ(nb(w, 2), std::vector<FeatureIndex>{1});
    EXPECT_EQ(nb(w, 3), std::vector<FeatureIndex>{2});
    EXPECT_FALSE(w.is_symmetric());
    const auto w2 = k_nearest_weights(pts, 2);
    EXPECT_EQ(nb(w2, 3), (std::vector<FeatureIndex>{1, 2}));
    EXPECT_THROW(k_nearest_weights(pts, 0), InvalidArgumentError);
    EXPECT_THROW(k_nearest_weights(pts, 4), InvalidArgumentError);
}

// Ties at the k-th distance: every tied point is a neighbour, so the neighbour sets are the same
// whatever the input order (issue 19: schools sharing a postcode centroid).
//
//        c1 c2 c3      (three schools at one postcode centroid, 2 m east of a)
//   a ---- x
//   |
//   b      (1 m south of a)
TEST(DistanceWeights, KNearestIncludesEveryPointTiedAtTheKthDistance) {
    const Point a{0, 0}, b{0, -1}, c{2, 0};
    const std::vector<Point> pts{a, b, c, c, c};
    const auto w = k_nearest_weights(pts, 2);
    // a: b at 1, then three at 2 for the second place: all three.
    EXPECT_EQ(nb(w, 0), (std::vector<FeatureIndex>{1, 2, 3, 4}));
    // b: a at 1, then c x3 at sqrt(5).
    EXPECT_EQ(nb(w, 1), (std::vector<FeatureIndex>{0, 2, 3, 4}));
    // each c: the two other c at 0 (k = 2 reached, no tie beyond).
    EXPECT_EQ(nb(w, 2), (std::vector<FeatureIndex>{3, 4}));
    EXPECT_EQ(nb(w, 3), (std::vector<FeatureIndex>{2, 4}));
    EXPECT_EQ(nb(w, 4), (std::vector<FeatureIndex>{2, 3}));
    // k = 1 for a: only b (no tie at distance 1).
    EXPECT_EQ(nb(k_nearest_weights(pts, 1), 0), std::vector<FeatureIndex>{1});

    // Any order of the same points gives the same neighbour sets (mapped back to the original ids).
    std::vector<std::size_t> order{0, 1, 2, 3, 4};
    std::mt19937 rng(7);
    for (int trial = 0; trial < 20; ++trial) {
        std::shuffle(order.begin(), order.end(), rng);
        std::vector<Point> shuffled;
        for (auto o : order) shuffled.push_back(pts[o]);
        const auto ws = k_nearest_weights(shuffled, 2);
        for (std::size_t k = 0; k < order.size(); ++k) {
            std::vector<FeatureIndex> mapped;
            for (auto j : nb(ws, static_cast<FeatureIndex>(k))) mapped.push_back(static_cast<FeatureIndex>(order[j]));
            std::sort(mapped.begin(), mapped.end());
            EXPECT_EQ(mapped, nb(w, static_cast<FeatureIndex>(order[k]))) << "trial " << trial;
        }
    }
}

TEST(SpatialWeights, SelfInclusionAndRowStandardisation) {
    const auto w = SpatialWeights::from_neighbours({{1, 2}, {0}, {0}, {}});
    const auto star = w.with_self().transformed(WeightStyle::RowStandardised);
    EXPECT_TRUE(star.includes_self());
    EXPECT_EQ(nb(star, 0), (std::vector<FeatureIndex>{0, 1, 2}));
    EXPECT_DOUBLE_EQ(star.weights(0)[0], 1.0 / 3);
    EXPECT_DOUBLE_EQ(star.row_sum(1), 1.0);
    EXPECT_DOUBLE_EQ(star.row_sum_of_squares(1), 0.5);
    EXPECT_EQ(star.islands(), std::vector<FeatureIndex>{3}); // only itself
    EXPECT_EQ(w.islands(), std::vector<FeatureIndex>{3});
    const std::vector<double> x{1, 10, 100, 1000};
    EXPECT_EQ(w.lag(x), (std::vector<double>{110, 1, 1, 0}));
    EXPECT_THROW(SpatialWeights::from_neighbours({{0}}), InvalidArgumentError);
    EXPECT_THROW(SpatialWeights::from_neighbours({{5}, {}}), InvalidArgumentError);
    EXPECT_EQ(weight_style_from_string("W"), WeightStyle::RowStandardised);
    EXPECT_THROW(weight_style_from_string("C"), InvalidArgumentError);
}
