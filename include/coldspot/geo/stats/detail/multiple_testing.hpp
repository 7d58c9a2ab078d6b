#pragma once
// Multiple-comparison control and the confidence bins analysts know from ArcGIS Hot Spot Analysis.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace coldspot::geo::stats {

/// Benjamini-Hochberg adjusted p-values, as R's p.adjust(p, "BH"): q_(i) = min_{j>=i} p_(j) n / j,
/// capped at 1. NaN entries are left NaN and do not count towards n.
std::vector<double> benjamini_hochberg(std::span<const double> p);

/// spdep's p.adjustSP(p, nb, "BH"): each p_i adjusted as the only test among |N(i)| + 1, which for
/// one p-value is min(1, p_i (|N(i)| + 1)). `neighbours[i]` is |N(i)|, without the feature itself.
/// NaN stays NaN.
std::vector<double> neighbourhood_adjusted(std::span<const double> p, std::span<const std::size_t> neighbours);

/// Two-sided p-value of a standard normal z.
double normal_two_sided_p(double z) noexcept;

/// +/-3 when p < 0.01, +/-2 when p < 0.05, +/-1 when p < 0.10 (ArcGIS Gi_Bin), signed by z; 0
/// otherwise or when either is NaN.
std::int8_t confidence_bin(double z, double p) noexcept;

} // namespace coldspot::geo::stats
