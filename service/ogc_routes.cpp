// OGC API - Features Part 1 (Core, GeoJSON) and Part 2 (CRS by reference).
#include "coldspot/geo/crs.hpp"
#include "coldspot/service/gzip.hpp"
#include "coldspot/service/detail/geojson_writer.hpp"
#include "coldspot/service/items_query.hpp"
#include "coldspot/service/problem.hpp"
#include "coldspot/tiles/tileset.hpp"
#include "routes.hpp"

#include <charconv>
#include <chrono>
#include <ctime>

namespace coldspot::service::detail {

namespace {

using json = nlohmann::json;

const Collection& require_collection(const RouteContext& ctx, const std::string& id) {
    const Collection* c = ctx.snapshot.collection(id);
    if (!c) throw HttpProblem(404, "there is no collection '" + id + "'", {{"collections", ctx.base + "/collections"}});
    return *c;
}

/// Buffers GeoJSON text and hands it to the sink in pieces of about 64 KB.
class ChunkedText {
public:
    explicit ChunkedText(BodySink& sink) : sink_(sink) { text_.reserve(kChunk + 4096); }
    std::string& text() { return text_; }
    void maybe_flush() {
        if (text_.size() >= kChunk) flush();
    }
    void flush() {
        if (!text_.empty()) sink_.write(text_);
        text_.clear();
    }

private:
    static constexpr std::size_t kChunk = 64 * 1024;
    BodySink& sink_;
    std::string text_;
};

} // namespace

json collection_json(const RouteContext& ctx, const Collection& c) {
    const std::string self = ctx.base + "/collections/" + url_encode(c.id);
    json j{{"id", c.id}, {"title", c.title}, {"itemType", "feature"}, {"crs", supported_crs_uris()}};
    if (!c.description.empty()) j["description"] = c.description;
    if (c.geometry_type != geo::GeometryType::None) {
        j["storageCrs"] = crs_uri(OutputCrs::BritishNationalGrid);
        j["geometryType"] = std::string(geo::to_string(c.geometry_type));
        if (!geo::is_empty(c.extent_crs84)) {
            const auto& b = c.extent_crs84;
            j["extent"] = {{"spatial", {{"bbox", json::array({json::array({b.min_corner().x(), b.min_corner().y(), b.max_corner().x(), b.max_corner().y()})})},
                                        {"crs", kCrs84Uri}}}};
        }
    } else {
        j["geometryType"] = "None";
    }
    j["numberOfFeatures"] = c.size();
    j["links"] = json::array({link(self, "self", "application/json", "this collection"),
                              link(self + "?f=html", "alternate", "text/html", "this collection as HTML"),
                              link(self + "/items", "items", "application/geo+json", "the features"),
                              link(self + "/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json", "properties usable as filters")});
    for (const auto& [f, type, title] : alternate_formats())
        j["links"].push_back(link(self + "/items?f=" + f, "items", type, std::string("the features ") + title));
    if (ctx.snapshot.tiles && ctx.snapshot.tiles->has(c.layer))
        j["links"].push_back(link(self + "/tiles", "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", "application/json", "vector tilesets (OGC API - Tiles)"));
    return j;
}

Reply landing_page(const RouteContext& ctx) {
    // A browser goes to the map with its query (a shared view: /?hub=...); others get this page, and
    // so does anyone asking for it by name (?f=html, this document's "alternate" link).
    if (!ctx.request.param("f") && wants_html(ctx.request) && map_page_available(ctx)) return map_page_redirect(ctx);
    allow_only(ctx.request, {});
    const std::string& b = ctx.base;
    json links = json::array({link(b + "/", "self", "application/json", "this document"),
                              link(b + "/?f=html", "alternate", "text/html", "this document as HTML"),
                              link(b + "/api", "service-desc", "application/vnd.oai.openapi+json;version=3.0", "the API definition"),
                              link(b + "/api.html", "service-doc", "text/html", "the API documentation"),
                              link(b + "/conformance", "conformance", "application/json", "OGC API conformance classes implemented"),
                              link(b + "/conformance", "http://www.opengis.net/def/rel/ogc/1.0/conformance", "application/json"),
                              link(b + "/collections", "data", "application/json", "the feature collections"),
                              link(b + "/collections", "http://www.opengis.net/def/rel/ogc/1.0/data", "application/json"),
                              link(b + "/tiles", "tiles", "application/json", "vector tilesets"),
                              link(b + "/tileMatrixSets", "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", "application/json", "tile matrix sets (OGC API - Tiles)")});
    for (auto& l : map_links(ctx)) links.push_back(std::move(l));
    if (wants_html(ctx.request)) {
        std::string html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + html_escape(ctx.config.title) +
                           "</title></head>\n<body>\n<h1>" + html_escape(ctx.config.title) +
                           "</h1>\n<p>Cold spots in teachers' access to professional-development hubs in England, served as OGC API - Features and vector tiles.</p>\n<ul>\n";
        const std::string hb = html_escape(b);
        if (map_page_available(ctx)) html += "<li><a href=\"" + hb + "/map/\">The partnership map</a></li>\n";
        html += "<li><a href=\"" + hb + "/api\">API definition (OpenAPI 3.0)</a></li>\n";
        html += "<li><a href=\"" + hb + "/api.html\">API documentation</a></li>\n";
        html += "<li><a href=\"" + hb + "/conformance\">Conformance</a></li>\n";
        html += "<li><a href=\"" + hb + "/tiles\">Vector tilesets</a></li>\n</ul>\n<h2>Collections</h2>\n<ul>\n";
        for (const auto& c : ctx.snapshot.collections)
            html += "<li><a href=\"" + hb + "/collections/" + url_encode(c.id) + "/items\">" + html_escape(c.id) + "</a> (" + std::to_string(c.size()) + " features)</li>\n";
        html += "</ul>\n</body></html>\n";
        Reply r;
        r.content_type = "text/html; charset=utf-8";
        r.body = std::move(html);
        return r;
    }
    json landing{{"title", ctx.config.title},
                 {"description", "Cold spots in teachers' access to professional-development hubs in England: OGC API - Features, vector tiles and an analysis API."},
                 {"links", links}};
    landing.update(workspace_description(ctx));
    return json_reply(landing);
}

Reply conformance(const RouteContext& ctx) {
    allow_only(ctx.request, {});
    const std::vector<std::string> classes{"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
                                           "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
                                           "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
                                           "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
                                           "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
                                           "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
                                           "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
                                           "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
                                           "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
                                           "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
                                           "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
                                           "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
                                           "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
                                           "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
                                           "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
                                           "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
                                           "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
                                           "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
                                           "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
                                           "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
                                           "http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
                                           "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset"};
    if (wants_html(ctx.request)) return conformance_html(ctx, classes);
    return json_reply({{"conformsTo", classes}});
}

Reply collections(const RouteContext& ctx) {
    allow_only(ctx.request, {});
    if (wants_html(ctx.request)) return collections_html(ctx);
    json list = json::array();
    for (const auto& c : ctx.snapshot.collections) list.push_back(collection_json(ctx, c));
    return json_reply({{"links", json::array({link(ctx.base + "/collections", "self", "application/json"),
                                               link(ctx.base + "/collections?f=html", "alternate", "text/html", "the collections as HTML")})},
                       {"crs", supported_crs_uris()},
                       {"collections", list}});
}

Reply collection(const RouteContext& ctx, const std::string& id) {
    allow_only(ctx.request, {});
    const Collection& c = require_collection(ctx, id);
    if (wants_html(ctx.request)) return collection_html(ctx, c);
    return json_reply(collection_json(ctx, c));
}

Reply queryables(const RouteContext& ctx, const std::string& id) {
    allow_only(ctx.request, {});
    const Collection& c = require_collection(ctx, id);
    json props = json::object();
    for (const auto& f : c.table->fields) {
        const char* type = f.type == geo::FieldType::Integer ? "integer" : f.type == geo::FieldType::Real ? "number" : "string";
        props[f.name] = {{"title", f.name}, {"type", type}};
    }
    if (c.geometry_type != geo::GeometryType::None) {
        // OGC API Features Part 3: a spatial queryable, for S_INTERSECTS(geometry, ...) in filters.
        const char* format = c.geometry_type == geo::GeometryType::Point ? "geometry-point"
                             : c.geometry_type == geo::GeometryType::MultiLineString ? "geometry-multilinestring" : "geometry-multipolygon";
        props[cql2::kGeometryProperty] = {{"title", "the feature's geometry (CRS84, or filter-crs)"}, {"format", format}, {"x-ogc-role", "primary-geometry"}};
    }
    json schema{{"$schema", "https://json-schema.org/draft/2019-09/schema"},
                {"$id", ctx.base + "/collections/" + url_encode(c.id) + "/queryables"},
                {"type", "object"},
                {"title", c.id},
                {"properties", props}};
    if (wants_html(ctx.request)) return queryables_html(ctx, c, schema);
    return json_reply(schema, 200, "application/schema+json");
}

Reply items(const RouteContext& ctx, const std::string& id) {
    const Collection& c = require_collection(ctx, id);
    ItemsQuery q = parse_items_query(c, ctx.request, ctx.config.items);
    if (!q.format_given && wants_html(ctx.request)) q.format = ItemsFormat::Html;
    ItemsPage page = select_items(c, q);

    const std::string self = ctx.base + "/collections/" + url_encode(c.id) + "/items";
    std::string next, prev;
    if (q.offset + page.positions.size() < page.matched) next = self + query_with(ctx.request, "offset", std::to_string(q.offset + page.positions.size()));
    if (q.offset > 0) prev = self + query_with(ctx.request, "offset", std::to_string(q.offset > q.limit ? q.offset - q.limit : 0));
    if (is_download(q.format)) {
        std::vector<std::pair<std::string, std::string>> rels;
        if (!next.empty()) rels.emplace_back("next", next);
        if (!prev.empty()) rels.emplace_back("prev", prev);
        return items_download(ctx, c, q, std::move(page), rels);
    }
    if (q.format == ItemsFormat::Html) return items_html(ctx, c, q, page, next, prev);
    json links = json::array({link(self + query_string(ctx.request), "self", "application/geo+json", "this page"),
                              link(ctx.base + "/collections/" + url_encode(c.id), "collection", "application/json")});
    for (const auto& [f, type, title] : alternate_formats())
        links.push_back(link(self + query_with(ctx.request, "f", f), "alternate", type, title));
    if (!next.empty()) links.push_back(link(next, "next", "application/geo+json", "next page"));
    if (!prev.empty()) links.push_back(link(prev, "prev", "application/geo+json", "previous page"));

    Reply r;
    r.content_type = "application/geo+json";
    r.set_header("Content-Crs", "<" + crs_uri(q.crs) + ">");
    std::string head = R"({"type":"FeatureCollection","numberMatched":)" + std::to_string(page.matched) +
                       R"(,"numberReturned":)" + std::to_string(page.positions.size()) + R"(,"timeStamp":")" + utc_timestamp() +
                       R"(","links":)" + links.dump() + R"(,"features":[)";
    FeatureWriteOptions options{q.crs, q.properties, q.all_properties};
    auto positions = std::make_shared<const std::vector<std::size_t>>(std::move(page.positions));
    // The streams hold the snapshot, so a swap during a long download changes nothing for them.
    r.stream = [head, positions, &c, options, hold = ctx.hold](BodySink& sink) {
        ChunkedText out(sink);
        out.text() += head;
        std::string scratch;
        for (std::size_t i = 0; i < positions->size(); ++i) {
            const std::size_t position = (*positions)[i];
            if (i) out.text() += ',';
            if (options.all_properties && c.text_cache) {
                // The text of a whole feature never changes within a snapshot: kept after first use.
                out.text() += c.text_cache->text(options.crs, position, scratch, [&](std::string& text) { append_feature(text, c, position, options); });
            } else {
                append_feature(out.text(), c, position, options);
            }
            out.maybe_flush();
        }
        out.text() += "]}";
        out.flush();
    };
    if (options.all_properties && c.text_cache) {
        // gzip without deflating the features again: the head (which has this request's links and
        // time) and the first feature are compressed now, every further feature comes from kept
        // fragments of "," + text. Pages with chosen properties go through the streaming compressor.
        r.gzip_stream = [head = std::move(head), positions, &c, options, hold = ctx.hold](BodySink& sink) {
            GzipMemberWriter gz(sink);
            std::string scratch;
            DeflateFragment scratch_fragment;
            const auto writer = [&](std::size_t position) { return [&, position](std::string& text) { append_feature(text, c, position, options); }; };
            if (positions->empty()) {
                gz.text(head);
            } else {
                const std::size_t first = positions->front();
                gz.text(head, c.text_cache->text(options.crs, first, scratch, writer(first)));
            }
            // A whole aligned block of consecutive features goes as one kept fragment (compressed
            // together, so nearly as small as a deflated page); the features around it, and pages
            // with gaps (filters, bbox), go a feature at a time.
            constexpr std::size_t block = FeatureTextCache::kBlockFeatures;
            const auto write_at = [&](std::size_t position, std::string& text) { append_feature(text, c, position, options); };
            const auto whole_block_at = [&](std::size_t i) {
                const std::size_t p = (*positions)[i];
                if (p % block != 0 || i + block > positions->size() || p + block > c.text_cache->size()) return false;
                for (std::size_t k = 1; k < block; ++k)
                    if ((*positions)[i + k] != p + k) return false;
                return true;
            };
            for (std::size_t i = 1; i < positions->size();) {
                const std::size_t position = (*positions)[i];
                if (whole_block_at(i)) {
                    gz.fragment(c.text_cache->separated_block(options.crs, position / block, scratch, scratch_fragment, write_at));
                    i += block;
                } else {
                    gz.fragment(c.text_cache->separated_fragment(options.crs, position, scratch, scratch_fragment, writer(position)));
                    ++i;
                }
            }
            gz.finish("]}");
        };
    }
    return r;
}

