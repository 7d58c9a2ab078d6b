// coldspot serve WORKSPACE.gpkg: the web service (OGC API Features, vector tiles, analysis API).
#include "command.hpp"

#include "coldspot/geo/atomic_file.hpp"
#include "coldspot/geo/change/change.hpp"
#include "coldspot/geo/coldspots/analysis.hpp"
#include "coldspot/geo/coldspots/parameters.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/workspace.hpp"
#include "coldspot/service/server.hpp"
#include "coldspot/service/service.hpp"

#include <csignal>
#include <fstream>
#include <malloc.h>
#include <iostream>
#include <pthread.h>
#include <sstream>

namespace coldspot::cli {
namespace {

std::string usage() {
    std::ostringstream u;
    u << "usage: coldspot serve WORKSPACE.gpkg [options]\n\n"
         "Serves a workspace over HTTP: OGC API - Features (landing page /, /api, /conformance, /collections,\n"
         "items in CRS84, EPSG:27700 or EPSG:3857), /schools/{urn}, /hubs, /authorities, vector tiles\n"
         "(/tiles/{tileset}.json, /tiles/{tileset}/{z}/{x}/{y}.mvt), POST /analysis with a bearer token,\n"
         "/healthz and /metrics. Stops cleanly on SIGINT or SIGTERM.\n\n"
         "options:\n"
         "  --config FILE          JSON file with any of the keys below (without dashes); flags win\n"
         "  --bind ADDRESS         address to listen on (default 127.0.0.1)\n"
         "  --port N               TCP port (default 8080; 0 picks a free one and prints it)\n"
         "  --threads N            request threads (default 2)\n"
         "  --token TOKEN          bearer token for POST /analysis (default none: writes disabled)\n"
         "  --token-file FILE      read the token from a file (keeps it out of `ps`)\n"
         "  --default-limit N      items per page without ?limit (default 100)\n"
         "  --max-limit N          largest page; larger limits are lowered to it (default 10000)\n"
         "  --max-parameters N     most query parameters per request (default 32)\n"
         "  --xlsx-max-rows N      most rows of an XLSX download (items?f=xlsx; default 100000)\n"
         "  --max-body-bytes N     largest request body (default 65536)\n"
         "  --max-url-bytes N      longest request target (default 4096)\n"
         "  --cache-max-age S      Cache-Control max-age for tiles (default 300)\n"
         "  --keepalive-timeout S  seconds an idle connection stays open (default 30)\n"
         "  --request-timeout S    seconds to finish sending a started request (default 60)\n"
         "  --cors-origin ORIGIN   Access-Control-Allow-Origin (default *)\n"
         "  --access-log FILE      request log: - is stderr (default), '' turns it off\n"
         "  --public-url URL       base of absolute links (default: from the Host header)\n"
         "  --title TEXT           landing page title\n"
         "  --no-tiles             do not build or serve vector tiles\n"
         "  --baseline OLD.gpkg    OLD vintage for POST /analysis {\"kind\": \"change\"} (compared with the served workspace)\n"
         "  --change-params FILE   change parameters (data/params/change.json; its lookup path is relative to it)\n"
         "  --lsoa-lookup FILE     LSOA 2011 -> 2021 lookup for the change comparison\n"
         "  --assets DIR           the map page's files, served under /map/ (default: the built page)\n"
         "  --partnerships FILE    hub partnerships (default: data/partnerships.json of the source tree)\n"
         "  --max-scenarios N      what-if jobs queued or running at once; more answer 429 (default 2)\n"
         "  --scenario-timeout S   seconds a what-if job may run (default 120)\n\n"
         "configuration file keys:\n";
    for (const auto& [k, d] : service::config_keys()) u << "  " << k << std::string(k.size() < 16 ? 16 - k.size() : 1, ' ') << d << "\n";
    u << "\nThe analysis parameters schema is served at /analysis/schema; docs/service.md describes every endpoint.";
    return u.str();
}

/// What the server needs to run a change comparison: the OLD workspace and the options.
struct ChangeSetup {
    std::optional<std::filesystem::path> baseline;
    nlohmann::json options = nlohmann::json::object();
    std::optional<std::filesystem::path> options_dir;
};

ChangeSetup change_setup(const Args& args) {
    ChangeSetup c;
    if (const auto b = args.value("--baseline")) {
        c.baseline = std::filesystem::absolute(*b);
        (void)geo::Workspace(*c.baseline); // a missing baseline fails at start, not at the first job
    }
    if (const auto file = args.value("--change-params")) {
        std::ifstream in(*file);
        if (!in) throw FileNotFoundError({*file, 0, ""}, "cannot read the change parameters file");
        c.options = nlohmann::json::parse(in, nullptr, false);
        if (c.options.is_discarded()) throw FormatError({*file, 0, ""}, "not valid JSON");
        c.options_dir = std::filesystem::absolute(*file).parent_path();
    }
    if (const auto l = args.value("--lsoa-lookup")) c.options["lsoa_lookup"] = std::filesystem::absolute(*l).string(), c.options_dir.reset();
    return c;
}

bool is_change(const nlohmann::json& request) { return request.value("kind", std::string()) == "change"; }

nlohmann::json coldspot_parameters(nlohmann::json request) {
    request.erase("kind");
    request.erase("change");
    return request;
}

/// The server's options with the request's `change` members on top (the lookup stays the server's).
geo::change::ChangeOptions change_options(const ChangeSetup& c, const nlohmann::json& request) {
    if (!c.baseline) throw InvalidArgumentError("this server was started without --baseline OLD.gpkg, so it has no vintage to compare with");
    nlohmann::json merged = c.options;
    if (request.contains("change")) {
        if (request["change"].contains("lsoa_lookup")) throw InvalidArgumentError("/change/lsoa_lookup is the server's (--lsoa-lookup), not a request's");
        merged.update(request["change"]);
    }
    auto o = geo::change::parse_change_options(merged, "POST /analysis");
    if (o.lsoa_lookup && o.lsoa_lookup->is_relative() && c.options_dir) o.lsoa_lookup = *c.options_dir / *o.lsoa_lookup;
    return o;
}

nlohmann::json run_change_job(const ChangeSetup& c, const nlohmann::json& request, const std::filesystem::path& workspace,
                              const geo::change::ChangeProgress& progress) {
    const auto summary = geo::change::run_change(change_options(c, request), *c.baseline, workspace, workspace, progress);
    return nlohmann::json{{"kind", "change"}, {"warnings", summary.warnings}, {"notes", summary.notes}, {"layers", summary.layers},
                          {"counts", summary.counts}};
}

int run_serve(CommandArgs raw) {
    const Args args(raw,
                    {"--config", "--bind", "--port", "--threads", "--token", "--token-file", "--default-limit", "--max-limit", "--max-parameters", "--xlsx-max-rows",
                     "--max-body-bytes", "--max-url-bytes", "--cache-max-age", "--keepalive-timeout", "--request-timeout", "--cors-origin", "--access-log", "--public-url", "--title",
                     "--baseline", "--change-params", "--lsoa-lookup", "--assets", "--partnerships", "--max-scenarios", "--scenario-timeout"},
                    {"--no-tiles"});
    args.expect_positionals(1, 1, "one workspace file (coldspot serve WORKSPACE.gpkg)");
    service::ServiceConfig config;
    config.workspace = args.positionals()[0];
    if (const auto file = args.value("--config")) service::apply_config_file(config, *file);

    // Flags become a JSON object checked by the same code as the file, so limits agree.
    nlohmann::json flags = nlohmann::json::object();
    for (const char* key : {"bind", "token", "cors-origin", "access-log", "public-url", "title", "assets", "partnerships"})
        if (const auto v = args.value(std::string("--") + key)) flags[key] = *v;
    for (const char* key : {"port", "threads", "default-limit", "max-limit", "max-parameters", "xlsx-max-rows", "max-body-bytes", "max-url-bytes", "cache-max-age", "keepalive-timeout",
                            "request-timeout", "max-scenarios", "scenario-timeout"})
        if (const auto v = args.integer(std::string("--") + key)) flags[key] = *v;
    if (args.flag("--no-tiles")) flags["tiles"] = false;
    if (const auto file = args.value("--token-file")) {
        std::ifstream in(*file);
        if (!in) throw FileNotFoundError({*file, 0, ""}, "cannot read the token file");
        std::string token;
        std::getline(in, token);
        if (token.empty()) throw InvalidArgumentError("--token-file " + *file + " is empty");
        flags["token"] = token;
    }
    service::apply_config_json(config, flags, "command line");
    if (config.assets.empty()) config.assets = service::default_assets_dir();
    if (config.partnerships.empty()) config.partnerships = service::default_partnerships_file();

    // Block the stop signals before any thread starts, so every thread inherits the mask and
    // only sigwait() below sees them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN); // a client closing mid-response must not kill the server
    // Every page of GeoJSON passes through buffers of hundreds of KB (ours and Pistache's). With
    // glibc's defaults each one is a fresh mmap, page-faulted in and unmapped again per request;
    // profiling a 1,000-feature page found a third of its CPU there. Keep such buffers in the heap.
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);

