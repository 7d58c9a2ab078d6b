// HTML views of the OGC resources (f=html or a browser's Accept), as pg_featureserv and pygeoapi
// offer: collections, one collection with its extent on a map, items as a paged table with a map,
// one item, conformance and queryables. Every value from the data or the request is escaped.
#include "coldspot/geo/feature_writers.hpp"
#include "coldspot/service/output_crs.hpp"
#include "html_page.hpp"

namespace coldspot::service::detail {

namespace {

std::string a(const std::string& href, const std::string& text) { return "<a href=\"" + html_escape(href) + "\">" + html_escape(text) + "</a>"; }

std::string collection_url(const RouteContext& ctx, const Collection& c) { return ctx.base + "/collections/" + url_encode(c.id); }

std::string number_cell(const std::string& text) { return "<td class=\"num\">" + text + "</td>"; }

std::string extent_text(const geo::Box& b) {
    std::string s;
    for (double v : {b.min_corner().x(), b.min_corner().y(), b.max_corner().x(), b.max_corner().y()}) {
        if (!s.empty()) s += ", ";
        geo::append_number(s, v, 5);
    }
    return s;
}

/// Links to the items of `c` in every format, `query` (starting with ? or empty) kept.
std::string format_links(const std::string& items, const std::string& query) {
    std::string s = "<ul>";
    const std::string sep = query.empty() ? "?" : query + "&";
    s += "<li>" + a(items + sep + "f=html", "HTML table and map") + "</li>";
    s += "<li>" + a(items + query, "GeoJSON") + "</li>";
    s += "<li>" + a(items + sep + "f=csv", "CSV") + " (UTF-8 with a header; x/y columns for points, WKT otherwise)</li>";
    s += "<li>" + a(items + sep + "f=xlsx", "XLSX spreadsheet") + "</li>";
    s += "<li>" + a(items + sep + "f=fgb", "FlatGeobuf") + " (for GIS; streamed)</li>";
    return s + "</ul>\n";
}

} // namespace

Reply collections_html(const RouteContext& ctx) {
    HtmlPage p{"Collections", {{"Collections", ctx.base + "/collections?f=html"}}, {}, {{"JSON", ctx.base + "/collections?f=json"}}};
    p.body = "<p>Every layer of the workspace, one collection per geometry type. Coordinates are served in CRS84 (longitude, latitude) by default, "
             "or EPSG:27700 and EPSG:3857 on request.</p>\n<div class=\"scroll\"><table>\n<caption>" +
             std::to_string(ctx.snapshot.collections.size()) +
             " collections</caption>\n<tr><th scope=\"col\">collection</th><th scope=\"col\">description</th><th scope=\"col\">geometry</th><th scope=\"col\">features</th><th scope=\"col\">data</th></tr>\n";
    for (const auto& c : ctx.snapshot.collections) {
        const std::string url = collection_url(ctx, c);
        p.body += "<tr><th scope=\"row\">" + a(url + "?f=html", c.id) + "</th><td>" + html_escape(c.description.empty() ? c.title : c.description) + "</td><td>" +
                  html_escape(std::string(geo::to_string(c.geometry_type))) + "</td>" + number_cell(std::to_string(c.size())) + "<td>" +
                  a(url + "/items?f=html", "table") + " &middot; " + a(url + "/items", "GeoJSON") + " &middot; " + a(url + "/items?f=csv", "CSV") + "</td></tr>\n";
    }
    p.body += "</table></div>\n";
    return html_reply(ctx, p);
}

Reply collection_html(const RouteContext& ctx, const Collection& c) {
    const std::string url = collection_url(ctx, c);
    HtmlPage p{c.id, {{"Collections", ctx.base + "/collections?f=html"}, {c.id, url + "?f=html"}}, {}, {{"JSON", url + "?f=json"}}};
    if (!c.description.empty()) p.body += "<p>" + html_escape(c.description) + "</p>\n";
    p.body += "<dl><dt>Features</dt><dd>" + std::to_string(c.size()) + "</dd><dt>Geometry</dt><dd>" + html_escape(std::string(geo::to_string(c.geometry_type))) + "</dd>";
    if (!geo::is_empty(c.extent_crs84))
        p.body += "<dt>Extent (CRS84: west, south, east, north)</dt><dd>" + extent_text(c.extent_crs84) + "</dd><dt>Storage CRS</dt><dd>EPSG:27700 (British National Grid)</dd>";
    p.body += "</dl>\n";
    if (c.geometry_type != geo::GeometryType::None) {
        std::vector<std::size_t> all(c.size());
        for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
        p.body += "<h2>Extent</h2>\n" + svg_map(ctx, c, all, c.extent_crs84, false);
    }
    p.body += "<h2>Items</h2>\n" + format_links(url + "/items", "");
    p.body += "<h2>More</h2>\n<ul><li>" + a(url + "/queryables?f=html", "Queryables") + ": the properties a filter may use</li>";
    if (c.geometry_type != geo::GeometryType::None) p.body += "<li>" + a(url + "/tiles", "Vector tiles") + " (OGC API - Tiles, WebMercatorQuad)</li>";
    p.body += "</ul>\n";
    return html_reply(ctx, p);
}

Reply items_html(const RouteContext& ctx, const Collection& c, const ItemsQuery& q, const ItemsPage& page, const std::string& next, const std::string& prev) {
    const std::string url = collection_url(ctx, c);
    const std::string items = url + "/items";
    HtmlPage p{c.id + ": features", {{"Collections", ctx.base + "/collections?f=html"}, {c.id, url + "?f=html"}, {"Features", items + "?f=html"}}, {}, {}};
    p.formats = {{"GeoJSON", items + query_with(ctx.request, "f", "json")}};
    const std::size_t first = page.positions.empty() ? 0 : q.offset + 1;
    p.body += "<p>Features " + std::to_string(first) + "&ndash;" + std::to_string(q.offset + page.positions.size()) + " of " + std::to_string(page.matched) +
              " matched.</p>\n";
    // The filter form keeps every other parameter of this request.
    std::string filter;
    for (const auto& [k, v] : ctx.request.query)
        if (k == "filter") filter = v;
    p.body += "<form method=\"get\" action=\"" + html_escape(items) + "\"><label for=\"filter\">Filter (CQL2 text, e.g. <code>phase = 'Primary' AND pupils &gt; 100</code>)</label><br>"
              "<input type=\"text\" id=\"filter\" name=\"filter\" value=\"" + html_escape(filter) + "\"> ";
    for (const auto& [k, v] : ctx.request.query)
        if (k != "filter" && k != "offset" && k != "f") p.body += "<input type=\"hidden\" name=\"" + html_escape(k) + "\" value=\"" + html_escape(v) + "\">";
    p.body += "<input type=\"hidden\" name=\"f\" value=\"html\"><button type=\"submit\">Apply</button> " + a(url + "/queryables?f=html", "queryable properties") + "</form>\n";
    std::string nav;
    if (!prev.empty()) nav += a(prev, "previous page") + " ";
    if (!next.empty()) nav += a(next, "next page");
    if (!nav.empty()) p.body += "<nav aria-label=\"Pages\"><p>" + nav + "</p></nav>\n";
    if (c.geometry_type != geo::GeometryType::None && !page.positions.empty()) p.body += svg_map(ctx, c, page.positions, geo::empty_box(), true, page.positions.size());
    std::vector<std::size_t> columns = q.properties;
    if (q.all_properties) {
        columns.clear();
        for (std::size_t i = 0; i < c.table->fields.size(); ++i) columns.push_back(i);
    }
    p.body += "<div class=\"scroll\"><table>\n<tr><th scope=\"col\">id</th>";
    for (const auto i : columns) p.body += "<th scope=\"col\">" + html_escape(c.table->fields[i].name) + "</th>";
    p.body += "</tr>\n";
    for (const auto pos : page.positions) {
        const geo::Feature& f = c.feature(pos);
        const std::string fid = std::to_string(f.fid);
        p.body += "<tr><th scope=\"row\">" + a(items + "/" + fid + "?f=html", fid) + "</th>";
        for (const auto i : columns) {
            const bool numeric = c.table->fields[i].type != geo::FieldType::String;
            p.body += (numeric ? "<td class=\"num\">" : "<td>") + (i < f.values.size() ? html_value(f.values[i]) : html_value({})) + "</td>";
        }
        p.body += "</tr>\n";
    }
    p.body += "</table></div>\n";
    if (!nav.empty()) p.body += "<nav aria-label=\"Pages, again\"><p>" + nav + "</p></nav>\n";
    p.body += "<h2>Download the whole selection</h2>\n" + format_links(items, query_with(ctx.request, "f", "", {"limit", "offset"}));
    return html_reply(ctx, p);
}

Reply item_html(const RouteContext& ctx, const Collection& c, std::size_t position) {
    const geo::Feature& f = c.feature(position);
    const std::string url = collection_url(ctx, c);
    const std::string self = url + "/items/" + std::to_string(f.fid);
    HtmlPage p{c.id + " " + std::to_string(f.fid),
               {{"Collections", ctx.base + "/collections?f=html"}, {c.id, url + "?f=html"}, {"Features", url + "/items?f=html"}, {std::to_string(f.fid), self + "?f=html"}},
               {},
               {{"GeoJSON", self + "?f=json"}}};
    p.body = "<table>\n<tr><th scope=\"col\">property</th><th scope=\"col\">value</th></tr>\n";
    for (std::size_t i = 0; i < c.table->fields.size(); ++i)
        p.body += "<tr><th scope=\"row\">" + html_escape(c.table->fields[i].name) + "</th><td>" + (i < f.values.size() ? html_value(f.values[i]) : html_value({})) + "</td></tr>\n";
    p.body += "</table>\n";
    if (c.geometry_type != geo::GeometryType::None) p.body += svg_map(ctx, c, {position}, geo::empty_box(), false);
    return html_reply(ctx, p);
}

Reply conformance_html(const RouteContext& ctx, const std::vector<std::string>& classes) {
    HtmlPage p{"Conformance", {{"Conformance", ctx.base + "/conformance?f=html"}}, {}, {{"JSON", ctx.base + "/conformance?f=json"}}};
    p.body = "<p>The OGC standards' conformance classes this server implements.</p>\n<ul>\n";
    for (const auto& c : classes) p.body += "<li>" + a(c, c) + "</li>\n";
    p.body += "</ul>\n";
    return html_reply(ctx, p);
}

Reply queryables_html(const RouteContext& ctx, const Collection& c, const nlohmann::json& schema) {
    const std::string url = collection_url(ctx, c);
    HtmlPage p{c.id + ": queryables", {{"Collections", ctx.base + "/collections?f=html"}, {c.id, url + "?f=html"}, {"Queryables", url + "/queryables?f=html"}}, {},
               {{"JSON Schema", url + "/queryables?f=json"}}};
    p.body = "<p>Properties a <code>filter</code> (CQL2 text) may name, and the equality filters <code>?name=value</code> on items.</p>\n"
             "<table>\n<tr><th scope=\"col\">name</th><th scope=\"col\">type</th></tr>\n";
    for (const auto& [name, prop] : schema.at("properties").items()) {
        const std::string type = prop.contains("type") ? prop.at("type").get<std::string>() : prop.value("format", "");
        p.body += "<tr><th scope=\"row\">" + html_escape(name) + "</th><td>" + html_escape(type) + "</td></tr>\n";
    }
    p.body += "</table>\n";
    return html_reply(ctx, p);
}

Reply json_as_html(const RouteContext& ctx, const std::string& title, const nlohmann::json& doc, const std::string& self) {
    HtmlPage p{title, {{title, self + "?f=html"}}, {}, {{"JSON", self + "?f=json"}}};
    // Links first, as a list a reader can follow; the document itself below.
    if (doc.is_object() && doc.contains("links"))
        for (const auto& l : doc.at("links")) p.body += "<li>" + a(l.value("href", ""), l.value("title", l.value("rel", ""))) + " <small>(" + html_escape(l.value("rel", "")) + ", " + html_escape(l.value("type", "")) + ")</small></li>\n";
    if (!p.body.empty()) p.body = "<h2>Links</h2>\n<ul>\n" + p.body + "</ul>\n";
    p.body += "<h2>Document</h2>\n<pre>" + html_escape(doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)) + "</pre>\n";
    return html_reply(ctx, p);
}

} // namespace coldspot::service::detail
