#include "coldspot/geo/stats/local_statistics.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/stats/detail/multiple_testing.hpp"
#include "stats/conditional_permutation.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace coldspot::geo::stats {

std::string_view to_string(Quadrant q) noexcept {
    switch (q) {
    case Quadrant::HH: return "HH";
    case Quadrant::LL: return "LL";
    case Quadrant::HL: return "HL";
    case Quadrant::LH: return "LH";
    case Quadrant::None: break;
    }
    return "";
}

std::string_view cluster_label(Quadrant q) noexcept { return q == Quadrant::None ? "not significant" : to_string(q); }

std::string_view to_string(FdrScope scope) noexcept { return scope == FdrScope::All ? "all" : "neighbourhood"; }

FdrScope fdr_scope_from_string(std::string_view text) {
    if (text == "all") return FdrScope::All;
    if (text == "neighbourhood") return FdrScope::Neighbourhood;
    throw InvalidArgumentError("FDR scope must be 'all' or 'neighbourhood', got '" + std::string(text) + "'");
}

namespace {

const double kNaN = std::nan("");

void check_inputs(std::span<const double> values, const SpatialWeights& w, const char* what) {
    if (values.size() != w.size())
        throw InvalidArgumentError(std::string(what) + ": " + std::to_string(values.size()) + " values but weights for " +
                                   std::to_string(w.size()) + " features");
    if (values.size() < 3)
        throw InvalidArgumentError(std::string(what) + " needs at least 3 features, got " +
                                   std::to_string(values.size()));
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!std::isfinite(values[i]))
            throw InvalidArgumentError(std::string(what) + ": value of feature " + std::to_string(i) +
                                       " is not a finite number");
}

LocalStatistics allocate(std::size_t n) {
    LocalStatistics r;
    for (auto* v : {&r.statistic, &r.expected, &r.variance, &r.z, &r.p, &r.p_sim, &r.z_sim, &r.p_fdr, &r.p_bin})
        v->assign(n, kNaN);
    r.bin.assign(n, 0);
    r.quadrant.assign(n, Quadrant::None);
    r.cluster.assign(n, Quadrant::None);
    return r;
}

/// |N(i)| without i itself, for the neighbourhood FDR scope.
std::vector<std::size_t> neighbour_counts(const SpatialWeights& w) {
    std::vector<std::size_t> counts(w.size());
    for (std::size_t i = 0; i < w.size(); ++i) {
        const auto nb = w.neighbours(i);
        counts[i] = nb.size() - static_cast<std::size_t>(std::count(nb.begin(), nb.end(), static_cast<FeatureIndex>(i)));
    }
    return counts;
}

/// p-values, permutations, FDR and bins once statistic/expected/variance/z are known. `neighbours`
/// are the weights the features were tested with (for the neighbourhood FDR scope).
void infer(LocalStatistics& r, const detail::PermutationInput& perm, const SpatialWeights& neighbours,
           const InferenceOptions& options) {
    const std::size_t n = r.size();
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isnan(r.z[i])) r.p[i] = normal_two_sided_p(r.z[i]);
    if (options.permutations > 0) {
        auto sim = detail::conditional_permutation(perm, options.permutations, options.seed, options.threads);
        r.p_sim = std::move(sim.p_sim);
        r.z_sim = std::move(sim.z_sim);
    } else if (options.bin_from_permutations) {
        throw InvalidArgumentError("confidence bins from permutations need permutations > 0");
    }
    const std::vector<double>& p_used = options.bin_from_permutations ? r.p_sim : r.p;
    r.p_fdr = options.fdr_scope == FdrScope::All ? benjamini_hochberg(p_used)
                                                 : neighbourhood_adjusted(p_used, neighbour_counts(neighbours));
    r.p_bin = options.fdr ? r.p_fdr : p_used;
    for (std::size_t i = 0; i < n; ++i) r.bin[i] = confidence_bin(r.z[i], r.p_bin[i]);
}

} // namespace

