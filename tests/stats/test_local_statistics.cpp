// Gi, Gi*, local Moran's I, permutation inference, FDR and bins on cases computed by hand.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/stats/local_statistics.hpp"
#include "coldspot/geo/stats/detail/multiple_testing.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace coldspot;
using namespace coldspot::geo::stats;

namespace {

/// A chain 0 - 1 - 2 - 3 - 4 (each feature linked to i - 1 and i + 1).
SpatialWeights chain(std::size_t n) {
    std::vector<std::vector<FeatureIndex>> lists(n);
    for (std::size_t i = 0; i + 1 < n; ++i) {
        lists[i].push_back(static_cast<FeatureIndex>(i + 1));
        lists[i + 1].push_back(static_cast<FeatureIndex>(i));
    }
    return SpatialWeights::from_neighbours(lists);
}

const std::vector<double> kChainValues{1, 2, 3, 4, 10};

} // namespace

// x = 1 2 3 4 10: n = 5, sum 20, mean 4, sum of squared deviations 9+4+1+0+36 = 50, so s^2 = 10.
TEST(GetisOrd, GiStarBinaryByHand) {
    const auto r = getis_ord(kChainValues, chain(5), true, WeightStyle::Binary);
    // Feature 0, neighbours {0, 1}: Wi = 2, S1i = 2, lag = 1 + 2 = 3, E = Wi * mean = 8,
    // V = s^2 (n S1i - Wi^2) / (n - 1) = 10 * (10 - 4) / 4 = 15, z = (3 - 8) / sqrt(15).
    EXPECT_NEAR(r.z[0], -5.0 / std::sqrt(15.0), 1e-12);
    EXPECT_NEAR(r.statistic[0], 3.0 / 20.0, 1e-15);
    EXPECT_NEAR(r.expected[0], 8.0 / 20.0, 1e-15);
    EXPECT_NEAR(r.variance[0], 15.0 / 400.0, 1e-15);
    // Feature 4, neighbours {3, 4}: lag 14, E 8, V 15: z = 6 / sqrt(15) = 1.549..., p = 0.1213.
    EXPECT_NEAR(r.z[4], 6.0 / std::sqrt(15.0), 1e-12);
    EXPECT_NEAR(r.p[4], 0.121335, 1e-6);
    EXPECT_EQ(r.bin[4], 0);
    // Feature 2, neighbours {1, 2, 3}: Wi 3, S1i 3, lag 9, E 12, V = 10 (15 - 9) / 4 = 15.
    EXPECT_NEAR(r.z[2], -3.0 / std::sqrt(15.0), 1e-12);
    EXPECT_TRUE(r.islands.empty());
}

TEST(GetisOrd, GiStarRowStandardisedByHand) {
    const auto r = getis_ord(kChainValues, chain(5), true, WeightStyle::RowStandardised);
    // Feature 2, weights 1/3 each: Wi = 1, S1i = 1/3, lag = 3, E = 4, V = 10 (5/3 - 1) / 4 = 5/3,
    // z = -1 / sqrt(5/3).
    EXPECT_NEAR(r.z[2], -1.0 / std::sqrt(5.0 / 3.0), 1e-12);
    // Feature 0, weights 1/2: Wi 1, S1i 1/2, lag 1.5, E 4, V = 10 (2.5 - 1) / 4 = 3.75.
    EXPECT_NEAR(r.z[0], -2.5 / std::sqrt(3.75), 1e-12);
}

TEST(GetisOrd, GiWithoutSelfByHand) {
    const auto r = getis_ord(kChainValues, chain(5), false, WeightStyle::Binary);
    // Feature 0, neighbour {1}: mean of the others (20 - 1) / 4 = 4.75; their variance
    // (130 - 1) / 4 - 4.75^2 = 9.6875; Wi = S1i = 1; V = 9.6875 ((n-1) S1i - Wi^2) / (n - 2) = 9.6875;
    // lag = 2; z = (2 - 4.75) / sqrt(9.6875); G = 2 / 19.
    EXPECT_NEAR(r.z[0], -2.75 / std::sqrt(9.6875), 1e-12);
    EXPECT_NEAR(r.statistic[0], 2.0 / 19.0, 1e-15);
}

