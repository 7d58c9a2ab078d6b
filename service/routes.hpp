#pragma once
// Internal to the service component: the route handlers Service::dispatch calls. Each returns a
// Reply or throws HttpProblem; none knows about Pistache.
#include "coldspot/service/analysis_jobs.hpp"
#include "coldspot/service/http_message.hpp"
#include "coldspot/service/items_query.hpp"
#include "coldspot/service/service_config.hpp"
#include "coldspot/service/snapshot.hpp"
#include "coldspot/service/what_if_jobs.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace coldspot::service::detail {

struct RouteContext {
    const ServiceConfig& config;
    const Snapshot& snapshot;
    const Request& request;
    AnalysisJobs& jobs;
    WhatIfJobs& what_if;
    std::string base; ///< absolute base URL for links, no trailing slash
    /// Owns `snapshot`; streamed bodies capture it so a swap mid-download changes nothing.
    std::shared_ptr<const Snapshot> hold;
};

/// A link object of OGC API documents: href, rel, type and, when given, title.
nlohmann::json link(const std::string& href, const std::string& rel, const std::string& type, const std::string& title = {});
Reply json_reply(const nlohmann::json& j, int status = 200, std::string content_type = "application/json");
/// True when the Accept header (or f=html) prefers HTML to JSON.
bool wants_html(const Request& request);
/// Rejects every query parameter not in `allowed` with 400 (f is always allowed).
void allow_only(const Request& request, std::initializer_list<const char*> allowed);
/// Text for HTML content and double- or single-quoted attributes.
std::string html_escape(const std::string& s);
/// `?a=1&b=2`: the request's query as received (decoded and encoded again), or "".
std::string query_string(const Request& r);
/// The request's query with `key` set to `value` (dropped when `value` is empty) and the `drop`
/// parameters left out; `key` moves to the end. For next/prev and format links.
std::string query_with(const Request& r, const std::string& key, const std::string& value, std::initializer_list<const char*> drop = {});
struct AlternateFormat {
    const char* f;
    const char* type;
    const char* title;
};
/// The representations of items besides GeoJSON (f=html, csv, xlsx, fgb), for alternate links.
const std::vector<AlternateFormat>& alternate_formats();

// OGC API Features
Reply landing_page(const RouteContext& ctx);
Reply conformance(const RouteContext& ctx);
Reply openapi_document(const RouteContext& ctx);
Reply api_html(const RouteContext& ctx);
Reply collections(const RouteContext& ctx);
Reply collection(const RouteContext& ctx, const std::string& id);
Reply queryables(const RouteContext& ctx, const std::string& id);
Reply items(const RouteContext& ctx, const std::string& id);
Reply item(const RouteContext& ctx, const std::string& id, const std::string& feature_id);
nlohmann::json collection_json(const RouteContext& ctx, const Collection& c);
/// Items as CSV, XLSX or FlatGeobuf (q.format); `links` (rel, href) go into a Link header.
Reply items_download(const RouteContext& ctx, const Collection& c, const ItemsQuery& q, ItemsPage page,
                     const std::vector<std::pair<std::string, std::string>>& links);

// HTML views (html_views.cpp)
Reply collections_html(const RouteContext& ctx);
Reply collection_html(const RouteContext& ctx, const Collection& c);
Reply items_html(const RouteContext& ctx, const Collection& c, const ItemsQuery& q, const ItemsPage& page, const std::string& next, const std::string& prev);
Reply item_html(const RouteContext& ctx, const Collection& c, std::size_t position);
Reply conformance_html(const RouteContext& ctx, const std::vector<std::string>& classes);
Reply queryables_html(const RouteContext& ctx, const Collection& c, const nlohmann::json& schema);
/// Any JSON document as a page: its links as a list, then the document.
Reply json_as_html(const RouteContext& ctx, const std::string& title, const nlohmann::json& doc, const std::string& self);

// Records and dashboards
Reply school_record(const RouteContext& ctx, const std::string& urn);
Reply dashboard_list(const RouteContext& ctx, const std::string& layer, const std::string& path);
Reply dashboard(const RouteContext& ctx, const std::string& layer, const std::string& key);

// Tiles
Reply tilesets(const RouteContext& ctx);
Reply tilejson(const RouteContext& ctx, const std::string& tileset);
Reply tile(const RouteContext& ctx, const std::string& tileset, const std::string& z, const std::string& x, const std::string& y);
/// The tile of an existing tileset at z/x/y (numbers as text, checked here): ETag, 304, 204, gzip.
Reply tile_reply(const RouteContext& ctx, const std::string& tileset, const std::string& z, const std::string& x, const std::string& y);
const tiles::TileService& require_tiles(const RouteContext& ctx);

// OGC API - Tiles (ogc_tiles.cpp)
Reply tile_matrix_sets(const RouteContext& ctx);
Reply tile_matrix_set(const RouteContext& ctx, const std::string& id);
Reply collection_tilesets(const RouteContext& ctx, const std::string& collection);
Reply collection_tileset(const RouteContext& ctx, const std::string& collection, const std::string& tms);
Reply collection_tile(const RouteContext& ctx, const std::string& collection, const std::string& tms, const std::string& z, const std::string& row, const std::string& col);

// The map page: web assets, style and palette (asset_routes.cpp, style_routes.cpp)
Reply asset(const RouteContext& ctx, const std::vector<std::string>& segments);
bool map_page_available(const RouteContext& ctx);
/// 303 to /map/ with the query kept (a shared link /?hub=... opens the same view).
Reply map_page_redirect(const RouteContext& ctx);
/// Landing-page links to the map, its style and the map API.
nlohmann::json map_links(const RouteContext& ctx);
/// {"synthetic": bool, "workspace": {"name", "region"}} for the landing page.
nlohmann::json workspace_description(const RouteContext& ctx);
const nlohmann::json& palette();
nlohmann::json map_style(const RouteContext& ctx);
Reply style_document(const RouteContext& ctx);
Reply palette_document(const RouteContext& ctx);
/// True when an If-None-Match value matches `etag` (weak comparison, lists, `*`).
bool etag_matches(const std::string& if_none_match, const std::string& etag);

/// Adds the map API's paths to the OpenAPI document (map_openapi.cpp).
void add_map_paths(nlohmann::json& paths);

// The map's API (map_routes.cpp)
Reply search(const RouteContext& ctx);
Reply hub_targets(const RouteContext& ctx, const std::string& hub);
Reply authority_targets(const RouteContext& ctx, const std::string& code);
Reply partnerships(const RouteContext& ctx);
Reply partnership(const RouteContext& ctx, const std::string& id);
Reply partnership_targets(const RouteContext& ctx, const std::string& id, bool cut_off_only);

// Printable briefings (briefing_routes.cpp)
Reply hub_briefing(const RouteContext& ctx, const std::string& id);
Reply authority_briefing(const RouteContext& ctx, const std::string& code);

// What if (what_if_routes.cpp): bounded background jobs on a copy of the results
Reply scenario_submit(const RouteContext& ctx);
Reply suggestion_submit(const RouteContext& ctx);
/// GET /scenarios/{id} or /suggestions/{id} (`kind` is the path's first segment).
Reply what_if_status(const RouteContext& ctx, const std::string& kind, const std::string& id);

// Analysis
Reply analysis_submit(const RouteContext& ctx);
Reply analysis_status(const RouteContext& ctx, const std::string& id);
Reply analysis_schema(const RouteContext& ctx);

} // namespace coldspot::service::detail
