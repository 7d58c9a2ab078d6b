// The map's API: /search, ranked targets per hub and authority, and partnerships (several hubs, one
// joint list, every school once with a proposed lead hub).
#include "coldspot/geo/coldspots/targets.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/model/school_access.hpp"
#include "coldspot/service/detail/map_index.hpp"
#include "coldspot/service/problem.hpp"
#include "map_figures.hpp"

#include <charconv>
#include <cmath>
#include <iomanip>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

namespace coldspot::service::detail {

namespace {

using json = nlohmann::json;
namespace model = geo::model;

constexpr std::size_t kMaxQueryChars = 200; ///< longer search text is cut here (a name is shorter)

std::size_t size_param(const Request& r, const char* name, std::size_t fallback, std::size_t lo, std::size_t hi) {
    const auto v = r.param(name);
    if (!v) return fallback;
    std::size_t n = 0;
    const auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || p != v->data() + v->size() || n < lo)
        throw HttpProblem(400, "parameter '" + std::string(name) + "' must be an integer of at least " + std::to_string(lo) + ", got '" + *v + "'", {{"parameter", name}});
    return std::min(n, hi);
}

/// The first `n` bytes of `s` without cutting a UTF-8 sequence.
std::string utf8_prefix(const std::string& s, std::size_t n) {
    if (s.size() <= n) return s;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return s.substr(0, n);
}

json box_json(const std::optional<geo::Box>& b) {
    if (!b) return nullptr;
    return {b->min_corner().x(), b->min_corner().y(), b->max_corner().x(), b->max_corner().y()};
}

json point_json(const std::optional<geo::Point>& p) {
    if (!p) return nullptr;
    return {std::round(p->x() * 1e7) / 1e7, std::round(p->y() * 1e7) / 1e7};
}

const geo::FeatureTable& require(const RouteContext& ctx, const char* layer, const char* writer) {
    const auto* t = ctx.snapshot.layer(layer);
    if (!t) throw HttpProblem(404, std::string("the workspace has no layer '") + layer + "' yet (" + writer + " writes it)", {{"layer", layer}});
    return *t;
}

geo::FeatureTable select(const RouteContext& ctx, const geo::coldspots::TargetQuery& q) {
    const auto& targets = require(ctx, model::layer::targets, "`coldspot coldspots`");
    const auto& cs = require(ctx, model::layer::coldspots_schools, "`coldspot coldspots`");
    return geo::coldspots::select_targets(geo::coldspots::TargetTables{targets, cs, ctx.snapshot.layer(model::layer::hubs)}, q);
}

std::string file_slug(const std::string& s) {
    std::string out;
    for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
    return out;
}

// ---- partnerships ----------------------------------------------------------------------------

struct Partnership {
    std::string id, name, description;
    std::vector<std::string> hubs; ///< ids or names, as configured
};

std::vector<Partnership> configured_partnerships(const ServiceConfig& config) {
    std::vector<Partnership> out;
    if (config.partnerships.empty()) return out;
    std::ifstream in(config.partnerships);
    json j;
    try {
        j = json::parse(in);
        for (const auto& p : j.at("partnerships"))
            out.push_back({p.at("id").get<std::string>(), p.at("name").get<std::string>(), p.value("description", ""), p.at("hubs").get<std::vector<std::string>>()});
    } catch (const json::exception& e) {
        throw HttpProblem(500, "the partnerships file " + config.partnerships.string() + " is not as docs/map.md describes: " + e.what());
    }
    return out;
}

/// The partnership named by the path (`adhoc` takes ?hubs=a,b), hubs resolved to hub ids.
Partnership resolve_partnership(const RouteContext& ctx, const std::string& id) {
    Partnership p;
    if (id == "adhoc") {
        const auto hubs = ctx.request.param("hubs");
        if (!hubs || hubs->empty()) throw HttpProblem(400, "an ad-hoc partnership needs ?hubs=ID,ID (hub ids or names)", {{"parameter", "hubs"}});
        std::stringstream in(*hubs);
        for (std::string h; std::getline(in, h, ',');)
            if (!h.empty()) p.hubs.push_back(h);
        p.id = "adhoc";
        p.name = "Ad-hoc partnership";
    } else {
        bool found = false;
        for (auto& c : configured_partnerships(ctx.config))
            if (c.id == id) p = std::move(c), found = true;
        if (!found) throw HttpProblem(404, "there is no partnership '" + id + "' (GET /partnerships lists them)");
    }
    for (auto& h : p.hubs) {
        try {
            h = geo::coldspots::resolve_hub_id(ctx.snapshot.layer(model::layer::hubs), h);
        } catch (const NotFoundError& e) {
            throw HttpProblem(404, std::string(e.what()) + " (partnership '" + p.id + "')");
        }
        if (!hub_type_of(ctx.snapshot, h)) throw HttpProblem(404, "there is no hub '" + h + "' (partnership '" + p.id + "')");
    }
    std::sort(p.hubs.begin(), p.hubs.end());
    p.hubs.erase(std::unique(p.hubs.begin(), p.hubs.end()), p.hubs.end());
    return p;
}

std::vector<std::string> split_list(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string x; std::getline(in, x, ';');)
        if (!x.empty()) out.push_back(x);
    return out;
}

