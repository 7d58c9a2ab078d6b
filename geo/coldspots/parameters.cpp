#include "coldspot/geo/coldspots/parameters.hpp"

#include "coldspot/geo/error.hpp"

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

class Reader {
public:
    Reader(const json& j, std::string origin) : j_(j), origin_(std::move(origin)) {}

    double number(const std::string& ptr, double lo, double hi) const {
        const json& v = at(ptr);
        if (!v.is_number()) fail(ptr, "expected a number");
        const double d = v.get<double>();
        if (!(d >= lo && d <= hi)) fail(ptr, "must be between " + fmt(lo) + " and " + fmt(hi));
        return d;
    }
    std::string text(const std::string& ptr) const {
        const json& v = at(ptr);
        if (!v.is_string()) fail(ptr, "expected a string");
        return v.get<std::string>();
    }
    bool boolean(const std::string& ptr) const {
        const json& v = at(ptr);
        if (!v.is_boolean()) fail(ptr, "expected true or false");
        return v.get<bool>();
    }
    const json& at(const std::string& ptr) const { return j_.at(json::json_pointer(ptr)); }
    [[noreturn]] void fail(const std::string& ptr, const std::string& why) const {
        throw ManifestError(InputLocation{origin_, 0, ptr}, why);
    }

private:
    static std::string fmt(double d) {
        std::string s = std::to_string(d);
        s.erase(s.find_last_not_of('0') + 1);
        if (!s.empty() && s.back() == '.') s.pop_back();
        return s;
    }
    const json& j_;
    std::string origin_;
};

} // namespace

