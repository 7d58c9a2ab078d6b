#pragma once
// Conditional permutation inference (Anselin 1995): for feature i, its own value stays in place
// and its neighbours' values are drawn without replacement from the other n - 1 features, many
// times, to give a reference distribution of the local statistic.
//
// Every local statistic here is an affine function of a weighted sum of drawn values,
//   stat_i = scale_i * (sum_s w_s v[draw_s]) + offset_i,
// so one engine serves Gi, Gi* and local Moran. Feature i uses its own random stream seeded from
// (seed, i), which makes results independent of how features are split over threads.
#include "coldspot/geo/stats/spatial_weights.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace coldspot::geo::stats::detail {

struct PermutationInput {
    std::span<const double> drawn_values; ///< values the neighbours' slots draw from (x or x - mean)
    std::span<const double> scale;        ///< per feature
    std::span<const double> offset;       ///< per feature (e.g. Gi*'s own term w_ii x_i / sum x)
    std::span<const double> observed;     ///< observed statistic per feature
    /// Weights whose slots are drawn; a slot j == i (Gi*'s self weight) is not drawn: its term is in
    /// offset.
    const SpatialWeights* weights = nullptr;
    std::span<const std::uint8_t> skip;   ///< features to leave NaN (islands)
};

struct PermutationResult {
    std::vector<double> p_sim;
    std::vector<double> z_sim;
};

PermutationResult conditional_permutation(const PermutationInput& in, unsigned permutations, std::uint64_t seed,
                                          unsigned threads);

/// SplitMix64 step, used to derive per-feature seeds.
std::uint64_t splitmix64(std::uint64_t& state) noexcept;

} // namespace coldspot::geo::stats::detail