struct HubTime {
    double minutes;
    bool estimate;
};

std::string minutes_text(const HubTime& t) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(1) << t.minutes << " min" << (t.estimate ? " (estimate)" : " by road");
    return s.str();
}

/// The `targets` fields a partnership list keeps after its own.
constexpr const char* kKeptTargetFields[] = {model::coldspot::coldspot_index, model::coldspot::cold_spot, model::coldspot::gi_bin, model::coldspot::la_code,
                                             model::coldspot::lad_code,       model::coldspot::lsoa_code, model::coldspot::reasons};

/// The joint list: every target school any partnership hub covers, once, in rank order, with the
/// lead hub (its only partnership hub; of several, the one with the shortest drive to its own
/// venue, `school_access` own_hub rows) and the reason in words.
geo::FeatureTable joint_list(const RouteContext& ctx, const Partnership& p, bool cut_off_only) {
    geo::FeatureTable all = select(ctx, {});
    const std::set<std::string> members(p.hubs.begin(), p.hubs.end());
    // own_hub drive times per (urn, hub_id).
    std::map<std::pair<std::int64_t, std::string>, HubTime> times;
    if (const auto* a = ctx.snapshot.layer(model::layer::school_access)) {
        const int fu = a->field_index(model::access::urn), fh = a->field_index(model::access::hub_id), fr = a->field_index(model::access::role), fm = a->field_index(model::access::minutes), fmethod = a->field_index(model::access::method);
        for (const auto& f : a->features) {
            if (geo::as_text(f.values[static_cast<std::size_t>(fr)]) != model::access_role::own_hub) continue;
            const auto m = geo::as_number(f.values[static_cast<std::size_t>(fm)]);
            const auto u = geo::as_number(f.values[static_cast<std::size_t>(fu)]);
            const std::string method = geo::as_text(f.values[static_cast<std::size_t>(fmethod)]);
            if (m && u && method != model::access_method::none) times[{static_cast<std::int64_t>(*u), geo::as_text(f.values[static_cast<std::size_t>(fh)])}] = {*m, method != model::access_method::road};
        }
    }
    // Trusts spread beyond the area (the remit run's trust_non_local), by URN.
    std::unordered_map<std::int64_t, std::string> cut_off;
    if (const auto* s = ctx.snapshot.layer(model::layer::schools)) {
        const int fu = s->field_index(model::school::urn), fn = s->field_index(model::remit::trust_non_local), ft = s->field_index(model::school::trust_name);
        if (fn >= 0)
            for (const auto& f : s->features)
                if (geo::as_number(f.values[static_cast<std::size_t>(fn)]).value_or(0) == 1)
                    cut_off[static_cast<std::int64_t>(geo::as_number(f.values[static_cast<std::size_t>(fu)]).value_or(f.fid))] = ft >= 0 ? geo::as_text(f.values[static_cast<std::size_t>(ft)]) : "";
    }
    geo::FeatureTable out;
    out.name = "partnership_targets";
    out.geometry_type = all.geometry_type;
    out.epsg = all.epsg;
    const std::size_t f_rank = all.require_field(model::coldspot::rank), f_urn = all.require_field(model::coldspot::urn), f_name = all.require_field(model::coldspot::name), f_hubs = all.require_field(model::coldspot::hub_ids);
    out.fields = {{model::coldspot::rank, geo::FieldType::Integer}, {model::coldspot::urn, geo::FieldType::Integer}, {model::coldspot::name, geo::FieldType::String},
                  {"lead_hub_id", geo::FieldType::String}, {"lead_hub_name", geo::FieldType::String}, {"lead_reason", geo::FieldType::String},
                  {"lead_minutes", geo::FieldType::Real},  {"lead_time_is_estimate", geo::FieldType::Integer},
                  {"partnership_hub_ids", geo::FieldType::String}, {"cut_off_trust", geo::FieldType::Integer}, {model::school::trust_name, geo::FieldType::String}};
    for (const char* keep : kKeptTargetFields) {
        const auto i = all.require_field(keep);
        out.fields.push_back(all.fields[i]);
    }
    std::int64_t rank = 0;
    for (const auto& f : all.features) {
        std::vector<std::string> mine;
        for (const auto& h : split_list(geo::as_text(f.values[f_hubs])))
            if (members.count(h)) mine.push_back(h);
        if (mine.empty()) continue;
        const auto urn = static_cast<std::int64_t>(geo::as_number(f.values[f_urn]).value_or(0));
        const auto trust = cut_off.find(urn);
        if (cut_off_only && trust == cut_off.end()) continue;
        std::string lead = mine.front(), reason;
        std::optional<HubTime> lead_time;
        if (const auto it = times.find({urn, lead}); it != times.end()) lead_time = it->second;
        if (mine.size() == 1) {
            reason = "the only partnership hub whose remit covers the school";
        } else {
            // Shortest own-hub drive; ties and unknown times go to the first hub id.
            for (const auto& h : mine)
                if (const auto it = times.find({urn, h}); it != times.end() && (!lead_time || it->second.minutes < lead_time->minutes)) lead = h, lead_time = it->second;
            reason = "district shared by " + std::to_string(mine.size()) + " partnership hubs; ";
            if (!lead_time) {
                reason += "no drive time is known, so the first by id";
            } else {
                reason += "shortest drive: ";
                bool first = true;
                for (const auto& h : mine) {
                    const auto it = times.find({urn, h});
                    reason += (first ? "" : ", ") + hub_name_of(ctx.snapshot, h).value_or(h) + " " + (it == times.end() ? std::string("no time") : minutes_text(it->second));
                    first = false;
                }
            }
        }
        std::string ids;
        for (const auto& h : mine) ids += (ids.empty() ? "" : ";") + h;
        geo::Feature row{++rank, f.geometry, {}};
        row.values = {rank, urn, f.values[f_name], lead, hub_name_of(ctx.snapshot, lead).value_or(lead), reason,
                      lead_time ? geo::Value(lead_time->minutes) : geo::Value(), lead_time ? geo::Value(std::int64_t{lead_time->estimate}) : geo::Value(),
                      ids, std::int64_t{trust != cut_off.end()}, trust != cut_off.end() ? geo::Value(trust->second) : geo::Value()};
        for (const char* keep : kKeptTargetFields) row.values.push_back(f.values[all.require_field(keep)]);
        (void)f_rank;
        out.features.push_back(std::move(row));
    }
    return out;
}

