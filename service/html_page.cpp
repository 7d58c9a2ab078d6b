#include "html_page.hpp"

#include "coldspot/geo/feature_writers.hpp"
#include "coldspot/service/output_crs.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace coldspot::service::detail {

namespace {

// Okabe-Ito colours: told apart with every common colour-vision deficiency.
constexpr const char* kStyle =
    "body{font-family:system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:0 1rem;color:#1a1a1a;line-height:1.4}"
    "nav ol{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4rem}nav li+li:before{content:'\\203A';margin-right:.4rem}"
    "a{color:#0058a3}a:focus{outline:3px solid #E69F00}table{border-collapse:collapse;margin:.5rem 0}"
    "th,td{border:1px solid #bbb;padding:.2rem .5rem;text-align:left;vertical-align:top}th{background:#eee}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}.null{color:#767676;font-style:italic}"
    ".scroll{overflow-x:auto}svg.map{border:1px solid #bbb;background:#f7f7f7;max-width:100%;height:auto}"
    "footer{margin:2rem 0 1rem;border-top:1px solid #bbb;padding-top:.5rem}code{background:#f2f2f2}"
    "input[type=text]{width:min(40rem,100%)}";

struct Frame {
    double minx, maxy, scale, offx, offy;
    geo::Point operator()(const geo::Point& lonlat) const {
        const geo::Point m = crs84_to_web_mercator(lonlat);
        return {offx + (m.x() - minx) * scale, offy + (maxy - m.y()) * scale};
    }
};

void append_px(std::string& out, double v) {
    geo::append_number(out, std::round(v * 2) / 2); // half-pixel grid
}

/// "M x y L x y ... Z" for a ring, consecutive points on the same half pixel merged.
template <typename Range>
void append_path(std::string& out, const Range& pts, const Frame& f, bool close) {
    std::string part;
    double lx = NAN, ly = NAN;
    int n = 0;
    for (const auto& p : pts) {
        const geo::Point q = f(p);
        const double x = std::round(q.x() * 2) / 2, y = std::round(q.y() * 2) / 2;
        if (x == lx && y == ly) continue;
        part += n == 0 ? "M" : "L";
        append_px(part, x);
        part += ' ';
        append_px(part, y);
        lx = x, ly = y;
        ++n;
    }
    if (n == 1 && close) part += "h1v1h-1"; // a polygon smaller than a pixel: still visible
    if (close) part += 'Z';
    out += part;
}

std::string feature_path(const geo::Geometry& g, const Frame& f) {
    std::string d;
    if (const auto* p = std::get_if<geo::Point>(&g)) append_path(d, std::array<geo::Point, 1>{*p}, f, false), d += "h0";
    else if (const auto* ml = std::get_if<geo::MultiLineString>(&g))
        for (const auto& l : *ml) append_path(d, l, f, false);
    else if (const auto* mp = std::get_if<geo::MultiPolygon>(&g))
        for (const auto& poly : *mp) {
            append_path(d, poly.outer(), f, true);
            for (const auto& r : poly.inners()) append_path(d, r, f, true);
        }
    return d;
}

} // namespace

std::string html_value(const geo::Value& v) {
    std::string out;
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
        char buf[24];
        out.append(buf, std::to_chars(buf, buf + sizeof buf, *i).ptr);
    } else if (const auto* d = std::get_if<double>(&v)) {
        if (std::isfinite(*d)) geo::append_number(out, *d);
        else out = "<span class=\"null\">not a number</span>";
    } else if (const auto* s = std::get_if<std::string>(&v)) {
        out = html_escape(*s);
    } else {
        out = "<span class=\"null\">null</span>";
    }
    return out;
}

Reply html_reply(const RouteContext& ctx, const HtmlPage& page) {
    std::string h = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
                    html_escape(page.title) + " - " + html_escape(ctx.config.title) + "</title>\n<style>" + kStyle + "</style></head>\n<body>\n<header><nav aria-label=\"Breadcrumb\"><ol>";
    h += "<li><a href=\"" + html_escape(ctx.base + "/") + "\">" + html_escape(ctx.config.title) + "</a></li>";
    for (std::size_t i = 0; i < page.trail.size(); ++i) {
        const bool last = i + 1 == page.trail.size();
        h += "<li><a href=\"" + html_escape(page.trail[i].second) + "\"" + (last ? " aria-current=\"page\"" : "") + ">" + html_escape(page.trail[i].first) + "</a></li>";
    }
    h += "</ol></nav></header>\n<main>\n<h1>" + html_escape(page.title) + "</h1>\n" + page.body + "</main>\n<footer>";
    if (!page.formats.empty()) {
        h += "<p>This resource as: ";
        for (std::size_t i = 0; i < page.formats.size(); ++i)
            h += (i ? ", " : "") + std::string("<a href=\"") + html_escape(page.formats[i].second) + "\">" + html_escape(page.formats[i].first) + "</a>";
        h += ".</p>";
    }
    h += "<p><a href=\"" + html_escape(ctx.base + "/api.html") + "\">API documentation</a> &middot; <a href=\"" + html_escape(ctx.base + "/conformance?f=html") +
         "\">Conformance</a> &middot; <a href=\"" + html_escape(ctx.base + "/collections?f=html") + "\">Collections</a></p></footer>\n</body></html>\n";
    Reply r;
    r.content_type = "text/html; charset=utf-8";
    r.body = std::move(h);
    return r;
}

