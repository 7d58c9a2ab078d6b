// /schools/{urn} (the one-stop record) and the per-hub and per-authority dashboards. They read
// whichever result layers the workspace holds, so they grow as the analysis steps land.
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/service/detail/geojson_writer.hpp"
#include "coldspot/service/problem.hpp"
#include "coldspot/service/detail/map_index.hpp"
#include "map_figures.hpp"
#include "routes.hpp"

#include <charconv>

namespace coldspot::service::detail {

namespace {

using json = nlohmann::json;
namespace model = geo::model;

/// Record sections and the result layer each comes from, matched on `urn` (or the fid).
struct Section {
    const char* name;
    const char* layer;
};
constexpr Section kSchoolSections[] = {
    {"remits", model::layer::school_remits},
    {"access", model::layer::school_access},
    {"coldspot", model::layer::coldspots_schools},
    {"targets", model::layer::targets},
};

bool value_equals(const geo::Value& v, std::int64_t key) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return *i == key;
    if (const auto* d = std::get_if<double>(&v)) return *d == static_cast<double>(key);
    if (const auto* s = std::get_if<std::string>(&v)) return *s == std::to_string(key);
    return false;
}

json rows_for_urn(const geo::FeatureTable& table, std::int64_t urn) {
    json rows = json::array();
    const int urn_field = table.field_index(model::school::urn);
    for (const auto& f : table.features) {
        const bool hit = urn_field >= 0 ? value_equals(f.values[static_cast<std::size_t>(urn_field)], urn) : f.fid == urn;
        if (hit) rows.push_back(properties_json(table, f));
    }
    return rows;
}

const geo::FeatureTable& require_layer(const RouteContext& ctx, const std::string& layer, const std::string& produced_by) {
    const auto* t = ctx.snapshot.layer(layer);
    if (!t) throw HttpProblem(404, "the workspace has no layer '" + layer + "' yet (" + produced_by + " writes it)", {{"layer", layer}});
    return *t;
}

std::string produced_by(const std::string& layer) {
    if (layer == model::layer::hub_dashboard || layer == model::layer::la_dashboard) return "the remits step, `coldspot remits`,";
    return "an analysis step";
}

/// The key field of a dashboard layer (an authority row also names its hub: la_code first there).
int key_field(const geo::FeatureTable& t) {
    const bool authority = t.name == model::layer::la_dashboard || t.name == "change_la_dashboard";
    if (const int i = t.field_index(model::dashboard::la_code); authority && i >= 0) return i;
    for (const char* name : {model::dashboard::hub_id, model::dashboard::la_code, model::school::lad_code, "utla_code", model::authority::code})
        if (const int i = t.field_index(name); i >= 0) return i;
    return -1;
}

/// The "since 2019/2021" figures `coldspot change` wrote for this hub or authority, if any.
void attach_since(const RouteContext& ctx, const std::string& layer, const std::string& key_value, json& out) {
    const auto* t = ctx.snapshot.layer("change_" + layer);
    if (!t) return;
    const int key = key_field(*t);
    json rows = json::array();
    for (const auto& f : t->features)
        if (key >= 0 && geo::as_text(f.values[static_cast<std::size_t>(key)]) == key_value) rows.push_back(properties_json(*t, f));
    out["since"] = rows.empty() ? json() : rows.size() == 1 ? rows[0] : rows;
}

/// The venues open to the school: per hub type its nearest venue, and the nearest venue of each hub
/// whose remit covers it (`school_access` rows, role nearest / own_hub), with the drive time and
/// whether that time is an estimate (anything but a road route). The venue's point comes from
/// `hub_venues` by fid.
json venues_open_to(const RouteContext& ctx, std::int64_t urn) {
    json out = json::array();
    const auto* access = ctx.snapshot.layer(model::layer::school_access);
    if (!access) return out;
    const Collection* venues = ctx.snapshot.collection(model::layer::hub_venues);
    const auto field = [&](const geo::Feature& f, const char* name) -> const geo::Value& {
        static const geo::Value null;
        const int i = access->field_index(name);
        return i < 0 ? null : f.values[static_cast<std::size_t>(i)];
    };
    for (const auto& f : access->features) {
        if (!value_equals(field(f, model::access::urn), urn)) continue;
        const std::string method = geo::as_text(field(f, model::access::method));
        const std::string hub_id = geo::as_text(field(f, model::access::hub_id));
        json row{{model::access::role, geo::as_text(field(f, model::access::role))},
                 {model::access::hub_type, geo::as_text(field(f, model::access::hub_type))},
                 {model::access::hub_id, hub_id},
                 {model::remit::hub_name, hub_name_of(ctx.snapshot, hub_id).value_or(hub_id)},
                 {model::access::venue, geo::as_text(field(f, model::access::venue))},
                 {model::access::venue_fid, to_json(field(f, model::access::venue_fid))},
                 {model::access::minutes, method == "none" ? json(nullptr) : to_json(field(f, model::access::minutes))},
                 {model::access::metres, method == "none" ? json(nullptr) : to_json(field(f, model::access::metres))},
                 {model::access::method, method},
                 {"time_is_estimate", method != "road"}};
        row["venue_point"] = nullptr;
        if (venues)
            if (const auto fid = geo::as_number(field(f, model::access::venue_fid)))
                if (const auto it = venues->row_of_fid.find(static_cast<std::int64_t>(*fid)); it != venues->row_of_fid.end()) {
                    const auto& v = venues->feature(it->second);
                    if (const auto* p = std::get_if<geo::Point>(&venues->crs84[it->second])) row["venue_point"] = {p->x(), p->y()};
                    if (const int k = venues->table->field_index(model::venue::kind); k >= 0) row["venue_kind"] = geo::as_text(v.values[static_cast<std::size_t>(k)]);
                    if (const int u = venues->table->field_index(model::venue::urn); u >= 0) row["venue_urn"] = to_json(v.values[static_cast<std::size_t>(u)]);
                }
        out.push_back(std::move(row));
    }
    return out;
}

} // namespace

