#include "coldspot/geo/stats/multiple_testing.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace coldspot::geo::stats {

std::vector<double> benjamini_hochberg(std::span<const double> p) {
    std::vector<double> q(p.size(), std::nan(""));
    std::vector<std::size_t> order;
    order.reserve(p.size());
    for (std::size_t i = 0; i < p.size(); ++i)
        if (!std::isnan(p[i])) order.push_back(i);
    // Largest p first, so the running minimum of p * m / rank enforces monotonicity (step-up).
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] > p[b]; });
    const double m = static_cast<double>(order.size());
    double running = 1.0;
    for (std::size_t r = 0; r < order.size(); ++r) {
        const double rank = m - static_cast<double>(r); // 1-based rank in ascending order
        running = std::min(running, p[order[r]] * m / rank);
        q[order[r]] = std::min(running, 1.0);
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
