// Strong types (include/coldspot/geo/alias.hpp): a wrong mix does not compile, conversions are exact,
// and the public interfaces that take them refuse raw numbers and other units.
#include "coldspot/geo/alias.hpp"
#include "coldspot/geo/coldspots/detail/road_coverage.hpp"
#include "coldspot/geo/coldspots/targets.hpp"
#include "coldspot/geo/crs.hpp"
#include "coldspot/geo/remits/polygon_index.hpp"
#include "coldspot/geo/stats/vector_file.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <type_traits>
#include <unordered_set>

using namespace coldspot;
using namespace coldspot::geo;

namespace {

// No implicit way in from a raw number, and none between units.
static_assert(!std::is_convertible_v<double, Minutes>);
static_assert(!std::is_convertible_v<double, Metres>);
static_assert(!std::is_convertible_v<double, Seconds>);
static_assert(!std::is_convertible_v<int, Epsg>);
static_assert(!std::is_convertible_v<std::int64_t, SchoolUrn>);
static_assert(!std::is_convertible_v<Minutes, Seconds>);
static_assert(!std::is_convertible_v<Seconds, Minutes>);
static_assert(!std::is_convertible_v<Minutes, Metres>);
static_assert(!std::is_convertible_v<Metres, Minutes>);
static_assert(!std::is_convertible_v<Metres, Epsg>);
static_assert(!std::is_constructible_v<Minutes, Metres>);
static_assert(!std::is_constructible_v<Metres, Seconds>);
static_assert(!std::is_constructible_v<Epsg, Minutes>);
// Reading back is explicit, except an EPSG code, which reads as the int storage keeps.
static_assert(!std::is_convertible_v<Minutes, double>);
static_assert(!std::is_convertible_v<Metres, double>);
static_assert(!std::is_convertible_v<SchoolUrn, std::int64_t>);
static_assert(std::is_convertible_v<Epsg, int>);
static_assert(std::is_constructible_v<double, Minutes>); // static_cast works
// Sums of different units do not exist.
template <typename A, typename B>
concept Addable = requires(A a, B b) { a + b; };
static_assert(Addable<Minutes, Minutes>);
static_assert(!Addable<Minutes, Seconds>);
static_assert(!Addable<Metres, Minutes>);
static_assert(!Addable<Minutes, double>);
// The size of a strong type is the size of its number.
static_assert(sizeof(Minutes) == sizeof(double) && sizeof(Epsg) == sizeof(int));

// CRS transforms take EPSG codes, not ints or other quantities.
static_assert(std::is_constructible_v<CrsTransform, Epsg, Epsg>);
static_assert(!std::is_constructible_v<CrsTransform, int, int>);
static_assert(!std::is_constructible_v<CrsTransform, Epsg, int>);
static_assert(!std::is_constructible_v<CrsTransform, Metres, Metres>);

// A snap distance is in metres: neither a bare number nor minutes.
template <typename D>
concept LocatesWith = requires(const remits::PolygonIndex& index, Point p, D d) { index.locate(p, d); };
static_assert(LocatesWith<Metres>);
static_assert(!LocatesWith<double>);
static_assert(!LocatesWith<Minutes>);

// A venue suggestion's cut-off is in minutes: neither metres nor a bare number.
template <typename C>
concept SuggestsWith = requires(const Workspace& ws, const coldspots::TargetQuery& q, C c) {
    coldspots::suggest_venues(ws, q, std::string(), std::size_t{1}, c);
};
static_assert(SuggestsWith<Minutes>);
static_assert(!SuggestsWith<double>);
static_assert(!SuggestsWith<Metres>);
static_assert(!SuggestsWith<Seconds>);
static_assert(std::is_same_v<decltype(coldspots::CoverageInputs::cutoff), Minutes>);
static_assert(std::is_same_v<decltype(coldspots::CoverageInputs::no_coverage), Metres>);
static_assert(!std::is_assignable_v<Minutes&, double>);

} // namespace

TEST(Alias, UnitConversionsAreExact) {
    EXPECT_EQ(to_seconds(Minutes(7.5)), Seconds(450));
    EXPECT_EQ(to_seconds(Minutes(45)), Seconds(2700));
    EXPECT_EQ(to_minutes(Seconds(450)), Minutes(7.5));
    EXPECT_EQ(to_minutes(Seconds(90)), Minutes(1.5));
    // Round trips give back the same double, bit for bit, over every whole and half minute to 3 hours.
    for (int half = 0; half <= 360; ++half) {
        const Minutes m(half / 2.0);
        EXPECT_EQ(to_minutes(to_seconds(m)), m) << m;
    }
    EXPECT_EQ(from_kilometres(2.5), Metres(2500));
    EXPECT_EQ(to_kilometres(Metres(2500)), 2.5);
    // 30 minutes at 40 km/h is 20 km; the same arithmetic (and rounding) as the code it replaced.
    EXPECT_EQ(distance_at(40, Minutes(30)), Metres(20000));
    const double m = 17.25, kph = 37.0;
    EXPECT_EQ(distance_at(kph, Minutes(m)).value(), m / 60.0 * kph * 1000.0);
}

TEST(Alias, ArithmeticStaysInItsUnit) {
    Minutes total(10);
    total += Minutes(2.5);
    EXPECT_EQ(total, Minutes(12.5));
    EXPECT_EQ(total - Minutes(0.5), Minutes(12));
    EXPECT_EQ(Metres(300) * 2.0, Metres(600));
    EXPECT_EQ(Metres(300) / 4.0, Metres(75));
    EXPECT_EQ(Metres(300) / Metres(600), 0.5);
    EXPECT_LT(Minutes(15), Minutes(45));
    EXPECT_GT(Metres(2000), Metres(0));
    EXPECT_EQ(static_cast<double>(Minutes(3)), 3.0);
    std::ostringstream out;
    out << Metres(2000) << " " << kBritishNationalGrid;
    EXPECT_EQ(out.str(), "2000 27700");
    const std::unordered_set<SchoolUrn> urns{SchoolUrn(100000), SchoolUrn(100000), SchoolUrn(137000)};
    EXPECT_EQ(urns.size(), 2u);
}

TEST(Alias, EpsgCodesNameTheirCrs) {
    EXPECT_EQ(epsg_code(kBritishNationalGrid), "EPSG:27700");
    EXPECT_EQ(epsg_code(kWgs84), "EPSG:4326");
    EXPECT_EQ(epsg_code(kWebMercator), "EPSG:3857");
    const int stored = kBritishNationalGrid; // FeatureTable::epsg keeps a plain int
    EXPECT_EQ(stored, 27700);
    EXPECT_EQ(Epsg(stored), kBritishNationalGrid);
    // A typed transform and one named by strings agree exactly (test_core checks the values).
    const CrsTransform typed(kWgs84, kBritishNationalGrid);
    const CrsTransform named("EPSG:4326", "EPSG:27700");
    const Point a = typed(Point(0.0, 51.4779)), b = named(Point(0.0, 51.4779));
    EXPECT_EQ(a.x(), b.x());
    EXPECT_EQ(a.y(), b.y());
}