std::string svg_map(const RouteContext& ctx, const Collection& c, const std::vector<std::size_t>& positions, const geo::Box& extent, bool link_features,
                    std::size_t max_features) {
    geo::Box box = extent;
    if (geo::is_empty(box))
        for (const auto p : positions) boost::geometry::expand(box, geo::envelope(c.crs84[p]));
    if (geo::is_empty(box)) return "<p>No geometry to draw.</p>\n";
    const geo::Point lo = crs84_to_web_mercator(box.min_corner()), hi = crs84_to_web_mercator(box.max_corner());
    // At least 2 km across, so one point or a tiny area still gets a sensible frame.
    const double pad = std::max({(hi.x() - lo.x()) * 0.05, (hi.y() - lo.y()) * 0.05, 1000.0});
    const double minx = lo.x() - pad, maxx = hi.x() + pad, miny = lo.y() - pad, maxy = hi.y() + pad;
    constexpr double kMax = 640;
    const double scale = std::min(kMax / (maxx - minx), kMax / (maxy - miny));
    const int w = static_cast<int>(std::ceil((maxx - minx) * scale)), h = static_cast<int>(std::ceil((maxy - miny) * scale));
    const Frame f{minx, maxy, scale, 0, 0};
    const std::size_t stride = positions.size() > max_features ? (positions.size() + max_features - 1) / max_features : 1;
    const std::size_t drawn = (positions.size() + stride - 1) / stride;
    const bool points = c.geometry_type == geo::GeometryType::Point;
    std::string title = "Map of " + std::to_string(drawn) + (drawn == positions.size() ? "" : " (an even sample of " + std::to_string(positions.size()) + ")") +
                        " features of " + c.id + (geo::is_empty(extent) ? "" : ", with the collection's extent dashed");
    std::string s = "<svg class=\"map\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"map-title map-desc\" width=\"" + std::to_string(w) +
                    "\" height=\"" + std::to_string(h) + "\" viewBox=\"0 0 " + std::to_string(w) + " " + std::to_string(h) + "\">\n<title id=\"map-title\">" +
                    html_escape(title) + "</title><desc id=\"map-desc\">Drawn in Web Mercator without a background map; north is up.</desc>\n";
    const std::string style = points ? " fill=\"none\" stroke=\"#0072B2\" stroke-width=\"6\" stroke-linecap=\"round\""
                              : c.geometry_type == geo::GeometryType::MultiLineString ? " fill=\"none\" stroke=\"#0072B2\" stroke-width=\"1.5\""
                                                                                    : " fill=\"#56B4E9\" fill-opacity=\"0.45\" stroke=\"#0072B2\" stroke-width=\"0.5\" fill-rule=\"evenodd\"";
    const std::string items = ctx.base + "/collections/" + url_encode(c.id) + "/items/";
    if (link_features) {
        for (std::size_t i = 0; i < positions.size(); i += stride) {
            const auto fid = std::to_string(c.feature(positions[i]).fid);
            s += "<a href=\"" + html_escape(items + fid + "?f=html") + "\"><path" + style + " d=\"" + feature_path(c.crs84[positions[i]], f) + "\"><title>feature " + fid +
                 "</title></path></a>\n";
        }
    } else {
        s += "<path" + style + " d=\"";
        for (std::size_t i = 0; i < positions.size(); i += stride) s += feature_path(c.crs84[positions[i]], f);
        s += "\"/>\n";
    }
    if (!geo::is_empty(extent)) {
        const geo::Point a = f(extent.min_corner()), b = f(extent.max_corner());
        std::string r = "<rect fill=\"none\" stroke=\"#D55E00\" stroke-width=\"2\" stroke-dasharray=\"6 4\" x=\"";
        append_px(r, a.x());
        r += "\" y=\"";
        append_px(r, b.y());
        r += "\" width=\"";
        append_px(r, b.x() - a.x());
        r += "\" height=\"";
        append_px(r, a.y() - b.y());
        s += r + "\"/>\n";
    }
    return s + "</svg>\n";
}

} // namespace coldspot::service::detail
