#include "coldspot/geo/coldspots/parameters.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/json_schema.hpp"

#include <filesystem>
#include <fstream>

namespace coldspot::geo::coldspots {

namespace {

using nlohmann::json;

/// Overlays `given` on `defaults`; objects merge key by key, anything else replaces. A key the
/// defaults do not have is an error.
void merge(json& defaults, const json& given, const std::string& path, const std::string& origin) {
    if (!given.is_object())
        throw ManifestError(InputLocation{origin, 0, path.empty() ? "/" : path}, "expected a JSON object");
    for (const auto& [key, value] : given.items()) {
        const std::string here = path + "/" + key;
        if (!defaults.contains(key)) throw ManifestError(InputLocation{origin, 0, here}, "unknown parameter");
        json& slot = defaults[key];
        if (slot.is_object())
            merge(slot, value, here, origin);
        else
            slot = value;
    }
}

/// Reads values parse_parameters has validated against parameters_schema().
class Reader {
public:
    Reader(const json& j, std::string origin) : j_(j), origin_(std::move(origin)) {}

    double number(const std::string& ptr) const { return at(ptr).get<double>(); }
    std::string text(const std::string& ptr) const { return at(ptr).get<std::string>(); }
    bool boolean(const std::string& ptr) const { return at(ptr).get<bool>(); }
    const json& at(const std::string& ptr) const { return j_.at(json::json_pointer(ptr)); }
    [[noreturn]] void fail(const std::string& ptr, const std::string& why) const {
        throw ManifestError(InputLocation{origin_, 0, ptr}, why);
    }

private:
    const json& j_;
    std::string origin_;
};

} // namespace

json default_parameters_json() {
    return json::parse(R"({
  "components": {
    "access": {"weight": 0.35, "hub_types": [], "good_minutes": 15, "poor_minutes": 45,
               "straight_line_kph": 40, "detour_factor": 1.3},
    "deprivation": {"weight": 0.25, "field": "imd_decile"},
    "need": {"weight": 0.15, "fields": [
      {"field": "npq_pp50", "transform": "flag", "weight": 1},
      {"field": "fsm_percent", "transform": "linear", "min": 0, "max": 50, "weight": 1}]},
    "rurality": {"weight": 0.10},
    "remit": {"weight": 0.10, "no_hub": 1.0, "conflicting": 0.5, "non_local_trust": 0.5},
    "engagement": {"weight": 0.05, "table": "ecf_participation", "key": "code", "field": "participation_rate",
                   "school_key": "remit_utla_code", "higher_is_better": true}
  },
  "statistics": {"weights": "knn", "band_m": 5000, "k": 8, "style": "binary", "permutations": 999,
                 "seed": 20240601, "fdr": true, "fdr_scope": "all", "inference": "analytical", "alpha": 0.05},
  "rank_stability": {"draws": 1000, "seed": 20240601, "weight_range": 0.5, "missing_rules": ["renormalise", "median"],
                     "top_n": 100, "robust_share": 0.9},
  "hex": {"cell_area_km2": 25}
})");
}

