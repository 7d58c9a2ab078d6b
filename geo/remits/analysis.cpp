#include "coldspot/geo/detail/analysis_runs.hpp"
#include "coldspot/geo/remits/analysis.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/geos.hpp"
#include "coldspot/geo/workspace.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <unordered_map>

namespace coldspot::geo::remits {

RemitAnalysis analyse_remits(RemitInputs inputs, const RemitOptions& options) {
    options.validate();
    RemitAnalysis a;
    a.options = options;
    a.inputs = std::move(inputs);
    const RemitInputs& in = a.inputs;
    a.assignments = assign_schools(in, options);
    a.in_study_area = study_districts(in.districts, options.region);
    std::vector<MultiPolygon> parts;
    for (std::size_t d = 0; d < in.districts.size(); ++d)
        if (a.in_study_area[d]) parts.push_back(in.districts[d].geometry);
    a.overlay = overlay_remits(in.hubs, union_all(parts), options);
    tally_schools(a.overlay, in, a.assignments, a.in_study_area);
    a.dashboards = build_dashboards(in, a.assignments, options);
    a.records = one_stop_records(in, a.assignments, options);
    return a;
}

namespace {

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) {
        if (!out.empty()) out += ';';
        out += s;
    }
    return out;
}

Value opt_int(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(); }

/// A polygon result layer: leading key columns, then area_km2, the school tally and sliver_parts.
struct AreaLayer {
    FeatureTable table;
    AreaLayer(std::string name, std::string description, std::vector<geo::Field> key_fields)
        : table{std::move(name), std::move(description), GeometryType::MultiPolygon, 27700, std::move(key_fields), {}} {
        table.fields.push_back({"area_km2", FieldType::Real});
        for (const char* f : {model::dashboard::schools, "pupils", "schools_with_pupils", "deprived_schools", "sliver_parts"})
            table.fields.push_back({f, FieldType::Integer});
    }
    void add(const MultiPolygon& g, std::vector<Value> keys, double km2, const SchoolTally& t, int slivers) {
        Feature f;
        f.fid = static_cast<std::int64_t>(table.features.size()) + 1;
        f.geometry = g;
        f.values = std::move(keys);
        f.values.emplace_back(km2);
        f.values.emplace_back(std::int64_t{t.schools});
        f.values.emplace_back(t.pupils);
        f.values.emplace_back(std::int64_t{t.schools_with_pupils});
        f.values.emplace_back(std::int64_t{t.deprived_schools});
        f.values.emplace_back(std::int64_t{slivers});
        table.features.push_back(std::move(f));
    }
};

int sliver_parts(const RemitOverlay& o, const std::string& layer, const std::string& key) {
    int n = 0;
    for (const auto& s : o.slivers)
        if (s.layer == layer && s.key == key) ++n;
    return n;
}

/// school_remits: one row per school and hub whose remit covers it.
FeatureTable school_remits_table(const RemitAnalysis& a) {
    const RemitInputs& in = a.inputs;
    FeatureTable sr{model::layer::school_remits, "one row per school and hub whose remit covers it", GeometryType::None, 27700, {}, {}};
    sr.fields = {{model::remit::urn, FieldType::Integer}, {model::remit::hub_id, FieldType::String}, {model::remit::hub_type, FieldType::String},
                 {model::remit::hub_name, FieldType::String}, {"placement", FieldType::String},     {"snap_m", FieldType::Real},
                 {model::remit::lead_urn, FieldType::Integer}, {"lead_name", FieldType::String},     {"nearest_venue", FieldType::String},
                 {"nearest_venue_urn", FieldType::Integer}, {"nearest_venue_km", FieldType::Real}};
    std::int64_t fid = 0;
    for (const auto& r : a.records) {
        for (const auto& h : r.hubs) {
            const Hub& hub = in.hubs[h.hub];
            Feature f;
            f.fid = ++fid;
            f.values = {in.schools[r.school].urn, hub.id, hub.type, hub.name, std::string(to_string(h.placement)),
                        h.distance_m, opt_int(hub.lead_urn),
                        h.lead_school ? Value(in.schools[*h.lead_school].name) : Value(),
                        h.nearest_venue ? Value(in.venues[*h.nearest_venue].name) : Value(),
                        h.nearest_venue ? opt_int(in.venues[*h.nearest_venue].urn) : Value(),
                        h.nearest_venue ? Value(h.nearest_venue_km) : Value()};
            sr.features.push_back(std::move(f));
        }
    }
    return sr;
}

