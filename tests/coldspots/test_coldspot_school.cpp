// coldspots_schools rows through the ColdspotSchool record: the schema and every kind of row (not
// scored, Gi* only, Gi* and local Moran, an island) have the same columns, and each value lands
// under its own name.
#include "coldspot/geo/coldspots/coldspot_school.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace coldspot;
using namespace coldspot::geo;
using namespace coldspot::geo::coldspots;

namespace {

const std::vector<std::string> kTypes{"maths hub", "teaching school hub"};

SchoolScore school() {
    SchoolScore s;
    s.urn = 4242;
    s.name = "Fen School";
    s.at = Point(550000, 280000);
    s.hub_ids = {"maths-hub:A", "teaching-school-hub:EE1"};
    s.score.fill(std::nan(""));
    s.contribution.fill(std::nan(""));
    s.score[0] = 0.75;
    s.contribution[0] = 30;
    s.index = 30;
    s.minutes["maths hub"] = 41.5; // none for the teaching school hub: NULL
    s.access_method = "road";
    return s;
}

const Value& at(const FeatureTable& t, const Feature& f, const std::string& name) {
    return f.values.at(t.require_field(name));
}

TEST(ColdspotSchoolRows, EveryKindOfRowHasTheSchemasColumns) {
    const FeatureTable t = coldspots_schools_layer(kTypes);
    // 7 identity fields, a score and a contribution per component, a time per hub type, the method
    // and reasons, 7 of Gi*, 7 of local Moran and the island flag.
    EXPECT_EQ(t.fields.size(), 7 + 2 * kComponentCount + kTypes.size() + 2 + 7 + 7 + 1);
    EXPECT_GE(t.field_index("minutes_teaching_school_hub"), 0);
    const SchoolScore s = school();
    const LocalGi gi{-2.5, -2.6, 0.009, 0.01, 0.03, -3, true};
    const LocalMoran moran{0.4, 2.1, 0.04, 0.05, 0.08, "LL", std::string("low-low")};
    for (const ColdspotSchool& row : {ColdspotSchool{&s, {}, {}, false}, ColdspotSchool{&s, gi, {}, false},
                                      ColdspotSchool{&s, gi, moran, false}, ColdspotSchool{&s, gi, moran, true}})
        EXPECT_EQ(to_feature(row, kTypes).values.size(), t.fields.size());
}

TEST(ColdspotSchoolRows, ValuesLandUnderTheirNames) {
    const FeatureTable t = coldspots_schools_layer(kTypes);
    const SchoolScore s = school();
    const Feature unscored = to_feature({&s, {}, {}, false}, kTypes);
    EXPECT_EQ(unscored.fid, 4242);
    EXPECT_EQ(std::get<std::string>(at(t, unscored, "hub_ids")), "maths-hub:A;teaching-school-hub:EE1");
    EXPECT_DOUBLE_EQ(std::get<double>(at(t, unscored, "score_access")), 0.75);
    EXPECT_TRUE(is_null(at(t, unscored, "score_deprivation"))); // NaN: no input
    EXPECT_DOUBLE_EQ(std::get<double>(at(t, unscored, "minutes_maths_hub")), 41.5);
    EXPECT_TRUE(is_null(at(t, unscored, "minutes_teaching_school_hub")));
    for (const char* name : {"gi_star", "gi_bin", "cold_spot", "moran_i", "moran_cluster", "island"})
        EXPECT_TRUE(is_null(at(t, unscored, name))) << name;

    const LocalGi gi{-2.5, -2.6, 0.009, 0.01, 0.03, -3, true};
    const Feature gi_only = to_feature({&s, gi, {}, false}, kTypes);
    EXPECT_DOUBLE_EQ(std::get<double>(at(t, gi_only, "gi_z")), -2.6);
    EXPECT_EQ(std::get<std::int64_t>(at(t, gi_only, "gi_bin")), -3);
    EXPECT_EQ(std::get<std::int64_t>(at(t, gi_only, "cold_spot")), 1);
    EXPECT_EQ(std::get<std::int64_t>(at(t, gi_only, "island")), 0);
    EXPECT_TRUE(is_null(at(t, gi_only, "moran_quadrant")));

    const LocalMoran island_moran{0, 0, 1, 1, 1, "none", std::nullopt};
    const Feature island = to_feature({&s, gi, island_moran, true}, kTypes);
    EXPECT_EQ(std::get<std::string>(at(t, island, "moran_quadrant")), "none");
    EXPECT_TRUE(is_null(at(t, island, "moran_cluster")));
    EXPECT_EQ(std::get<std::int64_t>(at(t, island, "island")), 1);
}

} // namespace
