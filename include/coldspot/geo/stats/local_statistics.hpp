#pragma once
// Local indicators of spatial association: Getis-Ord Gi and Gi*, and local Moran's I, with
// analytical (randomisation) moments, z-scores and p-values, optional conditional permutation
// inference, Benjamini-Hochberg FDR and ArcGIS-style confidence bins.
//
// The formulas are spdep's (localG, localmoran with conditional = TRUE, mlvar = TRUE), so results
// can be checked against R to machine precision; docs/methodology.md gives them in full.
#include "coldspot/geo/stats/spatial_weights.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace coldspot::geo::stats {

/// Which tests a multiple-comparison adjustment counts.
enum class FdrScope : std::uint8_t {
    /// Benjamini-Hochberg over every tested feature (R's p.adjust(p, "BH"); ArcGIS's and GeoDa's FDR).
    All,
    /// Each feature's p adjusted for the tests in its own neighbourhood, |N(i)| + 1 (spdep's
    /// p.adjustSP(p, nb, "BH"), after Caldas de Castro & Singer 2006): min(1, p (|N(i)| + 1)).
    Neighbourhood,
};
std::string_view to_string(FdrScope scope) noexcept;
/// "all" or "neighbourhood"; throws InvalidArgumentError otherwise.
FdrScope fdr_scope_from_string(std::string_view text);

struct InferenceOptions {
    /// Conditional permutations per feature; 0 skips permutation inference (p_sim stays NaN).
    unsigned permutations = 0;
    /// Master seed. Feature i draws from its own stream derived from (seed, i), so results do not
    /// depend on the number of threads.
    std::uint64_t seed = 20240601;
    unsigned threads = 2;
    /// Bins from Benjamini-Hochberg adjusted p-values instead of raw ones (ArcGIS's "Apply False
    /// Discovery Rate correction").
    bool fdr = false;
    /// Bins from p_sim instead of the analytical p (needs permutations > 0).
    bool bin_from_permutations = false;
    /// What `fdr` adjusts over.
    FdrScope fdr_scope = FdrScope::All;
    /// Significance level of local Moran cluster labels (LocalStatistics::cluster).
    double alpha = 0.05;
};

/// Moran scatterplot quadrant of a feature: its own deviation from the mean and its spatial lag's.
enum class Quadrant : std::uint8_t { None, HH, LL, HL, LH };
std::string_view to_string(Quadrant q) noexcept;
/// A local Moran cluster label as GeoDa and ArcGIS show it: "HH", "LL", "HL", "LH", or "not
/// significant" for None.
std::string_view cluster_label(Quadrant q) noexcept;

/// Per-feature results, one entry per input feature, in input order. NaN where undefined (islands,
/// and p_sim without permutations).
struct LocalStatistics {
    std::vector<double> statistic; ///< Gi / Gi* (a ratio) or Ii
    std::vector<double> expected;  ///< E under randomisation
    std::vector<double> variance;  ///< Var under randomisation
    std::vector<double> z;
    std::vector<double> p;         ///< two-sided, normal approximation
    std::vector<double> p_sim;     ///< folded pseudo p-value, (min(#>=, #<) + 1) / (permutations + 1)
    std::vector<double> z_sim;     ///< (statistic - mean of permutations) / sd of permutations
    std::vector<double> p_fdr;     ///< adjusted p (InferenceOptions::fdr_scope) of the p the bins use (p_sim
                                   ///< when bins come from permutations, else p)
    std::vector<double> p_bin;     ///< the p the bins and clusters use: p_fdr when fdr, else p or p_sim
    std::vector<std::int8_t> bin;  ///< -3..+3: 99/95/90 % confidence, sign of z; 0 not significant
    std::vector<Quadrant> quadrant; ///< local Moran only
    /// Local Moran only: the quadrant where p_bin < alpha, None ("not significant") otherwise and for
    /// islands.
    std::vector<Quadrant> cluster;
    std::vector<FeatureIndex> islands;
    std::size_t size() const noexcept { return z.size(); }
};

/// Getis-Ord Gi (star = false) or Gi* (star = true: each feature counts as its own neighbour,
/// added here when the weights lack it). `style` is applied after self-inclusion, as spdep's
/// nb2listw(include.self(nb), style) does. Throws InvalidArgumentError when sizes differ, a value
/// is not finite, or fewer than 3 features are given.
LocalStatistics getis_ord(std::span<const double> values, const SpatialWeights& neighbours, bool star,
                          WeightStyle style, const InferenceOptions& options = {});

/// Local Moran's I with the weights in `style`. Quadrants use the sign of the deviation and of the
/// lagged deviation (PySAL's convention, spdep's "pysal" quadrants).
LocalStatistics local_moran(std::span<const double> values, const SpatialWeights& neighbours, WeightStyle style,
                            const InferenceOptions& options = {});

} // namespace coldspot::geo::stats
