#include "coldspot/geo/coldspots/school_index.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/model/school_access.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>
#include <unordered_map>

namespace coldspot::geo::coldspots {

std::string_view to_string(Component c) noexcept {
    switch (c) {
    case Component::Access: return "access";
    case Component::Deprivation: return "deprivation";
    case Component::Need: return "need";
    case Component::Rurality: return "rurality";
    case Component::Remit: return "remit";
    case Component::Engagement: return "engagement";
    }
    return "";
}

double ramp(double value, double good, double poor) noexcept {
    return std::clamp((value - good) / (poor - good), 0.0, 1.0);
}

namespace {

const double kNaN = std::nan("");

std::string text_of(const FeatureTable&, const Feature& f, int field) {
    return field < 0 ? std::string() : as_text(f.values[static_cast<std::size_t>(field)]);
}

std::optional<double> number_of(const FeatureTable& t, const Feature& f, int field) {
    (void)t;
    if (field < 0) return std::nullopt;
    const Value& v = f.values[static_cast<std::size_t>(field)];
    if (auto d = as_number(v)) return d;
    if (const auto* s = std::get_if<std::string>(&v)) {
        try {
            std::size_t used = 0;
            const double d = std::stod(*s, &used);
            if (used == s->size()) return d;
        } catch (const std::exception&) {
        }
    }
    return std::nullopt;
}

std::string fmt(double v, int digits = 0) {
    std::ostringstream s;
    s.setf(std::ios::fixed);
    s.precision(digits);
    s << v;
    return s.str();
}

/// Straight-line minutes from p to the nearest venue of each type (the fallback when
/// school_access is absent).
std::map<std::string, double> straight_line_minutes(const Point& p, const std::map<std::string, std::vector<Point>>& venues,
                                                    const Parameters& params) {
    std::map<std::string, double> out;
    for (const auto& [type, points] : venues) {
        double best = std::numeric_limits<double>::infinity();
        for (const auto& v : points) best = std::min(best, bg::distance(p, v));
        if (std::isfinite(best)) out[type] = best / 1000.0 * params.detour_factor / params.straight_line_kph * 60.0;
    }
    return out;
}

/// urn -> hub type -> (minutes to the nearest venue, method)
using AccessByUrn = std::unordered_map<std::int64_t, std::map<std::string, std::pair<double, std::string>>>;
/// urn -> hub type -> ids of the hubs whose remit covers the school
using RemitsByUrn = std::unordered_map<std::int64_t, std::map<std::string, std::set<std::string>>>;

/// The fields of `schools` the index reads; -1 when absent, except the URN, which is required.
struct SchoolFields {
    std::size_t urn;
    int name, lsoa, remit_lsoa, lad, la, trust;
};

SchoolFields school_fields(const FeatureTable& schools) {
    SchoolFields f{};
    f.urn = schools.require_field(model::school::urn);
    f.name = schools.field_index(model::school::name);
    f.lsoa = schools.field_index(model::school::lsoa_code);
    // The remits step's point-in-polygon LSOA, for schools whose source code is of another LSOA
    // vintage than the workspace's areas (a 2011-LSOA workspace fed a register with 2021 codes).
    f.remit_lsoa = schools.field_index(model::remit::remit_lsoa_code);
    f.lad = schools.field_index(model::school::lad_code);
    f.la = schools.field_index(model::school::la_code);
    f.trust = schools.field_index(model::school::trust_uid);
    return f;
}

/// Everything the per-school scoring looks up, gathered once from the input layers. Each step
/// below fills its part and notes the inputs it lacks, in the order the notes are published.
struct IndexLookups {
    IndexLookups(const IndexInputs& inputs, const Parameters& parameters, std::vector<std::string>& out_notes)
        : in(inputs), params(parameters), notes(out_notes), fields(school_fields(*inputs.schools)) {}

    const IndexInputs& in;
    const Parameters& params;
    std::vector<std::string>& notes;
    SchoolFields fields;

