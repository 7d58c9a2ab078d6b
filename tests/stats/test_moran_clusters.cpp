// Significance-filtered local Moran cluster labels, the neighbourhood FDR scope (spdep's
// p.adjustSP) and confidence bins from permutation p-values, on cases worked out by hand.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/stats/local_statistics.hpp"
#include "coldspot/geo/stats/detail/multiple_testing.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace coldspot;
using namespace coldspot::geo::stats;

namespace {

/// A ring of n features, each linked to the next `reach` on either side.
SpatialWeights ring(std::size_t n, std::size_t reach) {
    std::vector<std::vector<FeatureIndex>> lists(n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t d = 1; d <= reach; ++d) {
            lists[i].push_back(static_cast<FeatureIndex>((i + d) % n));
            lists[(i + d) % n].push_back(static_cast<FeatureIndex>(i));
        }
    return SpatialWeights::from_neighbours(lists);
}

/// 120 values: a run of high values (20..29), a run of low ones (70..79), one high value among
/// low neighbours (feature 75 replaced) and noise elsewhere.
std::vector<double> planted() {
    std::vector<double> x(120);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 10.0 + static_cast<double>((i * 7919) % 11) * 0.2;
    for (std::size_t i = 20; i < 30; ++i) x[i] = 20.0 + static_cast<double>(i % 3) * 0.1;
    for (std::size_t i = 70; i < 80; ++i) x[i] = 1.0 + static_cast<double>(i % 2) * 0.1;
    x[75] = 25.0;
    return x;
}

} // namespace

TEST(MoranClusters, QuadrantWhereSignificantElseNotSignificant) {
    const auto x = planted();
    const auto w = ring(x.size(), 3);
    InferenceOptions o;
    o.alpha = 0.05;
    const auto r = local_moran(x, w, WeightStyle::RowStandardised, o);
    for (std::size_t i = 0; i < x.size(); ++i) {
        // No FDR: p_bin is the analytical p.
        EXPECT_EQ(r.p_bin[i], r.p[i]);
        EXPECT_EQ(r.cluster[i], r.p[i] < 0.05 ? r.quadrant[i] : Quadrant::None) << i;
    }
    // The planted runs: high among high in the middle of 20..29, low among low in 70..79, and the
    // high outlier at 75 among low neighbours.
    EXPECT_EQ(r.cluster[24], Quadrant::HH);
    EXPECT_EQ(r.cluster[72], Quadrant::LL);
    EXPECT_EQ(r.cluster[75], Quadrant::HL);
    EXPECT_EQ(r.cluster[100], Quadrant::None);
    EXPECT_EQ(cluster_label(r.cluster[24]), "HH");
    EXPECT_EQ(cluster_label(Quadrant::None), "not significant");
}

TEST(MoranClusters, FdrFiltersWithTheAdjustedP) {
    const auto x = planted();
    const auto w = ring(x.size(), 3);
    InferenceOptions o;
    o.fdr = true;
    const auto raw = local_moran(x, w, WeightStyle::RowStandardised);
    const auto r = local_moran(x, w, WeightStyle::RowStandardised, o);
    const auto q = benjamini_hochberg(raw.p);
    std::size_t dropped = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        EXPECT_DOUBLE_EQ(r.p_bin[i], q[i]);
        EXPECT_EQ(r.cluster[i], q[i] < 0.05 ? r.quadrant[i] : Quadrant::None) << i;
        dropped += raw.cluster[i] != Quadrant::None && r.cluster[i] == Quadrant::None;
        EXPECT_FALSE(raw.cluster[i] == Quadrant::None && r.cluster[i] != Quadrant::None) << i;
    }
    EXPECT_GT(dropped, 0u); // FDR is stricter
    EXPECT_EQ(r.cluster[24], Quadrant::HH);
}

