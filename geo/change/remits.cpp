// Remits: for each district of the NEW study area and each hub type, the hubs listing it in the
// OLD and the NEW hub tables, whether the hub changed, and the gaps and overlaps that opened or
// closed. A district absent from a table declared partial is "unknown", never a guess.
#include "sections.hpp"

#include <algorithm>

namespace coldspot::geo::change::detail {

namespace {

struct Listing {
    std::string hub_id, name, part;
    std::optional<std::int64_t> lead;
};

/// (hub type, district) -> the hubs listing it.
using Listings = std::map<std::pair<std::string, std::string>, std::vector<Listing>>;

Listings listings_of(const Vintage& v) {
    Listings out;
    if (!v.hubs || !v.hub_districts) return out;
    std::map<std::string, const Feature*> hub_by_id;
    for (const auto& f : v.hubs->features) hub_by_id[text(*v.hubs, f, model::hub::hub_id)] = &f;
    const FeatureTable& hd = *v.hub_districts;
    for (const auto& f : hd.features) {
        const std::string lad = text(hd, f, model::school::lad_code);
        Listing l{text(hd, f, model::hub::hub_id), "", "whole", std::nullopt};
        if (const auto it = hub_by_id.find(l.hub_id); it != hub_by_id.end()) {
            l.name = text(*v.hubs, *it->second, "name");
            // The hubs layer's partial_districts is the importer's reading of the part column.
            const std::string partial = ";" + text(*v.hubs, *it->second, model::hub::partial_districts) + ";";
            if (partial.find(";" + lad + ";") != std::string::npos) l.part = "part";
            if (const auto lead = number(*v.hubs, *it->second, model::hub::lead_urn)) l.lead = static_cast<std::int64_t>(*lead);
        }
        out[{text(hd, f, model::hub::hub_type), lad}].push_back(std::move(l));
    }
    return out;
}

/// Same hub: the same name (hub_name_key) or the same lead school.
bool same_hub(const Listing& a, const Listing& b) {
    return (!a.name.empty() && hub_name_key(a.name) == hub_name_key(b.name)) || (a.lead && b.lead && *a.lead == *b.lead);
}

bool same_hubs(const std::vector<Listing>& a, const std::vector<Listing>& b) {
    const auto covered = [](const std::vector<Listing>& x, const std::vector<Listing>& y) {
        return std::all_of(x.begin(), x.end(), [&](const Listing& l) {
            return std::any_of(y.begin(), y.end(), [&](const Listing& m) { return same_hub(l, m); });
        });
    };
    return covered(a, b) && covered(b, a);
}

/// Two or more hubs listing the whole district (a documented split into parts is not an overlap).
bool overlapping(const std::vector<Listing>& l) {
    return std::count_if(l.begin(), l.end(), [](const Listing& x) { return x.part == "whole"; }) >= 2;
}

std::string transition(std::optional<bool> was, std::optional<bool> is) {
    if (!was || !is) return "unknown";
    if (*was && *is) return "persists";
    if (*was) return "closed";
    if (*is) return "opened";
    return "none";
}

std::string field_of(const std::vector<Listing>& l, std::string (*get)(const Listing&)) {
    std::vector<std::string> parts;
    parts.reserve(l.size());
    for (const auto& x : l) parts.push_back(get(x));
    return join(parts, "; ");
}

} // namespace

std::map<std::string, std::vector<std::string>> compare_remits(const Vintage& o, const Vintage& n, const ChangeOptions& opt, ChangeOutput& out) {
    std::map<std::string, std::vector<std::string>> result;
    if (!n.hubs || !o.hubs || !n.local_authorities) {
        out.note("remits", "no remit change: a workspace has no hubs layer, or NEW has no local_authorities");
        return result;
    }
    const Listings ol = listings_of(o), nl = listings_of(n);
    std::set<std::string> types;
    for (const auto* l : {&ol, &nl})
        for (const auto& [key, v] : *l) types.insert(key.first);
    const FeatureTable& lads = *n.local_authorities;
    std::set<std::string> study;
    for (const auto& f : lads.features) study.insert(text(lads, f, "code"));
    std::vector<std::string> outside;
    for (const auto& [key, v] : ol)
        if (!study.count(key.second)) outside.push_back(key.second);
    if (!outside.empty())
        out.note("remits", "OLD hub table lists " + std::to_string(outside.size()) + " districts outside the NEW study area (" + join(outside, ", ") +
                               "); they are left out");

    FeatureTable t{"change_remits", "per district of the NEW study area and hub type: the OLD and NEW hubs, whether the hub changed, gaps and overlaps",
                   GeometryType::MultiPolygon, lads.epsg, {}, {}};
    t.fields = {{model::school::lad_code, FieldType::String},    {"name", FieldType::String},           {model::hub::hub_type, FieldType::String},
                {"old_hubs", FieldType::String},    {"old_lead_urns", FieldType::String},  {"old_parts", FieldType::String},
                {"new_hub_ids", FieldType::String}, {"new_hubs", FieldType::String},       {"new_lead_urns", FieldType::String},
                {"new_parts", FieldType::String},   {"status", FieldType::String},         {"gap_change", FieldType::String},
                {"overlap_change", FieldType::String}};
    std::int64_t fid = 0;
    for (const auto& f : lads.features) {
        const std::string lad = text(lads, f, "code");
        for (const auto& type : types) {
            static const std::vector<Listing> none;
            const auto oi = ol.find({type, lad});
            const auto ni = nl.find({type, lad});
            const auto& was = oi == ol.end() ? none : oi->second;
            const auto& is = ni == nl.end() ? none : ni->second;
            const bool old_known = !was.empty() || opt.old_hubs_complete, new_known = !is.empty() || opt.new_hubs_complete;
            std::string status;
            if (!old_known || !new_known) status = "unknown";
            else if (was.empty() && is.empty()) status = "none";
            else if (was.empty()) status = "gained";
            else if (is.empty()) status = "lost";
            else status = same_hubs(was, is) ? "same" : "changed";
            const auto opt_bool = [](bool known, bool v) { return known ? std::optional<bool>(v) : std::nullopt; };
            Feature row;
            row.fid = ++fid;
            row.geometry = f.geometry;
            row.values = {lad, text(lads, f, "name"), type,
                          field_of(was, [](const Listing& l) { return l.name; }),
                          field_of(was, [](const Listing& l) { return l.lead ? std::to_string(*l.lead) : std::string(); }),
                          field_of(was, [](const Listing& l) { return l.part; }),
                          field_of(is, [](const Listing& l) { return l.hub_id; }),
                          field_of(is, [](const Listing& l) { return l.name; }),
                          field_of(is, [](const Listing& l) { return l.lead ? std::to_string(*l.lead) : std::string(); }),
                          field_of(is, [](const Listing& l) { return l.part; }),
                          status,
                          transition(opt_bool(old_known, was.empty()), opt_bool(new_known, is.empty())),
                          transition(opt_bool(old_known, overlapping(was)), opt_bool(new_known, overlapping(is)))};
            t.features.push_back(std::move(row));
            ++out.counts["districts_" + status];
            result[lad].push_back(type + ": " + status);
        }
    }
    std::vector<std::string> changed;
    for (const auto& f : t.features)
        if (text(t, f, "status") == "changed") changed.push_back(text(t, f, model::school::lad_code));
    out.note("remits", std::to_string(changed.size()) + " districts changed hub (" + join(changed, ", ") + "), " +
                           std::to_string(out.counts["districts_unknown"]) + " unknown" +
                           (opt.old_hubs_complete ? "" : " (the OLD hub table is not declared complete: a district it does not list is unknown)"));
    out.layers.push_back(std::move(t));
    return result;
}

} // namespace coldspot::geo::change::detail