json default_parameters_json() {
    return json::parse(R"({
  "components": {
    "access": {"weight": 0.35, "hub_types": [], "good_minutes": 15, "poor_minutes": 45,
               "straight_line_kph": 30, "detour_factor": 1.3},
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
    Parameters p;
    constexpr double kBig = 1e12;
    p.w_access = r.number("/components/access/weight", 0, kBig);
    p.w_deprivation = r.number("/components/deprivation/weight", 0, kBig);
    p.w_need = r.number("/components/need/weight", 0, kBig);
    p.w_rurality = r.number("/components/rurality/weight", 0, kBig);
    p.w_remit = r.number("/components/remit/weight", 0, kBig);
    p.w_engagement = r.number("/components/engagement/weight", 0, kBig);
    if (p.w_access + p.w_deprivation + p.w_need + p.w_rurality + p.w_remit + p.w_engagement <= 0)
        r.fail("/components", "at least one component weight must be positive");

    const json& types = r.at("/components/access/hub_types");
    if (!types.is_array()) r.fail("/components/access/hub_types", "expected an array of hub type names");
    for (std::size_t i = 0; i < types.size(); ++i) {
        if (!types[i].is_string()) r.fail("/components/access/hub_types/" + std::to_string(i), "expected a string");
        p.hub_types.push_back(types[i].get<std::string>());
    }
    p.good_minutes = r.number("/components/access/good_minutes", 0, 1440);
    p.poor_minutes = r.number("/components/access/poor_minutes", 0, 1440);
    if (p.poor_minutes <= p.good_minutes)
        r.fail("/components/access/poor_minutes", "must be greater than good_minutes");
    p.straight_line_kph = r.number("/components/access/straight_line_kph", 1, 200);
    p.detour_factor = r.number("/components/access/detour_factor", 1, 5);
    p.deprivation_field = r.text("/components/deprivation/field");

    const json& fields = r.at("/components/need/fields");
    if (!fields.is_array()) r.fail("/components/need/fields", "expected an array");
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::string base = "/components/need/fields/" + std::to_string(i);
        if (!fields[i].is_object()) r.fail(base, "expected an object");
        for (const auto& [key, value] : fields[i].items())
            if (key != "field" && key != "transform" && key != "min" && key != "max" && key != "weight")
                r.fail(base + "/" + key, "unknown parameter");
        NeedField f;
        f.field = r.text(base + "/field");
        if (fields[i].contains("transform")) f.transform = r.text(base + "/transform");
        if (f.transform != "flag" && f.transform != "linear") r.fail(base + "/transform", "expected 'flag' or 'linear'");
        if (fields[i].contains("min")) f.min = r.number(base + "/min", -kBig, kBig);
        if (fields[i].contains("max")) f.max = r.number(base + "/max", -kBig, kBig);
        if (f.transform == "linear" && !(f.max > f.min)) r.fail(base + "/max", "must be greater than min");
        if (fields[i].contains("weight")) f.weight = r.number(base + "/weight", 0, kBig);
        p.need.push_back(f);
    }
    p.remit_no_hub = r.number("/components/remit/no_hub", 0, 1);
    p.remit_conflicting = r.number("/components/remit/conflicting", 0, 1);
    p.remit_non_local_trust = r.number("/components/remit/non_local_trust", 0, 1);
    p.engagement_table = r.text("/components/engagement/table");
    p.engagement_key = r.text("/components/engagement/key");
    p.engagement_field = r.text("/components/engagement/field");
    p.engagement_school_key = r.text("/components/engagement/school_key");
    p.engagement_higher_is_better = r.boolean("/components/engagement/higher_is_better");

    p.weights = r.text("/statistics/weights");
    if (p.weights != "distance_band" && p.weights != "knn")
        r.fail("/statistics/weights", "expected 'distance_band' or 'knn'");
    p.band_m = r.number("/statistics/band_m", 1, 1e6);
    p.k = static_cast<unsigned>(r.number("/statistics/k", 1, 1000));
    try {
        p.style = stats::weight_style_from_string(r.text("/statistics/style"));
    } catch (const InvalidArgumentError& e) {
        r.fail("/statistics/style", e.what());
    }
    p.permutations = static_cast<unsigned>(r.number("/statistics/permutations", 0, 99999));
    p.seed = static_cast<std::uint64_t>(r.number("/statistics/seed", 0, 9007199254740992.0));
    p.fdr = r.boolean("/statistics/fdr");
    p.significance_for_cold_spot = r.number("/statistics/alpha", 1e-6, 0.5);
    try {
        p.fdr_scope = stats::fdr_scope_from_string(r.text("/statistics/fdr_scope"));
    } catch (const InvalidArgumentError& e) {
        r.fail("/statistics/fdr_scope", e.what());
    }
    const std::string inference = r.text("/statistics/inference");
    if (inference != "analytical" && inference != "permutation")
        r.fail("/statistics/inference", "expected 'analytical' or 'permutation'");
    p.p_from_permutations = inference == "permutation";
    if (p.p_from_permutations && p.permutations == 0)
        r.fail("/statistics/inference", "'permutation' needs statistics.permutations > 0");

    auto& rs = p.rank_stability;
    rs.draws = static_cast<unsigned>(r.number("/rank_stability/draws", 0, 100000));
    rs.seed = static_cast<std::uint64_t>(r.number("/rank_stability/seed", 0, 9007199254740992.0));
    rs.weight_range = r.number("/rank_stability/weight_range", 0, 0.99);
    rs.top_n = static_cast<std::size_t>(r.number("/rank_stability/top_n", 1, 1e7));
    rs.robust_share = r.number("/rank_stability/robust_share", 0.5, 1);
    const json& rules = r.at("/rank_stability/missing_rules");
    if (!rules.is_array() || rules.empty())
        r.fail("/rank_stability/missing_rules", "expected a non-empty array of 'renormalise', 'median', 'zero'");
    rs.missing_rules.clear();
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const std::string at = "/rank_stability/missing_rules/" + std::to_string(i);
        try {
            rs.missing_rules.push_back(stats::missing_rule_from_string(r.text(at)));
        } catch (const InvalidArgumentError& e) {
            r.fail(at, e.what());
        }
    }
    p.hex_cell_area_km2 = r.number("/hex/cell_area_km2", 0.01, 1e5);
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
