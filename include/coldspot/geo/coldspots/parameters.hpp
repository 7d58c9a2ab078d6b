#pragma once
// Parameters of a cold-spot analysis, read from a JSON file (data/params/default.json documents
// every default; docs/methodology.md explains and sources them). Stored verbatim with every run.
#include "coldspot/geo/stats/local_statistics.hpp"
#include "coldspot/geo/stats/rank_stability.hpp"
#include "coldspot/geo/stats/spatial_weights.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace coldspot::geo::coldspots {

/// A school-level need measure: a field of the `schools` layer and how it becomes a 0..1 score.
struct NeedField {
    std::string field;
    std::string transform = "flag"; ///< "flag": non-null and non-zero -> 1; "linear": (v - min) / (max - min)
    double min = 0, max = 1;
    double weight = 1; ///< relative weight within the need component
};

struct Parameters {
    // Component weights (relative; renormalised over the components a school has inputs for).
    double w_access = 0.35, w_deprivation = 0.25, w_need = 0.15, w_rurality = 0.10, w_remit = 0.10,
           w_engagement = 0.05;

    // Access: minutes to the nearest venue of each hub type -> 0 at good_minutes, 1 at poor_minutes.
    std::vector<std::string> hub_types; ///< empty: every type in hub_venues / school_access, equally
    double good_minutes = 15, poor_minutes = 45;
    /// When `school_access` is absent: straight-line distance x detour / speed. The defaults are the
    /// default speed profile's fallback (routing::SpeedProfile), and a recorded access run's own
    /// fallback replaces them (compute_analysis), so an estimate is the same whichever step makes it.
    double straight_line_kph = 40, detour_factor = 1.3;

    // Deprivation: IMD decile of the school's LSOA, 1 (most deprived) -> 1, 10 -> 0.
    std::string deprivation_field = "imd_decile";

    std::vector<NeedField> need;

    // Remit flags.
    double remit_no_hub = 1.0, remit_conflicting = 0.5, remit_non_local_trust = 0.5;

    // Engagement: a per-authority table; low values (when higher_is_better) score high.
    std::string engagement_table, engagement_key = "lad_code", engagement_field, engagement_school_key = "lad_code";
    bool engagement_higher_is_better = true;

    // Statistics on the index.
    std::string weights = "knn"; ///< "knn" or "distance_band"
    double band_m = 5000;
    unsigned k = 8;
    stats::WeightStyle style = stats::WeightStyle::Binary;
    unsigned permutations = 999;
    std::uint64_t seed = 20240601;
    bool fdr = true;
    stats::FdrScope fdr_scope = stats::FdrScope::All; ///< statistics.fdr_scope: "all" or "neighbourhood"
    /// statistics.inference: "analytical" (bins, cold spots and clusters from the normal p) or
    /// "permutation" (from the permutation p_sim; needs permutations > 0).
    bool p_from_permutations = false;
    double hex_cell_area_km2 = 25;
    double significance_for_cold_spot = 0.05; ///< a school is in a cold spot when Gi* z > 0 at this p

    /// rank_stability: Monte Carlo over the weights and missing-input rules (draws = 0: off).
    stats::RankStabilityOptions rank_stability;

    /// The inference options of the statistics on the index and its aggregates.
    stats::InferenceOptions inference() const {
        stats::InferenceOptions o;
        o.permutations = permutations;
        o.seed = seed;
        o.fdr = fdr;
        o.bin_from_permutations = p_from_permutations;
        o.fdr_scope = fdr_scope;
        o.alpha = significance_for_cold_spot;
        return o;
    }

    nlohmann::json source; ///< the JSON as given, merged over the defaults: stored with the run
};

/// Parses and validates (against parameters_schema(), then the relations between values); throws
/// ManifestError naming `origin` and the JSON path of the first bad value.
/// Keys not given keep their defaults; unknown keys are errors (a typo must not be ignored).
Parameters parse_parameters(const nlohmann::json& j, const std::string& origin = "parameters");
/// Reads a file; throws FileNotFoundError / FormatError naming it.
Parameters load_parameters(const std::string& path);
/// The defaults as JSON (what data/params/default.json holds).
nlohmann::json default_parameters_json();
/// The JSON Schema of a parameters file (types, bounds, names, units): the one definition that
/// parse_parameters enforces and the service publishes (GET /analysis/schema, /api).
const nlohmann::json& parameters_schema();

} // namespace coldspot::geo::coldspots
