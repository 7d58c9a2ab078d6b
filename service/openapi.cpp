// The OpenAPI 3.0 definition served at /api: generated from the live configuration, so the limit
// default and maximum it states are the ones the server applies.
#include "coldspot/geo/version.hpp"
#include "coldspot/service/detail/analysis_schema.hpp"
#include "coldspot/service/output_crs.hpp"
#include "routes.hpp"

#include <tuple>

namespace coldspot::service::detail {

namespace {

using json = nlohmann::json;

json response(const std::string& description, const std::string& type = "application/json", json schema = json::object()) {
    if (schema.empty()) schema = {{"type", "object"}};
    return {{"description", description}, {"content", {{type, {{"schema", schema}}}}}};
}

json problem_ref() { return {{"$ref", "#/components/responses/Problem"}}; }

json get_op(const std::string& id, const std::string& summary, json parameters, json ok, const std::string& tag) {
    return {{"get",
             {{"operationId", id},
              {"summary", summary},
              {"tags", json::array({tag})},
              {"parameters", std::move(parameters)},
              {"responses", {{"200", std::move(ok)}, {"400", problem_ref()}, {"404", problem_ref()}, {"500", problem_ref()}}}}}};
}

json path_param(const std::string& name, const std::string& description, json schema = {{"type", "string"}}) {
    return {{"name", name}, {"in", "path"}, {"required", true}, {"description", description}, {"schema", std::move(schema)}};
}

} // namespace

Reply openapi_document(const RouteContext& ctx) {
    allow_only(ctx.request, {});
    const auto& limits = ctx.config.items;
    json collection_ids = json::array();
    for (const auto& c : ctx.snapshot.collections) collection_ids.push_back(c.id);
    json crs_enum = supported_crs_uris();

    json params = {
        {"collectionId", path_param("collectionId", "a collection (one per workspace layer and geometry type)", {{"type", "string"}, {"enum", collection_ids}})},
        {"featureId", path_param("featureId", "the feature id (fid; the URN for schools)", {{"type", "integer"}})},
        {"limit",
         {{"name", "limit"}, {"in", "query"}, {"required", false}, {"style", "form"}, {"explode", false},
          {"description", "The number of features per page. A value above the maximum is lowered to the maximum."},
          {"schema", {{"type", "integer"}, {"minimum", 1}, {"maximum", limits.max_limit}, {"default", limits.default_limit}}}}},
        {"offset",
         {{"name", "offset"}, {"in", "query"}, {"required", false}, {"description", "Features to skip (paging; the next and prev links carry it)."},
          {"schema", {{"type", "integer"}, {"minimum", 0}, {"default", 0}}}}},
        {"bbox",
         {{"name", "bbox"}, {"in", "query"}, {"required", false}, {"style", "form"}, {"explode", false},
          {"description", "Only features whose geometry intersects this box: minx,miny,maxx,maxy in bbox-crs (CRS84 by default)."},
          {"schema", {{"type", "array"}, {"minItems", 4}, {"maxItems", 6}, {"items", {{"type", "number"}}}}}}},
        {"bbox-crs",
         {{"name", "bbox-crs"}, {"in", "query"}, {"required", false}, {"description", "CRS of bbox."},
          {"schema", {{"type", "string"}, {"format", "uri"}, {"enum", crs_enum}, {"default", kCrs84Uri}}}}},
        {"crs",
         {{"name", "crs"}, {"in", "query"}, {"required", false}, {"description", "CRS of the returned coordinates (stated again in the Content-Crs header)."},
          {"schema", {{"type", "string"}, {"format", "uri"}, {"enum", crs_enum}, {"default", kCrs84Uri}}}}},
        {"properties",
         {{"name", "properties"}, {"in", "query"}, {"required", false}, {"style", "form"}, {"explode", false},
          {"description", "Comma-separated properties to return (default: all)."},
          {"schema", {{"type", "array"}, {"items", {{"type", "string"}}}}}}},
        {"f",
         {{"name", "f"}, {"in", "query"}, {"required", false},
          {"description", "Representation: json (GeoJSON), html (a table and map), csv (UTF-8 with a header; x/y columns for points, WKT otherwise), "
                          "xlsx (one sheet, typed columns; at most " + std::to_string(limits.xlsx_max_rows) + " rows) or fgb (FlatGeobuf, streamed). "
                          "csv, xlsx and fgb hold the whole selection unless limit is given."},
          {"schema", {{"type", "string"}, {"enum", {"json", "html", "csv", "xlsx", "fgb"}}, {"default", "json"}}}}},
        {"filter",
         {{"name", "filter"}, {"in", "query"}, {"required", false},
          {"description", "A CQL2 text filter (OGC API Features Part 3) on the queryables: = <> < > <= >=, AND, OR, NOT, IN, BETWEEN, LIKE, IS NULL, "
                          "S_INTERSECTS(geometry, BBOX(...) or a WKT geometry). A malformed filter is a 400 naming the position where parsing stopped."},
          {"schema", {{"type", "string"}}}}},
        {"filter-lang",
         {{"name", "filter-lang"}, {"in", "query"}, {"required", false}, {"description", "The filter language: cql2-text."},
          {"schema", {{"type", "string"}, {"enum", {"cql2-text"}}, {"default", "cql2-text"}}}}},
        {"filter-crs",
         {{"name", "filter-crs"}, {"in", "query"}, {"required", false}, {"description", "CRS of the coordinates in filter."},
          {"schema", {{"type", "string"}, {"format", "uri"}, {"enum", crs_enum}, {"default", kCrs84Uri}}}}},
        {"datetime",
         {{"name", "datetime"}, {"in", "query"}, {"required", false},
          {"description", "Temporal filter; the workspace layers have no time, so every feature matches."},
          {"schema", {{"type", "string"}}}}},
    };
    auto ref = [](const std::string& p) { return json{{"$ref", "#/components/parameters/" + p}}; };

    json paths = json::object();
    paths["/"] = get_op("getLandingPage", "Landing page (JSON, or HTML for browsers)", json::array(), response("links to the API", "application/json"), "Capabilities");
    paths["/"]["get"]["responses"]["200"]["content"]["text/html"] = {{"schema", {{"type", "string"}}}};
    paths["/conformance"] = get_op("getConformance", "Conformance classes", json::array(), response("conformance classes"), "Capabilities");
    paths["/api"] = get_op("getApi", "This document", json::array(), response("OpenAPI 3.0", "application/vnd.oai.openapi+json;version=3.0"), "Capabilities");
    paths["/collections"] = get_op("getCollections", "The feature collections", json::array(), response("collections"), "Capabilities");
    paths["/collections/{collectionId}"] = get_op("describeCollection", "One collection: extent, CRS list, links", json::array({ref("collectionId")}), response("collection"), "Capabilities");
    paths["/collections/{collectionId}/queryables"] =
        get_op("getQueryables", "Properties usable as equality filters on items", json::array({ref("collectionId")}), response("JSON Schema of the properties", "application/schema+json"), "Data");
    json items_params = json::array({ref("collectionId"), ref("limit"), ref("offset"), ref("bbox"), ref("bbox-crs"), ref("crs"), ref("properties"), ref("datetime"),
                                     ref("filter"), ref("filter-lang"), ref("filter-crs"), ref("f")});
    paths["/collections/{collectionId}/items"] = get_op(
        "getFeatures", "Features of a collection, streamed as GeoJSON. Any queryable property may be given as an equality filter (?phase=Primary).", items_params,
        response("a GeoJSON FeatureCollection with numberMatched, numberReturned and next/prev links", "application/geo+json"), "Data");
    for (const auto& [f, type, title] : alternate_formats())
        paths["/collections/{collectionId}/items"]["get"]["responses"]["200"]["content"][type] = {{"schema", {{"type", "string"}, {"format", "binary"}}}};
    paths["/collections/{collectionId}/items"]["get"]["responses"]["200"]["headers"] = {
        {"Content-Crs", {{"description", "the CRS of the coordinates, as <URI>"}, {"schema", {{"type", "string"}}}}}};
    paths["/collections/{collectionId}/items/{featureId}"] =
        get_op("getFeature", "One feature", json::array({ref("collectionId"), ref("featureId"), ref("crs")}), response("a GeoJSON Feature", "application/geo+json"), "Data");
    for (const char* p : {"/collections", "/collections/{collectionId}", "/conformance", "/collections/{collectionId}/queryables", "/collections/{collectionId}/items/{featureId}"}) {
        paths[p]["get"]["parameters"].push_back({{"name", "f"}, {"in", "query"}, {"required", false}, {"description", "json, or html for a page"},
                                                 {"schema", {{"type", "string"}, {"enum", {"json", "html"}}}}});
        paths[p]["get"]["responses"]["200"]["content"]["text/html"] = {{"schema", {{"type", "string"}}}};
    }
    // OGC API - Tiles
    json tiles_path = json::array({ref("collectionId"), path_param("tileMatrixSetId", "the tile matrix set", {{"type", "string"}, {"enum", {"WebMercatorQuad"}}})});
    paths["/tileMatrixSets"] = get_op("getTileMatrixSetsList", "Tile matrix sets (WebMercatorQuad)", json::array(), response("list"), "Tiles");
    paths["/tileMatrixSets/{tileMatrixSetId}"] =
        get_op("getTileMatrixSet", "A tile matrix set (OGC Two Dimensional Tile Matrix Set 2.0 JSON)", json::array({tiles_path[1]}), response("tile matrix set"), "Tiles");
    paths["/collections/{collectionId}/tiles"] = get_op("getCollectionVectorTileSetsList", "The vector tilesets of a collection", json::array({ref("collectionId")}), response("tilesets"), "Tiles");
    paths["/collections/{collectionId}/tiles/{tileMatrixSetId}"] = get_op("getCollectionVectorTileSet", "A vector tileset: limits per zoom, layers, links", tiles_path, response("tileset"), "Tiles");
    json tile_path = tiles_path;
    tile_path.push_back(path_param("tileMatrix", "zoom", {{"type", "string"}}));
    tile_path.push_back(path_param("tileRow", "row (0 at the north)", {{"type", "integer"}, {"minimum", 0}}));
    tile_path.push_back(path_param("tileCol", "column", {{"type", "integer"}, {"minimum", 0}}));
    const std::string tile = "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}";
    paths[tile] = get_op("getCollectionVectorTile", "A Mapbox Vector Tile of the collection (the same bytes as /tiles/{tileset}/{z}/{x}/{y}.mvt)", tile_path,
                         response("the tile", "application/vnd.mapbox-vector-tile", {{"type", "string"}, {"format", "binary"}}), "Tiles");
    paths[tile]["get"]["responses"]["204"] = {{"description", "the tile has no features"}};
    paths["/schools/{urn}"] = get_op("getSchool", "One-stop record of a school: its attributes and its rows in every result layer present",
                                     json::array({path_param("urn", "Unique Reference Number", {{"type", "integer"}})}), response("school record"), "Records");
    paths["/hubs"] = get_op("getHubs", "Hub dashboards (layer hub_dashboard)", json::array(), response("list"), "Records");
    paths["/hubs/{hubId}"] = get_op("getHub", "One hub's dashboard", json::array({path_param("hubId", "hub_id, e.g. teaching-school-hub:EE1")}), response("dashboard"), "Records");
    paths["/authorities"] = get_op("getAuthorities", "Local-authority dashboards (layer la_dashboard)", json::array(), response("list"), "Records");
    paths["/authorities/{code}"] = get_op("getAuthority", "One authority's dashboard", json::array({path_param("code", "authority code")}), response("dashboard"), "Records");
    paths["/tiles"] = get_op("getTilesets", "Vector tilesets", json::array(), response("list"), "Tiles");
    paths["/tiles/{tileset}.json"] = get_op("getTileJson", "TileJSON 3.0.0 of a tileset", json::array({path_param("tileset", "tileset name")}), response("TileJSON"), "Tiles");
    json tile_params = json::array({path_param("tileset", "tileset name"), path_param("z", "zoom", {{"type", "integer"}, {"minimum", 0}, {"maximum", 22}}),
                                    path_param("x", "column", {{"type", "integer"}, {"minimum", 0}}), path_param("y", "row (XYZ: 0 at the north)", {{"type", "integer"}, {"minimum", 0}})});
    paths["/tiles/{tileset}/{z}/{x}/{y}.mvt"] = get_op("getTile", "A Mapbox Vector Tile (gzip with Content-Encoding; .pbf also accepted)", tile_params,
                                                       response("the tile", "application/vnd.mapbox-vector-tile", {{"type", "string"}, {"format", "binary"}}), "Tiles");
    paths["/tiles/{tileset}/{z}/{x}/{y}.mvt"]["get"]["responses"]["204"] = {{"description", "the tile has no features"}};
    paths["/tiles/{tileset}/{z}/{x}/{y}.mvt"]["get"]["responses"]["304"] = {{"description", "not modified (If-None-Match matched the ETag)"}};
    paths["/analysis"] = {{"post",
                           {{"operationId", "runAnalysis"},
                            {"summary", "Run the cold-spot analysis with new parameters as a background job; results replace the served ones atomically"},
                            {"tags", json::array({"Analysis"})},
                            {"security", json::array({{{"bearerAuth", json::array()}}})},
                            {"requestBody", {{"required", true}, {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/AnalysisParameters"}}}}}}}}},
                            {"responses",
                             {{"202", response("the job, with a Location header to poll")},
                              {"400", problem_ref()}, {"401", problem_ref()}, {"403", problem_ref()}, {"413", problem_ref()},
                              {"415", problem_ref()}, {"422", problem_ref()}, {"501", problem_ref()}, {"503", problem_ref()}}}}}};
    paths["/analysis/schema"] = get_op("getAnalysisSchema", "JSON Schema of the analysis parameters", json::array(), response("JSON Schema", "application/schema+json"), "Analysis");
    paths["/analysis/{jobId}"] = get_op("getAnalysisJob", "Progress and result of an analysis job", json::array({path_param("jobId", "job id")}), response("the job"), "Analysis");
    for (const auto& [file, id, type] : {std::tuple{"project.qgs", "getQgisProject", "application/x-qgis-project"},
                                         std::tuple{"project.qgz", "getQgisProjectZip", "application/x-qgis-project-container"}}) {
        const std::string path = std::string("/qgis/") + file;
        paths[path] = get_op(id, "A QGIS 3.22+ project whose layers read this server, grouped and styled from the palette (URLs from Host or Forwarded)",
                             json::array(), response("the project", type, {{"type", "string"}, {"format", "binary"}}), "Clients");
    }
    paths["/healthz"] = get_op("getHealth", "Liveness and the snapshot served", json::array(), response("status"), "Operations");
    add_map_paths(paths);
    paths["/metrics"] = get_op("getMetrics", "Prometheus metrics", json::array(), response("text exposition format 0.0.4", "text/plain; version=0.0.4"), "Operations");

    json problem_schema = {{"type", "object"},
                           {"required", json::array({"type", "title", "status"})},
                           {"properties", {{"type", {{"type", "string"}}}, {"title", {{"type", "string"}}}, {"status", {{"type", "integer"}}},
                                           {"detail", {{"type", "string"}}}, {"instance", {{"type", "string"}}}}}};
    json analysis_schema = analysis_parameters_schema();
    analysis_schema.erase("$schema"); // OpenAPI 3.0 schema objects do not take it
    json doc = {{"openapi", "3.0.3"},
                {"info", {{"title", ctx.config.title + " API"}, {"version", coldspot::version()},
                          {"description", "OGC API - Features (Part 1 Core, Part 2 CRS, Part 3 CQL2 filters), OGC API - Tiles (vector tiles in WebMercatorQuad), CSV/XLSX/FlatGeobuf downloads and the cold-spot analysis API."},
                          {"license", {{"name", "Data: Open Government Licence v3.0 / ODbL"}}}}},
                {"servers", json::array({{{"url", ctx.base}}})},
                {"paths", paths},
                {"components",
                 {{"parameters", params},
                  {"schemas", {{"Problem", problem_schema}, {"AnalysisParameters", analysis_schema}}},
                  {"responses", {{"Problem", response("RFC 9457 problem details", "application/problem+json", {{"$ref", "#/components/schemas/Problem"}})}}},
                  {"securitySchemes", {{"bearerAuth", {{"type", "http"}, {"scheme", "bearer"}}}}}}}};
    return json_reply(doc, 200, "application/vnd.oai.openapi+json;version=3.0");
}

Reply api_html(const RouteContext& ctx) {
    allow_only(ctx.request, {});
    const Reply doc = openapi_document(ctx);
    const auto j = nlohmann::json::parse(doc.body);
    std::string html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + html_escape(ctx.config.title) +
                       " API</title></head>\n<body>\n<h1>" + html_escape(ctx.config.title) + " API</h1>\n<p>The machine-readable definition is at <a href=\"" +
                       ctx.base + "/api\">/api</a> (OpenAPI 3.0).</p>\n<table>\n<tr><th>method</th><th>path</th><th>what it does</th></tr>\n";
    for (const auto& [path, ops] : j["paths"].items())
        for (const auto& [method, op] : ops.items())
            html += "<tr><td>" + method + "</td><td><code>" + html_escape(path) + "</code></td><td>" + html_escape(op.value("summary", "")) + "</td></tr>\n";
    html += "</table>\n</body></html>\n";
    Reply r;
    r.content_type = "text/html; charset=utf-8";
    r.body = std::move(html);
    return r;
}

} // namespace coldspot::service::detail