TEST(LocalMoran, ChainByHand) {
    const auto r = local_moran(kChainValues, chain(5), WeightStyle::Binary);
    // Deviations z = -3 -2 -1 0 6, m2 = 50 / 5 = 10. Feature 0: lag of z = -2, I = (-3/10)(-2) = 0.6;
    // E = -(z^2 Wi) / ((n-1) m2) = -9 / 40; Var = (z/m2)^2 n/(n-2) (Wi2 - Wi^2/(n-1)) (m2 - z^2/(n-1))
    //   = 0.09 * 5/3 * 0.75 * 7.75 = 0.871875.
    EXPECT_NEAR(r.statistic[0], 0.6, 1e-15);
    EXPECT_NEAR(r.expected[0], -0.225, 1e-15);
    EXPECT_NEAR(r.variance[0], 0.871875, 1e-12);
    EXPECT_NEAR(r.z[0], 0.825 / std::sqrt(0.871875), 1e-12);
    EXPECT_EQ(r.quadrant[0], Quadrant::LL);
    // Feature 4: z = 6, lag = 0 (feature 3 is at the mean): I = 0; quadrant HL (lag not > 0).
    EXPECT_NEAR(r.statistic[4], 0.0, 1e-15);
    EXPECT_EQ(r.quadrant[4], Quadrant::HL);
    // Feature 3: z = 0, so I = 0 with zero variance: z undefined.
    EXPECT_TRUE(std::isnan(r.z[3]));
    EXPECT_EQ(r.quadrant[3], Quadrant::LH);
    // Row-standardised: feature 2's lag is (-2 + 0) / 2 = -1, I = (-1/10)(-1) = 0.1.
    const auto rw = local_moran(kChainValues, chain(5), WeightStyle::RowStandardised);
    EXPECT_NEAR(rw.statistic[2], 0.1, 1e-15);
    EXPECT_EQ(rw.quadrant[2], Quadrant::LL);
}

TEST(LocalStatistics, IslandsAreReportedAndLeftUndefined) {
    // Feature 5 has no neighbour.
    auto lists = std::vector<std::vector<FeatureIndex>>{{1}, {0, 2}, {1, 3}, {2, 4}, {3}, {}};
    const auto w = SpatialWeights::from_neighbours(lists);
    const std::vector<double> x{1, 2, 3, 4, 10, 7};
    for (const auto& r : {getis_ord(x, w, true, WeightStyle::Binary, {99, 1, 2, false, false}),
                          getis_ord(x, w, false, WeightStyle::RowStandardised),
                          local_moran(x, w, WeightStyle::RowStandardised, {99, 1, 2, false, false})}) {
        EXPECT_EQ(r.islands, std::vector<FeatureIndex>{5});
        EXPECT_TRUE(std::isnan(r.z[5]));
        EXPECT_TRUE(std::isnan(r.p[5]));
        EXPECT_TRUE(std::isnan(r.p_fdr[5]));
        EXPECT_EQ(r.bin[5], 0);
        EXPECT_FALSE(std::isnan(r.z[1]));
    }
}

TEST(LocalStatistics, RejectsBadInput) {
    const auto w = chain(5);
    EXPECT_THROW(getis_ord(std::vector<double>{1, 2, 3}, w, true, WeightStyle::Binary), InvalidArgumentError);
    EXPECT_THROW(getis_ord(std::vector<double>{1, 2, NAN, 4, 5}, w, true, WeightStyle::Binary), InvalidArgumentError);
    EXPECT_THROW(getis_ord(kChainValues, w.with_self(), false, WeightStyle::Binary), InvalidArgumentError);
    EXPECT_THROW(local_moran(std::vector<double>{2, 2, 2, 2, 2}, w, WeightStyle::Binary), InvalidArgumentError);
    EXPECT_THROW(getis_ord(kChainValues, w, true, WeightStyle::Binary, {0, 1, 2, false, true}), InvalidArgumentError);
}

// Permutation inference where the reference distribution can be enumerated by hand.
TEST(ConditionalPermutation, ExtremeObservationGetsTheSmallestPseudoP) {
    // Gi* of feature 0 (neighbour 1, value 2) on x = 1 2 3 4 10: the drawn neighbour is one of
    // {2, 3, 4, 10}, every one >= the observed 2, so all 999 permutations are >= observed and the
    // folded count is 0: p_sim = 1 / 1000 exactly.
    const auto r = getis_ord(kChainValues, chain(5), true, WeightStyle::Binary, {999, 7, 2, false, false});
    EXPECT_DOUBLE_EQ(r.p_sim[0], 1.0 / 1000.0);
}

