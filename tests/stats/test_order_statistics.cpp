// select_u16 (the rank quantiles of rank stability) against std::nth_element on the same values.
#include "coldspot/geo/stats/detail/order_statistics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

using namespace coldspot::geo::stats;

namespace {

void expect_as_nth_element(const std::vector<std::uint16_t>& values, const std::vector<std::size_t>& ks) {
    std::vector<std::uint32_t> got(ks.size());
    select_u16(values, ks, got);
    for (std::size_t j = 0; j < ks.size(); ++j) {
        auto copy = values;
        std::nth_element(copy.begin(), copy.begin() + static_cast<std::ptrdiff_t>(ks[j]), copy.end());
        EXPECT_EQ(got[j], copy[ks[j]]) << "k = " << ks[j] << " of " << values.size() << " values";
    }
}

} // namespace

TEST(OrderStatistics, SelectU16IsNthElement) {
    std::mt19937 rng(11);
    for (const std::size_t n : {1u, 2u, 7u, 200u, 1000u, 4097u}) {
        for (const unsigned spread : {1u, 3u, 255u, 256u, 300u, 40000u, 65536u}) {
            std::uniform_int_distribution<unsigned> pick(0, spread - 1);
            const unsigned base = spread >= 65536 ? 0 : std::uniform_int_distribution<unsigned>(0, 65536 - spread)(rng);
            std::vector<std::uint16_t> v(n);
            for (auto& x : v) x = static_cast<std::uint16_t>(base + pick(rng));
            const auto at = [&](double q) { return std::min<std::size_t>(n - 1, static_cast<std::size_t>(q * static_cast<double>(n))); };
            expect_as_nth_element(v, {0, at(0.05), at(0.5), at(0.95), n - 1});
            expect_as_nth_element(v, {at(0.5), at(0.5)}); // the same k twice
        }
    }
    // The extremes of the range, and every k of a small array with ties.
    expect_as_nth_element({65535, 0, 65535, 256, 255, 0}, {0, 1, 2, 3, 4, 5});
    expect_as_nth_element({5, 5, 5, 5}, {0, 3});
}
