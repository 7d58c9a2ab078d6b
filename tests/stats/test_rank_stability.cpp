// Rank stability (Monte Carlo over weights and missing-input rules) on hand-made cases whose rank
// distributions are worked out below.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/stats/rank_stability.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

using namespace coldspot;
using namespace coldspot::geo::stats;

namespace {

const double kMissing = std::numeric_limits<double>::quiet_NaN();

/// Within 4 standard deviations of a binomial share with probability p over n draws.
void expect_share(double measured, double p, unsigned n) {
    EXPECT_NEAR(measured, p, 4 * std::sqrt(p * (1 - p) / n)) << "expected share " << p;
}

} // namespace

// Two components a, b with weights 1.5 and 1, each drawn within +/-50 %:
//   w_a ~ U(0.75, 2.25), w_b ~ U(0.5, 1.5), independent.
// Units (a, b):  S1 (1, 1)  S2 (1, 0)  S3 (0, 1)  S4 (0, 0)
// S1 always scores highest and S4 lowest. S2 beats S3 exactly when w_a > w_b, and
//   P(w_a < w_b) = integral_{0.75}^{1.5} (x - 0.75) / 1.5 dx = 0.28125 / 1.5 = 0.1875,
// so S2 is 2nd in 81.25 % of draws and 3rd otherwise; S3 the reverse.
TEST(RankStability, WeightsOnlyHandMadeCase) {
    const std::vector<double> scores{1, 1, /**/ 1, 0, /**/ 0, 1, /**/ 0, 0};
    RankStabilityOptions o;
    o.draws = 2000;
    o.weight_range = 0.5;
    o.missing_rules = {MissingRule::Renormalise};
    o.top_n = 2;
    const auto r = rank_stability(scores, std::vector<double>{1.5, 1.0}, o);
    ASSERT_EQ(r.size(), 4u);
    // S1: always first, robust.
    EXPECT_EQ(r.median[0], 1u);
    EXPECT_EQ(r.p05[0], 1u);
    EXPECT_EQ(r.p95[0], 1u);
    EXPECT_EQ(r.top_share[0], 1.0);
    EXPECT_TRUE(r.robust[0]);
    // S2: median 2, 90 % interval [2, 3]; in the top 2 in ~81 % of draws: not robust (< 90 %).
    EXPECT_EQ(r.median[1], 2u);
    EXPECT_EQ(r.p05[1], 2u);
    EXPECT_EQ(r.p95[1], 3u);
    expect_share(r.top_share[1], 0.8125, o.draws);
    EXPECT_FALSE(r.robust[1]);
    // S3: median 3, interval [2, 3], top 2 in ~19 %.
    EXPECT_EQ(r.median[2], 3u);
    EXPECT_EQ(r.p05[2], 2u);
    EXPECT_EQ(r.p95[2], 3u);
    expect_share(r.top_share[2], 0.1875, o.draws);
    // S4: always last.
    EXPECT_EQ(r.median[3], 4u);
    EXPECT_EQ(r.p05[3], 4u);
    EXPECT_EQ(r.p95[3], 4u);
    EXPECT_EQ(r.top_share[3], 0.0);
}

