#include "stats/radix_order.hpp"

#include <bit>
#include <cmath>
#include <cstddef>
#include <utility>

namespace coldspot::geo::stats::detail {

const std::vector<std::uint32_t>& RadixOrder::ascending(std::span<const double> values) {
    key_.clear();
    index_.clear();
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (std::isnan(values[i])) continue;
        // +0.0 for -0.0, so the one negative zero a caller might pass does not sort last.
        key_.push_back(std::bit_cast<std::uint64_t>(values[i] + 0.0));
        index_.push_back(static_cast<std::uint32_t>(i));
    }
    const std::size_t m = key_.size();
    key_tmp_.resize(m);
    index_tmp_.resize(m);
    // 11-bit digits (6 passes for 64 bits), all histograms from one read of the keys; a digit every
    // key shares (the sign and most exponent bits) moves nothing and is skipped.
    constexpr unsigned kBits = 11, kPasses = (64 + kBits - 1) / kBits;
    constexpr std::size_t kBuckets = std::size_t{1} << kBits;
    count_.assign(kPasses * kBuckets, 0);
    for (auto k : key_)
        for (unsigned d = 0; d < kPasses; ++d) ++count_[d * kBuckets + ((k >> (d * kBits)) & (kBuckets - 1))];
    for (unsigned d = 0; d < kPasses && m > 1; ++d) {
        std::uint32_t* c = count_.data() + d * kBuckets;
        const unsigned shift = d * kBits;
        if (c[(key_[0] >> shift) & (kBuckets - 1)] == m) continue; // one digit: nothing moves
        std::uint32_t total = 0;
        for (std::size_t b = 0; b < kBuckets; ++b) total += std::exchange(c[b], total);
        for (std::size_t i = 0; i < m; ++i) {
            const std::uint32_t to = c[(key_[i] >> shift) & (kBuckets - 1)]++;
            key_tmp_[to] = key_[i];
            index_tmp_[to] = index_[i];
        }
        key_.swap(key_tmp_);
        index_.swap(index_tmp_);
    }
    return index_;
}

} // namespace coldspot::geo::stats::detail
