#include "coldspot/geo/stats/detail/order_statistics.hpp"

#include <array>

namespace coldspot::geo::stats {

void select_u16(std::span<const std::uint16_t> values, std::span<const std::size_t> ks, std::span<std::uint32_t> out) {
    std::array<std::uint32_t, 256> high{};
    for (const auto v : values) ++high[v >> 8];
    std::array<std::uint32_t, 256> low{};
    std::size_t below = 0; // values in the buckets before `bucket`
    unsigned bucket = 0, low_of = 256; // `low` holds the low bytes of bucket low_of
    for (std::size_t j = 0; j < ks.size(); ++j) {
        const std::size_t k = ks[j];
        while (below + high[bucket] <= k) below += high[bucket++];
        if (low_of != bucket) {
            low.fill(0);
            for (const auto v : values) low[v & 0xFFu] += (v >> 8) == bucket;
            low_of = bucket;
        }
        std::size_t at = below;
        unsigned byte = 0;
        while (at + low[byte] <= k) at += low[byte++];
        out[j] = bucket << 8 | byte;
    }
}

} // namespace coldspot::geo::stats
