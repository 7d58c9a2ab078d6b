#include "coldspot/geo/stats/multiple_testing.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>

namespace coldspot::geo::stats {

std::vector<double> benjamini_hochberg(std::span<const double> p) {
    std::vector<double> q(p.size(), std::nan(""));
    // Sorting (p, index) pairs in place rather than indices through p: an indirect comparison
    // misses the cache on every step and was most of an analytical Gi* run on 23k schools. Ties
    // need no stable order: tied p-values end with the same q whichever comes first.
    struct Entry {
        double p;
        std::uint32_t index;
    };
    std::vector<Entry> order;
    order.reserve(p.size());
    for (std::size_t i = 0; i < p.size(); ++i)
        if (!std::isnan(p[i])) order.push_back({p[i], static_cast<std::uint32_t>(i)});
    // Largest p first, so the running minimum of p * m / rank enforces monotonicity (step-up).
    std::sort(order.begin(), order.end(), [](const Entry& a, const Entry& b) { return a.p > b.p; });
    const double m = static_cast<double>(order.size());
    double running = 1.0;
    for (std::size_t r = 0; r < order.size(); ++r) {
        const double rank = m - static_cast<double>(r); // 1-based rank in ascending order
        running = std::min(running, order[r].p * m / rank);
        q[order[r].index] = std::min(running, 1.0);
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