// Fixed weights (range 0), equal: the missing-input rule alone moves a rank.
// Units (a, b):  S1 (1, 1)  S5 (0.9, missing)  S2 (0.6, 0.6)  S3 (0.2, 0.2)
//   renormalise: S5 = 0.9            -> order S1 S5 S2 S3, S5 2nd
//   zero:        S5 = 0.9 / 2 = 0.45 -> order S1 S2 S5 S3, S5 3rd
//   median:      b's median over S1, S2, S3 is 0.6, S5 = (0.9 + 0.6) / 2 = 0.75 -> 2nd
TEST(RankStability, MissingInputRulesHandMadeCase) {
    const std::vector<double> scores{1, 1, /**/ 0.9, kMissing, /**/ 0.6, 0.6, /**/ 0.2, 0.2};
    const std::vector<double> weights{1, 1};
    RankStabilityOptions o;
    o.draws = 1000;
    o.weight_range = 0;
    o.top_n = 2;
    auto with_rules = [&](std::vector<MissingRule> rules) {
        o.missing_rules = std::move(rules);
        return rank_stability(scores, weights, o);
    };
    const auto zero = with_rules({MissingRule::Zero});
    EXPECT_EQ(zero.median[1], 3u);
    EXPECT_EQ(zero.p05[1], 3u);
    EXPECT_EQ(zero.p95[1], 3u);
    EXPECT_EQ(zero.median[2], 2u);
    const auto median = with_rules({MissingRule::Median});
    EXPECT_EQ(median.median[1], 2u);
    EXPECT_EQ(median.p95[1], 2u);
    EXPECT_TRUE(median.robust[1]);
    // Each draw picks renormalise or zero with probability 1/2: S5 is 2nd or 3rd, S2 the reverse.
    const auto both = with_rules({MissingRule::Renormalise, MissingRule::Zero});
    EXPECT_EQ(both.p05[1], 2u);
    EXPECT_EQ(both.p95[1], 3u);
    EXPECT_EQ(both.p05[2], 2u);
    EXPECT_EQ(both.p95[2], 3u);
    expect_share(both.top_share[1], 0.5, o.draws);
    EXPECT_NEAR(both.top_share[1] + both.top_share[2], 1.0, 1e-12);
    EXPECT_FALSE(both.robust[1]);
    EXPECT_EQ(both.median[0], 1u);
    EXPECT_EQ(both.median[3], 4u);
}

TEST(RankStability, TiedUnitsShareTheBestRank) {
    const std::vector<double> scores{0.5, 0.5, 0.9, 0.1};
    RankStabilityOptions o;
    o.draws = 50;
    o.top_n = 1;
    const auto r = rank_stability(scores, std::vector<double>{1.0}, o);
    EXPECT_EQ(r.median[0], 2u);
    EXPECT_EQ(r.median[1], 2u);
    EXPECT_EQ(r.median[2], 1u);
    EXPECT_EQ(r.median[3], 4u);
}

TEST(RankStability, SeededAndIndependentOfThreads) {
    std::vector<double> scores;
    for (int i = 0; i < 3000; ++i)
        for (int c = 0; c < 6; ++c)
            scores.push_back((i * 7919 + c * 104729) % 1000 == 0 ? kMissing : ((i * (c + 3) * 2654435761u) % 1000) / 1000.0);
    const std::vector<double> weights{0.35, 0.25, 0.15, 0.10, 0.10, 0.05};
    RankStabilityOptions o;
    o.draws = 200;
    o.threads = 1;
    const auto one = rank_stability(scores, weights, o);
    o.threads = 3;
    const auto three = rank_stability(scores, weights, o);
    EXPECT_EQ(one.median, three.median);
    EXPECT_EQ(one.p05, three.p05);
    EXPECT_EQ(one.p95, three.p95);
    EXPECT_EQ(one.top_share, three.top_share);
    o.seed += 1;
    const auto other = rank_stability(scores, weights, o);
    EXPECT_NE(one.top_share, other.top_share);
    for (std::size_t i = 0; i < one.size(); ++i) {
        EXPECT_LE(one.p05[i], one.median[i]);
        EXPECT_LE(one.median[i], one.p95[i]);
    }
}

TEST(RankStability, RefusesInputsThatDoNotFit) {
    RankStabilityOptions o;
    const std::vector<double> w2{1, 1};
    EXPECT_THROW(rank_stability(std::vector<double>{1, 2, 3}, w2, o), InvalidArgumentError);       // not whole rows
    EXPECT_THROW(rank_stability(std::vector<double>{1, 1}, std::vector<double>{0, 0}, o), InvalidArgumentError);
    EXPECT_THROW(rank_stability(std::vector<double>{kMissing, kMissing}, w2, o), InvalidArgumentError); // no score
    EXPECT_THROW(rank_stability(std::vector<double>{-1, 1}, w2, o), InvalidArgumentError);
    o.missing_rules.clear();
    EXPECT_THROW(rank_stability(std::vector<double>{1, 1}, w2, o), InvalidArgumentError);
    o = {};
    o.weight_range = 1.0;
    EXPECT_THROW(rank_stability(std::vector<double>{1, 1}, w2, o), InvalidArgumentError);
    EXPECT_EQ(missing_rule_from_string("median"), MissingRule::Median);
    EXPECT_THROW(missing_rule_from_string("mean"), InvalidArgumentError);
}
