#pragma once
// Internal to the service component: the route handlers Service::dispatch calls. Each returns a
// Reply or throws HttpProblem; none knows about Pistache.
#include "coldspot/service/analysis_jobs.hpp"
#include "coldspot/service/http_message.hpp"
#include "coldspot/service/service_config.hpp"
#include "coldspot/service/snapshot.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace coldspot::service::detail {

struct RouteContext {
    const ServiceConfig& config;
    const Snapshot& snapshot;
    const Request& request;
    AnalysisJobs& jobs;
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

// Analysis
Reply analysis_submit(const RouteContext& ctx);
Reply analysis_status(const RouteContext& ctx, const std::string& id);
Reply analysis_schema(const RouteContext& ctx);

} // namespace coldspot::service::detail