/// remit_zones, remit_gaps and remit_overlaps (with their sliver counts), then remit_slivers.
void append_overlay_tables(const RemitAnalysis& a, std::vector<FeatureTable>& out) {
    const RemitInputs& in = a.inputs;
    const RemitOverlay& o = a.overlay;
    AreaLayer zones(model::layer::remit_zones, "land covered by exactly one set of hubs (all types)",
                    {{"hub_ids", FieldType::String}, {"hub_count", FieldType::Integer}});
    for (const auto& z : o.zones) {
        const std::string key = hub_set_key(in.hubs, z.hubs);
        zones.add(z.geometry, {key, static_cast<std::int64_t>(z.hubs.size())}, z.area_km2, z.tally, sliver_parts(o, model::layer::remit_zones, key));
    }
    out.push_back(std::move(zones.table));

    AreaLayer gaps(model::layer::remit_gaps, "land in the study area covered by no hub of a type", {{model::hub::hub_type, FieldType::String}});
    for (const auto& g : o.gaps)
        gaps.add(g.geometry, {g.hub_type}, g.area_km2, g.tally, sliver_parts(o, model::layer::remit_gaps, g.hub_type));
    out.push_back(std::move(gaps.table));

    AreaLayer overlaps(model::layer::remit_overlaps, "land covered by two or more hubs of the same type",
                       {{model::hub::hub_type, FieldType::String}, {"hub_ids", FieldType::String}, {"hub_count", FieldType::Integer}});
    for (const auto& ov : o.overlaps) {
        const std::string key = hub_set_key(in.hubs, ov.hubs);
        overlaps.add(ov.geometry, {ov.hub_type, key, static_cast<std::int64_t>(ov.hubs.size())}, ov.area_km2, ov.tally,
                     sliver_parts(o, model::layer::remit_overlaps, ov.hub_type + ": " + key));
    }
    out.push_back(std::move(overlaps.table));

    FeatureTable slivers{model::layer::remit_slivers, "parts of zones, gaps and overlaps below the sliver threshold", GeometryType::MultiPolygon, 27700, {}, {}};
    slivers.fields = {{"layer", FieldType::String}, {"key", FieldType::String}, {"area_m2", FieldType::Real}};
    std::int64_t fid = 0;
    for (const auto& s : o.slivers) {
        Feature f;
        f.fid = ++fid;
        f.geometry = s.geometry;
        f.values = {s.layer, s.key, s.area_m2};
        slivers.features.push_back(std::move(f));
    }
    out.push_back(std::move(slivers));
}

/// hub_dashboard: per hub, schools, pupils, deprivation, rurality, sharing and footprint.
FeatureTable hub_dashboard_table(const RemitAnalysis& a) {
    const RemitInputs& in = a.inputs;
    FeatureTable hd{model::layer::hub_dashboard, "per hub: schools, pupils, deprivation, rurality, sharing, footprint", GeometryType::None, 27700, {}, {}};
    hd.fields = {{model::dashboard::hub_id, FieldType::String}, {model::dashboard::hub_type, FieldType::String}, {"name", FieldType::String},
                 {model::hub::lead_urn, FieldType::Integer}, {model::dashboard::schools, FieldType::Integer}, {"pupils", FieldType::Integer}};
    for (auto phase : kPhaseGroups) {
        hd.fields.push_back({"schools_" + std::string(phase), FieldType::Integer});
        hd.fields.push_back({"pupils_" + std::string(phase), FieldType::Integer});
    }
    for (const char* name : {"deprived_schools", "schools_with_imd"}) hd.fields.push_back({name, FieldType::Integer});
    hd.fields.push_back({"deprived_share", FieldType::Real});
    for (const char* name : {"rural_schools", "schools_with_rurality"}) hd.fields.push_back({name, FieldType::Integer});
    hd.fields.push_back({"rural_share", FieldType::Real});
    hd.fields.push_back({"shared_schools", FieldType::Integer});
    hd.fields.push_back({"area_km2", FieldType::Real});
    hd.fields.push_back({"authorities", FieldType::Integer});
    hd.fields.push_back({"authority_codes", FieldType::String});
    std::int64_t fid = 0;
    for (const auto& d : a.dashboards.hubs) {
        const Hub& hub = in.hubs[d.hub];
        Feature f;
        f.fid = ++fid;
        f.values = {hub.id, hub.type, hub.name, opt_int(hub.lead_urn), std::int64_t{d.schools}, d.pupils};
        for (const auto& p : d.by_phase) {
            f.values.emplace_back(std::int64_t{p.schools});
            f.values.emplace_back(p.pupils);
        }
        auto share = [](int n, int of) { return of > 0 ? Value(static_cast<double>(n) / of) : Value(); };
        f.values.emplace_back(std::int64_t{d.deprived_schools});
        f.values.emplace_back(std::int64_t{d.schools_with_imd});
        f.values.push_back(share(d.deprived_schools, d.schools_with_imd));
        f.values.emplace_back(std::int64_t{d.rural_schools});
        f.values.emplace_back(std::int64_t{d.schools_with_rurality});
        f.values.push_back(share(d.rural_schools, d.schools_with_rurality));
        f.values.emplace_back(std::int64_t{d.shared_schools});
        f.values.emplace_back(d.area_km2);
        std::vector<std::string> codes;
        for (std::size_t dist : d.districts) codes.push_back(in.districts[dist].code);
        f.values.emplace_back(static_cast<std::int64_t>(codes.size()));
        f.values.emplace_back(join(codes));
        hd.features.push_back(std::move(f));
    }
    return hd;
}

