// Maximal covering: greedy against brute force, on hand-drawn cases and random small ones.
#include "coldspot/geo/coldspots/venue_suggestion.hpp"
#include "coldspot/geo/error.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace coldspot;
using namespace coldspot::geo::coldspots;

TEST(VenueSuggestion, GreedyIsSuboptimalOnTheClassicCaseButWithinItsBound) {
    // Demand points 0..5, weight 1 each. Candidate 0 covers {0,1,2,3} (the greedy bait);
    // candidates 1 and 2 cover {0,1,4} and {2,3,5}. Greedy picks 0 then covers one more point
    // (4 + 1 = 5); the optimum for k = 2 is {1, 2} with all 6.
    CoverageProblem p{{1, 1, 1, 1, 1, 1}, {{0, 1, 2, 3}, {0, 1, 4}, {2, 3, 5}}, {}};
    const auto g = greedy_max_cover(p, 2);
    EXPECT_EQ(g.chosen, (std::vector<std::size_t>{0, 1}));
    EXPECT_DOUBLE_EQ(g.covered_after, 5);
    EXPECT_EQ(g.gain, (std::vector<double>{4, 1}));
    const auto e = exact_max_cover(p, 2);
    EXPECT_EQ(e.chosen, (std::vector<std::size_t>{1, 2}));
    EXPECT_DOUBLE_EQ(e.covered_after, 6);
    EXPECT_GE(g.covered_after, (1 - 1 / std::exp(1.0)) * e.covered_after);
}

TEST(VenueSuggestion, ExistingVenuesAndWeightsCount) {
    // Points 0 and 1 are already covered; weights favour candidate 1 (point 3 weighs 5).
    CoverageProblem p{{1, 1, 1, 5}, {{0, 1, 2}, {3}}, {1, 1, 0, 0}};
    const auto g = greedy_max_cover(p, 1);
    EXPECT_EQ(g.chosen, std::vector<std::size_t>{1});
    EXPECT_DOUBLE_EQ(g.covered_before, 2);
    EXPECT_DOUBLE_EQ(g.covered_after, 7);
    EXPECT_DOUBLE_EQ(g.total, 8);
    // k larger than useful: stops once nothing is gained.
    const auto all = greedy_max_cover(p, 5);
    EXPECT_EQ(all.chosen.size(), 2u);
    EXPECT_DOUBLE_EQ(all.covered_after, 8);
}

TEST(VenueSuggestion, GreedyMeetsTheBoundAndExactIsOptimalOnRandomCases) {
    std::mt19937 gen(9);
    for (int trial = 0; trial < 200; ++trial) {
        const std::size_t n = 12, m = 8, k = 1 + trial % 4;
        CoverageProblem p;
        std::uniform_real_distribution<double> w(0, 3);
        std::bernoulli_distribution in(0.3), pre(0.15);
        for (std::size_t i = 0; i < n; ++i) {
            p.demand.push_back(w(gen));
            p.already_covered.push_back(pre(gen));
        }
        p.covers.resize(m);
        for (auto& c : p.covers)
            for (std::uint32_t i = 0; i < n; ++i)
                if (in(gen)) c.push_back(i);
        const auto g = greedy_max_cover(p, k);
        const auto e = exact_max_cover(p, k);
        // The exact answer is at least as good as every single subset, the greedy one included.
        EXPECT_GE(e.covered_after + 1e-12, g.covered_after);
        const double gain_g = g.covered_after - g.covered_before, gain_e = e.covered_after - e.covered_before;
        EXPECT_GE(gain_g + 1e-12, (1 - 1 / std::exp(1.0)) * gain_e) << "trial " << trial;
    }
}

TEST(VenueSuggestion, RejectsInconsistentInput) {
    EXPECT_THROW(greedy_max_cover(CoverageProblem{{1, 1}, {{0, 2}}, {}}, 1), InvalidArgumentError);
    EXPECT_THROW(greedy_max_cover(CoverageProblem{{1, -1}, {{0}}, {}}, 1), InvalidArgumentError);
    EXPECT_THROW(greedy_max_cover(CoverageProblem{{1, 1}, {{0}}, {1}}, 1), InvalidArgumentError);
    CoverageProblem big{std::vector<double>(5, 1.0), std::vector<std::vector<std::uint32_t>>(60, {0}), {}};
    EXPECT_THROW(exact_max_cover(big, 10, 1000), InvalidArgumentError);
}
