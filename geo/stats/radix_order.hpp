#pragma once
// Ascending order of non-negative doubles by an LSD radix sort on their IEEE-754 bit patterns
// (non-negative doubles order as their bits do): O(n) where a comparison sort through an index
// array is O(n log n) with unpredictable branches. Used for FDR (p-values) and for ranking the
// index in every Monte Carlo draw, so the buffers are kept between calls.
#include <cstdint>
#include <span>
#include <vector>

namespace coldspot::geo::stats::detail {

class RadixOrder {
public:
    /// Indices of the non-NaN values in ascending order; equal values keep their input order. The
    /// values must be >= 0 (-0.0 is taken as +0.0). The reference stays valid until the next call.
    const std::vector<std::uint32_t>& ascending(std::span<const double> values);

private:
    std::vector<std::uint64_t> key_, key_tmp_;
    std::vector<std::uint32_t> index_, index_tmp_, count_;
};

} // namespace coldspot::geo::stats::detail
