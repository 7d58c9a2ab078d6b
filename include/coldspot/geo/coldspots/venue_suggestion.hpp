#pragma once
// Venue suggestion as a maximal covering location problem (Church & ReVelle 1974): choose k new
// venues among candidates to maximise the weight of demand points (schools) within a travel-time
// cutoff, existing venues fixed. Coverage is monotone submodular, so the greedy choice reaches at
// least (1 - 1/e) ~ 63.2 % of the optimum (Nemhauser, Wolsey & Fisher 1978); small cases can be
// solved exactly by enumeration to check it.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace coldspot::geo::coldspots {

struct CoverageProblem {
    std::vector<double> demand;                        ///< weight of each demand point (>= 0)
    std::vector<std::vector<std::uint32_t>> covers;    ///< per candidate: demand points within the cutoff
    std::vector<std::uint8_t> already_covered;         ///< per demand point: covered by an existing venue
};

struct CoverageChoice {
    std::vector<std::size_t> chosen; ///< candidate indices in the order picked
    std::vector<double> gain;        ///< demand newly covered by each pick
    double covered_before = 0;       ///< weight covered by existing venues
    double covered_after = 0;
    double total = 0;                ///< weight of all demand
};

/// Greedy: repeatedly the candidate with the largest uncovered weight (lowest index on ties);
/// stops early when no candidate adds anything. Throws InvalidArgumentError on inconsistent sizes.
CoverageChoice greedy_max_cover(const CoverageProblem& problem, std::size_t k);

/// Exhaustive search over all k-subsets (k capped at the candidate count). Throws
/// InvalidArgumentError when there are more than `max_subsets` subsets.
CoverageChoice exact_max_cover(const CoverageProblem& problem, std::size_t k, std::uint64_t max_subsets = 5'000'000);

} // namespace coldspot::geo::coldspots
