#pragma once
// Internal to the service component: the route handlers Service::dispatch calls. Each returns a
// Reply or throws HttpProblem; none knows about Pistache.
#include "coldspot/service/analysis_jobs.hpp"
#include "coldspot/service/http_message.hpp"
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

Reply json_reply(const nlohmann::json& j, int status = 200, std::string content_type = "application/json");
/// True when the Accept header (or f=html) prefers HTML to JSON.
bool wants_html(const Request& request);
/// Rejects every query parameter not in `allowed` with 400 (f is always allowed).
void allow_only(const Request& request, std::initializer_list<const char*> allowed);
std::string html_escape(const std::string& s);

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

// Records and dashboards
Reply school_record(const RouteContext& ctx, const std::string& urn);
Reply dashboard_list(const RouteContext& ctx, const std::string& layer, const std::string& path);
Reply dashboard(const RouteContext& ctx, const std::string& layer, const std::string& key);

// Tiles
Reply tilesets(const RouteContext& ctx);
Reply tilejson(const RouteContext& ctx, const std::string& tileset);
Reply tile(const RouteContext& ctx, const std::string& tileset, const std::string& z, const std::string& x, const std::string& y);

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