    std::set<std::string> types;
    std::map<std::string, std::vector<Point>> venues_by_type;
    bool have_access = false;
    AccessByUrn access;
    std::unordered_map<std::string, const Feature*> area_by_code;
    int a_dep = -1, a_rural = -1;
    std::vector<std::pair<const NeedField*, int>> need_fields;
    RemitsByUrn remits;
    std::map<std::string, std::string> trust_home; ///< trust -> the authority most of its schools are in
    int f_eng_key = -1;
    std::unordered_map<std::string, double> engagement; ///< key -> 1 - percentile (low engagement scores high)

    void note(std::string s) { notes.push_back(std::move(s)); }
    bool has_trusts() const { return fields.trust >= 0 && fields.la >= 0; }
};

/// Hub types: from the parameters, else from the access rows, else from the venues.
void find_hub_types(IndexLookups& l) {
    l.types.insert(l.params.hub_types.begin(), l.params.hub_types.end());
    if (l.types.empty() && l.in.school_access) {
        const std::size_t ft = l.in.school_access->require_field(model::hub::hub_type);
        for (const auto& f : l.in.school_access->features) l.types.insert(as_text(f.values[ft]));
    }
    if (l.in.hub_venues) {
        const std::size_t ft = l.in.hub_venues->require_field(model::hub::hub_type);
        for (const auto& f : l.in.hub_venues->features)
            if (const auto* p = std::get_if<Point>(&f.geometry)) l.venues_by_type[as_text(f.values[ft])].push_back(*p);
        if (l.types.empty())
            for (const auto& [t, v] : l.venues_by_type) l.types.insert(t);
    }
}

/// Access: the `nearest` rows of school_access by URN and hub type.
void read_access(IndexLookups& l) {
    l.have_access = l.in.school_access != nullptr;
    if (l.have_access) {
        // No venue reachable at all counts as infinitely far (score 1).
        constexpr double kNone = std::numeric_limits<double>::infinity();
        for (const auto& a : model::read_school_access(*l.in.school_access, "workspace")) {
            if (a.role != model::access_role::nearest) continue;
            l.access[a.urn.value()][a.hub_type] = {a.minutes ? a.minutes->value() : kNone, a.method};
        }
    } else if (!l.venues_by_type.empty()) {
        l.note("school_access missing: access from straight-line distance x " + fmt(l.params.detour_factor, 2) + " at " +
               fmt(l.params.straight_line_kph) + " km/h to the nearest hub venue");
    } else {
        l.note("school_access and hub_venues missing: no access component");
    }
    if (l.types.empty() && (l.have_access || !l.venues_by_type.empty())) l.note("no hub types found: no access component");
}

/// Areas by LSOA code, with their deprivation and rurality fields.
void read_areas(IndexLookups& l) {
    if (l.in.areas) {
        const std::size_t fc = l.in.areas->require_field("code");
        for (const auto& f : l.in.areas->features) l.area_by_code[as_text(f.values[fc])] = &f;
        l.a_dep = l.in.areas->field_index(l.params.deprivation_field);
        l.a_rural = l.in.areas->field_index("rural");
        if (l.a_dep < 0) l.note("areas has no field '" + l.params.deprivation_field + "': no deprivation component");
        if (l.a_rural < 0) l.note("areas has no field 'rural': no rurality component");
    } else {
        l.note("areas missing: no deprivation or rurality component");
    }
    if (l.fields.lsoa < 0 && l.fields.remit_lsoa < 0 && l.in.areas)
        l.note("schools has no lsoa_code: no deprivation or rurality component");
}

/// The need fields present in the schools layer.
void find_need_fields(IndexLookups& l) {
    for (const auto& nf : l.params.need) {
        const int fi = l.in.schools->field_index(nf.field);
        if (fi < 0)
            l.note("schools has no need field '" + nf.field + "': skipped");
        else
            l.need_fields.emplace_back(&nf, fi);
    }
}

/// Remits by URN and hub type, and each trust's home authority: the one most of its schools are in.
void read_remits(IndexLookups& l) {
    if (l.in.school_remits) {
        const FeatureTable& sr = *l.in.school_remits;
        const std::size_t fu = sr.require_field(model::school::urn), fh = sr.require_field(model::hub::hub_id), ft = sr.require_field(model::hub::hub_type);
        for (const auto& f : sr.features)
            if (const auto urn = as_number(f.values[fu]))
                l.remits[static_cast<std::int64_t>(*urn)][as_text(f.values[ft])].insert(as_text(f.values[fh]));
    } else {
        l.note("school_remits missing: no remit component");
    }
    if (l.has_trusts()) {
        const FeatureTable& schools = *l.in.schools;
        std::map<std::string, std::map<std::string, int>> counts;
        for (const auto& f : schools.features) {
            const std::string trust = text_of(schools, f, l.fields.trust), la = text_of(schools, f, l.fields.la);
            if (!trust.empty() && !la.empty()) ++counts[trust][la];
        }
        for (const auto& [trust, by_la] : counts)
            l.trust_home[trust] =
                std::max_element(by_la.begin(), by_la.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
    }
}

/// Engagement: key -> score (1 - percentile; low engagement scores high).
void read_engagement(IndexLookups& l) {
    const Parameters& params = l.params;
    l.f_eng_key = l.in.schools->field_index(params.engagement_school_key);
    if (!l.in.engagement) {
        l.note("engagement table '" + params.engagement_table + "' missing: no engagement component");
        return;
    }
    const FeatureTable& eng = *l.in.engagement;
    const int ek = eng.field_index(params.engagement_key);
    const int ev = eng.field_index(params.engagement_field);
    if (ek < 0 || ev < 0 || l.f_eng_key < 0) {
        l.note("engagement table lacks '" + params.engagement_key + "'/'" + params.engagement_field +
               "' or schools lack '" + params.engagement_school_key + "': no engagement component");
        return;
    }
    std::vector<std::pair<double, std::string>> rows;
    for (const auto& f : eng.features)
        if (const auto v = number_of(eng, f, ev)) rows.emplace_back(*v, text_of(eng, f, ek));
    std::sort(rows.begin(), rows.end());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        // Mid-rank percentile so ties share a score.
        std::size_t j = i;
        while (j + 1 < rows.size() && rows[j + 1].first == rows[i].first) ++j;
        const double pct = rows.size() > 1 ? (static_cast<double>(i + j) / 2.0) / static_cast<double>(rows.size() - 1) : 0.5;
        for (std::size_t k = i; k <= j; ++k) l.engagement[rows[k].second] = params.engagement_higher_is_better ? 1.0 - pct : pct;
        i = j;
    }
}

/// One school's identity and codes, with its scores and contributions not yet known (NaN).
SchoolScore school_identity(const IndexLookups& l, const Feature& f) {
    const FeatureTable& schools = *l.in.schools;
    const SchoolFields& fi = l.fields;
    SchoolScore s;
    const auto urn = as_number(f.values[fi.urn]);
    if (!urn) throw InputError(InputLocation{model::layer::schools, 0, model::school::urn}, "school with fid " + std::to_string(f.fid) + " has no URN");
    s.urn = static_cast<std::int64_t>(*urn);
    s.name = text_of(schools, f, fi.name);
    if (const auto* p = std::get_if<Point>(&f.geometry)) s.at = *p;
    s.lsoa_code = text_of(schools, f, fi.lsoa);
    if (fi.remit_lsoa >= 0 && !l.area_by_code.count(s.lsoa_code)) {
        const std::string own = text_of(schools, f, fi.remit_lsoa);
        if (!own.empty()) s.lsoa_code = own;
    }
    s.lad_code = text_of(schools, f, fi.lad);
    s.la_code = text_of(schools, f, fi.la);
    s.score.fill(kNaN);
    s.contribution.fill(kNaN);
    return s;
}

/// Why each component scored what it did, in words.
using Why = std::vector<std::string>;

/// Access: mean over hub types of the minutes ramp.
void score_access(const IndexLookups& l, SchoolScore& s, Why& why) {
    if (l.types.empty()) return;
    std::map<std::string, std::pair<double, std::string>> mine;
    if (l.have_access) {
        if (auto it = l.access.find(s.urn); it != l.access.end()) mine = it->second;
    } else if (!l.venues_by_type.empty()) {
        for (const auto& [t, m] : straight_line_minutes(s.at, l.venues_by_type, l.params)) mine[t] = {m, model::access_method::straight_line};
    }
    double sum = 0;
    int n = 0;
    std::string worst_type;
    double worst = -1;
    std::set<std::string> methods;
    for (const auto& t : l.types) {
        auto it = mine.find(t);
        // A type with no venue anywhere near (no row) is as bad as it gets.
        const double m = it == mine.end() ? std::numeric_limits<double>::infinity() : it->second.first;
        if (it != mine.end()) methods.insert(it->second.second);
        s.minutes[t] = m;
        sum += ramp(m, l.params.good_minutes, l.params.poor_minutes);
        ++n;
        if (m > worst) {
            worst = m;
            worst_type = t;
        }
    }
    if (n > 0 && !(l.have_access && mine.empty())) {
        s.score[0] = sum / n;
        s.access_method = methods.size() == 1 ? *methods.begin() : methods.empty() ? "" : "mixed";
        why[0] = std::isfinite(worst) ? fmt(worst) + " min to nearest " + worst_type + " venue"
                                      : "no " + worst_type + " venue reachable";
    }
}

/// Deprivation and rurality from the school's LSOA.
void score_area(const IndexLookups& l, SchoolScore& s, Why& why) {
    const auto it = l.area_by_code.find(s.lsoa_code);
    if (it == l.area_by_code.end()) return;
    if (const auto d = number_of(*l.in.areas, *it->second, l.a_dep)) {
        s.score[1] = std::clamp((10.0 - *d) / 9.0, 0.0, 1.0);
        why[1] = "IMD decile " + fmt(*d);
    }
    if (const auto r = number_of(*l.in.areas, *it->second, l.a_rural)) {
        s.score[3] = *r != 0 ? 1.0 : 0.0;
        why[3] = *r != 0 ? "rural LSOA" : "urban LSOA";
    }
}

/// Need: weighted mean of the fields the school has a value for.
void score_need(const IndexLookups& l, const Feature& f, SchoolScore& s, Why& why) {
    const FeatureTable& schools = *l.in.schools;
    double sum = 0, wsum = 0;
    std::string strongest;
    double strongest_v = -1;
    for (const auto& [nf, fi] : l.need_fields) {
        const Value& v = f.values[static_cast<std::size_t>(fi)];
        double score;
        if (nf->transform == "flag") {
            if (is_null(v)) {
                score = 0; // listed schools carry the flag; absence means not listed
            } else {
                const auto num = number_of(schools, f, fi);
                const std::string t = as_text(v);
                score = num ? (*num != 0 ? 1.0 : 0.0) : (t.empty() || t == "false" || t == "no" ? 0.0 : 1.0);
            }
        } else {
            const auto num = number_of(schools, f, fi);
            if (!num) continue;
            score = std::clamp((*num - nf->min) / (nf->max - nf->min), 0.0, 1.0);
        }
        sum += nf->weight * score;
        wsum += nf->weight;
        if (nf->weight * score > strongest_v) {
            strongest_v = nf->weight * score;
            const auto num = number_of(schools, f, fi);
            const std::string shown = !num ? as_text(v) : *num == std::round(*num) ? fmt(*num) : fmt(*num, 1);
            strongest = nf->field + " " + shown;
        }
    }
    if (wsum > 0) {
        s.score[2] = sum / wsum;
        why[2] = strongest;
    }
}

/// Remit flags: hub types with no hub or several, and a trust based in another authority.
void score_remit(const IndexLookups& l, const Feature& f, SchoolScore& s, Why& why) {
    if (!l.in.school_remits) return;
    const Parameters& params = l.params;
    const auto it = l.remits.find(s.urn);
    double score = 0;
    std::vector<std::string> flags;
    std::size_t missing = 0;
    for (const auto& t : l.types) {
        const std::set<std::string>* hubs = nullptr;
        if (it != l.remits.end())
            if (auto jt = it->second.find(t); jt != it->second.end()) hubs = &jt->second;
        if (!hubs || hubs->empty()) {
            ++missing;
            flags.push_back("no " + t);
        } else {
            for (const auto& h : *hubs) s.hub_ids.push_back(h);
            if (hubs->size() > 1) {
                score += params.remit_conflicting;
                flags.push_back(std::to_string(hubs->size()) + " " + t + "s");
            }
        }
    }
    if (!l.types.empty()) score += params.remit_no_hub * static_cast<double>(missing) / static_cast<double>(l.types.size());
    if (l.has_trusts()) {
        const std::string trust = text_of(*l.in.schools, f, l.fields.trust);
        if (auto h = l.trust_home.find(trust); h != l.trust_home.end() && h->second != s.la_code) {
            score += params.remit_non_local_trust;
            flags.push_back("trust based in LA " + h->second);
        }
    }
    s.score[4] = std::min(1.0, score);
    std::ostringstream w;
    for (std::size_t i = 0; i < flags.size(); ++i) w << (i ? ", " : "") << flags[i];
    why[4] = flags.empty() ? "one hub of each type" : w.str();
}

/// Engagement by authority.
void score_engagement(const IndexLookups& l, const Feature& f, SchoolScore& s, Why& why) {
    if (l.engagement.empty()) return;
    if (auto it = l.engagement.find(text_of(*l.in.schools, f, l.f_eng_key)); it != l.engagement.end()) {
        s.score[5] = it->second;
        why[5] = "engagement percentile " + fmt(100 * (1 - it->second)) + " in " + l.params.engagement_field;
    }
}

/// The index: contributions of the components with input, reweighted to sum to 100 at worst;
/// the reasons: the three largest non-zero contributions.
void combine(const std::array<double, kComponentCount>& weights, const Why& why, SchoolScore& s) {
    double wavail = 0;
    for (std::size_t c = 0; c < kComponentCount; ++c)
        if (!std::isnan(s.score[c])) wavail += weights[c];
    if (wavail > 0) {
        s.index = 0;
        for (std::size_t c = 0; c < kComponentCount; ++c)
            if (!std::isnan(s.score[c])) {
                s.contribution[c] = 100.0 * weights[c] * s.score[c] / wavail;
                s.index += s.contribution[c];
            }
    } else {
        s.index = kNaN;
    }
    std::vector<std::size_t> order;
    for (std::size_t c = 0; c < kComponentCount; ++c)
        if (!std::isnan(s.contribution[c]) && s.contribution[c] > 0) order.push_back(c);
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return s.contribution[a] > s.contribution[b]; });
    std::ostringstream reasons;
    for (std::size_t k = 0; k < order.size() && k < 3; ++k)
        reasons << (k ? "; " : "") << to_string(kComponents[order[k]]) << " +" << fmt(s.contribution[order[k]], 1) << " ("
                << why[order[k]] << ")";
    s.reasons = reasons.str();
}

} // namespace

IndexResult compute_index(const IndexInputs& in, const Parameters& params) {
    if (!in.schools) throw WorkspaceError("the cold-spot index needs the `schools` layer");
    IndexResult result;
    IndexLookups l(in, params, result.notes);
    find_hub_types(l);
    result.hub_types.assign(l.types.begin(), l.types.end());
    read_access(l);
    read_areas(l);
    find_need_fields(l);
    read_remits(l);
    read_engagement(l);

    const std::array<double, kComponentCount> weights{params.w_access, params.w_deprivation, params.w_need,
                                                      params.w_rurality, params.w_remit,  params.w_engagement};
    result.schools.reserve(in.schools->features.size());
    for (const auto& f : in.schools->features) {
        SchoolScore s = school_identity(l, f);
        Why why(kComponentCount);
        score_access(l, s, why);
        score_area(l, s, why);
        score_need(l, f, s, why);
        score_remit(l, f, s, why);
        score_engagement(l, f, s, why);
        combine(weights, why, s);
        result.schools.push_back(std::move(s));
    }
    return result;
}

} // namespace coldspot::geo::coldspots
