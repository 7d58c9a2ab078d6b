#include "coldspot/geo/stats/multiple_testing.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <utility>

namespace coldspot::geo::stats {

namespace {

/// Indices of the non-NaN p-values in ascending order of p. p-values are >= 0, and the bit
/// patterns of non-negative doubles order as the numbers do, so an LSD radix sort on the 64-bit
/// patterns (8 passes of 8 bits, a pass skipped when every key has the same digit) sorts them in
/// O(m): a comparison sort was most of an analytical Gi* run on 23k schools.
std::vector<std::uint32_t> ascending_order(std::span<const double> p) {
    std::vector<std::uint64_t> key, key_tmp;
    std::vector<std::uint32_t> index, index_tmp;
    key.reserve(p.size());
    index.reserve(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (std::isnan(p[i])) continue;
        // +0.0 for -0.0, so the one negative zero a caller might pass does not sort last.
        key.push_back(std::bit_cast<std::uint64_t>(p[i] + 0.0));
        index.push_back(static_cast<std::uint32_t>(i));
    }
    const std::size_t m = key.size();
    key_tmp.resize(m);
    index_tmp.resize(m);
    // LSD radix sort on 11-bit digits (6 passes for 64 bits), all histograms from one read of the
    // keys; a digit every key shares (the sign and most exponent bits of p-values) moves nothing.
    constexpr unsigned kBits = 11, kPasses = (64 + kBits - 1) / kBits;
    constexpr std::size_t kBuckets = std::size_t{1} << kBits;
    std::vector<std::uint32_t> count(kPasses * kBuckets, 0);
    for (auto k : key)
        for (unsigned d = 0; d < kPasses; ++d) ++count[d * kBuckets + ((k >> (d * kBits)) & (kBuckets - 1))];
    for (unsigned d = 0; d < kPasses && m > 1; ++d) {
        std::uint32_t* c = count.data() + d * kBuckets;
        const unsigned shift = d * kBits;
        if (c[(key[0] >> shift) & (kBuckets - 1)] == m) continue; // one digit: nothing moves
        std::uint32_t total = 0;
        for (std::size_t b = 0; b < kBuckets; ++b) total += std::exchange(c[b], total);
        for (std::size_t i = 0; i < m; ++i) {
            const std::uint32_t to = c[(key[i] >> shift) & (kBuckets - 1)]++;
            key_tmp[to] = key[i];
            index_tmp[to] = index[i];
        }
        key.swap(key_tmp);
        index.swap(index_tmp);
    }
    return index;
}

} // namespace

std::vector<double> benjamini_hochberg(std::span<const double> p) {
    std::vector<double> q(p.size(), std::nan(""));
    const std::vector<std::uint32_t> order = ascending_order(p);
    // Largest p first, so the running minimum of p * m / rank enforces monotonicity (step-up).
    // Tied p-values end with the same q whichever order they come in.
    const std::size_t m = order.size();
    const double md = static_cast<double>(m);
    double running = 1.0;
    for (std::size_t r = m; r-- > 0;) {
        const std::uint32_t i = order[r];
        running = std::min(running, p[i] * md / static_cast<double>(r + 1));
        q[i] = std::min(running, 1.0);
    }
    return q;
}

double normal_two_sided_p(double z) noexcept { return std::erfc(std::fabs(z) / std::sqrt(2.0)); }

std::int8_t confidence_bin(double z, double p) noexcept {
    if (std::isnan(z) || std::isnan(p) || z == 0) return 0;
    const std::int8_t level = p < 0.01 ? 3 : p < 0.05 ? 2 : p < 0.10 ? 1 : 0;
    return static_cast<std::int8_t>(z > 0 ? level : -level);
}

} // namespace coldspot::geo::stats
