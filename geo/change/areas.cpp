// Areas: the OLD deprivation carried onto the NEW LSOAs, decile and percentile change, and the
// areas that entered or left the most deprived 20 %.
#include "sections.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"

#include <unordered_set>

namespace coldspot::geo::change::detail {

namespace {

std::map<std::string, Deprivation> deprivation_of(const Vintage& v, int total) {
    std::map<std::string, Deprivation> out;
    const FeatureTable& t = *v.areas;
    for (const auto& f : t.features) {
        const auto rank = number(t, f, model::area::imd_rank), decile = number(t, f, model::area::imd_decile);
        const std::string code = text(t, f, "code");
        if (rank && decile && decile_of_rank(*rank, total) != static_cast<int>(*decile))
            throw InvalidArgumentError("area " + code + " of " + v.path.string() + " has IMD rank " + std::to_string(static_cast<long long>(*rank)) +
                                       " and decile " + std::to_string(static_cast<int>(*decile)) + ", which does not fit " +
                                       std::to_string(total) + " areas in England (decile = ceil(10 rank / N)); set " +
                                       (v.label == "OLD" ? "old_total_areas" : "new_total_areas") + " to the release's number of LSOAs");
        Deprivation d;
        d.rank = rank;
        if (decile) d.decile = static_cast<int>(*decile);
        out.emplace(code, d);
    }
    return out;
}

std::string examples(const std::vector<std::string>& codes) {
    std::vector<std::string> first(codes.begin(), codes.begin() + std::min<std::size_t>(5, codes.size()));
    return join(first, ", ") + (codes.size() > 5 ? ", ..." : "");
}

void check_codes(const Vintage& o, const Vintage& n, const std::vector<std::string>& new_codes, const std::map<std::string, Deprivation>& old,
                 const ChangeOptions& opt, const std::vector<LookupPair>& pairs, ChangeOutput& out) {
    if (!opt.lsoa_lookup) {
        std::size_t shared = 0;
        for (const auto& c : new_codes) shared += old.count(c);
        if (shared * 2 < new_codes.size())
            throw InvalidArgumentError("only " + std::to_string(shared) + " of the " + std::to_string(new_codes.size()) + " areas of " +
                                       n.path.string() + " have a code in " + o.path.string() +
                                       ": they use different LSOA codes (2011 and 2021?); give the lookup (--lsoa-lookup FILE, lsoa_lookup)");
        return;
    }
    std::unordered_set<std::string> in_lookup;
    for (const auto& p : pairs) in_lookup.insert(p.old_code);
    std::vector<std::string> unlisted;
    for (const auto& [code, d] : old)
        if (!in_lookup.count(code)) unlisted.push_back(code);
    if (!unlisted.empty())
        out.warn("areas", std::to_string(unlisted.size()) + " OLD areas lead to no NEW area in " + opt.lsoa_lookup->string() + " (" +
                              examples(unlisted) + "): they are outside the NEW study area or missing from the lookup");
}

} // namespace

std::map<std::string, AreaChange> compare_areas(const Vintage& o, const Vintage& n, const ChangeOptions& opt, const std::vector<LookupPair>& pairs,
                                                ChangeOutput& out) {
    std::map<std::string, AreaChange> result;
    if (!o.areas || !n.areas) {
        out.note("areas", "no area change: " + std::string(!n.areas ? "NEW" : "OLD") + " has no areas layer");
        return result;
    }
    const auto old = deprivation_of(o, opt.old_total_areas);
    const auto now = deprivation_of(n, opt.new_total_areas);
    const FeatureTable& na = *n.areas;
    std::vector<std::string> new_codes;
    for (const auto& f : na.features) new_codes.push_back(text(na, f, "code"));
    check_codes(o, n, new_codes, old, opt, pairs, out);
    const auto carried = carry_deprivation(new_codes, pairs, old, opt.old_total_areas);

    FeatureTable t{"change_areas",
                   "LSOAs of the NEW vintage with the OLD deprivation carried through the LSOA lookup (rule per area), decile and "
                   "percentile change, and entry into or exit from the most deprived deciles",
                   GeometryType::MultiPolygon, na.epsg, {}, {}};
    t.fields = {{"code", FieldType::String},         {"name", FieldType::String},          {model::school::lad_code, FieldType::String},
                {"rule", FieldType::String},         {"old_codes", FieldType::String},     {"old_missing", FieldType::String},
                {"old_rank", FieldType::Real},       {"old_decile", FieldType::Integer},   {"old_percentile", FieldType::Real},
                {"new_rank", FieldType::Real},       {"new_decile", FieldType::Integer},   {"new_percentile", FieldType::Real},
                {"decile_change", FieldType::Integer}, {"percentile_change", FieldType::Real}, {"deprived_change", FieldType::String}};
    std::vector<std::string> not_in_lookup, missing_parents;
    const auto pct = [](const std::optional<double>& rank, int total) {
        return rank ? std::optional<double>(100.0 * *rank / total) : std::nullopt;
    };
    for (std::size_t i = 0; i < na.features.size(); ++i) {
        const Feature& src = na.features[i];
        const CarriedArea& c = carried[i];
        const Deprivation& nd = now.at(c.code);
        AreaChange ac{c.old_value.decile, nd.decile, deprived_transition(c.old_value.decile, nd.decile, opt.deprived_deciles),
                      text(na, src, model::school::lad_code)};
        if (c.rule == CarryRule::NotInLookup) not_in_lookup.push_back(c.code);
        else if (!c.missing.empty()) missing_parents.push_back(c.code);
        const auto op = pct(c.old_value.rank, opt.old_total_areas), np = pct(nd.rank, opt.new_total_areas);
        Feature f;
        f.fid = src.fid;
        f.geometry = src.geometry;
        f.values = {c.code, text(na, src, "name"), ac.lad_code, std::string(to_string(c.rule)), join(c.parents), join(c.missing),
                    opt_value(c.old_value.rank), opt_int(c.old_value.decile), opt_value(op), opt_value(nd.rank), opt_int(nd.decile), opt_value(np),
                    (ac.old_decile && ac.new_decile) ? Value(std::int64_t{*ac.new_decile - *ac.old_decile}) : Value(),
                    (op && np) ? Value(*np - *op) : Value(), ac.transition};
        t.features.push_back(std::move(f));
        ++out.counts["areas_rule_" + std::string(to_string(c.rule))];
        if (ac.old_decile && *ac.old_decile <= opt.deprived_deciles) ++out.counts["areas_deprived_old"];
        if (ac.new_decile && *ac.new_decile <= opt.deprived_deciles) ++out.counts["areas_deprived_new"];
        ++out.counts["areas_" + ac.transition];
        result.emplace(c.code, std::move(ac));
    }
    if (!not_in_lookup.empty())
        out.warn("areas", std::to_string(not_in_lookup.size()) + " NEW areas are not in the lookup (" + examples(not_in_lookup) +
                              "): their OLD values are unknown");
    if (!missing_parents.empty())
        out.warn("areas", std::to_string(missing_parents.size()) + " NEW areas have a lookup parent the OLD workspace lacks (" +
                              examples(missing_parents) + "): their OLD values are unknown, not taken from the other parents");
    out.note("areas", "most deprived " + std::to_string(opt.deprived_deciles * 10) + " % (decile <= " + std::to_string(opt.deprived_deciles) +
                          "): " + std::to_string(out.counts["areas_deprived_old"]) + " areas in OLD, " +
                          std::to_string(out.counts["areas_deprived_new"]) + " in NEW; " + std::to_string(out.counts["areas_entered"]) +
                          " entered, " + std::to_string(out.counts["areas_left"]) + " left. IoD ranks compare only relatively: each "
                          "release ranks its own LSOAs on its own indicators, so a change of decile means a change of position, not of "
                          "absolute deprivation");
    out.layers.push_back(std::move(t));
    return result;
}

} // namespace coldspot::geo::change::detail
