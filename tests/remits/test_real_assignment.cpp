// School-to-LSOA assignment on real data against a second implementation: the composite school
// register carries LSOA 2021 codes computed by R/sf (st_within, then nearest LSOA within 2 km for
// the few points that generalised coastlines leave outside), see ../shared/data/schools/PROVENANCE.md.
#include "real_data.hpp"

#include "coldspot/geo/remits/assignment.hpp"

#include <gtest/gtest.h>

namespace coldspot::test::remits {
namespace {

using namespace geo::remits;

TEST(RemitsRealData, LsoaAssignmentMatchesRsfForEveryGeocodedEnglishSchool) {
    COLDSPOT_REQUIRE_SHARED("schools/schools_gias2024_composite_geocoded.csv");
    COLDSPOT_REQUIRE_SHARED("boundaries/lsoa21_bsc/lsoa21_england_bsc.geojson.gz");
    TempDir tmp;
    const auto lsoa_table = load_with_ogr(
        tmp, "/vsigzip/" + (shared_data() / "boundaries/lsoa21_bsc/lsoa21_england_bsc.geojson.gz").string(), "areas",
        "SELECT lsoa21_code AS code, lsoa21_name AS name, geometry FROM lsoa21_england_bsc");
    RemitInputs in;
    in.lsoas = read_areas(lsoa_table, "lsoa21_england_bsc");
    ASSERT_EQ(in.lsoas.size(), 33'755u);

    std::vector<std::string> expected;
    int snapped_by_r = 0;
    for (const auto& row : read_csv(shared_data() / "schools/schools_gias2024_composite_geocoded.csv")) {
        if (row.at("lsoa21_code").empty() || row.at("easting").empty()) continue;
        in.schools.push_back(School{std::stoll(row.at("urn")), row.at("name"), "", {}, {}, "", "",
                                    geo::Point(std::stod(row.at("easting")), std::stod(row.at("northing")))});
        expected.push_back(row.at("lsoa21_code"));
        if (row.at("lsoa_match") != "within") ++snapped_by_r;
    }
    ASSERT_GT(in.schools.size(), 40'000u); // all statuses with an English LSOA
    EXPECT_GT(snapped_by_r, 0);

    RemitOptions options; // 2 km snap, as R/sf used
    const auto assignments = assign_schools(in, options);
    int agree = 0, snapped = 0;
    std::vector<std::string> disagreements;
    for (std::size_t i = 0; i < in.schools.size(); ++i) {
        const auto& a = assignments[i].lsoa;
        const std::string got = a ? in.lsoas[a->polygon].code : "";
        if (a && a->placement == Placement::Snapped) ++snapped;
        if (got == expected[i]) ++agree;
        else if (disagreements.size() < 10) disagreements.push_back(std::to_string(in.schools[i].urn) + ": " + got + " vs " + expected[i]);
    }
    EXPECT_EQ(agree, static_cast<int>(in.schools.size())) << ::testing::PrintToString(disagreements);
    EXPECT_EQ(snapped, snapped_by_r);
}

} // namespace
} // namespace coldspot::test::remits
