#pragma once
// How much to trust a ranking built on a composite indicator: a seeded Monte Carlo over the
// judgement weights and the rule for missing inputs (the uncertainty analysis of the OECD/JRC
// Handbook on Constructing Composite Indicators, 2008, ch. 7), giving each unit the distribution of
// its rank. docs/methodology.md ("Rank stability") gives the ranges and rules.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace coldspot::geo::stats {

/// What a missing component score becomes in a draw.
enum class MissingRule : std::uint8_t {
    Renormalise, ///< left out, the unit's weights renormalised over the components it has
    Median,      ///< the median of the units that have it
    Zero,        ///< 0: no need shown is taken as no need
};
std::string_view to_string(MissingRule rule) noexcept;
/// "renormalise", "median" or "zero"; throws InvalidArgumentError otherwise.
MissingRule missing_rule_from_string(std::string_view text);

struct RankStabilityOptions {
    unsigned draws = 1000;
    std::uint64_t seed = 20240601;
    /// Each weight is drawn uniformly within w (1 +/- weight_range), then all are renormalised.
    double weight_range = 0.5;
    /// Each draw takes one of these rules, with equal probability.
    std::vector<MissingRule> missing_rules{MissingRule::Renormalise, MissingRule::Median};
    /// A unit is a robust target when it ranks within the top `top_n` in at least `robust_share`
    /// of the draws.
    std::size_t top_n = 100;
    double robust_share = 0.9;
    unsigned threads = 2;
};

/// Per unit, in input order. Ranks are 1 for the highest score; tied units share the best rank
/// (1 + the number of units scoring strictly higher). Quantiles are nearest-rank: the q-quantile of
/// D draws is the ceil(q D)-th smallest rank.
struct RankStability {
    std::vector<std::uint32_t> median, p05, p95;
    std::vector<double> top_share; ///< share of draws in the top top_n
    std::vector<std::uint8_t> robust;
    std::size_t size() const noexcept { return median.size(); }
};

/// `scores` holds n rows of `weights.size()` component scores (row-major; NaN = missing). Every row
/// must have at least one score. Throws InvalidArgumentError on sizes that do not fit, a negative
/// or all-zero weight, a range outside [0, 1), no rule, or zero draws.
RankStability rank_stability(std::span<const double> scores, std::span<const double> weights,
                             const RankStabilityOptions& options);

} // namespace coldspot::geo::stats
