// Point-in-polygon index on hand-drawn squares: interiors, shared edges, a shared vertex, holes,
// multipolygons and snapping, through both the Boost path and the GEOS prepared path.
#include "fixtures.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/remits/polygon_index.hpp"

#include <gtest/gtest.h>

namespace coldspot::test::remits {
namespace {

using geo::remits::Placement;
using geo::remits::PolygonIndex;
using geo::Metres;

/// 0 = prepare nothing (Boost.Geometry), 1 = prepare every polygon (GEOS).
class PolygonIndexTest : public ::testing::TestWithParam<int> {
protected:
    std::size_t threshold() const { return GetParam() == 1 ? 0 : 1'000'000; }

    /// A 2x2 grid of 10 km squares; keys chosen so key order differs from index order:
    ///   index 2 "C" [0,10]x[10,20]   index 3 "A" [10,20]x[10,20]
    ///   index 0 "D" [0,10]x[0,10]    index 1 "B" [10,20]x[0,10]
    PolygonIndex grid() const {
        return PolygonIndex({rect(0, 0, 10, 10), rect(10, 0, 20, 10), rect(0, 10, 10, 20), rect(10, 10, 20, 20)},
                            {"D", "B", "C", "A"}, threshold());
    }
};

TEST_P(PolygonIndexTest, InteriorPointHasOneInteriorHit) {
    const auto idx = grid();
    EXPECT_EQ(idx.prepared_count(), GetParam() == 1 ? 4u : 0u);
    const auto hit = idx.locate(km(5, 5), Metres(0));
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->polygon, 0u);
    EXPECT_EQ(hit->placement, Placement::Interior);
    EXPECT_EQ(hit->distance_m, 0);
}

TEST_P(PolygonIndexTest, PointOnSharedEdgeGoesToLowestKey) {
    const auto idx = grid();
    // Edge between D (index 0) and B (index 1): key "B" < "D".
    const auto hits = idx.locate_all(km(10, 5), Metres(0));
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].polygon, 1u);
    EXPECT_EQ(hits[0].placement, Placement::Boundary);
    // Edge between D and C: "C" < "D".
    EXPECT_EQ(idx.locate(km(5, 10), Metres(0))->polygon, 2u);
}

TEST_P(PolygonIndexTest, PointOnVertexSharedByFourGoesToLowestKey) {
    const auto hits = grid().locate_all(km(10, 10), Metres(0));
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].polygon, 3u); // "A"
    EXPECT_EQ(hits[0].placement, Placement::Boundary);
}

TEST_P(PolygonIndexTest, OverlappingPolygonsAllReportedInKeyOrder) {
    const PolygonIndex idx({rect(0, 0, 20, 10), rect(10, 0, 30, 10), rect(40, 0, 50, 10)}, {"z", "a", "m"}, threshold());
    const auto both = idx.locate_all(km(15, 5), Metres(0));
    ASSERT_EQ(both.size(), 2u);
    EXPECT_EQ(both[0].polygon, 1u); // "a" before "z"
    EXPECT_EQ(both[1].polygon, 0u);
    // On the edge of one and inside the other: only the interior counts.
    const auto edge = idx.locate_all(km(10, 5), Metres(0));
    ASSERT_EQ(edge.size(), 1u);
    EXPECT_EQ(edge[0].polygon, 0u);
    EXPECT_EQ(edge[0].placement, Placement::Interior);
    // The partition answer for bad (overlapping) data is still one: the lowest key.
    EXPECT_EQ(idx.locate(km(15, 5), Metres(0))->polygon, 1u);
}

TEST_P(PolygonIndexTest, HoleIsOutsideAndItsIslandInside) {
    const PolygonIndex idx({rect_with_hole(0, 0, 10, 10, 4, 4, 6, 6), rect(4, 4, 6, 6)}, {"ring", "island"}, threshold());
    EXPECT_EQ(idx.locate(km(5, 5), Metres(0))->polygon, 1u);
    EXPECT_EQ(idx.locate(km(5, 5), Metres(0))->placement, Placement::Interior);
    EXPECT_EQ(idx.locate(km(2, 2), Metres(0))->polygon, 0u);
    // On the hole's edge: boundary of both, "island" < "ring".
    const auto edge = idx.locate(km(4, 5), Metres(0));
    EXPECT_EQ(edge->polygon, 1u);
    EXPECT_EQ(edge->placement, Placement::Boundary);
    // Without the island, the hole is simply outside (no snapping asked).
    const PolygonIndex ring_only({rect_with_hole(0, 0, 10, 10, 4, 4, 6, 6)}, {"ring"}, threshold());
    EXPECT_FALSE(ring_only.locate(km(5, 5), Metres(0)));
    EXPECT_EQ(ring_only.locate(km(4, 5), Metres(0))->placement, Placement::Boundary);
}

