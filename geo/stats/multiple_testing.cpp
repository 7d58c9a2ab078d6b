#include "coldspot/geo/stats/detail/multiple_testing.hpp"

#include "stats/radix_order.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace coldspot::geo::stats {

std::vector<double> benjamini_hochberg(std::span<const double> p) {
    std::vector<double> q(p.size(), std::nan(""));
    // p-values are >= 0, so they sort by their bit patterns (a comparison sort was most of an
    // analytical Gi* run on 23k schools).
    detail::RadixOrder radix;
    const std::vector<std::uint32_t>& order = radix.ascending(p);
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

std::vector<double> neighbourhood_adjusted(std::span<const double> p, std::span<const std::size_t> neighbours) {
    std::vector<double> q(p.size());
    for (std::size_t i = 0; i < p.size(); ++i)
        q[i] = std::isnan(p[i]) ? p[i] : std::min(1.0, p[i] * static_cast<double>(neighbours[i] + 1));
    return q;
}

double normal_two_sided_p(double z) noexcept { return std::erfc(std::fabs(z) / std::sqrt(2.0)); }

std::int8_t confidence_bin(double z, double p) noexcept {
    if (std::isnan(z) || std::isnan(p) || z == 0) return 0;
    const std::int8_t level = p < 0.01 ? 3 : p < 0.05 ? 2 : p < 0.10 ? 1 : 0;
    return static_cast<std::int8_t>(z > 0 ? level : -level);
}

} // namespace coldspot::geo::stats
