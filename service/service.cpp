#include "coldspot/service/service.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/workspace.hpp"
#include "coldspot/service/gzip.hpp"
#include "coldspot/service/problem.hpp"
#include "coldspot/tiles/gzip.hpp"
#include "coldspot/tiles/tileset.hpp"
#include "qgis_routes.hpp"
#include "routes.hpp"

#include <iostream>

namespace coldspot::service {

namespace {

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> out;
    std::size_t start = 1;
    while (start <= path.size()) {
        const auto slash = path.find('/', start);
        const std::string seg = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (!seg.empty()) out.push_back(url_decode(seg, false));
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return out;
}

constexpr std::size_t kMinCompressBytes = 860; // below about one packet gzip saves nothing

} // namespace

Reply problem_reply(int status, const std::string& detail, const std::string& instance, const nlohmann::json& extensions) {
    Problem p{status, {}, detail, instance, extensions};
    Reply r;
    r.status = status;
    r.content_type = kProblemContentType;
    const std::string text = p.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    // Details and instances repeat request text (a path, a parameter, a request line). Markup in
    // it is written as JSON escapes (\u003c for '<', as Go's encoding/json does), so the bytes of
    // a problem never hold a tag a browser or a proxy's error page could run; the JSON value is
    // the same text. (docs/security.md)
    r.body.reserve(text.size());
    for (const char c : text) {
        if (c == '<') r.body += "\\u003c";
        else if (c == '>') r.body += "\\u003e";
        else if (c == '&') r.body += "\\u0026";
        else r.body += c;
    }
    return r;
}

Service::Service(ServiceConfig config, AnalysisFunction analysis)
    : config_(std::move(config)), holder_(load_snapshot(config_.workspace, 1, config_.tiles)) {
    jobs_ = std::make_unique<AnalysisJobs>(std::move(analysis), config_.workspace, [this] { return reload(); });
    what_if_ = std::make_unique<WhatIfJobs>(config_.max_scenarios, std::chrono::seconds(config_.scenario_timeout));
    if (geo::is_postgis_workspace(config_.workspace))
        watcher_ = std::make_unique<WorkspaceWatcher>(config_.workspace, [this] { return holder_.get()->version; }, [this] { reload(); });
}

Service::~Service() { stop_jobs(); }

void Service::stop_jobs() {
    if (watcher_) watcher_->stop();
    jobs_->stop();
    what_if_->stop();
}

std::uint64_t Service::reload() {
    std::lock_guard lock(reload_mutex_);
    const std::uint64_t version = ++version_;
    // Build the whole new snapshot (layers, collections, tiles) before anyone can see it.
    auto next = load_snapshot(config_.workspace, version, config_.tiles);
    const std::uint64_t loaded = next->version;
    served_hold_ = next->reader;
    if (loaded != holder_.get()->version) {
        holder_.set(std::move(next));
        metrics_.record_swap();
    }
    return loaded;
}

std::string Service::metrics_text() const {
    const auto snap = holder_.get();
    std::string extra = "# HELP coldspot_snapshot_version Version of the results being served.\n# TYPE coldspot_snapshot_version gauge\ncoldspot_snapshot_version " +
                        std::to_string(snap->version) + "\n";
    if (snap->tiles) {
        const auto s = snap->tiles->cache_stats();
        extra += "# HELP coldspot_tile_cache_hits_total Tiles served from the cache (current snapshot).\n# TYPE coldspot_tile_cache_hits_total counter\n"
                 "coldspot_tile_cache_hits_total " + std::to_string(s.hits) + "\n"
                 "# HELP coldspot_tile_cache_misses_total Tiles rendered on demand (current snapshot).\n# TYPE coldspot_tile_cache_misses_total counter\n"
                 "coldspot_tile_cache_misses_total " + std::to_string(s.misses) + "\n"
                 "# HELP coldspot_tile_cache_bytes Bytes held by the tile cache.\n# TYPE coldspot_tile_cache_bytes gauge\n"
                 "coldspot_tile_cache_bytes " + std::to_string(s.bytes) + "\n"
                 "# HELP coldspot_tile_cache_entries Tiles held by the tile cache, prebuilt ones included.\n# TYPE coldspot_tile_cache_entries gauge\n"
                 "coldspot_tile_cache_entries " + std::to_string(s.entries + s.prebuilt) + "\n";
    }
    return const_cast<Metrics&>(metrics_).render(extra);
}

Reply Service::dispatch(const Request& request, std::string& route, const std::shared_ptr<const Snapshot>& snapshot) {
    if (std::max(request.target_bytes, request.path.size()) > config_.max_url_bytes) {
        route = "(too long)";
        throw HttpProblem(414, "the request target is longer than " + std::to_string(config_.max_url_bytes) + " bytes");
    }
    if (request.query.size() > config_.items.max_parameters) {
        route = "(too many parameters)";
        throw HttpProblem(400, "too many query parameters (" + std::to_string(request.query.size()) + ", at most " + std::to_string(config_.items.max_parameters) + ")");
    }
    // No route takes a parameter twice; refusing here (rather than keeping the first or the last)
    // tells the client its request was not understood as it meant it.
    for (std::size_t i = 0; i < request.query.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (request.query[i].first == request.query[j].first) {
                route = "(repeated parameter)";
                throw HttpProblem(400, "query parameter '" + request.query[i].first + "' is given more than once", {{"parameter", request.query[i].first}});
            }
    const auto seg = split_path(request.path);
    std::string base = config_.public_url;
    if (base.empty()) base = request.base_url;
    detail::RouteContext ctx{config_, *snapshot, request, *jobs_, *what_if_, base, snapshot};

    // Each route: its template (for metrics and logs), the methods it takes, and its handler.
    using Handler = std::function<Reply()>;
    bool post = false;
    Handler handler;
    const auto n = seg.size();
    const auto is = [&](std::size_t i, const char* s) { return n > i && seg[i] == s; };
    if (n == 0) route = "/", handler = [&] { return detail::landing_page(ctx); };
    else if (n == 1 && is(0, "api")) route = "/api", handler = [&] { return detail::openapi_document(ctx); };
    else if (n == 1 && is(0, "api.html")) route = "/api.html", handler = [&] { return detail::api_html(ctx); };
    else if (n == 1 && is(0, "conformance")) route = "/conformance", handler = [&] { return detail::conformance(ctx); };
    else if (n == 1 && is(0, "collections")) route = "/collections", handler = [&] { return detail::collections(ctx); };
    else if (n == 2 && is(0, "collections")) route = "/collections/{id}", handler = [&] { return detail::collection(ctx, seg[1]); };
    else if (n == 3 && is(0, "collections") && is(2, "items")) route = "/collections/{id}/items", handler = [&] { return detail::items(ctx, seg[1]); };
    else if (n == 3 && is(0, "collections") && is(2, "queryables")) route = "/collections/{id}/queryables", handler = [&] { return detail::queryables(ctx, seg[1]); };
    else if (n == 4 && is(0, "collections") && is(2, "items")) route = "/collections/{id}/items/{fid}", handler = [&] { return detail::item(ctx, seg[1], seg[3]); };
    else if (n == 3 && is(0, "collections") && is(2, "tiles")) route = "/collections/{id}/tiles", handler = [&] { return detail::collection_tilesets(ctx, seg[1]); };
    else if (n == 4 && is(0, "collections") && is(2, "tiles")) route = "/collections/{id}/tiles/{tms}", handler = [&] { return detail::collection_tileset(ctx, seg[1], seg[3]); };
    else if (n == 7 && is(0, "collections") && is(2, "tiles"))
        route = "/collections/{id}/tiles/{tms}/{z}/{row}/{col}", handler = [&] { return detail::collection_tile(ctx, seg[1], seg[3], seg[4], seg[5], seg[6]); };
    else if (n == 1 && is(0, "tileMatrixSets")) route = "/tileMatrixSets", handler = [&] { return detail::tile_matrix_sets(ctx); };
    else if (n == 2 && is(0, "tileMatrixSets")) route = "/tileMatrixSets/{id}", handler = [&] { return detail::tile_matrix_set(ctx, seg[1]); };
    else if (n == 2 && is(0, "schools")) route = "/schools/{urn}", handler = [&] { return detail::school_record(ctx, seg[1]); };
    else if (n == 1 && is(0, "hubs")) route = "/hubs", handler = [&] { return detail::dashboard_list(ctx, geo::model::layer::hub_dashboard, "/hubs"); };
    else if (n == 2 && is(0, "hubs")) route = "/hubs/{id}", handler = [&] { return detail::dashboard(ctx, geo::model::layer::hub_dashboard, seg[1]); };
    else if (n == 1 && is(0, "authorities")) route = "/authorities", handler = [&] { return detail::dashboard_list(ctx, geo::model::layer::la_dashboard, "/authorities"); };
    else if (n == 2 && is(0, "authorities")) route = "/authorities/{code}", handler = [&] { return detail::dashboard(ctx, geo::model::layer::la_dashboard, seg[1]); };
    else if (n == 2 && is(0, "qgis") && (is(1, "project.qgs") || is(1, "project.qgz")))
        route = "/qgis/" + seg[1], handler = [&] { return detail::qgis_project(ctx, seg[1] == "project.qgz"); };
    else if (n == 1 && is(0, "tiles")) route = "/tiles", handler = [&] { return detail::tilesets(ctx); };
    else if (n == 2 && is(0, "tiles") && seg[1].ends_with(".json"))
        route = "/tiles/{tileset}.json", handler = [&] { return detail::tilejson(ctx, seg[1].substr(0, seg[1].size() - 5)); };
    else if (n == 5 && is(0, "tiles")) route = "/tiles/{tileset}/{z}/{x}/{y}", handler = [&] { return detail::tile(ctx, seg[1], seg[2], seg[3], seg[4]); };
    else if (n == 3 && is(0, "hubs") && is(2, "targets")) route = "/hubs/{id}/targets", handler = [&] { return detail::hub_targets(ctx, seg[1]); };
    else if (n == 3 && is(0, "authorities") && is(2, "targets")) route = "/authorities/{code}/targets", handler = [&] { return detail::authority_targets(ctx, seg[1]); };
    else if (n == 1 && is(0, "search")) route = "/search", handler = [&] { return detail::search(ctx); };
    else if (n == 1 && is(0, "partnerships")) route = "/partnerships", handler = [&] { return detail::partnerships(ctx); };
    else if (n == 2 && is(0, "partnerships")) route = "/partnerships/{id}", handler = [&] { return detail::partnership(ctx, seg[1]); };
    else if (n == 3 && is(0, "partnerships") && is(2, "targets")) route = "/partnerships/{id}/targets", handler = [&] { return detail::partnership_targets(ctx, seg[1], false); };
    else if (n == 3 && is(0, "partnerships") && is(2, "cut-off")) route = "/partnerships/{id}/cut-off", handler = [&] { return detail::partnership_targets(ctx, seg[1], true); };
    else if (n == 3 && is(0, "briefings") && is(1, "hubs")) route = "/briefings/hubs/{id}", handler = [&] { return detail::hub_briefing(ctx, seg[2]); };
    else if (n == 3 && is(0, "briefings") && is(1, "authorities")) route = "/briefings/authorities/{code}", handler = [&] { return detail::authority_briefing(ctx, seg[2]); };
    else if (n == 1 && is(0, "scenarios")) route = "/scenarios", post = true, handler = [&] { return detail::scenario_submit(ctx); };
    else if (n == 2 && is(0, "scenarios")) route = "/scenarios/{id}", handler = [&] { return detail::what_if_status(ctx, "scenarios", seg[1]); };
    else if (n == 1 && is(0, "suggestions")) route = "/suggestions", post = true, handler = [&] { return detail::suggestion_submit(ctx); };
    else if (n == 2 && is(0, "suggestions")) route = "/suggestions/{id}", handler = [&] { return detail::what_if_status(ctx, "suggestions", seg[1]); };
    else if (n >= 1 && is(0, "map")) route = "/map/{file}", handler = [&] { return detail::asset(ctx, std::vector<std::string>(seg.begin() + 1, seg.end())); };
    else if (n == 2 && is(0, "styles") && is(1, "coldspot.json")) route = "/styles/coldspot.json", handler = [&] { return detail::style_document(ctx); };
    else if (n == 2 && is(0, "styles") && is(1, "palette.json")) route = "/styles/palette.json", handler = [&] { return detail::palette_document(ctx); };
    else if (n == 1 && is(0, "analysis")) route = "/analysis", post = true, handler = [&] { return detail::analysis_submit(ctx); };
    else if (n == 2 && is(0, "analysis") && is(1, "schema")) route = "/analysis/schema", handler = [&] { return detail::analysis_schema(ctx); };
    else if (n == 2 && is(0, "analysis")) route = "/analysis/{id}", handler = [&] { return detail::analysis_status(ctx, seg[1]); };
    else if (n == 1 && is(0, "healthz")) {
        route = "/healthz";
        handler = [&] {
            const auto up = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
            const auto down = watcher_ ? watcher_->problem() : std::nullopt;
            Reply r = detail::json_reply({{"status", down ? "workspace unavailable" : "ok"}, {"snapshot_version", snapshot->version}, {"collections", snapshot->collections.size()},
                                          {"tiles", static_cast<bool>(snapshot->tiles)}, {"uptime_seconds", up},
                                          {"analysis_jobs", {{"queued", jobs_->queued()}, {"running", jobs_->running()}}}});
            r.set_header("Cache-Control", "no-store");
            return r;
        };
    } else if (n == 1 && is(0, "metrics")) {
        route = "/metrics";
        handler = [&] {
            metrics_.set_jobs(static_cast<std::int64_t>(jobs_->queued()), static_cast<std::int64_t>(jobs_->running()));
            Reply r;
            r.content_type = "text/plain; version=0.0.4; charset=utf-8";
            r.body = metrics_text();
            r.set_header("Cache-Control", "no-store");
            return r;
        };
    } else {
        route = "(unknown)";
        throw HttpProblem(404, "there is nothing at " + request.path, {{"api", base + "/api"}});
    }

    const std::string allow = post ? "POST, OPTIONS" : "GET, HEAD, OPTIONS";
    if (request.method == "OPTIONS") {
        // CORS preflight (and plain OPTIONS): what this resource takes.
        Reply r;
        r.status = 204;
        r.content_type.clear();
        r.set_header("Allow", allow);
        r.set_header("Access-Control-Allow-Methods", allow);
        r.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, If-None-Match, Accept, Accept-Encoding");
        r.set_header("Access-Control-Max-Age", "86400");
        return r;
    }
    const bool allowed = post ? request.method == "POST" : (request.method == "GET" || request.method == "HEAD");
    if (!allowed) {
        throw HttpProblem(405, request.method + " is not allowed on " + request.path + " (allowed: " + allow + ")")
            .with_header("Allow", allow);
    }
    return handler();
}

Reply Service::handle(const Request& request, std::string& route) {
    Reply r;
    // The one snapshot this request reads, whatever swaps happen meanwhile; its version is sent back
    // as Coldspot-Snapshot so that a client (and tools/bench/load) knows which results it got.
    const auto snapshot = holder_.get();
    try {
        // A PostGIS workspace that cannot be reached: this server cannot tell whether what it holds
        // is still the published version (health and metrics still answer).
        if (const auto down = watcher_ ? watcher_->problem() : std::nullopt; down && request.path != "/healthz" && request.path != "/metrics") {
            route = "(workspace unavailable)";
            throw HttpProblem(503, "the workspace database is unavailable: " + *down + "; retrying every second")
                .with_header("Retry-After", "1");
        }
        r = dispatch(request, route, snapshot);
    } catch (const HttpProblem& e) {
        r = problem_reply(e.status(), e.what(), request.path, e.extensions());
        for (const auto& [k, v] : e.headers) r.set_header(k, v);
    } catch (const NotFoundError& e) {
        r = problem_reply(404, e.what(), request.path);
    } catch (const InvalidArgumentError& e) {
        r = problem_reply(400, e.what(), request.path);
    } catch (const std::exception& e) {
        std::cerr << "coldspot serve: internal error on " << request.method << " " << request.path << ": " << e.what() << "\n";
        r = problem_reply(500, "internal error: " + std::string(e.what()), request.path);
    }
    if (route.empty()) route = "(unknown)";

    // CORS: every resource is public to read; the token, not the origin, guards writes.
    r.set_header("Access-Control-Allow-Origin", config_.cors_origin);
    r.set_header("Access-Control-Expose-Headers", "Content-Crs, ETag, Location, Link, Content-Encoding, Coldspot-Snapshot");
    r.set_header("Coldspot-Snapshot", std::to_string(snapshot->version));

    // gzip for clients that ask, on bodies worth compressing.
    const auto ae = request.header("accept-encoding");
    const bool gzip = r.compressible && ae && accepts_gzip(*ae) && request.method != "HEAD";
    if (r.compressible && (r.stream || !r.body.empty())) r.set_header("Vary", "Accept-Encoding");
    if (gzip && r.stream && r.gzip_stream) {
        r.stream = std::move(r.gzip_stream);
        r.set_header("Content-Encoding", "gzip");
    } else if (gzip && r.stream) {
        auto inner = std::move(r.stream);
        r.stream = [inner = std::move(inner)](BodySink& sink) {
            // Level 1: on GeoJSON it keeps most of level 6's saving at a quarter of the CPU, and
            // pages are compressed on every request (tiles, compressed once, use level 6).
            GzipSink zipped(sink, 1);
            inner(zipped);
            zipped.finish();
        };
        r.set_header("Content-Encoding", "gzip");
    } else if (gzip && r.body.size() >= kMinCompressBytes) {
        r.body = tiles::gzip_compress(r.body);
        r.set_header("Content-Encoding", "gzip");
    }
    return r;
}

} // namespace coldspot::service
