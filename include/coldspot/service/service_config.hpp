#pragma once
// Everything `coldspot serve` can be told, by flags or by a JSON configuration file whose keys are
// the flag names without dashes (`{"port": 8080, "max-limit": 5000}`); flags win over the file.
#include "coldspot/service/items_query.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <string>

namespace coldspot::service {

struct ServiceConfig {
    std::filesystem::path workspace;
    std::string bind = "127.0.0.1";
    int port = 8080;            ///< 0: any free port (the server prints the one it got)
    int threads = 2;            ///< Pistache reactor threads
    std::string token;          ///< bearer token for POST /analysis; empty disables writes
    ItemsLimits items;          ///< limit default/maximum, parameter count
    std::size_t max_body_bytes = 64 * 1024;  ///< largest request body accepted (POST /analysis)
    std::size_t max_url_bytes = 4096;        ///< longest request target (path and query)
    int cache_max_age = 300;    ///< Cache-Control max-age of tiles and collection documents, seconds
    std::string cors_origin = "*";
    std::string access_log = "-"; ///< "-" stderr, "" off, otherwise a file appended to
    std::string public_url;     ///< base of absolute links; empty: from the request's Host header
    int keepalive_timeout = 30; ///< seconds an idle connection is kept open
    int request_timeout = 60;   ///< seconds a client has to finish sending a request it started
    bool tiles = true;          ///< build and serve vector tiles
    std::string title = "Coldspot";
    /// The map page's files, served under /map/ (index.html also at / for browsers); empty: none.
    std::filesystem::path assets;
    /// Partnerships config (data/partnerships.json format); empty: none configured.
    std::filesystem::path partnerships;
    std::size_t max_scenarios = 2;   ///< what-if jobs (scenarios, suggestions) queued or running at once; more: 429
    int scenario_timeout = 120;      ///< seconds a what-if job may run before it is stopped
};

/// Where the page's assets are when no `assets` is configured: `web` beside the binary's folder
/// (build/tools/coldspot -> build/web, written by tools/web/build.mjs), `share/coldspot/web` there,
/// else the source tree's `build/web` (the first holding an index.html); empty when none does.
std::filesystem::path default_assets_dir();
/// data/partnerships.json of the source tree when it exists, else empty.
std::filesystem::path default_partnerships_file();

/// Applies the members of a configuration JSON object to `config`. Throws InvalidArgumentError
/// naming the key for an unknown key or a value of the wrong type or range.
void apply_config_json(ServiceConfig& config, const nlohmann::json& j, const std::string& origin);
/// Reads a configuration file. Throws FileNotFoundError, FormatError (not JSON) or
/// InvalidArgumentError (bad key), naming the file.
void apply_config_file(ServiceConfig& config, const std::filesystem::path& file);
/// The keys apply_config_json understands, each with a one-line description (for --help).
const std::vector<std::pair<std::string, std::string>>& config_keys();

} // namespace coldspot::service
