// "Since 2019/2021" figures per hub and per authority, for the dashboards (/hubs/{id} and
// /authorities/{code} attach them as `since`).
#include "sections.hpp"

namespace coldspot::geo::change::detail {

namespace {

/// The counters every dashboard row carries.
struct Tally {
    long long areas = 0, deprived_old = 0, deprived_new = 0, entered = 0, left = 0, areas_unknown = 0;
    long long opened = 0, closed = 0, hub_changed = 0;
    std::map<std::string, long long> coldspot;

    void add_area(const AreaChange& a, int deciles) {
        ++areas;
        if (a.old_decile && *a.old_decile <= deciles) ++deprived_old;
        if (a.new_decile && *a.new_decile <= deciles) ++deprived_new;
        entered += a.transition == "entered";
        left += a.transition == "left";
        areas_unknown += a.transition == "unknown";
    }
    void add_school(const SchoolChange& s) {
        opened += s.status == "opened";
        closed += s.status == "closed";
        hub_changed += s.hub_change == "changed" || s.hub_change == "joined" || s.hub_change == "left";
        if (s.status != "closed") ++coldspot[s.coldspot];
    }
};

const char* const kColdspotClasses[] = {"new", "persistent", "intensifying", "diminishing", "no_longer", "unknown"};

/// The counter columns, each a field name and its Tally member: the schema and the values both come
/// from this one list.
struct CounterColumn {
    const char* name;
    long long Tally::*count;
};
constexpr CounterColumn kCounterColumns[] = {
    {"areas", &Tally::areas},           {"areas_deprived_old", &Tally::deprived_old},
    {"areas_deprived_new", &Tally::deprived_new}, {"areas_entered", &Tally::entered},
    {"areas_left", &Tally::left},       {"areas_unknown", &Tally::areas_unknown},
    {"schools_opened", &Tally::opened}, {"schools_closed", &Tally::closed},
    {"schools_hub_changed", &Tally::hub_changed}};

void add_tally_fields(FeatureTable& t) {
    for (const auto& c : kCounterColumns) t.fields.push_back({c.name, FieldType::Integer});
    for (const char* c : kColdspotClasses) t.fields.push_back({std::string("coldspot_") + c, FieldType::Integer});
}

void append_tally(std::vector<Value>& v, const Tally& t) {
    for (const auto& c : kCounterColumns) v.emplace_back(std::int64_t{t.*c.count});
    for (const char* c : kColdspotClasses) {
        const auto it = t.coldspot.find(c);
        v.emplace_back(std::int64_t{it == t.coldspot.end() ? 0 : it->second});
    }
}

std::map<std::string, std::string> area_upper_tier(const Vintage& n) {
    std::map<std::string, std::string> out;
    if (!n.areas || !n.upper_tier) return out;
    const PolygonLayer utla(*n.upper_tier, "code");
    for (const auto& f : n.areas->features)
        if (const auto* mp = std::get_if<MultiPolygon>(&f.geometry)) out[text(*n.areas, f, "code")] = utla.locate(inner_point(*mp), 2000);
    return out;
}

/// Every hub's tally in one pass over the areas and one over the schools (a pass per hub took
/// 20 s on England: 87 hubs x 33,755 areas).
std::map<std::string, Tally> hub_tallies(const std::map<std::string, std::set<std::string>>& districts, int deciles,
                                         const std::map<std::string, AreaChange>& areas, const std::map<std::int64_t, SchoolChange>& schools) {
    std::map<std::string, std::vector<std::string>> hubs_of; // district -> hubs
    for (const auto& [hub, lads] : districts)
        for (const auto& lad : lads) hubs_of[lad].push_back(hub);
    std::map<std::string, Tally> out;
    for (const auto& [code, a] : areas)
        if (const auto it = hubs_of.find(a.lad_code); it != hubs_of.end())
            for (const auto& hub : it->second) out[hub].add_area(a, deciles);
    for (const auto& [urn, s] : schools) {
        const std::set<std::string> ids(s.new_hub_ids.begin(), s.new_hub_ids.end()); // a hub counts a school once
        for (const auto& id : ids) out[id].add_school(s);
    }
    return out;
}

const Tally& tally_of(const std::map<std::string, Tally>& tallies, const std::string& key) {
    static const Tally none;
    const auto it = tallies.find(key);
    return it == tallies.end() ? none : it->second;
}

void hub_dashboard(const Vintage& n, const ChangeOptions& opt, const std::map<std::string, AreaChange>& areas,
                   const std::map<std::string, std::vector<std::string>>& remits, const std::map<std::int64_t, SchoolChange>& schools,
                   ChangeOutput& out) {
    if (!n.hubs) return;
    std::map<std::string, std::set<std::string>> districts; // hub -> districts
    if (n.hub_districts)
        for (const auto& f : n.hub_districts->features)
            districts[text(*n.hub_districts, f, model::hub::hub_id)].insert(text(*n.hub_districts, f, model::school::lad_code));
    const auto tallies = hub_tallies(districts, opt.deprived_deciles, areas, schools);
    FeatureTable t{"change_hub_dashboard", "per hub of the NEW vintage: what changed in its footprint " + opt.since_label, GeometryType::None, 0, {}, {}};
    t.fields = {{model::hub::hub_id, FieldType::String}, {"name", FieldType::String}, {"since", FieldType::String}};
    add_tally_fields(t);
    t.fields.push_back({"districts_changed", FieldType::Integer});
    t.fields.push_back({"districts_unknown", FieldType::Integer});
    std::int64_t fid = 0;
    for (const auto& f : n.hubs->features) {
        const std::string id = text(*n.hubs, f, model::hub::hub_id), type = text(*n.hubs, f, model::hub::hub_type);
        long long changed = 0, unknown = 0;
        for (const auto& lad : districts[id]) {
            const auto it = remits.find(lad);
            if (it == remits.end()) continue;
            for (const auto& s : it->second) {
                changed += s == type + ": changed";
                unknown += s == type + ": unknown";
            }
        }
        Feature row;
        row.fid = ++fid;
        row.values = {id, text(*n.hubs, f, "name"), opt.since_label};
        append_tally(row.values, tally_of(tallies, id));
        row.values.emplace_back(std::int64_t{changed});
        row.values.emplace_back(std::int64_t{unknown});
        t.features.push_back(std::move(row));
    }
    out.layers.push_back(std::move(t));
}

void la_dashboard(const Vintage& n, const ChangeOptions& opt, const std::map<std::string, AreaChange>& areas,
                  const std::map<std::string, std::vector<std::string>>& remits, const std::map<std::int64_t, SchoolChange>& schools,
                  const std::map<std::string, EngagementChange>& engagement, ChangeOutput& out) {
    FeatureTable t{"change_la_dashboard", "per district and upper-tier authority of the NEW vintage: what changed " + opt.since_label,
                   GeometryType::None, 0, {}, {}};
    t.fields = {{"level", FieldType::String}, {model::school::la_code, FieldType::String}, {model::school::la_name, FieldType::String}, {"since", FieldType::String}};
    add_tally_fields(t);
    for (const char* name : {"remit_change"}) t.fields.push_back({name, FieldType::String});
    for (const char* name : {"engagement_old_rate", "engagement_new_rate", "engagement_rate_change"}) t.fields.push_back({name, FieldType::Real});
    // Every authority's tally in one pass (a pass per authority took seconds on England).
    const auto area_utla = area_upper_tier(n);
    std::map<std::string, Tally> by_district, by_upper_tier;
    for (const auto& [area, a] : areas) {
        by_district[a.lad_code].add_area(a, opt.deprived_deciles);
        if (const auto u = area_utla.find(area); u != area_utla.end()) by_upper_tier[u->second].add_area(a, opt.deprived_deciles);
    }
    for (const auto& [urn, s] : schools) {
        by_district[s.lad_code].add_school(s);
        by_upper_tier[s.utla_code].add_school(s);
    }
    std::int64_t fid = 0;
    const auto add = [&](const std::optional<FeatureTable>& layer, const char* level) {
        if (!layer) return;
        const bool district = std::string(level) == "district";
        for (const auto& f : layer->features) {
            const std::string code = text(*layer, f, "code");
            const Tally& tally = tally_of(district ? by_district : by_upper_tier, code);
            Feature row;
            row.fid = ++fid;
            row.values = {std::string(level), code, text(*layer, f, "name"), opt.since_label};
            append_tally(row.values, tally);
            const auto r = remits.find(code);
            row.values.push_back(district && r != remits.end() ? Value(join(r->second, "; ")) : Value());
            const auto e = engagement.find(code);
            const bool has_e = !district && e != engagement.end();
            const EngagementChange none;
            const EngagementChange& ec = has_e ? e->second : none;
            row.values.push_back(opt_value(ec.old_rate));
            row.values.push_back(opt_value(ec.new_rate));
            row.values.push_back(opt_value(ec.old_rate && ec.new_rate ? std::optional<double>(*ec.new_rate - *ec.old_rate) : std::nullopt));
            t.features.push_back(std::move(row));
        }
    };
    add(n.local_authorities, "district");
    add(n.upper_tier, "upper_tier");
    if (!t.features.empty()) out.layers.push_back(std::move(t));
}

} // namespace

void write_dashboards(const Vintage& n, const ChangeOptions& opt, const std::map<std::string, AreaChange>& areas,
                      const std::map<std::string, std::vector<std::string>>& remits, const std::map<std::int64_t, SchoolChange>& schools,
                      const std::map<std::string, EngagementChange>& engagement, ChangeOutput& out) {
    hub_dashboard(n, opt, areas, remits, schools, out);
    la_dashboard(n, opt, areas, remits, schools, engagement, out);
}

} // namespace coldspot::geo::change::detail