    // The change comparison (geo/change) against --baseline, for POST /analysis {"kind": "change"}.
    const ChangeSetup change = change_setup(args);
    // The real cold-spot analysis (geo/coldspots), run by POST /analysis jobs; its own parser
    // checks parameters before a job is queued.
    service::AnalysisFunction analysis = [change](const nlohmann::json& request, const std::filesystem::path& workspace,
                                                  const service::ProgressCallback& progress) {
        const auto report = [&](std::string_view stage, double fraction) { progress(fraction, std::string(stage)); };
        if (is_change(request)) return run_change_job(change, request, workspace, report);
        const auto summary = geo::coldspots::run_analysis(coldspot_parameters(request), workspace, report);
        return nlohmann::json{{"run_id", summary.run_id}, {"schools", summary.schools}, {"scored", summary.scored},
                              {"cold_spot_schools", summary.cold_spot_schools}, {"islands", summary.islands},
                              {"notes", summary.notes}, {"layers", summary.layers}};
    };
    // A writer killed mid-write (an analysis, an import) left its temporary file beside the
    // workspace: remove it now, saying so (geo/atomic_file.hpp). The workspace itself is intact.
    // (A PostGIS workspace: the next writer drops what a killed one left; see geo/workspace.hpp.)
    if (!geo::is_postgis_workspace(config.workspace)) geo::remove_leftovers(config.workspace);
    service::Service svc(config, analysis);
    svc.jobs().set_parameter_check([change](const nlohmann::json& p) {
        if (is_change(p)) (void)change_options(change, p);
        else (void)geo::coldspots::parse_parameters(coldspot_parameters(p), "POST /analysis");
    });
    service::Server server(svc);
    server.start();
    const auto snap = svc.snapshot();
    std::cout << "coldspot serve: listening on http://" << config.bind << ":" << server.port() << "/ (" << snap->collections.size()
              << " collections" << (snap->tiles ? ", tiles on" : ", tiles off") << (config.token.empty() ? ", analysis writes disabled" : "") << ")"
              << std::endl;
    if (!config.assets.empty())
        std::cout << "coldspot serve: open http://" << config.bind << ":" << server.port() << "/ in a browser for the map (assets " << config.assets.string() << ")" << std::endl;

    int sig = 0;
    sigwait(&stop_signals, &sig);
    std::cout << "coldspot serve: " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ", shutting down" << std::endl;
    svc.stop_jobs();
    server.shutdown();
    std::cout << "coldspot serve: stopped" << std::endl;
    return 0;
}

const RegisterCommand registration{Command{"serve", "serve a workspace over HTTP (OGC API Features, vector tiles, analysis API)", usage(), run_serve}};

} // namespace
} // namespace coldspot::cli
