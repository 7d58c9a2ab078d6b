// Engagement: the per-authority participation table (ECF by upper-tier authority) in both
// vintages, joined on the authority code.
#include "sections.hpp"

namespace coldspot::geo::change::detail {

namespace {

std::map<std::string, std::pair<std::optional<double>, std::optional<double>>> rows_of(const FeatureTable& t, const ChangeOptions& opt) {
    std::map<std::string, std::pair<std::optional<double>, std::optional<double>>> out;
    for (const auto& f : t.features) out[text(t, f, opt.engagement_key)] = {number(t, f, opt.engagement_rate), number(t, f, opt.engagement_count)};
    return out;
}

} // namespace

std::map<std::string, EngagementChange> compare_engagement(const Vintage& o, const Vintage& n, const ChangeOptions& opt, ChangeOutput& out) {
    std::map<std::string, EngagementChange> result;
    if (!o.engagement || !n.engagement) {
        out.note("engagement", "no engagement change: " + std::string(!n.engagement ? "NEW" : "OLD") + " has no '" + opt.engagement_table + "' table");
        return result;
    }
    const auto was = rows_of(*o.engagement, opt), is = rows_of(*n.engagement, opt);
    const bool spatial = n.upper_tier.has_value();
    FeatureTable t{"change_engagement",
                   "per upper-tier authority: the participation rate and count of '" + opt.engagement_table + "' in both vintages and their change",
                   spatial ? GeometryType::MultiPolygon : GeometryType::None, spatial ? n.upper_tier->epsg : 0, {}, {}};
    t.fields = {{"code", FieldType::String},     {"name", FieldType::String},       {"old_rate", FieldType::Real},
                {"new_rate", FieldType::Real},   {"rate_change", FieldType::Real},  {"old_count", FieldType::Real},
                {"new_count", FieldType::Real},  {"count_change", FieldType::Real}};
    std::map<std::string, const Feature*> utla;
    if (spatial)
        for (const auto& f : n.upper_tier->features) utla[text(*n.upper_tier, f, "code")] = &f;
    std::set<std::string> codes;
    for (const auto* m : {&was, &is})
        for (const auto& [code, v] : *m) codes.insert(code);
    std::vector<std::string> unmatched;
    std::int64_t fid = 0;
    for (const auto& code : codes) {
        const auto u = utla.find(code);
        if (spatial && u == utla.end()) {
            unmatched.push_back(code);
            continue;
        }
        EngagementChange e;
        if (const auto it = was.find(code); it != was.end()) e.old_rate = it->second.first, e.old_count = it->second.second;
        if (const auto it = is.find(code); it != is.end()) e.new_rate = it->second.first, e.new_count = it->second.second;
        const auto diff = [](const std::optional<double>& a, const std::optional<double>& b) { return a && b ? Value(*b - *a) : Value(); };
        Feature row;
        row.fid = ++fid;
        if (spatial) row.geometry = u->second->geometry;
        row.values = {code, spatial ? text(*n.upper_tier, *u->second, "name") : std::string(), opt_value(e.old_rate), opt_value(e.new_rate),
                      diff(e.old_rate, e.new_rate), opt_value(e.old_count), opt_value(e.new_count), diff(e.old_count, e.new_count)};
        t.features.push_back(std::move(row));
        result.emplace(code, e);
    }
    if (!unmatched.empty())
        out.warn("engagement", std::to_string(unmatched.size()) + " codes of '" + opt.engagement_table +
                                   "' match no upper-tier authority of NEW and are left out (" + join(unmatched, ", ") + ")");
    out.counts["engagement_authorities"] = static_cast<long long>(t.features.size());
    out.layers.push_back(std::move(t));
    return result;
}

} // namespace coldspot::geo::change::detail