TEST(ConditionalPermutation, PseudoPMatchesTheEnumeratedDistribution) {
    // Feature 2 (neighbours 1 and 3, lag 2 + 4 = 6): two values drawn from {1, 2, 4, 10} give
    // sums 3 5 11 6 12 14 with equal chance; 4 of 6 are >= 6, so the folded p tends to 2/6.
    const auto r = getis_ord(kChainValues, chain(5), true, WeightStyle::Binary, {9999, 11, 2, false, false});
    EXPECT_NEAR(r.p_sim[2], 1.0 / 3.0, 0.02);
}

TEST(ConditionalPermutation, MomentsMatchTheAnalyticalOnes) {
    // Under conditional randomisation (x_i fixed, neighbours drawn from the other n - 1 values)
    // the analytical moments of Gi and of local Moran's I are the exact moments of the permutation
    // distribution, so z_sim approaches z. Gi*'s analytical moments are those of total
    // randomisation instead; with x_i held fixed its permutation z equals Gi's z (the own term is a
    // constant), which is what the Gi* line checks.
    std::mt19937 gen(3);
    std::normal_distribution<double> normal(50, 10);
    const std::size_t n = 60;
    std::vector<double> x(n);
    for (auto& v : x) v = normal(gen);
    std::vector<std::vector<FeatureIndex>> lists(n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t d : {1u, 2u, 7u}) {
            lists[i].push_back(static_cast<FeatureIndex>((i + d) % n));
            lists[(i + d) % n].push_back(static_cast<FeatureIndex>(i));
        }
    const auto w = SpatialWeights::from_neighbours(lists);
    const InferenceOptions opt{20000, 5, 2, false, false};
    const auto gi = getis_ord(x, w, false, WeightStyle::RowStandardised, opt);
    const auto gstar = getis_ord(x, w, true, WeightStyle::Binary, opt);
    const auto m = local_moran(x, w, WeightStyle::Binary, opt);
    for (std::size_t i = 0; i < n; ++i) {
        EXPECT_NEAR(gi.z_sim[i], gi.z[i], 0.05 + 0.02 * std::fabs(gi.z[i])) << "Gi feature " << i;
        EXPECT_NEAR(gstar.z_sim[i], gi.z[i], 0.05 + 0.02 * std::fabs(gi.z[i])) << "Gi* feature " << i;
        EXPECT_NEAR(m.z_sim[i], m.z[i], 0.05 + 0.02 * std::fabs(m.z[i])) << "Moran feature " << i;
    }
}

TEST(ConditionalPermutation, ResultsDoNotDependOnThreadCountButOnSeed) {
    std::vector<double> x(500);
    std::vector<std::vector<FeatureIndex>> lists(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        x[i] = std::sin(static_cast<double>(i) * 0.37) * 10 + static_cast<double>(i % 7);
        lists[i].push_back(static_cast<FeatureIndex>((i + 1) % x.size()));
        lists[(i + 1) % x.size()].push_back(static_cast<FeatureIndex>(i));
    }
    const auto w = SpatialWeights::from_neighbours(lists);
    const auto one = getis_ord(x, w, true, WeightStyle::Binary, {199, 42, 1, false, false});
    const auto two = getis_ord(x, w, true, WeightStyle::Binary, {199, 42, 2, false, false});
    const auto other = getis_ord(x, w, true, WeightStyle::Binary, {199, 43, 2, false, false});
    EXPECT_EQ(one.p_sim, two.p_sim);
    EXPECT_EQ(one.z_sim, two.z_sim);
    EXPECT_NE(one.p_sim, other.p_sim);
}

TEST(MultipleTesting, BenjaminiHochbergByHand) {
    // Sorted p 0.005 0.01 0.03 0.04 (m = 4): p m / rank = 0.02 0.02 0.04 0.04, already monotone.
    const std::vector<double> p{0.01, 0.04, 0.03, 0.005};
    const auto q = benjamini_hochberg(p);
    EXPECT_DOUBLE_EQ(q[0], 0.02);
    EXPECT_DOUBLE_EQ(q[1], 0.04);
    EXPECT_DOUBLE_EQ(q[2], 0.04);
    EXPECT_DOUBLE_EQ(q[3], 0.02);
    // Step-up: 0.02 * 3 / 2 = 0.03 exceeds 0.03 * 3 / 3 = 0.03? equal; 0.025*3/2 = 0.0375 > 0.03
    // so the running minimum pulls it down to 0.03. NaN is skipped and does not count in m.
    const std::vector<double> p2{0.025, NAN, 0.03, 0.001};
    const auto q2 = benjamini_hochberg(p2);
    EXPECT_DOUBLE_EQ(q2[0], 0.03);
    EXPECT_TRUE(std::isnan(q2[1]));
    EXPECT_DOUBLE_EQ(q2[2], 0.03);
    EXPECT_DOUBLE_EQ(q2[3], 0.003);
}