/// la_dashboard: per authority (district and upper tier) and hub type, the hubs serving it.
FeatureTable la_dashboard_table(const RemitAnalysis& a) {
    const RemitInputs& in = a.inputs;
    FeatureTable ld{model::layer::la_dashboard, "per authority (district and upper tier) and hub type: the hubs serving it and the share each covers",
                    GeometryType::None, 27700, {}, {}};
    ld.fields = {{"level", FieldType::String},       {model::dashboard::la_code, FieldType::String}, {model::dashboard::la_name, FieldType::String},
                 {model::dashboard::hub_type, FieldType::String}, {model::dashboard::hub_id, FieldType::String}, {model::remit::hub_name, FieldType::String},
                 {"covered_km2", FieldType::Real},   {"covered_share", FieldType::Real}, {model::dashboard::schools, FieldType::Integer},
                 {"schools_covered", FieldType::Integer}, {"in_study_area", FieldType::Integer}};
    std::int64_t fid = 0;
    for (const auto& c : a.dashboards.authorities) {
        const bool district = c.level == AuthorityLevel::District;
        const Area& la = district ? in.districts[c.authority] : in.upper_tier[c.authority];
        Feature f;
        f.fid = ++fid;
        // Upper-tier authorities are not part of the study-area definition (districts are).
        f.values = {std::string(to_string(c.level)), la.code, la.name, c.hub_type, c.hub ? Value(in.hubs[*c.hub].id) : Value(),
                    c.hub ? Value(in.hubs[*c.hub].name) : Value(), c.covered_km2, c.share, std::int64_t{c.schools},
                    std::int64_t{c.schools_covered},
                    district ? Value(std::int64_t{a.in_study_area[c.authority] ? 1 : 0}) : Value()};
        ld.features.push_back(std::move(f));
    }
    return ld;
}

} // namespace

std::vector<FeatureTable> result_layers(const RemitAnalysis& a) {
    std::vector<FeatureTable> out;
    out.push_back(school_remits_table(a));
    append_overlay_tables(a, out);
    out.push_back(hub_dashboard_table(a));
    out.push_back(la_dashboard_table(a));
    return out;
}

