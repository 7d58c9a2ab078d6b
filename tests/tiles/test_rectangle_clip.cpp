// Golden tests for the clip of prepared polygons that cross the buffered tile edge: hand-drawn
// rings on the z0 world grid (world units = tile units, y up), exact expected MVT rings (y down).
// The fast Sutherland-Hodgman rectangle clip must give them where the inside stays connected;
// the general overlay where it does not (a concave ring falling apart, a hole across the edge).
#include "tiles_test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <utility>
#include <vector>

using namespace coldspot::tiles;

namespace {

using Ring = std::vector<std::pair<int, int>>;

PolygonOutcome clip(const std::vector<Ring>& rings) {
    const PreparedZoom pz = coldspot::tiles::test::prepared_zoom_with(rings);
    TinyAccumulator tiny;
    return prepared_to_tile(pz, 0, TileId{0, 0, 0}, 0, 64, tiny);
}

/// Output ring rotated to start at its smallest vertex.
Ring normalised(const TilePath& path) {
    Ring r;
    for (const auto& p : path) r.emplace_back(p.x, p.y);
    std::rotate(r.begin(), std::min_element(r.begin(), r.end()), r.end());
    return r;
}

/// A 500 x 1000 exterior across the buffered east edge (x = 4160).
Ring across_east_edge() { return {{3800, 1000}, {3800, 2000}, {4300, 2000}, {4300, 1000}}; }

} // namespace

TEST(RectangleClip, TriangleAcrossTheBufferedCornerGetsTwoNewEdges) {
    // Hypotenuse x + y = 8250 cuts the box [-64, 4160]^2 at (4160, 4090) and (4090, 4160).
    const auto out = clip({{{4000, 4000}, {4000, 4250}, {4250, 4000}}});
    EXPECT_TRUE(out.clipped);
    EXPECT_TRUE(out.rectangle_clip);
    EXPECT_TRUE(out.fast_check); // one ring: checked exactly on the grid, not by Boost is_valid
    ASSERT_EQ(out.rings.size(), 1u);
    // y down: 4096 - y; exterior clockwise on screen (east along the top first).
    EXPECT_EQ(normalised(out.rings[0]), (Ring{{4000, -64}, {4090, -64}, {4160, 6}, {4160, 96}, {4000, 96}}));
    EXPECT_DOUBLE_EQ(out.area_units, 160.0 * 160 - 70.0 * 70 / 2);
}

TEST(RectangleClip, ConcaveRingWhoseArmsLeaveTheTileStaysOneRing) {
    // A U opening east: both arms cross x = 4160, the inside stays connected.
    const auto out = clip({{{4000, 1000}, {4000, 2000}, {4300, 2000}, {4300, 1800}, {4100, 1800}, {4100, 1200}, {4300, 1200},
                            {4300, 1000}}});
    EXPECT_TRUE(out.rectangle_clip);
    EXPECT_TRUE(out.fast_check);
    ASSERT_EQ(out.rings.size(), 1u);
    EXPECT_EQ(normalised(out.rings[0]), (Ring{{4000, 2096}, {4160, 2096}, {4160, 2296}, {4100, 2296}, {4100, 2896}, {4160, 2896},
                                              {4160, 3096}, {4000, 3096}}));
    EXPECT_DOUBLE_EQ(out.area_units, 160.0 * 1000 - 60.0 * 600);
}

TEST(RectangleClip, ConcaveRingCrossingTheEdgeTwiceFallsApartIntoTwoPolygons) {
    // A C opening west whose back lies outside: the arms are two separate pieces inside. Sutherland-
    // Hodgman would join them by a bridge along the edge; the general overlay gives two squares.
    const auto out = clip({{{4000, 1000}, {4000, 1200}, {4200, 1200}, {4200, 1800}, {4000, 1800}, {4000, 2000}, {4300, 2000},
                            {4300, 1000}}});
    EXPECT_TRUE(out.clipped);
    EXPECT_FALSE(out.rectangle_clip);
    EXPECT_FALSE(out.fast_check); // the bridge folds back along x = 4160: left to the full check
    ASSERT_EQ(out.rings.size(), 2u);
    std::vector<Ring> rings{normalised(out.rings[0]), normalised(out.rings[1])};
    std::sort(rings.begin(), rings.end());
    EXPECT_EQ(rings[0], (Ring{{4000, 2096}, {4160, 2096}, {4160, 2296}, {4000, 2296}}));
    EXPECT_EQ(rings[1], (Ring{{4000, 2896}, {4160, 2896}, {4160, 3096}, {4000, 3096}}));
    EXPECT_DOUBLE_EQ(out.area_units, 2 * 160.0 * 200);
}

TEST(RectangleClip, HoleAcrossTheEdgeBecomesANotch) {
    // The hole (counter-clockwise in y-up) crosses x = 4160: the result is one ring with a notch.
    const auto out = clip({across_east_edge(),
                           {{4100, 1400}, {4250, 1400}, {4250, 1600}, {4100, 1600}}});
    EXPECT_TRUE(out.clipped);
    EXPECT_FALSE(out.rectangle_clip);
    ASSERT_EQ(out.rings.size(), 1u);
    EXPECT_EQ(normalised(out.rings[0]), (Ring{{3800, 2096}, {4160, 2096}, {4160, 2496}, {4100, 2496}, {4100, 2696}, {4160, 2696},
                                              {4160, 3096}, {3800, 3096}}));
    EXPECT_DOUBLE_EQ(out.area_units, 360.0 * 1000 - 60.0 * 200);
}

TEST(RectangleClip, HoleInsideTheBoxStaysAHoleOfTheClippedExterior) {
    const auto out = clip({across_east_edge(),
                           {{3900, 1400}, {4000, 1400}, {4000, 1600}, {3900, 1600}}});
    EXPECT_TRUE(out.rectangle_clip);
    EXPECT_FALSE(out.fast_check); // two rings: Boost is_valid
    ASSERT_EQ(out.rings.size(), 2u);
    EXPECT_EQ(normalised(out.rings[0]), (Ring{{3800, 2096}, {4160, 2096}, {4160, 3096}, {3800, 3096}}));
    // Holes run the other way: counter-clockwise on screen.
    EXPECT_EQ(normalised(out.rings[1]), (Ring{{3900, 2496}, {3900, 2696}, {4000, 2696}, {4000, 2496}}));
    EXPECT_DOUBLE_EQ(out.area_units, 360.0 * 1000 - 100.0 * 200);
}

TEST(RectangleClip, TileInsideABigPolygonIsTheBufferedBox) {
    const auto out = clip({{{-1000, -1000}, {-1000, 5000}, {5000, 5000}, {5000, -1000}}});
    EXPECT_TRUE(out.rectangle_clip);
    EXPECT_TRUE(out.fast_check);
    ASSERT_EQ(out.rings.size(), 1u);
    EXPECT_EQ(normalised(out.rings[0]), (Ring{{-64, -64}, {4160, -64}, {4160, 4160}, {-64, 4160}}));
}
