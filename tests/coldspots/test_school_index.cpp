// The cold-spot index on the hand-drawn fixture, worked out by hand with the default parameters:
// weights access .35, deprivation .25, need .15, rurality .10, remit .10, engagement .05 (sum 1).
//
//   school  access ramp(15..45)  deprivation (10-d)/9  need (flag, fsm/50)  rural  remit              engagement
//   1       10 min -> 0          decile 1 -> 1         (1 + .5)/2 = .75     0      H1 -> 0            D1 (80) -> 0
//   2       30 min -> .5         1                     (0 + 0)/2 = 0        0      H1+H2 -> .5        0
//   3       45 min -> 1          1                     (0 + 1)/2 = .5       0      H1 -> 0            0
//   4       60 min -> 1          decile 10 -> 0        (0 + .2)/2 = .1      1      none 1 + trust .5  D2 (40) -> 1
//                                                                                  -> capped at 1
//   5       no venue -> 1        0                     flag only: 0         1      H2 -> 0            1
//   6       20 min -> 1/6        0                     (0 + 1)/2 = .5       1      H2 -> 0            1
//
//   index = 100 * sum(w * score): 36.25, 47.5, 67.5, 61.5, 50, 28.333...
#include "coldspot/geo/coldspots/school_index.hpp"
#include "coldspot/geo/error.hpp"

#include "fixture.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace coldspot;
using namespace coldspot::geo;
using namespace coldspot::geo::coldspots;

namespace {

IndexResult run_full(const test::coldspots::Fixture& fx, const Parameters& p = parse_parameters(nlohmann::json::object())) {
    return compute_index(IndexInputs{&fx.schools, &fx.areas, &fx.school_access, &fx.hub_venues, &fx.school_remits, &fx.engagement}, p);
}

} // namespace

TEST(SchoolIndex, EveryComponentByHand) {
    const auto fx = test::coldspots::make_fixture();
    const auto r = run_full(fx);
    ASSERT_EQ(r.schools.size(), 6u);
    EXPECT_EQ(r.hub_types, std::vector<std::string>{"maths hub"});
    const double expected[] = {36.25, 47.5, 67.5, 61.5, 50.0, 100.0 * (0.35 / 6 + 0.075 + 0.1 + 0.05)};
    for (std::size_t i = 0; i < 6; ++i) {
        EXPECT_NEAR(r.schools[i].index, expected[i], 1e-9) << "school " << i + 1;
        double sum = 0;
        for (double c : r.schools[i].contribution) sum += c;
        EXPECT_NEAR(sum, r.schools[i].index, 1e-9) << "contributions add up to the index";
    }
    const auto& s2 = r.schools[1];
    EXPECT_DOUBLE_EQ(s2.score[0], 0.5);
    EXPECT_DOUBLE_EQ(s2.score[4], 0.5); // two hubs of one type
    EXPECT_NEAR(s2.contribution[0], 17.5, 1e-12);
    const auto& s4 = r.schools[3];
    EXPECT_DOUBLE_EQ(s4.score[4], 1.0); // no hub (1) + non-local trust (.5), capped
    EXPECT_DOUBLE_EQ(s4.score[5], 1.0);
    EXPECT_DOUBLE_EQ(s4.score[3], 1.0);
    EXPECT_TRUE(std::isinf(r.schools[4].minutes.at("maths hub")));
    EXPECT_EQ(r.schools[2].reasons,
              "access +35.0 (45 min to nearest maths hub venue); deprivation +25.0 (IMD decile 1); need +7.5 (fsm_percent 50)");
    EXPECT_EQ(r.schools[1].hub_ids, (std::vector<std::string>{"H1", "H2"}));
    EXPECT_EQ(r.schools[0].access_method, "road");
}

TEST(SchoolIndex, WeightsRenormaliseOverComponentsWithInput) {
    // Only the schools layer: the need component is all there is, so index = 100 * need.
    const auto fx = test::coldspots::make_fixture();
    const auto p = parse_parameters(nlohmann::json::object());
    const auto r = compute_index(IndexInputs{&fx.schools}, p);
    EXPECT_NEAR(r.schools[0].index, 75.0, 1e-9);
    EXPECT_NEAR(r.schools[1].index, 0.0, 1e-9);
    EXPECT_NEAR(r.schools[5].index, 50.0, 1e-9);
    EXPECT_TRUE(std::isnan(r.schools[0].score[0]));
    EXPECT_TRUE(std::isnan(r.schools[0].contribution[1]));
    // The notes say which rule applied.
    const auto has = [&](const std::string& needle) {
        return std::any_of(r.notes.begin(), r.notes.end(), [&](const std::string& n) { return n.find(needle) != std::string::npos; });
    };
    EXPECT_TRUE(has("school_access and hub_venues missing"));
    EXPECT_TRUE(has("areas missing"));
    EXPECT_TRUE(has("school_remits missing"));
    EXPECT_TRUE(has("engagement table 'ecf_participation' missing"));
}

TEST(SchoolIndex, StraightLineAccessWhenRoutingHasNotRun) {
    // Venue at (0, 0). School 2 is 1 km away: 1 km * 1.3 / 40 km/h = 1.95 min (the routing profile's
    // straight line, issue 19; it was 30 km/h here). School 4 is 20 km away: 39 min -> access score
    // (39 - 15) / (45 - 15) = 0.8.
    const auto fx = test::coldspots::make_fixture();
    const auto p = parse_parameters(nlohmann::json::object());
    const auto r = compute_index(IndexInputs{&fx.schools, nullptr, nullptr, &fx.hub_venues}, p);
    EXPECT_NEAR(r.schools[1].minutes.at("maths hub"), 1.95, 1e-9);
    EXPECT_NEAR(r.schools[3].minutes.at("maths hub"), 39.0, 1e-9);
    EXPECT_NEAR(r.schools[3].score[0], 0.8, 1e-12);
    EXPECT_EQ(r.schools[3].access_method, "straight_line");
    // Access .35 and need .15 remain: school 4 = 100 (.35 * .8 + .15 * .1) / .5 = 59.
    EXPECT_NEAR(r.schools[3].index, 59.0, 1e-9);
}

TEST(SchoolIndex, MissingSchoolsLayerIsAnError) {
    EXPECT_THROW(compute_index(IndexInputs{}, parse_parameters(nlohmann::json::object())), WorkspaceError);
}
