// The remit overlay, tallies, dashboards and one-stop records on the strip fixture
// (fixtures.hpp), whose every area and membership is worked out by hand below.
//
//   x (km)   0   2-4   5        10        20    25    30    35
//   T1       [====hole=========][=========]                       tsh, hole [2,4]x[2,4]
//   T2                          [=========][===========]          tsh
//   M1       [=====]                            [=====|=====]     maths, reaches 5 km beyond D3
//   zones:   {T1,M1} 46, {M1} 4 (the hole), {T1} 50, {T1,T2} 100, {T2} 50, {T2,M1} 50  = 300 km2
#include "fixtures.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/geos.hpp"
#include "coldspot/geo/remits/analysis.hpp"

#include <gtest/gtest.h>

#include <map>

namespace coldspot::test::remits {
namespace {

using namespace geo::remits;
using geo::Metres;

RemitOptions fixture_options() {
    RemitOptions o;
    o.snap_distance_m = Metres(2000);
    o.sliver_area_m2 = 5e6; // 5 km2: the 4 km2 hole is a sliver
    o.trust_max_median_km = 20;
    return o;
}

std::map<std::string, const RemitZone*> zones_by_key(const RemitAnalysis& a) {
    std::map<std::string, const RemitZone*> out;
    for (const auto& z : a.overlay.zones) out[hub_set_key(a.inputs.hubs, z.hubs)] = &z;
    return out;
}

TEST(RemitAssignment, SchoolsGetExactMemberships) {
    const auto in = strip_fixture();
    const auto as = assign_schools(in, fixture_options());
    ASSERT_EQ(as.size(), 6u);
    auto hubs = [&](std::size_t i) {
        std::vector<std::string> ids;
        for (const auto& m : as[i].hubs) ids.push_back(in.hubs[m.hub].id);
        return ids;
    };
    using V = std::vector<std::string>;
    EXPECT_EQ(hubs(0), (V{"maths:M1"})); // in T1's hole: a hole is a gap, not snapped over
    EXPECT_EQ(hubs(1), (V{"tsh:T1", "maths:M1"}));
    EXPECT_EQ(hubs(2), (V{"tsh:T1", "tsh:T2"}));
    EXPECT_EQ(hubs(3), (V{"tsh:T1"})); // inside T1, on T2's edge: interior wins
    EXPECT_EQ(hubs(4), (V{"tsh:T2", "maths:M1"}));
    EXPECT_EQ(hubs(5), (V{"maths:M1"}));
    // School 1004 is on the D1/D2 and L1/L2 edges: lowest code.
    EXPECT_EQ(in.districts[as[3].district->polygon].code, "E07000001");
    EXPECT_EQ(as[3].district->placement, Placement::Boundary);
    EXPECT_EQ(in.lsoas[as[3].lsoa->polygon].code, "E01000001");
    // School 1006 is 3 km beyond D3, farther than the 2 km snap distance.
    EXPECT_FALSE(as[5].district);
    EXPECT_FALSE(as[5].upper_tier);
}

TEST(RemitAssignment, SnappedSchoolIsFlaggedAndSnapsToHubsToo) {
    auto in = strip_fixture();
    in.schools[5].location = km(31.5, 5); // 1.5 km beyond D3, inside M1
    const auto as = assign_schools(in, fixture_options());
    ASSERT_TRUE(as[5].district);
    EXPECT_EQ(in.districts[as[5].district->polygon].code, "E07000003");
    EXPECT_EQ(as[5].district->placement, Placement::Snapped);
    EXPECT_NEAR(as[5].district->distance_m, 1500, 1e-6);
    ASSERT_EQ(as[5].hubs.size(), 2u);
    EXPECT_EQ(in.hubs[as[5].hubs[0].hub].id, "tsh:T2");
    EXPECT_EQ(as[5].hubs[0].placement, Placement::Snapped);
    EXPECT_EQ(in.hubs[as[5].hubs[1].hub].id, "maths:M1");
    EXPECT_EQ(as[5].hubs[1].placement, Placement::Interior);
}

TEST(RemitOverlay, ZonesPartitionTheStudyAreaWithExactAreas) {
    const auto a = analyse_remits(strip_fixture(), fixture_options());
    EXPECT_NEAR(a.overlay.study_area_km2, 300, 1e-9);
    const auto zones = zones_by_key(a);
    const std::map<std::string, double> expected{{"tsh:T1;maths:M1", 46}, {"maths:M1", 4},        {"tsh:T1", 50},
                                                 {"tsh:T1;tsh:T2", 100},  {"tsh:T2", 50},          {"tsh:T2;maths:M1", 50}};
    ASSERT_EQ(zones.size(), expected.size());
    double total = 0;
    for (const auto& [key, km2] : expected) {
        ASSERT_TRUE(zones.count(key)) << key;
        EXPECT_NEAR(zones.at(key)->area_km2, km2, 1e-9) << key;
        total += zones.at(key)->area_km2;
    }
    EXPECT_NEAR(total, 300, 1e-9);
    // Zones are disjoint: their union has the sum of their areas.
    std::vector<MultiPolygon> parts;
    for (const auto& z : a.overlay.zones) parts.push_back(z.geometry);
    EXPECT_NEAR(area_km2(geo::union_all(parts)), 300, 1e-9);
    // M1's part beyond the study area is clipped away.
    EXPECT_EQ(zones.at("tsh:T2;maths:M1")->geometry.size(), 1u);
}

TEST(RemitOverlay, GapsAndOverlapsPerType) {
    const auto a = analyse_remits(strip_fixture(), fixture_options());
    ASSERT_EQ(a.overlay.gaps.size(), 2u);
    EXPECT_EQ(a.overlay.gaps[0].hub_type, "maths");
    EXPECT_NEAR(a.overlay.gaps[0].area_km2, 200, 1e-9); // [5,25]
    EXPECT_EQ(a.overlay.gaps[1].hub_type, "tsh");
    EXPECT_NEAR(a.overlay.gaps[1].area_km2, 4, 1e-9); // the hole
    ASSERT_EQ(a.overlay.overlaps.size(), 1u);
    EXPECT_EQ(a.overlay.overlaps[0].hub_type, "tsh");
    EXPECT_EQ(hub_set_key(a.inputs.hubs, a.overlay.overlaps[0].hubs), "tsh:T1;tsh:T2");
    EXPECT_NEAR(a.overlay.overlaps[0].area_km2, 100, 1e-9);
    // The overlap is exactly D2.
    EXPECT_NEAR(area_km2(geo::difference(a.overlay.overlaps[0].geometry, rect(10, 0, 20, 10))), 0, 1e-12);
}

TEST(RemitOverlay, SliversBelowThresholdAreReportedAndKept) {
    const auto a = analyse_remits(strip_fixture(), fixture_options());
    std::vector<std::pair<std::string, std::string>> got;
    for (const auto& s : a.overlay.slivers) {
        got.emplace_back(s.layer, s.key);
        EXPECT_NEAR(s.area_m2, 4e6, 1e-3);
    }
    using P = std::pair<std::string, std::string>;
    EXPECT_EQ(got, (std::vector<P>{{"remit_zones", "maths:M1"}, {"remit_gaps", "tsh"}}));
    // With a 1 km2 threshold nothing is a sliver; the zone is there either way.
    auto o = fixture_options();
    o.sliver_area_m2 = 1e6;
    const auto b = analyse_remits(strip_fixture(), o);
    EXPECT_TRUE(b.overlay.slivers.empty());
    EXPECT_EQ(b.overlay.zones.size(), a.overlay.zones.size());
}

TEST(RemitOverlay, TalliesCountSchoolsPupilsAndDeprivation) {
    const auto a = analyse_remits(strip_fixture(), fixture_options());
    const auto zones = zones_by_key(a);
    auto tally = [&](const std::string& key) { return zones.at(key)->tally; };
    EXPECT_EQ(tally("maths:M1").schools, 1);         // 1001
    EXPECT_EQ(tally("maths:M1").deprived_schools, 1); // L1 decile 1
    EXPECT_EQ(tally("tsh:T1;maths:M1").pupils, 1000);
    EXPECT_EQ(tally("tsh:T1").schools, 1);           // 1004, no pupil count
    EXPECT_EQ(tally("tsh:T1").schools_with_pupils, 0);
    EXPECT_EQ(tally("tsh:T1").deprived_schools, 1);  // its boundary tie went to L1
    EXPECT_EQ(tally("tsh:T1;tsh:T2").pupils, 200);
    EXPECT_EQ(tally("tsh:T1;tsh:T2").deprived_schools, 0);
    EXPECT_EQ(tally("tsh:T2;maths:M1").pupils, 300);
    EXPECT_EQ(tally("tsh:T2").schools, 0);
    EXPECT_EQ(a.overlay.schools_outside_study_area, 1); // 1006
    EXPECT_EQ(a.overlay.schools_without_zone, 0);
    EXPECT_EQ(a.overlay.gaps[0].tally.schools, 2); // maths gap: 1003, 1004
    EXPECT_EQ(a.overlay.gaps[1].tally.schools, 1); // tsh gap: 1001
    EXPECT_EQ(a.overlay.overlaps[0].tally.schools, 1);
}

TEST(RemitOverlay, RegionRestrictsTheStudyArea) {
    auto o = fixture_options();
    o.region = "North"; // D1 + D2
    const auto a = analyse_remits(strip_fixture(), o);
    EXPECT_NEAR(a.overlay.study_area_km2, 200, 1e-9);
    double total = 0;
    for (const auto& z : a.overlay.zones) total += z.area_km2;
    EXPECT_NEAR(total, 200, 1e-9);
    EXPECT_EQ(a.overlay.schools_outside_study_area, 2); // 1005 in D3, 1006 nowhere
    o.region = "Atlantis";
    EXPECT_THROW(analyse_remits(strip_fixture(), o), InvalidArgumentError);
}

TEST(RemitDashboards, HubFiguresMatchHandCount) {
    const auto a = analyse_remits(strip_fixture(), fixture_options());
    const auto& t1 = a.dashboards.hubs[0];
    EXPECT_EQ(t1.schools, 3); // 1002, 1003, 1004
    EXPECT_EQ(t1.pupils, 1200);
    EXPECT_EQ(t1.by_phase[0].schools, 1); // primary 1003
    EXPECT_EQ(t1.by_phase[1].pupils, 1000); // secondary 1002
    EXPECT_EQ(t1.by_phase[3].schools, 1); // nursery 1004
    EXPECT_EQ(t1.shared_schools, 1);      // 1003 also under T2
    EXPECT_EQ(t1.deprived_schools, 2);    // 1002 and 1004 in L1
    EXPECT_EQ(t1.rural_schools, 2);
    EXPECT_EQ(t1.schools_with_imd, 3);
    EXPECT_NEAR(t1.area_km2, 196, 1e-9);
    ASSERT_EQ(t1.districts.size(), 2u);
    EXPECT_EQ(a.inputs.districts[t1.districts[0]].code, "E07000001");
    EXPECT_EQ(a.inputs.districts[t1.districts[1]].code, "E07000002");
    const auto& m1 = a.dashboards.hubs[2];
    EXPECT_EQ(m1.schools, 4); // 1001, 1002, 1005, 1006
    EXPECT_EQ(m1.shared_schools, 0);
    EXPECT_NEAR(m1.area_km2, 150, 1e-9);
    EXPECT_EQ(m1.by_phase[2].schools, 1); // all-through 1005
}

TEST(RemitDashboards, AuthorityCoverShares) {
    const auto a = analyse_remits(strip_fixture(), fixture_options());
    std::vector<std::string> rows;
    for (const auto& c : a.dashboards.authorities) {
        char buf[128];
        const auto& la = c.level == AuthorityLevel::District ? a.inputs.districts[c.authority] : a.inputs.upper_tier[c.authority];
        std::snprintf(buf, sizeof buf, "%s %s %s %.4f %d/%d", la.code.c_str(), c.hub_type.c_str(),
                      c.hub ? a.inputs.hubs[*c.hub].id.c_str() : "-", c.share, c.schools_covered, c.schools);
        rows.push_back(buf);
    }
    EXPECT_EQ(rows, (std::vector<std::string>{
                        "E07000001 maths maths:M1 0.5000 2/3", "E07000001 tsh tsh:T1 0.9600 2/3",
                        "E07000002 maths - 0.0000 0/1",        "E07000002 tsh tsh:T1 1.0000 1/1",
                        "E07000002 tsh tsh:T2 1.0000 1/1",     "E07000003 maths maths:M1 0.5000 1/1",
                        "E07000003 tsh tsh:T2 1.0000 1/1",
                        // U1 = the whole 300 km2 strip: M1 100, T1 196, T2 200; schools 1001-1005.
                        "E10000001 maths maths:M1 0.3333 3/5", "E10000001 tsh tsh:T2 0.6667 2/5",
                        "E10000001 tsh tsh:T1 0.6533 3/5"}));
}

TEST(RemitOneStop, RecordsListHubsLeadsVenuesAndFlags) {
    const auto a = analyse_remits(strip_fixture(), fixture_options());
    const auto& r1001 = a.records[0];
    ASSERT_EQ(r1001.hubs.size(), 1u);
    EXPECT_EQ(a.inputs.venues[*r1001.hubs[0].nearest_venue].name, "M1 west venue");
    EXPECT_NEAR(r1001.hubs[0].nearest_venue_km, std::hypot(1.0, 5.0), 1e-9);
    EXPECT_EQ(r1001.outside_types, (std::vector<std::string>{"tsh"}));
    EXPECT_TRUE(r1001.multi_hub_types.empty());
    const auto& r1003 = a.records[2];
    EXPECT_EQ(r1003.multi_hub_types, (std::vector<std::string>{"tsh"}));
    EXPECT_EQ(r1003.outside_types, (std::vector<std::string>{"maths"}));
    ASSERT_EQ(r1003.hubs.size(), 2u);
    ASSERT_TRUE(r1003.hubs[0].lead_school);
    EXPECT_EQ(a.inputs.schools[*r1003.hubs[0].lead_school].urn, 1002); // T1's lead
    EXPECT_EQ(a.inputs.schools[*r1003.hubs[1].lead_school].urn, 1005); // T2's lead
    EXPECT_FALSE(r1003.hubs[0].nearest_venue);                          // T1 has no venues
    EXPECT_FALSE(a.records[3].trust);                                   // 1004 has no trust
}

TEST(RemitOneStop, TrustLocalityUsesAuthoritiesAndMedianPairDistance) {
    const auto a = analyse_remits(strip_fixture(), fixture_options());
    // Trust 8: 1002 (1,1), 1003 (15,5), 1006 (33,5): pair distances sqrt(212), 18, sqrt(1040) km.
    const auto t8 = *a.records[1].trust;
    EXPECT_EQ(t8.schools, 3);
    EXPECT_EQ(t8.authorities, 1); // 1006 has no authority
    EXPECT_NEAR(t8.median_km, 18, 1e-9);
    EXPECT_TRUE(t8.local); // 18 <= 20
    // Trust 7: 1001 (3,3), 1005 (27,5): one pair, sqrt(24^2 + 2^2) km.
    const auto t7 = *a.records[0].trust;
    EXPECT_NEAR(t7.median_km, std::hypot(24.0, 2.0), 1e-9);
    EXPECT_FALSE(t7.local);
    auto o = fixture_options();
    o.trust_max_median_km = 100;
    o.trust_max_authorities = 1;
    EXPECT_TRUE(analyse_remits(strip_fixture(), o).records[0].trust->local);
    o.trust_max_authorities = 0;
    EXPECT_THROW(analyse_remits(strip_fixture(), o), InvalidArgumentError);
}

TEST(RemitOptions, RejectsOutOfRangeValues) {
    RemitOptions o;
    o.snap_distance_m = Metres(-1);
    EXPECT_THROW(o.validate(), InvalidArgumentError);
    o = {};
    o.min_authority_share = 1.5;
    EXPECT_THROW(o.validate(), InvalidArgumentError);
    o = {};
    o.sliver_area_m2 = std::nan("");
    EXPECT_THROW(o.validate(), InvalidArgumentError);
    EXPECT_NO_THROW(RemitOptions{}.validate());
}

} // namespace
} // namespace coldspot::test::remits
