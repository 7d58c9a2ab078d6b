// Printable briefings: /briefings/hubs/{id} and /briefings/authorities/{code}. One A4 HTML page
// (print CSS, no script, no external resource): the footprint drawn as inline SVG with its schools,
// the dashboard figures, the top targets with reasons, the data vintages and the method caveats.
// Every value from the workspace is escaped.
#include "coldspot/geo/coldspots/targets.hpp"
#include "coldspot/geo/demo/demo_region.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/service/problem.hpp"
#include "map_figures.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>
#include <unordered_set>

namespace coldspot::service::detail {

namespace {

using json = nlohmann::json;
namespace model = geo::model;

constexpr std::size_t kTopTargets = 10;
constexpr double kMapWidth = 600, kMapHeight = 420; ///< SVG user units (the page scales it to the column)

std::string esc(const std::string& s) { return html_escape(s); }

std::string fixed(double v, int decimals) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(decimals) << v;
    return s.str();
}

std::string color(const std::string& theme, const json& value) {
    for (const auto& t : palette()["themes"])
        if (t["id"] == theme)
            for (const auto& c : t["classes"])
                if (c["value"] == value) return c["color"];
    return "#666666";
}

/// Equirectangular at the box's middle latitude: near enough to conformal for a county-sized map.
class MapFrame {
public:
    explicit MapFrame(const geo::Box& b) : box_(b), k_(std::cos((b.min_corner().y() + b.max_corner().y()) / 2 * M_PI / 180)) {
        const double w = std::max(1e-9, (b.max_corner().x() - b.min_corner().x()) * k_), h = std::max(1e-9, b.max_corner().y() - b.min_corner().y());
        scale_ = std::min((kMapWidth - 20) / w, (kMapHeight - 20) / h);
    }
    std::string xy(const geo::Point& p) const {
        return fixed(10 + (p.x() - box_.min_corner().x()) * k_ * scale_, 1) + "," + fixed(10 + (box_.max_corner().y() - p.y()) * scale_, 1);
    }
    std::string path(const geo::MultiPolygon& mp) const {
        std::string d;
        const auto ring = [&](const geo::Ring& r) {
            for (std::size_t i = 0; i < r.size(); ++i) d += (i ? "L" : "M") + xy(r[i]);
            d += "Z";
        };
        for (const auto& poly : mp) {
            ring(poly.outer());
            for (const auto& inner : poly.inners()) ring(inner);
        }
        return d;
    }

private:
    geo::Box box_;
    double k_, scale_ = 1;
};

struct Area {
    std::string kind; ///< hub, authority
    std::string id, name, subtitle;
    std::vector<const geo::MultiPolygon*> footprint; ///< CRS84
    std::vector<std::int64_t> urns;
    std::optional<std::string> hub_type;
};

Area find_area(const RouteContext& ctx, const std::string& kind, const std::string& id) {
    Area a{kind, id, id, {}, {}, {}, {}};
    const auto add_polygons = [&](const char* layer, const char* key) {
        const Collection* c = ctx.snapshot.collection(layer);
        if (!c) return;
        const int k = c->table->field_index(key), n = c->table->field_index("name");
        for (std::size_t pos = 0; pos < c->size(); ++pos)
            if (k >= 0 && geo::as_text(c->feature(pos).values[static_cast<std::size_t>(k)]) == id) {
                if (const auto* mp = std::get_if<geo::MultiPolygon>(&c->crs84[pos])) a.footprint.push_back(mp);
                if (n >= 0) a.name = geo::as_text(c->feature(pos).values[static_cast<std::size_t>(n)]);
            }
    };
    if (kind == "hub") {
        a.hub_type = hub_type_of(ctx.snapshot, id);
        if (!a.hub_type) throw HttpProblem(404, "there is no hub '" + id + "'");
        add_polygons(model::layer::hubs, model::hub::hub_id);
        a.subtitle = *a.hub_type;
        a.urns = hub_school_urns(ctx.snapshot, id);
    } else {
        add_polygons(model::layer::local_authorities, model::authority::code);
        if (a.footprint.empty()) add_polygons(model::layer::upper_tier_authorities, model::authority::code);
        a.urns = authority_school_urns(ctx.snapshot, id);
        if (a.footprint.empty() && a.urns.empty()) throw HttpProblem(404, "there is no authority with code '" + id + "'");
        a.subtitle = "local authority " + id;
    }
    return a;
}

std::string map_svg(const RouteContext& ctx, const Area& area) {
    geo::Box box = geo::empty_box();
    for (const auto* mp : area.footprint) boost::geometry::expand(box, geo::envelope(*mp));
    const std::unordered_set<std::int64_t> mine(area.urns.begin(), area.urns.end());
    std::vector<std::pair<geo::Point, bool>> points; // school, in a cold spot
    std::unordered_set<std::int64_t> cold;
    if (const auto* cs = ctx.snapshot.layer(model::layer::coldspots_schools)) {
        const int fu = cs->field_index(model::coldspot::urn), fc = cs->field_index(model::coldspot::cold_spot);
        for (const auto& f : cs->features)
            if (geo::as_number(f.values[static_cast<std::size_t>(fc)]).value_or(0) == 1) cold.insert(static_cast<std::int64_t>(geo::as_number(f.values[static_cast<std::size_t>(fu)]).value_or(0)));
    }
    if (const Collection* s = ctx.snapshot.collection(model::layer::schools))
        for (const auto urn : area.urns)
            if (const auto it = s->row_of_fid.find(urn); it != s->row_of_fid.end())
                if (const auto* p = std::get_if<geo::Point>(&s->crs84[it->second])) {
                    points.emplace_back(*p, cold.count(urn) > 0);
                    boost::geometry::expand(box, *p);
                }
    if (geo::is_empty(box)) return "<p>No footprint or school positions to draw.</p>";
    const MapFrame frame(box);
    std::string svg = "<svg class=\"map\" viewBox=\"0 0 " + fixed(kMapWidth, 0) + " " + fixed(kMapHeight, 0) +
                      "\" role=\"img\" aria-label=\"Map of " + esc(area.name) + ": the footprint and its schools, cold-spot schools in blue\">";
    const std::string outline = area.hub_type ? color(model::hub::hub_type, *area.hub_type) : color("base", model::layer::upper_tier_authorities);
    for (const auto* mp : area.footprint) svg += "<path d=\"" + frame.path(*mp) + "\" fill=\"#f0f0f0\" stroke=\"" + outline + "\" stroke-width=\"2\"/>";
    for (const bool want_cold : {false, true}) // cold-spot schools drawn last, on top
        for (const auto& [p, is_cold] : points)
            if (is_cold == want_cold) {
                const auto c = frame.xy(p);
                const auto comma = c.find(',');
                svg += "<circle cx=\"" + c.substr(0, comma) + "\" cy=\"" + c.substr(comma + 1) + "\" r=\"" + (is_cold ? "4" : "2.5") + "\" fill=\"" +
                       color("school", is_cold ? 1 : 0) + "\" stroke=\"#ffffff\" stroke-width=\"0.6\"/>";
            }
    svg += "</svg>";
    return svg;
}

std::string figure_rows(const json& f) {
    std::string html;
    const auto row = [&](const std::string& label, const std::string& value) { html += "<tr><th scope=\"row\">" + esc(label) + "</th><td>" + esc(value) + "</td></tr>\n"; };
    const auto num = [](const json& v) { return v.is_null() ? std::string("not known") : v.is_number_float() ? fixed(v.get<double>(), 1) : v.dump(); };
    row("Schools", num(f["schools"]));
    row("Pupils", num(f["pupils"]));
    row("Schools in deprived areas (IMD deciles 1-2)", num(f["deprived_schools"]));
    row("Schools in significant cold spots", num(f["cold_spot_schools"]));
    for (const auto& [type, t] : f["drive_times"].items()) {
        row("Median drive to the nearest " + type + " venue", t["median_minutes"].is_null() ? "not known" : fixed(t["median_minutes"].get<double>(), 1) + " min");
        row("Worst drive to the nearest " + type + " venue", t["worst_minutes"].is_null() ? "not known" : fixed(t["worst_minutes"].get<double>(), 1) + " min");
        row("Share of those times that are estimates (" + type + ")", t["estimated_share"].is_null() ? "not known" : fixed(t["estimated_share"].get<double>() * 100, 0) + " %");
    }
    return html;
}

std::string targets_table(const RouteContext& ctx, const Area& area) {
    const auto* targets = ctx.snapshot.layer(model::layer::targets);
    const auto* cs = ctx.snapshot.layer(model::layer::coldspots_schools);
    if (!targets || !cs) return "<p>The workspace has not been analysed yet (<code>coldspot coldspots</code>), so there is no target list.</p>";
    geo::coldspots::TargetQuery q;
    (area.kind == "hub" ? q.hub : q.authority) = area.id;
    q.top = kTopTargets;
    const auto t = geo::coldspots::select_targets(geo::coldspots::TargetTables{*targets, *cs, ctx.snapshot.layer(model::layer::hubs)}, q);
    if (t.features.empty()) return "<p>No school to target here.</p>";
    const int fr = t.field_index(model::coldspot::rank), fn = t.field_index(model::coldspot::name), fu = t.field_index(model::coldspot::urn), fi = t.field_index(model::coldspot::coldspot_index), fc = t.field_index(model::coldspot::cold_spot),
              freason = t.field_index(model::coldspot::reasons);
    std::string html = "<table class=\"targets\"><caption>The " + std::to_string(t.features.size()) +
                       " schools to reach first (the same order as <code>coldspot target</code>)</caption>\n<tr><th scope=\"col\">#</th><th scope=\"col\">School</th><th scope=\"col\">Index</th><th scope=\"col\">Why</th></tr>\n";
    const auto text = [&](const geo::Feature& f, int i) { return i < 0 ? std::string() : geo::as_text(f.values[static_cast<std::size_t>(i)]); };
    for (const auto& f : t.features) {
        const double index = fi < 0 ? NAN : geo::as_number(f.values[static_cast<std::size_t>(fi)]).value_or(NAN);
        html += "<tr><td>" + esc(text(f, fr)) + "</td><td>" + esc(text(f, fn)) + " <small>URN " + esc(text(f, fu)) + "</small>" +
                (text(f, fc) == "1" ? " <strong>cold spot</strong>" : "") + "</td><td>" + (std::isfinite(index) ? fixed(index, 1) : "") + "</td><td>" + esc(text(f, freason)) + "</td></tr>\n";
    }
    return html + "</table>\n";
}

std::string vintages(const RouteContext& ctx) {
    const auto* p = ctx.snapshot.layer(model::layer::provenance);
    if (!p) return "<p>The workspace records no provenance.</p>";
    const int fd = p->field_index(model::source::dataset), fv = p->field_index(model::source::vintage);
    std::string html = "<ul class=\"vintages\">\n";
    for (const auto& f : p->features)
        html += "<li>" + esc(fd < 0 ? "" : geo::as_text(f.values[static_cast<std::size_t>(fd)])) + ": " + esc(fv < 0 ? "" : geo::as_text(f.values[static_cast<std::size_t>(fv)])) + "</li>\n";
    return html + "</ul>\n";
}

constexpr const char* kBriefingStyle = R"css(
@page { size: A4; margin: 14mm 14mm 16mm; }
body { font: 10.5pt/1.4 "DejaVu Sans", Arial, sans-serif; color: #1a1a1a; max-width: 182mm; margin: 0 auto; padding: 0 4mm; }
h1 { font-size: 17pt; margin: 0 0 2pt; } h2 { font-size: 12pt; margin: 12pt 0 4pt; border-bottom: 1px solid #bbb; }
.subtitle { color: #444; margin: 0 0 8pt; }
.notice { border: 2px solid #b2182b; padding: 4pt 6pt; font-weight: bold; }
.map { width: 100%; height: auto; max-height: 105mm; border: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; vertical-align: top; padding: 2pt 4pt; border-bottom: 1px solid #e0e0e0; }
caption { text-align: left; font-weight: bold; padding-bottom: 3pt; }
.figures th { font-weight: normal; width: 70%; } .targets td:nth-child(3) { text-align: right; white-space: nowrap; }
.legend span { display: inline-block; width: 9pt; height: 9pt; border-radius: 50%; vertical-align: -1pt; margin: 0 3pt 0 8pt; }
footer { margin-top: 10pt; font-size: 8.5pt; color: #444; }
.targets tr, .figures tr { break-inside: avoid; } h2 { break-after: avoid; }
@media print { a { color: inherit; text-decoration: none; } .screen-only { display: none; } }
)css";

Reply briefing(const RouteContext& ctx, const std::string& kind, const std::string& id) {
    allow_only(ctx.request, {});
    const Area area = find_area(ctx, kind, id);
    const json figures = area_figures(ctx.snapshot, area.urns, area.hub_type);
    const auto* schools = ctx.snapshot.layer(model::layer::schools);
    const bool synthetic = schools && schools->description.starts_with(geo::demo::kSyntheticLabel);
    std::string html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<link rel=\"icon\" href=\"data:,\">\n<title>Briefing: " +
                       esc(area.name) + "</title>\n<style>" + kBriefingStyle + "</style></head>\n<body>\n<main>\n";
    html += "<h1>" + esc(area.name) + "</h1>\n<p class=\"subtitle\">" + esc(area.subtitle) + " &middot; briefing of " + esc(utc_timestamp().substr(0, 10)) +
            " &middot; results version " + std::to_string(ctx.snapshot.version) + "</p>\n";
    if (synthetic) html += "<p class=\"notice\">Synthetic demonstration data: every school, hub and area here is fictional.</p>\n";
    html += "<h2>Footprint and schools</h2>\n" + map_svg(ctx, area) + "\n<p class=\"legend\"><span style=\"background:" + color("school", 1) +
            "\"></span>school in a significant cold spot<span style=\"background:" + color("school", 0) + "\"></span>other school</p>\n";
    html += "<h2>Figures</h2>\n<table class=\"figures\">\n" + figure_rows(figures) + "</table>\n";
    html += "<h2>Schools to reach first</h2>\n" + targets_table(ctx, area);
    html += "<h2>Data</h2>\n" + vintages(ctx);
    html += "<h2>Method and caveats</h2>\n<ul>\n"
            "<li>Drive times are by road on the OpenStreetMap network where a school and a venue can be placed on it; otherwise they are straight-line estimates, counted in the share of estimates above.</li>\n"
            "<li>School locations are postcode centroids, not buildings.</li>\n"
            "<li>A district shared by two hubs, or listed as split without boundaries, counts for both hubs.</li>\n"
            "<li>The cold-spot index weighs access, deprivation, need, rurality, remit and engagement; the weights are judgements (docs/methodology.md). A cold spot is a significant cluster of high index values (Getis-Ord Gi*, FDR-adjusted).</li>\n"
            "</ul>\n";
    html += "<footer>Contains public sector information licensed under the Open Government Licence v3.0; contains OS data &copy; Crown copyright and database right; road data &copy; OpenStreetMap contributors (ODbL). "
            "Made by Coldspot from " + esc(ctx.snapshot.workspace.filename().string()) + ".</footer>\n</main>\n</body></html>\n";
    Reply r;
    r.content_type = "text/html; charset=utf-8";
    r.body = std::move(html);
    r.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:");
    return r;
}

} // namespace

Reply hub_briefing(const RouteContext& ctx, const std::string& id) { return briefing(ctx, "hub", id); }
Reply authority_briefing(const RouteContext& ctx, const std::string& code) { return briefing(ctx, "authority", code); }

} // namespace coldspot::service::detail