TEST(MultipleTesting, BenjaminiHochbergTiesAndTheDefinition) {
    // Three tied p = 0.02 and one 0.5 (m = 4): the largest rank among the ties sets their q,
    // 0.02 * 4 / 3, whichever order the sort leaves them in (R: p.adjust(c(.02,.02,.02,.5), "BH")).
    const auto q = benjamini_hochberg(std::vector<double>{0.02, 0.5, 0.02, 0.02});
    EXPECT_DOUBLE_EQ(q[0], 0.08 / 3);
    EXPECT_DOUBLE_EQ(q[2], 0.08 / 3);
    EXPECT_DOUBLE_EQ(q[3], 0.08 / 3);
    EXPECT_DOUBLE_EQ(q[1], 0.5);
    // Against the definition q_(i) = min_{j >= i} p_(j) m / j, evaluated naively, on 2,000 values
    // with many ties (p rounded to 3 decimals) and some NaN.
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<double> p(2000);
    for (auto& v : p) v = u(rng) < 0.05 ? NAN : std::round(u(rng) * u(rng) * 1000) / 1000;
    std::vector<double> sorted;
    for (double v : p)
        if (!std::isnan(v)) sorted.push_back(v);
    std::sort(sorted.begin(), sorted.end());
    const double m = static_cast<double>(sorted.size());
    const auto fast = benjamini_hochberg(p);
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (std::isnan(p[i])) {
            EXPECT_TRUE(std::isnan(fast[i]));
            continue;
        }
        // The first sorted position of p[i]: the min over j >= it covers every tie.
        const auto first = static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), p[i]) - sorted.begin());
        double naive = 1.0;
        for (std::size_t j = first; j < sorted.size(); ++j) naive = std::min(naive, sorted[j] * m / static_cast<double>(j + 1));
        ASSERT_NEAR(fast[i], naive, 1e-15) << i;
    }
}

TEST(MultipleTesting, ConfidenceBinsAsArcGIS) {
    EXPECT_EQ(confidence_bin(2.7, normal_two_sided_p(2.7)), 3);   // p = 0.0069
    EXPECT_EQ(confidence_bin(-2.0, normal_two_sided_p(-2.0)), -2); // p = 0.0455
    EXPECT_EQ(confidence_bin(1.7, normal_two_sided_p(1.7)), 1);    // p = 0.0891
    EXPECT_EQ(confidence_bin(-1.6, normal_two_sided_p(-1.6)), 0);  // p = 0.1096
    EXPECT_EQ(confidence_bin(NAN, 0.001), 0);
    EXPECT_NEAR(normal_two_sided_p(1.959963984540054), 0.05, 1e-12);
}

TEST(MultipleTesting, FdrBinsAreNeverStrongerThanRawBins) {
    std::vector<double> x(200);
    std::vector<std::vector<FeatureIndex>> lists(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        x[i] = (i > 40 && i < 60) ? 30.0 + static_cast<double>(i % 3) : static_cast<double>((i * 7919) % 13);
        lists[i].push_back(static_cast<FeatureIndex>((i + 1) % x.size()));
        lists[(i + 1) % x.size()].push_back(static_cast<FeatureIndex>(i));
    }
    const auto w = SpatialWeights::from_neighbours(lists);
    const auto raw = getis_ord(x, w, true, WeightStyle::Binary);
    const auto fdr = getis_ord(x, w, true, WeightStyle::Binary, {0, 1, 2, true, false});
    int strictly_weaker = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        EXPECT_LE(std::abs(fdr.bin[i]), std::abs(raw.bin[i]));
        strictly_weaker += std::abs(fdr.bin[i]) < std::abs(raw.bin[i]);
    }
    EXPECT_GT(strictly_weaker, 0);
    EXPECT_EQ(fdr.bin[50], 3); // the planted hot run survives the correction
}