LocalStatistics getis_ord(std::span<const double> x, const SpatialWeights& neighbours, bool star, WeightStyle style,
                          const InferenceOptions& options) {
    check_inputs(x, neighbours, star ? "Gi*" : "Gi");
    if (!star && neighbours.includes_self())
        throw InvalidArgumentError("Gi needs weights without self-neighbours; use Gi* (star) instead");
    const std::size_t n = x.size();
    const double nd = static_cast<double>(n);
    LocalStatistics r = allocate(n);
    r.islands = neighbours.islands();
    std::vector<std::uint8_t> skip(n, 0);
    for (FeatureIndex i : r.islands) skip[i] = 1;

    double sum = 0, sum_sq = 0;
    for (double v : x) {
        sum += v;
        sum_sq += v * v;
    }
    const double mean = sum / nd;
    double centred_ss = 0;
    for (double v : x) centred_ss += (v - mean) * (v - mean);

    // Binary and row-standardised weights are uniform within a row, so Wi, S1i and the lag follow
    // from the neighbour count without materialising a weights copy (the analytical path is then
    // one pass over the neighbour lists).
    const bool add_self = star && !neighbours.includes_self();
    std::vector<double> scale(n), offset(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        const auto nb = neighbours.neighbours(i);
        const double m = static_cast<double>(nb.size() + (add_self ? 1 : 0));
        const double wv = style == WeightStyle::Binary || m == 0 ? 1.0 : 1.0 / m;
        double lag_sum = add_self ? x[i] : 0.0;
        for (FeatureIndex j : nb) lag_sum += x[j];
        const double lx = wv * lag_sum;
        const double wi = m * wv;
        const double s1i = m * wv * wv;
        double xibar, si2, vg, denom;
        if (star) {
            xibar = mean;
            si2 = centred_ss / nd;
            vg = si2 * (nd * s1i - wi * wi) / (nd - 1);
            denom = sum;
            offset[i] = wv * x[i] / denom; // Gi*'s own term does not move under permutation
        } else {
            xibar = (sum - x[i]) / (nd - 1);
            si2 = (sum_sq - x[i] * x[i]) / (nd - 1) - xibar * xibar;
            vg = si2 * ((nd - 1) * s1i - wi * wi) / (nd - 2);
            denom = sum - x[i];
        }
        scale[i] = 1.0 / denom;
        if (skip[i]) continue;
        const double eg = wi * xibar;
        r.statistic[i] = lx / denom;
        r.expected[i] = eg / denom;
        r.variance[i] = vg / (denom * denom);
        r.z[i] = vg > 0 ? (lx - eg) / std::sqrt(vg) : kNaN;
    }
    SpatialWeights w;
    if (options.permutations > 0) w = (star ? neighbours.with_self() : neighbours).transformed(style);
    detail::PermutationInput perm{x, scale, offset, r.statistic, &w, skip};
    infer(r, perm, neighbours, options);
    return r;
}

LocalStatistics local_moran(std::span<const double> x, const SpatialWeights& neighbours, WeightStyle style,
                            const InferenceOptions& options) {
    check_inputs(x, neighbours, "local Moran's I");
    if (neighbours.includes_self()) throw InvalidArgumentError("local Moran's I needs weights without self-neighbours");
    const SpatialWeights w = neighbours.transformed(style);
    const std::size_t n = x.size();
    const double nd = static_cast<double>(n);
    LocalStatistics r = allocate(n);
    r.islands = w.islands();
    std::vector<std::uint8_t> skip(n, 0);
    for (FeatureIndex i : r.islands) skip[i] = 1;

    double mean = 0;
    for (double v : x) mean += v;
    mean /= nd;
    std::vector<double> z(n);
    double m2 = 0;
    for (std::size_t i = 0; i < n; ++i) {
        z[i] = x[i] - mean;
        m2 += z[i] * z[i];
    }
    m2 /= nd;
    if (!(m2 > 0)) throw InvalidArgumentError("local Moran's I: all values are equal, so there is no variance");
    const std::vector<double> lz = w.lag(z);
    std::vector<double> scale(n), offset(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        scale[i] = z[i] / m2;
        if (skip[i]) continue;
        const double wi = w.row_sum(i);
        const double wi2 = w.row_sum_of_squares(i);
        r.statistic[i] = scale[i] * lz[i];
        // Conditional randomisation moments (Sokal, Oden & Thomson 1998), spdep's conditional = TRUE.
        r.expected[i] = -(z[i] * z[i] * wi) / ((nd - 1) * m2);
        r.variance[i] = (z[i] / m2) * (z[i] / m2) * (nd / (nd - 2)) * (wi2 - wi * wi / (nd - 1)) *
                        (m2 - z[i] * z[i] / (nd - 1));
        r.z[i] = r.variance[i] > 0 ? (r.statistic[i] - r.expected[i]) / std::sqrt(r.variance[i]) : kNaN;
        const bool high = z[i] > 0;
        const bool lag_high = lz[i] > 0;
        r.quadrant[i] = high ? (lag_high ? Quadrant::HH : Quadrant::HL) : (lag_high ? Quadrant::LH : Quadrant::LL);
    }
    detail::PermutationInput perm{z, scale, offset, r.statistic, &w, skip};
    infer(r, perm, neighbours, options);
    for (std::size_t i = 0; i < n; ++i)
        if (r.p_bin[i] < options.alpha) r.cluster[i] = r.quadrant[i]; // NaN (islands) compares false
    return r;
}

} // namespace coldspot::geo::stats