Reply item(const RouteContext& ctx, const std::string& id, const std::string& feature_id) {
    const Collection& c = require_collection(ctx, id);
    OutputCrs crs = OutputCrs::Crs84;
    for (const auto& [k, v] : ctx.request.query) {
        if (k == "crs") {
            const auto parsed = parse_crs(v);
            if (!parsed) throw HttpProblem(400, "parameter 'crs': CRS '" + v + "' is not supported", {{"supported", supported_crs_uris()}});
            crs = *parsed;
        } else if (k != "f") {
            throw HttpProblem(400, "unknown query parameter '" + k + "' (a feature takes crs and f)");
        }
    }
    const bool html = wants_html(ctx.request);
    std::int64_t fid = 0;
    const auto [p, ec] = std::from_chars(feature_id.data(), feature_id.data() + feature_id.size(), fid);
    const auto it = (ec == std::errc() && p == feature_id.data() + feature_id.size()) ? c.row_of_fid.find(fid) : c.row_of_fid.end();
    if (it == c.row_of_fid.end()) throw HttpProblem(404, "collection '" + c.id + "' has no feature '" + feature_id + "'");
    if (html) return item_html(ctx, c, it->second);
    std::string text;
    append_feature(text, c, it->second, FeatureWriteOptions{crs, {}, true});
    // Add the links the standard asks for to the feature object.
    text.pop_back();
    const std::string self = ctx.base + "/collections/" + url_encode(c.id) + "/items/" + feature_id;
    text += R"(,"links":)" +
            json::array({link(self, "self", "application/geo+json"), link(self + "?f=html", "alternate", "text/html", "this feature as HTML"),
                         link(ctx.base + "/collections/" + url_encode(c.id), "collection", "application/json")})
                .dump() +
            "}";
    Reply r;
    r.content_type = "application/geo+json";
    r.set_header("Content-Crs", "<" + crs_uri(crs) + ">");
    r.body = std::move(text);
    return r;
}

} // namespace coldspot::service::detail