Reply school_record(const RouteContext& ctx, const std::string& urn_text) {
    allow_only(ctx.request, {});
    std::int64_t urn = 0;
    const auto [p, ec] = std::from_chars(urn_text.data(), urn_text.data() + urn_text.size(), urn);
    if (ec != std::errc() || p != urn_text.data() + urn_text.size() || urn <= 0)
        throw HttpProblem(400, "a URN is a positive integer, not '" + urn_text + "'");
    const Collection* schools = ctx.snapshot.collection(model::layer::schools);
    if (!schools) throw HttpProblem(404, "the workspace has no layer 'schools' (`coldspot import` writes it)", {{"layer", model::layer::schools}});
    // The schools layer keeps fid = URN; fall back to the urn column for other workspaces.
    std::optional<std::size_t> pos;
    if (auto it = schools->row_of_fid.find(urn); it != schools->row_of_fid.end()) pos = it->second;
    if (!pos) {
        const int f = schools->table->field_index(model::school::urn);
        for (std::size_t i = 0; f >= 0 && i < schools->size() && !pos; ++i)
            if (value_equals(schools->feature(i).values[static_cast<std::size_t>(f)], urn)) pos = i;
    }
    if (!pos) throw HttpProblem(404, "there is no school with URN " + urn_text);

    std::string geometry;
    append_feature(geometry, *schools, *pos, FeatureWriteOptions{OutputCrs::Crs84, {}, false});
    json record{{model::school::urn, urn},
                {"school", properties_json(*schools->table, schools->feature(*pos))},
                {"geometry", json::parse(geometry)["geometry"]},
                {"snapshot_version", ctx.snapshot.version}};
    json missing = json::array();
    for (const auto& s : kSchoolSections) {
        if (const auto* t = ctx.snapshot.layer(s.layer)) record[s.name] = rows_for_urn(*t, urn);
        else missing.push_back(s.layer);
    }
    // From school_access (listed as missing above when absent: then empty).
    record["hub_venues"] = venues_open_to(ctx, urn);
    record["missing_layers"] = missing;
    record["links"] = json::array({{{"rel", "self"}, {"href", ctx.base + "/schools/" + urn_text}, {"type", "application/json"}},
                                   {{"rel", "feature"}, {"href", ctx.base + "/collections/schools/items/" + urn_text}, {"type", "application/geo+json"}}});
    return json_reply(record);
}

Reply dashboard_list(const RouteContext& ctx, const std::string& layer, const std::string& path) {
    allow_only(ctx.request, {});
    const auto& t = require_layer(ctx, layer, produced_by(layer));
    const int key = key_field(t);
    json rows = json::array();
    for (const auto& f : t.features) {
        json row = properties_json(t, f);
        if (key >= 0) row["href"] = ctx.base + path + "/" + url_encode(geo::as_text(f.values[static_cast<std::size_t>(key)]));
        rows.push_back(std::move(row));
    }
    return json_reply({{"layer", layer}, {"count", rows.size()}, {"snapshot_version", ctx.snapshot.version}, {"items", rows}});
}

Reply dashboard(const RouteContext& ctx, const std::string& layer, const std::string& key_value) {
    allow_only(ctx.request, {});
    const auto& t = require_layer(ctx, layer, produced_by(layer));
    const int key = key_field(t);
    if (key < 0) throw HttpProblem(500, "layer '" + layer + "' has no key field (hub_id, la_code, lad_code, utla_code or code)");
    json rows = json::array();
    for (const auto& f : t.features)
        if (geo::as_text(f.values[static_cast<std::size_t>(key)]) == key_value) rows.push_back(properties_json(t, f));
    if (rows.empty()) throw HttpProblem(404, "layer '" + layer + "' has no row with " + t.fields[static_cast<std::size_t>(key)].name + " = '" + key_value + "'");
    json out = rows.size() == 1 ? rows[0] : json{{"rows", rows}};
    attach_since(ctx, layer, key_value, out);
    // The map's dashboard: figures over the schools it covers, and where to zoom.
    const bool hub = layer == model::layer::hub_dashboard;
    out["figures"] = *ctx.snapshot.map->memo<json>((hub ? "figures:hub:" : "figures:authority:") + key_value, [&] {
        return hub ? area_figures(ctx.snapshot, hub_school_urns(ctx.snapshot, key_value), hub_type_of(ctx.snapshot, key_value))
                   : area_figures(ctx.snapshot, authority_school_urns(ctx.snapshot, key_value), std::nullopt);
    });
    out["bbox"] = extent_json(ctx.snapshot, hub ? "hub" : "authority", key_value);
    out["links"] = json::array({{{"rel", "targets"}, {"href", ctx.base + (layer == model::layer::hub_dashboard ? "/hubs/" : "/authorities/") + url_encode(key_value) + "/targets"}},
                                {{"rel", "briefing"}, {"type", "text/html"}, {"href", ctx.base + (layer == model::layer::hub_dashboard ? "/briefings/hubs/" : "/briefings/authorities/") + url_encode(key_value)}}});
    out["snapshot_version"] = ctx.snapshot.version;
    return json_reply(out);
}

} // namespace coldspot::service::detail