TEST_P(PolygonIndexTest, MultipolygonPartsBelongToOneFeature) {
    MultiPolygon two = rect(0, 0, 1, 1);
    two.push_back(rect_polygon(100, 100, 101, 101));
    const PolygonIndex idx({two, rect(50, 50, 51, 51)}, {"two", "mid"}, threshold());
    EXPECT_EQ(idx.locate(km(100.5, 100.5), Metres(0))->polygon, 0u);
    EXPECT_EQ(idx.locate(km(0.5, 0.5), Metres(0))->polygon, 0u);
    EXPECT_EQ(idx.locate(km(50.5, 50.5), Metres(0))->polygon, 1u);
    EXPECT_FALSE(idx.locate(km(25, 25), Metres(0)));
}

TEST_P(PolygonIndexTest, SnapsToNearestWithinDistanceOnly) {
    const auto idx = grid();
    // 1 km east of B's east edge (x = 20 km).
    EXPECT_FALSE(idx.locate(km(21, 5), Metres(999)));
    const auto snapped = idx.locate(km(21, 5), Metres(1000));
    ASSERT_TRUE(snapped);
    EXPECT_EQ(snapped->polygon, 1u);
    EXPECT_EQ(snapped->placement, Placement::Snapped);
    EXPECT_NEAR(snapped->distance_m, 1000, 1e-6);
    // Diagonal from the outer corner (20,20) of A: distance sqrt(2) km.
    const auto corner = idx.locate(km(21, 21), Metres(1500));
    ASSERT_TRUE(corner);
    EXPECT_EQ(corner->polygon, 3u);
    EXPECT_NEAR(corner->distance_m, std::sqrt(2.0) * 1000, 1e-6);
}

TEST_P(PolygonIndexTest, EquidistantSnapGoesToLowestKey) {
    // (10, -1): 1 km below the shared corner of D and B.
    const auto hit = grid().locate(km(10, -1), Metres(2000));
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->polygon, 1u); // "B" < "D"
    EXPECT_NEAR(hit->distance_m, 1000, 1e-6);
}

TEST_P(PolygonIndexTest, SnapToOverlappingPolygonsReturnsAllOfThem) {
    // Two footprints that both contain the same district (as hub areas sharing a split district),
    // and a third farther away: a point off the coast snaps into both, not just one.
    const PolygonIndex idx({rect(0, 0, 10, 10), rect(0, 0, 10, 10), rect(12, 0, 20, 10)}, {"hub:B", "hub:A", "hub:C"}, threshold());
    const auto hits = idx.locate_all(km(-1, 5), Metres(2000));
    ASSERT_EQ(hits.size(), 2u);
    EXPECT_EQ(hits[0].polygon, 1u); // "hub:A"
    EXPECT_EQ(hits[1].polygon, 0u);
    EXPECT_EQ(hits[0].placement, Placement::Snapped);
    EXPECT_NEAR(hits[1].distance_m, 1000, 1e-6);
    // Midway between the pair (x = 10) and C (x = 12): all three are 1 km away.
    EXPECT_EQ(idx.locate_all(km(11, 5), Metres(2000)).size(), 3u);
    // 1.118 km from C's corner, 1.803 km from the pair's: C alone.
    const auto nearer_c = idx.locate_all(km(11.5, 11), Metres(2000));
    ASSERT_EQ(nearer_c.size(), 1u);
    EXPECT_EQ(nearer_c[0].polygon, 2u);
}

INSTANTIATE_TEST_SUITE_P(BoostAndGeos, PolygonIndexTest, ::testing::Values(0, 1),
                         [](const auto& info) { return info.param == 1 ? std::string("GeosPrepared") : std::string("Boost"); });

TEST(PolygonIndex, KeysMustMatchPolygons) {
    EXPECT_THROW(PolygonIndex({rect(0, 0, 1, 1)}, {"a", "b"}), InvalidArgumentError);
}

TEST(PolygonIndex, EmptyIndexFindsNothing) {
    const PolygonIndex idx({}, {});
    EXPECT_EQ(idx.size(), 0u);
    EXPECT_FALSE(idx.locate(km(0, 0), Metres(1e6)));
}

} // namespace
} // namespace coldspot::test::remits