Parameters parse_parameters(const json& given, const std::string& origin) {
    json j = default_parameters_json();
    merge(j, given, "", origin);
    const Reader r(j, origin);
    // Types, bounds and names first, from the one definition (parameters_schema()); what follows
    // checks only what a schema cannot say (relations between values).
    if (const auto violations = validate_json(j, parameters_schema()); !violations.empty())
        r.fail(violations.front().pointer, violations.front().message);
    Parameters p;
    p.w_access = r.number("/components/access/weight");
    p.w_deprivation = r.number("/components/deprivation/weight");
    p.w_need = r.number("/components/need/weight");
    p.w_rurality = r.number("/components/rurality/weight");
    p.w_remit = r.number("/components/remit/weight");
    p.w_engagement = r.number("/components/engagement/weight");
    if (p.w_access + p.w_deprivation + p.w_need + p.w_rurality + p.w_remit + p.w_engagement <= 0)
        r.fail("/components", "at least one component weight must be positive");

    for (const auto& type : r.at("/components/access/hub_types")) p.hub_types.push_back(type.get<std::string>());
    p.good_minutes = r.number("/components/access/good_minutes");
    p.poor_minutes = r.number("/components/access/poor_minutes");
    if (p.poor_minutes <= p.good_minutes)
        r.fail("/components/access/poor_minutes", "must be greater than good_minutes");
    p.straight_line_kph = r.number("/components/access/straight_line_kph");
    p.detour_factor = r.number("/components/access/detour_factor");
    p.deprivation_field = r.text("/components/deprivation/field");

    const json& fields = r.at("/components/need/fields");
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::string base = "/components/need/fields/" + std::to_string(i);
        NeedField f;
        f.field = r.text(base + "/field");
        if (fields[i].contains("transform")) f.transform = r.text(base + "/transform");
        if (fields[i].contains("min")) f.min = r.number(base + "/min");
        if (fields[i].contains("max")) f.max = r.number(base + "/max");
        if (f.transform == "linear" && !(f.max > f.min)) r.fail(base + "/max", "must be greater than min");
        if (fields[i].contains("weight")) f.weight = r.number(base + "/weight");
        p.need.push_back(f);
    }
    p.remit_no_hub = r.number("/components/remit/no_hub");
    p.remit_conflicting = r.number("/components/remit/conflicting");
    p.remit_non_local_trust = r.number("/components/remit/non_local_trust");
    p.engagement_table = r.text("/components/engagement/table");
    p.engagement_key = r.text("/components/engagement/key");
    p.engagement_field = r.text("/components/engagement/field");
    p.engagement_school_key = r.text("/components/engagement/school_key");
    p.engagement_higher_is_better = r.boolean("/components/engagement/higher_is_better");

    p.weights = r.text("/statistics/weights");
    p.band_m = r.number("/statistics/band_m");
    p.k = static_cast<unsigned>(r.number("/statistics/k"));
    try {
        p.style = stats::weight_style_from_string(r.text("/statistics/style"));
    } catch (const InvalidArgumentError& e) {
        r.fail("/statistics/style", e.what());
    }
    p.permutations = static_cast<unsigned>(r.number("/statistics/permutations"));
    p.seed = static_cast<std::uint64_t>(r.number("/statistics/seed"));
    p.fdr = r.boolean("/statistics/fdr");
    p.significance_for_cold_spot = r.number("/statistics/alpha");
    try {
        p.fdr_scope = stats::fdr_scope_from_string(r.text("/statistics/fdr_scope"));
    } catch (const InvalidArgumentError& e) {
        r.fail("/statistics/fdr_scope", e.what());
    }
    const std::string inference = r.text("/statistics/inference");
    p.p_from_permutations = inference == "permutation";
    if (p.p_from_permutations && p.permutations == 0)
        r.fail("/statistics/inference", "'permutation' needs statistics.permutations > 0");

    auto& rs = p.rank_stability;
    rs.draws = static_cast<unsigned>(r.number("/rank_stability/draws"));
    rs.seed = static_cast<std::uint64_t>(r.number("/rank_stability/seed"));
    rs.weight_range = r.number("/rank_stability/weight_range");
    rs.top_n = static_cast<std::size_t>(r.number("/rank_stability/top_n"));
    rs.robust_share = r.number("/rank_stability/robust_share");
    const json& rules = r.at("/rank_stability/missing_rules");
    rs.missing_rules.clear();
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const std::string at = "/rank_stability/missing_rules/" + std::to_string(i);
        try {
            rs.missing_rules.push_back(stats::missing_rule_from_string(r.text(at)));
        } catch (const InvalidArgumentError& e) {
            r.fail(at, e.what());
        }
    }
    p.hex_cell_area_km2 = r.number("/hex/cell_area_km2");
    p.source = j;
    return p;
}

Parameters load_parameters(const std::string& path) {
    if (!std::filesystem::exists(path)) throw FileNotFoundError(InputLocation{path, 0, {}}, "no such file");
    std::ifstream in(path);
    json j;
    try {
        j = json::parse(in);
    } catch (const json::parse_error& e) {
        throw FormatError(InputLocation{path, 0, {}}, std::string("not valid JSON: ") + e.what());
    }
    return parse_parameters(j, path);
}

} // namespace coldspot::geo::coldspots