json partnership_json(const RouteContext& ctx, const Partnership& p) {
    json hubs = json::array();
    for (const auto& h : p.hubs) hubs.push_back({{model::hub::hub_id, h}, {model::hub::name, hub_name_of(ctx.snapshot, h).value_or(h)}, {model::hub::hub_type, hub_type_of(ctx.snapshot, h).value_or("")}});
    const std::string href = ctx.base + "/partnerships/" + url_encode(p.id);
    return {{"id", p.id}, {"name", p.name}, {"description", p.description}, {"hubs", hubs},
            {"links", json::array({{{"rel", "targets"}, {"href", href + "/targets"}}, {{"rel", "cut-off"}, {"href", href + "/cut-off"}}})}};
}

} // namespace

Reply search(const RouteContext& ctx) {
    allow_only(ctx.request, {"q", "limit"});
    const auto q = ctx.request.param("q");
    if (!q) throw HttpProblem(400, "search needs ?q=TEXT (part of a school name, a URN, a postcode, a hub or an authority)", {{"parameter", "q"}});
    const std::size_t limit = size_param(ctx.request, "limit", 10, 1, 50);
    const std::string text = utf8_prefix(*q, kMaxQueryChars);
    json results = json::array();
    if (ctx.snapshot.map)
        for (const auto& hit : ctx.snapshot.map->search(text, limit)) {
            const auto& e = *hit.entry;
            results.push_back({{"kind", e.kind}, {"id", e.id}, {"name", e.name}, {"detail", e.detail}, {"bbox", box_json(e.bbox)}, {"point", point_json(e.point)},
                               {"href", e.href.empty() ? json(nullptr) : json(ctx.base + e.href)}});
        }
    Reply r = json_reply({{"query", text}, {"query_cut", text.size() < q->size()}, {"results", results}});
    return r;
}

