// Cold spots of areas: the class of each LSOA and district unit of coldspots_areas in both
// vintages (LSOAs through the lookup) and its change category.
#include "sections.hpp"

#include <algorithm>

namespace coldspot::geo::change::detail {

namespace {

/// A unit is in a cold spot when its Gi* bin is +2 or +3 (z > 0, p < 0.05): a cluster of high
/// (poorly served) mean index.
ColdClass unit_class(const FeatureTable& t, const Feature& f) {
    const auto bin = number(t, f, model::coldspot::gi_bin);
    if (!bin) return {};
    const int b = static_cast<int>(*bin);
    return ColdClass{true, b >= 2, b};
}

} // namespace

void compare_coldspot_areas(const Vintage& o, const Vintage& n, const std::vector<LookupPair>& pairs, ChangeOutput& out) {
    if (!o.coldspots_areas || !n.coldspots_areas) {
        out.note("coldspots", "no area cold-spot change: " + std::string(!n.coldspots_areas ? "NEW" : "OLD") + " has no coldspots_areas layer");
        return;
    }
    const FeatureTable& ot = *o.coldspots_areas;
    const FeatureTable& nt = *n.coldspots_areas;
    std::map<std::pair<std::string, std::string>, ColdClass> old_class;
    for (const auto& f : ot.features) old_class[{text(ot, f, "level"), text(ot, f, "code")}] = unit_class(ot, f);
    std::map<std::string, std::vector<std::string>> parents;
    for (const auto& p : pairs) parents[p.new_code].push_back(p.old_code);

    FeatureTable t{"change_coldspots",
                   "LSOA and district units of coldspots_areas: Gi* bin in both vintages and the change category (new, persistent, intensifying, "
                   "diminishing, no_longer, never, unknown); two points are not a trend",
                   GeometryType::MultiPolygon, nt.epsg, {}, {}};
    t.fields = {{"level", FieldType::String},   {"code", FieldType::String},       {"name", FieldType::String},
                {"old_codes", FieldType::String}, {"old_gi_bin", FieldType::Integer}, {"new_gi_bin", FieldType::Integer},
                {"old_share", FieldType::Real}, {"new_share", FieldType::Real},    {"coldspot_change", FieldType::String}};
    std::map<std::pair<std::string, std::string>, std::optional<double>> old_share;
    for (const auto& f : ot.features) old_share[{text(ot, f, "level"), text(ot, f, "code")}] = number(ot, f, "cold_spot_share");
    std::int64_t fid = 0;
    for (const auto& f : nt.features) {
        const std::string level = text(nt, f, "level"), code = text(nt, f, "code");
        if (level != "lsoa" && level != "la") continue; // hub ids differ between hub tables
        std::vector<std::string> from{code};
        if (level == "lsoa" && !pairs.empty()) from = parents.count(code) ? parents[code] : std::vector<std::string>{};
        // Several OLD units (a merged LSOA): the strongest class among those with a result.
        ColdClass oc;
        std::optional<double> share;
        for (const auto& c : from) {
            const auto it = old_class.find({level, c});
            if (it == old_class.end() || !it->second.known) continue;
            if (!oc.known || it->second.bin > oc.bin) oc = it->second;
            const auto s = old_share[{level, c}];
            if (s && (!share || *s > *share)) share = s;
        }
        const ColdClass nc = unit_class(nt, f);
        const std::string change = coldspot_change(oc, nc);
        Feature row;
        row.fid = ++fid;
        row.geometry = f.geometry;
        row.values = {level, code, text(nt, f, "name"), join(from), oc.known ? Value(std::int64_t{oc.bin}) : Value(),
                      nc.known ? Value(std::int64_t{nc.bin}) : Value(), opt_value(share), opt_value(number(nt, f, "cold_spot_share")), change};
        ++out.counts["units_" + level + "_" + change];
        t.features.push_back(std::move(row));
    }
    out.layers.push_back(std::move(t));
}

} // namespace coldspot::geo::change::detail
