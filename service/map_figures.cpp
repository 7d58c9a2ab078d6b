#include "map_figures.hpp"

#include "coldspot/geo/coldspots/targets.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/model/school_access.hpp"
#include "coldspot/service/detail/map_index.hpp"
#include "coldspot/service/problem.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace coldspot::service::detail {

namespace model = geo::model;

namespace {

using json = nlohmann::json;

std::optional<std::int64_t> urn_of(const geo::FeatureTable&, const geo::Feature& f, int field) {
    if (field < 0) return std::nullopt;
    const auto v = geo::as_number(f.values[static_cast<std::size_t>(field)]);
    return v ? std::optional<std::int64_t>(static_cast<std::int64_t>(*v)) : std::nullopt;
}

std::string text(const geo::FeatureTable& t, const geo::Feature& f, int field) {
    (void)t;
    return field < 0 ? std::string() : geo::as_text(f.values[static_cast<std::size_t>(field)]);
}

/// The median of a non-empty sorted list (mean of the two middle values for an even count).
double median_of_sorted(const std::vector<double>& v) {
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

} // namespace

std::vector<std::int64_t> hub_school_urns(const Snapshot& snap, const std::string& hub_id) {
    std::vector<std::int64_t> out;
    const auto* t = snap.layer(model::layer::school_remits);
    if (!t) return out;
    const int fu = t->field_index(model::remit::urn), fh = t->field_index(model::remit::hub_id);
    std::unordered_set<std::int64_t> seen;
    for (const auto& f : t->features)
        if (text(*t, f, fh) == hub_id)
            if (const auto u = urn_of(*t, f, fu); u && seen.insert(*u).second) out.push_back(*u);
    return out;
}

std::vector<std::int64_t> authority_school_urns(const Snapshot& snap, const std::string& code) {
    std::vector<std::int64_t> out;
    const auto* t = snap.layer(model::layer::schools);
    if (!t) return out;
    const int fu = t->field_index(model::school::urn);
    std::vector<int> fields;
    for (const char* name : {model::remit::remit_lad_code, model::remit::remit_utla_code, model::school::la_code})
        if (const int i = t->field_index(name); i >= 0) fields.push_back(i);
    // Without a remit run, the district the source gave.
    if (t->field_index(model::remit::remit_lad_code) < 0)
        if (const int i = t->field_index(model::school::lad_code); i >= 0) fields.push_back(i);
    for (const auto& f : t->features)
        if (std::any_of(fields.begin(), fields.end(), [&](int i) { return text(*t, f, i) == code; }))
            out.push_back(urn_of(*t, f, fu).value_or(f.fid));
    return out;
}

namespace {

/// A field of the hub's first row in `hubs`, when the hub exists.
std::optional<std::string> hub_field(const Snapshot& snap, const std::string& hub_id, const char* field) {
    const auto* t = snap.layer(model::layer::hubs);
    if (!t) return std::nullopt;
    const int fi = t->field_index(model::hub::hub_id), fv = t->field_index(field);
    for (const auto& f : t->features)
        if (text(*t, f, fi) == hub_id) return text(*t, f, fv);
    return std::nullopt;
}

} // namespace

std::optional<std::string> hub_type_of(const Snapshot& snap, const std::string& hub_id) { return hub_field(snap, hub_id, model::hub::hub_type); }
std::optional<std::string> hub_name_of(const Snapshot& snap, const std::string& hub_id) { return hub_field(snap, hub_id, model::hub::name); }

json area_figures(const Snapshot& snap, const std::vector<std::int64_t>& urns, const std::optional<std::string>& hub_type) {
    const std::unordered_set<std::int64_t> wanted(urns.begin(), urns.end());
    json out{{"schools", urns.size()}};
    // Pupils and deprivation: the school's LSOA (as the remit run placed it) in `areas`.
    std::int64_t pupils = 0;
    std::size_t deprived = 0, with_decile = 0;
    if (const auto* s = snap.layer(model::layer::schools)) {
        std::unordered_map<std::string, std::int64_t> decile;
        if (const auto* a = snap.layer(model::layer::areas)) {
            const int fc = a->field_index(model::area::code), fd = a->field_index(model::area::imd_decile);
            for (const auto& f : a->features)
                if (fd >= 0)
                    if (const auto d = geo::as_number(f.values[static_cast<std::size_t>(fd)])) decile[text(*a, f, fc)] = static_cast<std::int64_t>(*d);
        }
        const int fu = s->field_index(model::school::urn), fp = s->field_index(model::school::pupils);
        const int fl = s->field_index(model::remit::remit_lsoa_code) >= 0 ? s->field_index(model::remit::remit_lsoa_code) : s->field_index(model::school::lsoa_code);
        for (const auto& f : s->features) {
            if (!wanted.count(urn_of(*s, f, fu).value_or(f.fid))) continue;
            if (fp >= 0) pupils += static_cast<std::int64_t>(geo::as_number(f.values[static_cast<std::size_t>(fp)]).value_or(0));
            if (const auto it = decile.find(text(*s, f, fl)); it != decile.end()) {
                ++with_decile;
                deprived += it->second <= 2;
            }
        }
    }
    out["pupils"] = pupils;
    out["deprived_schools"] = deprived;
    out["schools_with_imd_decile"] = with_decile;
    if (const auto* cs = snap.layer(model::layer::coldspots_schools)) {
        const int fu = cs->field_index(model::coldspot::urn), fc = cs->field_index(model::coldspot::cold_spot);
        std::size_t cold = 0;
        for (const auto& f : cs->features)
            if (wanted.count(urn_of(*cs, f, fu).value_or(-1))) cold += geo::as_number(f.values[static_cast<std::size_t>(fc)]).value_or(0) == 1;
        out["cold_spot_schools"] = cold;
    } else {
        out["cold_spot_schools"] = nullptr;
    }
    // Drive times to the nearest venue, per hub type.
    json times = json::object();
    if (const auto* a = snap.layer(model::layer::school_access)) {
        const int fu = a->field_index(model::access::urn), ft = a->field_index(model::access::hub_type), fr = a->field_index(model::access::role), fm = a->field_index(model::access::minutes),
                  fmethod = a->field_index(model::access::method);
        std::map<std::string, std::pair<std::vector<double>, std::size_t>> by_type; // minutes, estimated count
        std::map<std::string, std::size_t> no_time;
        for (const auto& f : a->features) {
            if (text(*a, f, fr) != model::access_role::nearest || !wanted.count(urn_of(*a, f, fu).value_or(-1))) continue;
            const std::string type = text(*a, f, ft);
            if (hub_type && type != *hub_type) continue;
            const std::string method = text(*a, f, fmethod);
            const double m = fm < 0 ? NAN : geo::as_number(f.values[static_cast<std::size_t>(fm)]).value_or(NAN);
            if (std::isnan(m) || method == model::access_method::none) {
                ++no_time[type];
                continue;
            }
            by_type[type].first.push_back(m);
            by_type[type].second += method != model::access_method::road;
        }
        for (auto& [type, v] : by_type) {
            auto& minutes = v.first;
            std::sort(minutes.begin(), minutes.end());
            times[type] = {{"median_minutes", median_of_sorted(minutes)},
                           {"worst_minutes", minutes.back()},
                           {"estimated_share", static_cast<double>(v.second) / static_cast<double>(minutes.size())},
                           {"schools_with_time", minutes.size()},
                           {"schools_without_time", no_time[type]}};
        }
        for (const auto& [type, n] : no_time)
            if (!times.contains(type)) times[type] = {{"median_minutes", nullptr}, {"worst_minutes", nullptr}, {"estimated_share", nullptr}, {"schools_with_time", 0}, {"schools_without_time", n}};
    }
    out["drive_times"] = times;
    return out;
}

json extent_json(const Snapshot& snap, const std::string& kind, const std::string& id) {
    if (!snap.map) return nullptr;
    const auto b = snap.map->extent(kind, id);
    if (!b) return nullptr;
    return {b->min_corner().x(), b->min_corner().y(), b->max_corner().x(), b->max_corner().y()};
}

Reply table_reply(const RouteContext& ctx, const geo::FeatureTable& table, const std::string& download_name, json head) {
    const std::string format = ctx.request.param("f").value_or("json");
    Reply r;
    if (format == "csv") {
        std::ostringstream out;
        geo::coldspots::write_csv(table, out);
        r.content_type = "text/csv; charset=utf-8";
        r.body = out.str();
        r.set_header("Content-Disposition", "attachment; filename=\"" + download_name + ".csv\"");
        return r;
    }
    std::ostringstream out;
    geo::coldspots::write_geojson(table, out);
    if (format == "geojson") {
        r.content_type = "application/geo+json";
        r.body = out.str();
        r.set_header("Content-Disposition", "attachment; filename=\"" + download_name + ".geojson\"");
        return r;
    }
    if (format != "json") throw HttpProblem(400, "parameter 'f' must be json, csv or geojson, got '" + format + "'", {{"parameter", "f"}});
    const json fc = json::parse(out.str());
    json items = json::array();
    for (const auto& f : fc["features"]) {
        json row = f["properties"];
        row["point"] = f["geometry"].is_null() ? json(nullptr) : f["geometry"]["coordinates"];
        items.push_back(std::move(row));
    }
    head["count"] = items.size();
    head["items"] = std::move(items);
    head["snapshot_version"] = ctx.snapshot.version;
    const std::string self = ctx.base + ctx.request.path;
    head["links"] = json::array({{{"rel", "alternate"}, {"type", "text/csv"}, {"href", self + "?f=csv"}},
                                 {{"rel", "alternate"}, {"type", "application/geo+json"}, {"href", self + "?f=geojson"}}});
    return json_reply(head);
}

} // namespace coldspot::service::detail
