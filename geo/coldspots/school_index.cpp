#include "coldspot/geo/coldspots/school_index.hpp"

#include "coldspot/geo/error.hpp"

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

} // namespace

IndexResult compute_index(const IndexInputs& in, const Parameters& params) {
    if (!in.schools) throw WorkspaceError("the cold-spot index needs the `schools` layer");
    const FeatureTable& schools = *in.schools;
    IndexResult result;
    const auto note = [&](std::string s) { result.notes.push_back(std::move(s)); };

    const std::size_t f_urn = schools.require_field("urn");
    const int f_name = schools.field_index("name");
    const int f_lsoa = schools.field_index("lsoa_code");
    // The remits step's point-in-polygon LSOA, for schools whose source code is of another LSOA
    // vintage than the workspace's areas (a 2011-LSOA workspace fed a register with 2021 codes).
    const int f_remit_lsoa = schools.field_index("remit_lsoa_code");
    const int f_lad = schools.field_index("lad_code");
    const int f_la = schools.field_index("la_code");
    const int f_trust = schools.field_index("trust_uid");

    // ---- hub types: from parameters, else from the access rows, else from the venues.
    std::set<std::string> types(params.hub_types.begin(), params.hub_types.end());
    if (types.empty() && in.school_access) {
        const std::size_t ft = in.school_access->require_field("hub_type");
        for (const auto& f : in.school_access->features) types.insert(as_text(f.values[ft]));
    }
    std::map<std::string, std::vector<Point>> venues_by_type;
    if (in.hub_venues) {
        const std::size_t ft = in.hub_venues->require_field("hub_type");
        for (const auto& f : in.hub_venues->features)
            if (const auto* p = std::get_if<Point>(&f.geometry)) venues_by_type[as_text(f.values[ft])].push_back(*p);
        if (types.empty())
            for (const auto& [t, v] : venues_by_type) types.insert(t);
    }
    result.hub_types.assign(types.begin(), types.end());

    // ---- access: urn -> type -> (minutes, method)
    std::unordered_map<std::int64_t, std::map<std::string, std::pair<double, std::string>>> access;
    const bool have_access = in.school_access != nullptr;
    if (have_access) {
        const FeatureTable& sa = *in.school_access;
        const std::size_t fu = sa.require_field("urn"), ft = sa.require_field("hub_type"),
                          fr = sa.require_field("role"), fm = sa.require_field("minutes"),
                          fmeth = sa.require_field("method");
        for (const auto& f : sa.features) {
            if (as_text(f.values[fr]) != "nearest") continue;
            const auto urn = as_number(f.values[fu]);
            if (!urn) continue;
            const auto minutes = as_number(f.values[fm]);
            // No venue reachable at all counts as infinitely far (score 1).
            access[static_cast<std::int64_t>(*urn)][as_text(f.values[ft])] = {
                minutes.value_or(std::numeric_limits<double>::infinity()), as_text(f.values[fmeth])};
        }
    } else if (!venues_by_type.empty()) {
        note("school_access missing: access from straight-line distance x " + fmt(params.detour_factor, 2) + " at " +
             fmt(params.straight_line_kph) + " km/h to the nearest hub venue");
    } else {
        note("school_access and hub_venues missing: no access component");
    }
    if (types.empty() && (have_access || !venues_by_type.empty())) note("no hub types found: no access component");

    // ---- areas by LSOA code
    std::unordered_map<std::string, const Feature*> area_by_code;
    int a_dep = -1, a_rural = -1;
    if (in.areas) {
        const std::size_t fc = in.areas->require_field("code");
        for (const auto& f : in.areas->features) area_by_code[as_text(f.values[fc])] = &f;
        a_dep = in.areas->field_index(params.deprivation_field);
        a_rural = in.areas->field_index("rural");
        if (a_dep < 0) note("areas has no field '" + params.deprivation_field + "': no deprivation component");
        if (a_rural < 0) note("areas has no field 'rural': no rurality component");
    } else {
        note("areas missing: no deprivation or rurality component");
    }
    if (f_lsoa < 0 && f_remit_lsoa < 0 && in.areas) note("schools has no lsoa_code: no deprivation or rurality component");

    // ---- need fields present in the schools layer
    std::vector<std::pair<const NeedField*, int>> need_fields;
    for (const auto& nf : params.need) {
        const int fi = schools.field_index(nf.field);
        if (fi < 0)
            note("schools has no need field '" + nf.field + "': skipped");
        else
            need_fields.emplace_back(&nf, fi);
    }

    // ---- remits: urn -> type -> hub ids
    std::unordered_map<std::int64_t, std::map<std::string, std::set<std::string>>> remits;
    if (in.school_remits) {
        const FeatureTable& sr = *in.school_remits;
        const std::size_t fu = sr.require_field("urn"), fh = sr.require_field("hub_id"), ft = sr.require_field("hub_type");
        for (const auto& f : sr.features)
            if (const auto urn = as_number(f.values[fu]))
                remits[static_cast<std::int64_t>(*urn)][as_text(f.values[ft])].insert(as_text(f.values[fh]));
    } else {
        note("school_remits missing: no remit component");
    }
    // A trust's home authority: the one most of its schools are in.
    std::map<std::string, std::string> trust_home;
    if (f_trust >= 0 && f_la >= 0) {
        std::map<std::string, std::map<std::string, int>> counts;
        for (const auto& f : schools.features) {
            const std::string trust = text_of(schools, f, f_trust), la = text_of(schools, f, f_la);
            if (!trust.empty() && !la.empty()) ++counts[trust][la];
        }
        for (const auto& [trust, by_la] : counts)
            trust_home[trust] =
                std::max_element(by_la.begin(), by_la.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
    }

    // ---- engagement: key -> score (1 - percentile; low engagement scores high)
    std::unordered_map<std::string, double> engagement;
    const int f_eng_key = schools.field_index(params.engagement_school_key);
    if (in.engagement) {
        const int ek = in.engagement->field_index(params.engagement_key);
        const int ev = in.engagement->field_index(params.engagement_field);
        if (ek < 0 || ev < 0 || f_eng_key < 0) {
            note("engagement table lacks '" + params.engagement_key + "'/'" + params.engagement_field +
                 "' or schools lack '" + params.engagement_school_key + "': no engagement component");
        } else {
            std::vector<std::pair<double, std::string>> rows;
            for (const auto& f : in.engagement->features)
                if (const auto v = number_of(*in.engagement, f, ev)) rows.emplace_back(*v, text_of(*in.engagement, f, ek));
            std::sort(rows.begin(), rows.end());
            for (std::size_t i = 0; i < rows.size(); ++i) {
                // Mid-rank percentile so ties share a score.
                std::size_t j = i;
                while (j + 1 < rows.size() && rows[j + 1].first == rows[i].first) ++j;
                const double pct = rows.size() > 1 ? (static_cast<double>(i + j) / 2.0) / static_cast<double>(rows.size() - 1) : 0.5;
                for (std::size_t k = i; k <= j; ++k)
                    engagement[rows[k].second] = params.engagement_higher_is_better ? 1.0 - pct : pct;
                i = j;
            }
        }
    } else {
        note("engagement table '" + params.engagement_table + "' missing: no engagement component");
    }

    const std::array<double, kComponentCount> weights{params.w_access, params.w_deprivation, params.w_need,
                                                      params.w_rurality, params.w_remit,  params.w_engagement};
    result.schools.reserve(schools.features.size());
    for (const auto& f : schools.features) {
        SchoolScore s;
        const auto urn = as_number(f.values[f_urn]);
        if (!urn) throw InputError(InputLocation{"schools", 0, "urn"}, "school with fid " + std::to_string(f.fid) + " has no URN");
        s.urn = static_cast<std::int64_t>(*urn);
        s.name = text_of(schools, f, f_name);
        if (const auto* p = std::get_if<Point>(&f.geometry)) s.at = *p;
        s.lsoa_code = text_of(schools, f, f_lsoa);
        if (f_remit_lsoa >= 0 && !area_by_code.count(s.lsoa_code)) {
            const std::string own = text_of(schools, f, f_remit_lsoa);
            if (!own.empty()) s.lsoa_code = own;
        }
        s.lad_code = text_of(schools, f, f_lad);
        s.la_code = text_of(schools, f, f_la);
        s.score.fill(kNaN);
        s.contribution.fill(kNaN);
        std::vector<std::string> why(kComponentCount);

        // Access: mean over hub types of the minutes ramp.
        if (!types.empty()) {
            std::map<std::string, std::pair<double, std::string>> mine;
            if (have_access) {
                if (auto it = access.find(s.urn); it != access.end()) mine = it->second;
            } else if (!venues_by_type.empty()) {
                for (const auto& [t, m] : straight_line_minutes(s.at, venues_by_type, params)) mine[t] = {m, "straight_line"};
            }
            double sum = 0;
            int n = 0;
            std::string worst_type;
            double worst = -1;
            std::set<std::string> methods;
            for (const auto& t : types) {
                auto it = mine.find(t);
                // A type with no venue anywhere near (no row) is as bad as it gets.
                const double m = it == mine.end() ? std::numeric_limits<double>::infinity() : it->second.first;
                if (it != mine.end()) methods.insert(it->second.second);
                s.minutes[t] = m;
                sum += ramp(m, params.good_minutes, params.poor_minutes);
                ++n;
                if (m > worst) {
                    worst = m;
                    worst_type = t;
                }
            }
            if (n > 0 && !(have_access && mine.empty())) {
                s.score[0] = sum / n;
                s.access_method = methods.size() == 1 ? *methods.begin() : methods.empty() ? "" : "mixed";
                why[0] = std::isfinite(worst) ? fmt(worst) + " min to nearest " + worst_type + " venue"
                                              : "no " + worst_type + " venue reachable";
            }
        }
        // Deprivation and rurality from the school's LSOA.
        if (auto it = area_by_code.find(s.lsoa_code); it != area_by_code.end()) {
            if (const auto d = number_of(*in.areas, *it->second, a_dep)) {
                s.score[1] = std::clamp((10.0 - *d) / 9.0, 0.0, 1.0);
                why[1] = "IMD decile " + fmt(*d);
            }
            if (const auto r = number_of(*in.areas, *it->second, a_rural)) {
                s.score[3] = *r != 0 ? 1.0 : 0.0;
                why[3] = *r != 0 ? "rural LSOA" : "urban LSOA";
            }
        }
        // Need: weighted mean of the fields the school has a value for.
        {
            double sum = 0, wsum = 0;
            std::string strongest;
            double strongest_v = -1;
            for (const auto& [nf, fi] : need_fields) {
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
        // Remit flags.
        if (in.school_remits) {
            const auto it = remits.find(s.urn);
            double score = 0;
            std::vector<std::string> flags;
            std::size_t missing = 0;
            for (const auto& t : types) {
                const std::set<std::string>* hubs = nullptr;
                if (it != remits.end())
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
            if (!types.empty()) score += params.remit_no_hub * static_cast<double>(missing) / static_cast<double>(types.size());
            if (f_trust >= 0 && f_la >= 0) {
                const std::string trust = text_of(schools, f, f_trust);
                if (auto h = trust_home.find(trust); h != trust_home.end() && h->second != s.la_code) {
                    score += params.remit_non_local_trust;
                    flags.push_back("trust based in LA " + h->second);
                }
            }
            s.score[4] = std::min(1.0, score);
            std::ostringstream w;
            for (std::size_t i = 0; i < flags.size(); ++i) w << (i ? ", " : "") << flags[i];
            why[4] = flags.empty() ? "one hub of each type" : w.str();
        }
        // Engagement by authority.
        if (!engagement.empty()) {
            if (auto it = engagement.find(text_of(schools, f, f_eng_key)); it != engagement.end()) {
                s.score[5] = it->second;
                why[5] = "engagement percentile " + fmt(100 * (1 - it->second)) + " in " + params.engagement_field;
            }
        }

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
        // Reasons: the three largest non-zero contributions.
        std::vector<std::size_t> order;
        for (std::size_t c = 0; c < kComponentCount; ++c)
            if (!std::isnan(s.contribution[c]) && s.contribution[c] > 0) order.push_back(c);
        std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return s.contribution[a] > s.contribution[b]; });
        std::ostringstream reasons;
        for (std::size_t k = 0; k < order.size() && k < 3; ++k)
            reasons << (k ? "; " : "") << to_string(kComponents[order[k]]) << " +" << fmt(s.contribution[order[k]], 1) << " ("
                    << why[order[k]] << ")";
        s.reasons = reasons.str();
        result.schools.push_back(std::move(s));
    }
    return result;
}

} // namespace coldspot::geo::coldspots