TEST(MoranClusters, IslandsAndFeaturesAtTheMeanAreNotSignificant) {
    // Feature 5 has no neighbour; feature 3 sits exactly at the mean (4) so its variance is 0.
    const auto w = SpatialWeights::from_neighbours({{1}, {0, 2}, {1, 3}, {2, 4}, {3}, {}});
    const std::vector<double> x{1, 2, 3, 4, 10, 4};
    InferenceOptions o;
    o.alpha = 1.0; // everything with a p-value passes
    const auto r = local_moran(x, w, WeightStyle::Binary, o);
    EXPECT_EQ(r.cluster[5], Quadrant::None);
    EXPECT_EQ(r.cluster[3], Quadrant::None);
    EXPECT_EQ(r.quadrant[3], Quadrant::LH);
    EXPECT_EQ(r.cluster[0], Quadrant::LL);
}

TEST(MoranClusters, NeighbourhoodScopeIsSpdepsPAdjustSP) {
    // p.adjustSP(p, nb, "BH") treats p_i as the only test among |N(i)| + 1: min(1, p_i (|N(i)| + 1)).
    const std::vector<double> p{0.01, 0.2, NAN, 0.5, 0.004};
    const std::vector<std::size_t> card{2, 4, 1, 3, 8};
    const auto q = neighbourhood_adjusted(p, card);
    EXPECT_DOUBLE_EQ(q[0], 0.03);
    EXPECT_DOUBLE_EQ(q[1], 1.0);
    EXPECT_TRUE(std::isnan(q[2]));
    EXPECT_DOUBLE_EQ(q[3], 1.0);
    EXPECT_DOUBLE_EQ(q[4], 0.036);
    // Through Gi*: the chain's ends have one neighbour besides themselves (x 2), the middle two (x 3);
    // the self-neighbour Gi* adds does not count.
    const auto w = SpatialWeights::from_neighbours({{1}, {0, 2}, {1, 3}, {2, 4}, {3}});
    InferenceOptions o;
    o.fdr = true;
    o.fdr_scope = FdrScope::Neighbourhood;
    const std::vector<double> x{1, 2, 3, 4, 10};
    const auto r = getis_ord(x, w, true, WeightStyle::Binary, o);
    EXPECT_DOUBLE_EQ(r.p_fdr[0], std::min(1.0, 2 * r.p[0]));
    EXPECT_DOUBLE_EQ(r.p_fdr[2], std::min(1.0, 3 * r.p[2]));
    EXPECT_DOUBLE_EQ(r.p_fdr[4], std::min(1.0, 2 * r.p[4]));
    EXPECT_EQ(fdr_scope_from_string("neighbourhood"), FdrScope::Neighbourhood);
    EXPECT_THROW(fdr_scope_from_string("local"), InvalidArgumentError);
}

TEST(ConfidenceBins, FromPermutationPValuesWhenAsked) {
    const auto x = planted();
    const auto w = ring(x.size(), 3);
    InferenceOptions o;
    o.permutations = 999;
    o.seed = 3;
    o.bin_from_permutations = true;
    const auto gi = getis_ord(x, w, true, WeightStyle::Binary, o);
    InferenceOptions a = o;
    a.bin_from_permutations = false;
    const auto analytical = getis_ord(x, w, true, WeightStyle::Binary, a);
    std::size_t differ = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        EXPECT_EQ(gi.p_bin[i], gi.p_sim[i]);
        EXPECT_EQ(gi.bin[i], confidence_bin(gi.z[i], gi.p_sim[i])) << i;
        EXPECT_EQ(analytical.bin[i], confidence_bin(analytical.z[i], analytical.p[i])) << i;
        differ += gi.bin[i] != analytical.bin[i];
    }
    EXPECT_GT(differ, 0u); // the two kinds of p do differ somewhere on 120 features
    // p_sim is at least 1 / (P + 1) = 0.001, so the strongest bin needs p_sim < 0.01: the planted
    // hot run reaches it.
    EXPECT_EQ(gi.bin[24], 3);
    // Without permutations there is nothing to bin from.
    o.permutations = 0;
    EXPECT_THROW(getis_ord(x, w, true, WeightStyle::Binary, o), InvalidArgumentError);
}