namespace {

/// The whole ranked list of a hub or authority, kept per snapshot; `top` cuts a copy (the list is
/// in rank order and numbered 1..n, so its first N rows are what `--top N` selects).
geo::FeatureTable ranked(const RouteContext& ctx, const std::string& key, const geo::coldspots::TargetQuery& q, std::size_t top) {
    const auto whole = ctx.snapshot.map ? ctx.snapshot.map->memo<geo::FeatureTable>(key, [&] { return select(ctx, q); })
                                        : std::make_shared<const geo::FeatureTable>(select(ctx, q));
    geo::FeatureTable out;
    out.name = whole->name;
    out.description = whole->description;
    out.geometry_type = whole->geometry_type;
    out.epsg = whole->epsg;
    out.fields = whole->fields;
    const std::size_t n = top ? std::min(top, whole->features.size()) : whole->features.size();
    out.features.assign(whole->features.begin(), whole->features.begin() + static_cast<std::ptrdiff_t>(n));
    return out;
}

} // namespace

Reply hub_targets(const RouteContext& ctx, const std::string& hub) {
    allow_only(ctx.request, {"top"});
    const std::string id = geo::coldspots::resolve_hub_id(ctx.snapshot.layer(model::layer::hubs), hub);
    if (!hub_type_of(ctx.snapshot, id)) throw HttpProblem(404, "there is no hub '" + hub + "'");
    geo::coldspots::TargetQuery q;
    q.hub = id;
    const auto table = ranked(ctx, "targets:hub:" + id, q, size_param(ctx.request, "top", 0, 1, 1'000'000));
    return table_reply(ctx, table, "targets-" + file_slug(id), {{model::hub::hub_id, id}, {model::hub::name, hub_name_of(ctx.snapshot, id).value_or(id)}});
}

Reply authority_targets(const RouteContext& ctx, const std::string& code) {
    allow_only(ctx.request, {"top"});
    if (!(ctx.snapshot.map && ctx.snapshot.map->extent("authority", code)) && authority_school_urns(ctx.snapshot, code).empty())
        throw HttpProblem(404, "there is no authority with code '" + code + "'");
    geo::coldspots::TargetQuery q;
    q.authority = code;
    const auto table = ranked(ctx, "targets:authority:" + code, q, size_param(ctx.request, "top", 0, 1, 1'000'000));
    return table_reply(ctx, table, "targets-" + file_slug(code), {{"code", code}});
}

Reply partnerships(const RouteContext& ctx) {
    allow_only(ctx.request, {});
    json list = json::array();
    for (const auto& p : configured_partnerships(ctx.config)) {
        // A partnership whose hubs this workspace lacks (another region) is left out.
        try {
            list.push_back(partnership_json(ctx, resolve_partnership(ctx, p.id)));
        } catch (const HttpProblem&) {
        }
    }
    return json_reply({{"partnerships", list},
                       {"adhoc", ctx.base + "/partnerships/adhoc/targets?hubs={hub_id},{hub_id}"}});
}

Reply partnership(const RouteContext& ctx, const std::string& id) {
    allow_only(ctx.request, {"hubs"});
    return json_reply(partnership_json(ctx, resolve_partnership(ctx, id)));
}

Reply partnership_targets(const RouteContext& ctx, const std::string& id, bool cut_off_only) {
    allow_only(ctx.request, {"hubs", "top"});
    const auto p = resolve_partnership(ctx, id);
    auto table = joint_list(ctx, p, cut_off_only);
    if (const std::size_t top = size_param(ctx.request, "top", 0, 1, 1'000'000); top && table.features.size() > top) table.features.resize(top);
    json head = partnership_json(ctx, p);
    head["list"] = cut_off_only ? "schools in trusts spread beyond the area (cut off from local hubs)" : "joint targets, every school once";
    return table_reply(ctx, table, "partnership-" + file_slug(p.id) + (cut_off_only ? "-cut-off" : ""), head);
}

} // namespace coldspot::service::detail