FeatureTable schools_with_remits(FeatureTable schools, const RemitAnalysis& a) {
    const RemitInputs& in = a.inputs;
    auto field = [&](const std::string& name, FieldType type) {
        const int i = schools.field_index(name);
        if (i >= 0) {
            schools.fields[i].type = type;
            for (auto& f : schools.features) f.values[i] = Value();
            return static_cast<std::size_t>(i);
        }
        return schools.add_field(name, type);
    };
    const std::size_t lsoa = field(model::remit::remit_lsoa_code, FieldType::String), lad = field(model::remit::remit_lad_code, FieldType::String),
                      utla = field(model::remit::remit_utla_code, FieldType::String), placement = field("remit_placement", FieldType::String),
                      snap = field("remit_snap_m", FieldType::Real);
    const auto types = hub_types(in.hubs);
    std::vector<std::size_t> type_cols;
    type_cols.reserve(types.size());
    for (const auto& t : types) type_cols.push_back(field("hubs_" + type_slug(t), FieldType::Integer));
    const std::size_t outside = field("outside_hub_types", FieldType::String), multi = field("multi_hub_types", FieldType::String),
                      t_auth = field("trust_authorities", FieldType::Integer), t_med = field("trust_median_km", FieldType::Real),
                      t_far = field(model::remit::trust_non_local, FieldType::Integer);

    std::unordered_map<std::int64_t, std::size_t> by_urn;
    for (std::size_t i = 0; i < in.schools.size(); ++i) by_urn.emplace(in.schools[i].urn, i);
    const int urn_col = schools.field_index(model::school::urn);
    for (auto& f : schools.features) {
        std::int64_t urn = f.fid;
        if (urn_col >= 0)
            if (auto v = as_number(f.values[urn_col])) urn = static_cast<std::int64_t>(*v);
        const auto it = by_urn.find(urn);
        if (it == by_urn.end()) continue; // not located: every remit column stays NULL
        const SchoolAssignment& s = a.assignments[it->second];
        const OneStopRecord& r = a.records[it->second];
        if (s.lsoa) f.values[lsoa] = in.lsoas[s.lsoa->polygon].code;
        if (s.district) f.values[lad] = in.districts[s.district->polygon].code;
        if (s.upper_tier) f.values[utla] = in.upper_tier[s.upper_tier->polygon].code;
        // The weakest placement of the three authority layers says how much to trust the codes.
        Placement worst = Placement::Interior;
        double snapped = 0;
        for (const auto& hit : {s.lsoa, s.district, s.upper_tier}) {
            if (!hit) continue;
            if (static_cast<int>(hit->placement) > static_cast<int>(worst)) worst = hit->placement;
            snapped = std::max(snapped, hit->distance_m);
        }
        if (s.lsoa || s.district || s.upper_tier) {
            f.values[placement] = std::string(to_string(worst));
            f.values[snap] = snapped;
        }
        for (std::size_t t = 0; t < types.size(); ++t) {
            std::int64_t n = 0;
            for (const auto& m : s.hubs)
                if (in.hubs[m.hub].type == types[t]) ++n;
            f.values[type_cols[t]] = n;
        }
        f.values[outside] = join(r.outside_types);
        f.values[multi] = join(r.multi_hub_types);
        if (r.trust) {
            f.values[t_auth] = std::int64_t{r.trust->authorities};
            f.values[t_med] = r.trust->median_km;
            f.values[t_far] = std::int64_t{r.trust->local ? 0 : 1};
        }
    }
    return schools;
}

FeatureTable with_run_recorded(FeatureTable runs, const RemitAnalysis& a) {
    nlohmann::json params{{"step", "remits"},
                          {"snap_distance_m", a.options.snap_distance_m.value()},
                          {"sliver_area_m2", a.options.sliver_area_m2},
                          {"trust_max_authorities", a.options.trust_max_authorities},
                          {"trust_max_median_km", a.options.trust_max_median_km},
                          {"min_authority_share", a.options.min_authority_share},
                          {"region", a.options.region ? nlohmann::json(*a.options.region) : nlohmann::json()}};
    const std::string notes = std::to_string(a.overlay.zones.size()) + " remit zones, " + std::to_string(a.overlay.gaps.size()) +
                              " gap layers, " + std::to_string(a.overlay.overlaps.size()) + " overlaps, " +
                              std::to_string(a.overlay.slivers.size()) + " sliver parts";
    Feature& row = append_analysis_run(runs, "remits", params.dump());
    set_run_value(runs, row, model::run::schools, static_cast<std::int64_t>(a.inputs.schools.size()));
    set_run_value(runs, row, model::run::notes, notes);
    return runs;
}

RemitAnalysis run_remits(const std::filesystem::path& workspace, const RemitOptions& options) {
    options.validate();
    FeatureTable schools, runs;
    RemitAnalysis a;
    {
        const Workspace ws(workspace);
        a = analyse_remits(read_remit_inputs(ws), options);
        schools = ws.read(model::layer::schools);
        if (ws.has_layer(model::layer::analysis_runs)) runs = ws.read(model::layer::analysis_runs);
    }
    WorkspaceWriter writer(workspace, workspace);
    for (const auto& layer : result_layers(a)) writer.write(layer);
    writer.write(schools_with_remits(std::move(schools), a));
    writer.write(with_run_recorded(std::move(runs), a));
    writer.commit();
    return a;
}

} // namespace coldspot::geo::remits
