// Schools: opened, closed, changed phase or trust, moved into or out of a hub footprint or a
// deprivation decile, and their cold-spot class in both vintages.
#include "sections.hpp"

#include <algorithm>

namespace coldspot::geo::change::detail {

namespace {

constexpr double kSnapM = 2000; // as the importer: points just outside generalised coastlines

struct HubRef {
    std::string id, key;
    std::optional<std::int64_t> lead;
};

std::vector<HubRef> hubs_at(const std::optional<PolygonLayer>& layer, const Point& p) {
    std::vector<HubRef> out;
    if (!layer) return out;
    const FeatureTable& t = *layer->table;
    for (std::size_t row : layer->locate_all(p)) {
        const Feature& f = t.features[row];
        HubRef h{text(t, f, model::hub::hub_id), hub_name_key(text(t, f, "name")), std::nullopt};
        if (const auto lead = number(t, f, model::hub::lead_urn)) h.lead = static_cast<std::int64_t>(*lead);
        out.push_back(std::move(h));
    }
    return out;
}

bool same_hub_sets(const std::vector<HubRef>& a, const std::vector<HubRef>& b) {
    const auto covered = [](const std::vector<HubRef>& x, const std::vector<HubRef>& y) {
        return std::all_of(x.begin(), x.end(), [&](const HubRef& h) {
            return std::any_of(y.begin(), y.end(), [&](const HubRef& g) { return h.key == g.key || (h.lead && g.lead && *h.lead == *g.lead); });
        });
    };
    return covered(a, b) && covered(b, a);
}

std::string hub_change(const std::vector<HubRef>& was, const std::vector<HubRef>& is, const ChangeOptions& opt) {
    if ((was.empty() && !opt.old_hubs_complete) || (is.empty() && !opt.new_hubs_complete)) return "unknown";
    if (was.empty() && is.empty()) return "none";
    if (was.empty()) return "joined";
    if (is.empty()) return "left";
    return same_hub_sets(was, is) ? "same" : "changed";
}

std::map<std::int64_t, const Feature*> by_urn(const std::optional<FeatureTable>& t) {
    std::map<std::int64_t, const Feature*> out;
    if (!t) return out;
    for (const auto& f : t->features) {
        const auto urn = number(*t, f, model::school::urn);
        out[urn ? static_cast<std::int64_t>(*urn) : f.fid] = &f;
    }
    return out;
}

ColdClass cold_class(const std::optional<FeatureTable>& t, const std::map<std::int64_t, const Feature*>& rows, std::int64_t urn) {
    const auto it = rows.find(urn);
    if (!t || it == rows.end()) return {};
    const auto cold = number(*t, *it->second, model::coldspot::cold_spot);
    const auto bin = number(*t, *it->second, model::coldspot::gi_bin);
    if (!cold) return {};
    return ColdClass{true, *cold > 0, bin ? static_cast<int>(*bin) : 0};
}

std::string trust_of(const std::optional<FeatureTable>& t, const Feature* f) {
    if (!f) return {};
    const std::string uid = text(*t, *f, model::school::trust_uid);
    return uid.empty() ? text(*t, *f, model::school::trust_name) : uid;
}

std::optional<int> decile_at(const std::optional<PolygonLayer>& areas, const Point& p) {
    if (!areas) return std::nullopt;
    const auto row = areas->locate_row(p, kSnapM);
    if (!row) return std::nullopt;
    const auto d = number(*areas->table, areas->table->features[*row], model::area::imd_decile);
    return d ? std::optional<int>(static_cast<int>(*d)) : std::nullopt;
}

std::string ids(const std::vector<HubRef>& hubs) {
    std::vector<std::string> out;
    out.reserve(hubs.size());
    for (const auto& h : hubs) out.push_back(h.id);
    return join(out);
}

std::optional<PolygonLayer> layer_of(const std::optional<FeatureTable>& t, const char* key) {
    if (!t) return std::nullopt;
    return std::optional<PolygonLayer>(std::in_place, *t, key);
}

} // namespace

std::map<std::int64_t, SchoolChange> compare_schools(const Vintage& o, const Vintage& n, const ChangeOptions& opt, ChangeOutput& out) {
    std::map<std::int64_t, SchoolChange> result;
    if (!o.schools || !n.schools) {
        out.note("schools", "no school change: " + std::string(!n.schools ? "NEW" : "OLD") + " has no schools layer");
        return result;
    }
    const auto olds = by_urn(o.schools), news = by_urn(n.schools);
    const auto old_cold = by_urn(o.coldspots_schools), new_cold = by_urn(n.coldspots_schools);
    const auto old_areas = layer_of(o.areas, "code"), new_areas = layer_of(n.areas, "code");
    const auto old_hubs = layer_of(o.hubs, model::hub::hub_id), new_hubs = layer_of(n.hubs, model::hub::hub_id);
    const auto lads = layer_of(n.local_authorities, "code"), utlas = layer_of(n.upper_tier, "code");
    const auto has_trusts = [](const FeatureTable& t) { return t.field_index(model::school::trust_uid) >= 0 || t.field_index(model::school::trust_name) >= 0; };
    const bool trusts = has_trusts(*o.schools) && has_trusts(*n.schools);
    if (!trusts)
        out.warn("schools", std::string(has_trusts(*o.schools) ? "NEW" : "OLD") +
                                " has no trust membership, so trust changes are unknown (trust_changed is NULL), not 'no change'");
    std::set<std::int64_t> urns;
    for (const auto* m : {&olds, &news})
        for (const auto& [urn, f] : *m) urns.insert(urn);

    FeatureTable t{"change_schools",
                   "every school of either vintage: opened, closed or continuing; phase, trust, hub footprint, deprivation decile and cold-spot "
                   "class in both vintages",
                   GeometryType::Point, n.schools->epsg, {}, {}};
    t.fields = {{model::school::urn, FieldType::Integer},        {"name", FieldType::String},          {"status", FieldType::String},
                {"old_phase", FieldType::String},   {"new_phase", FieldType::String},     {"phase_changed", FieldType::Integer},
                {"old_trust", FieldType::String},   {"new_trust", FieldType::String},     {"trust_changed", FieldType::Integer},
                {"old_hub_ids", FieldType::String}, {"new_hub_ids", FieldType::String},   {"hub_change", FieldType::String},
                {"old_decile", FieldType::Integer}, {"new_decile", FieldType::Integer},   {"deprived_change", FieldType::String},
                {"old_cold_spot", FieldType::Integer}, {"new_cold_spot", FieldType::Integer}, {"old_gi_bin", FieldType::Integer},
                {"new_gi_bin", FieldType::Integer}, {"coldspot_change", FieldType::String}};
    for (const std::int64_t urn : urns) {
        const auto oi = olds.find(urn), ni = news.find(urn);
        const Feature* of = oi == olds.end() ? nullptr : oi->second;
        const Feature* nf = ni == news.end() ? nullptr : ni->second;
        const Point* op = of ? std::get_if<Point>(&of->geometry) : nullptr;
        const Point* np = nf ? std::get_if<Point>(&nf->geometry) : nullptr;
        const Point* here = np ? np : op;
        if (!here) continue;
        SchoolChange sc;
        sc.status = of && nf ? "continuing" : (nf ? "opened" : "closed");
        const bool both = of && nf;
        const auto was = op ? hubs_at(old_hubs, *op) : std::vector<HubRef>{};
        const auto is = hubs_at(new_hubs, *here);
        for (const auto& h : is) sc.new_hub_ids.push_back(h.id);
        sc.hub_change = both ? hub_change(was, is, opt) : "";
        const auto od = op ? decile_at(old_areas, *op) : std::nullopt;
        const auto nd = np ? decile_at(new_areas, *np) : std::nullopt;
        sc.deprived = both ? deprived_transition(od, nd, opt.deprived_deciles) : "";
        const ColdClass oc = cold_class(o.coldspots_schools, old_cold, urn), nc = cold_class(n.coldspots_schools, new_cold, urn);
        sc.coldspot = coldspot_change(oc, nc);
        if (lads) sc.lad_code = lads->locate(*here, kSnapM);
        if (utlas) sc.utla_code = utlas->locate(*here, kSnapM);
        const std::string ophase = of ? text(*o.schools, *of, model::school::phase) : "", nphase = nf ? text(*n.schools, *nf, model::school::phase) : "";
        const std::string otrust = trust_of(o.schools, of), ntrust = trust_of(n.schools, nf);
        Feature row;
        row.fid = urn;
        row.geometry = *here;
        const auto known_int = [](const ColdClass& c, std::int64_t v) { return c.known ? Value(v) : Value(); };
        row.values = {urn, nf ? text(*n.schools, *nf, "name") : text(*o.schools, *of, "name"), sc.status, ophase, nphase,
                      both ? Value(std::int64_t{ophase != nphase}) : Value(), otrust, ntrust,
                      both && trusts ? Value(std::int64_t{otrust != ntrust}) : Value(), ids(was), ids(is), sc.hub_change, opt_int(od), opt_int(nd),
                      sc.deprived, known_int(oc, oc.cold), known_int(nc, nc.cold), known_int(oc, oc.bin), known_int(nc, nc.bin), sc.coldspot};
        ++out.counts["schools_" + sc.status];
        if (both && ophase != nphase) ++out.counts["schools_phase_changed"];
        if (both && trusts && otrust != ntrust) ++out.counts["schools_trust_changed"];
        if (both) ++out.counts["schools_hub_" + sc.hub_change];
        ++out.counts["schools_coldspot_" + sc.coldspot];
        t.features.push_back(std::move(row));
        result.emplace(urn, std::move(sc));
    }
    out.note("schools", std::to_string(out.counts["schools_opened"]) + " schools opened, " + std::to_string(out.counts["schools_closed"]) +
                            " closed, " + std::to_string(out.counts["schools_continuing"]) + " in both vintages (" +
                            std::to_string(out.counts["schools_phase_changed"]) + " changed phase, " +
                            std::to_string(out.counts["schools_trust_changed"]) + " changed trust)");
    if (!o.coldspots_schools || !n.coldspots_schools)
        out.warn("coldspots", "no cold-spot class for schools: " + std::string(!n.coldspots_schools ? "NEW" : "OLD") +
                                  " has no coldspots_schools layer (run `coldspot coldspots` on it first); every school's change is 'unknown'");
    out.layers.push_back(std::move(t));
    return result;
}

} // namespace coldspot::geo::change::detail
