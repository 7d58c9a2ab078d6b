#include "coldspot/service/service_config.hpp"

#include "coldspot/geo/error.hpp"

#include <fstream>
#include <sstream>

namespace coldspot::service {

const std::vector<std::pair<std::string, std::string>>& config_keys() {
    static const std::vector<std::pair<std::string, std::string>> keys{
        {"bind", "address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)"},
        {"port", "TCP port (default 8080; 0 picks a free port and prints it)"},
        {"threads", "request threads (default 2)"},
        {"token", "bearer token required by POST /analysis (default: none, writes disabled)"},
        {"default-limit", "items per page when the request gives no limit (default 100)"},
        {"max-limit", "largest limit a request may ask for; larger ones are lowered to it (default 10000)"},
        {"xlsx-max-rows", "most rows of an XLSX download (items?f=xlsx); more is a 400 (default 100000)"},
        {"max-parameters", "most query parameters one request may carry (default 32)"},
        {"max-body-bytes", "largest request body (default 65536)"},
        {"max-url-bytes", "longest request path and query (default 4096)"},
        {"cache-max-age", "Cache-Control max-age in seconds for tiles and metadata (default 300)"},
        {"keepalive-timeout", "seconds an idle connection stays open (default 30)"},
        {"request-timeout", "seconds a client has to finish a request it started; then the connection is closed (default 60)"},
        {"cors-origin", "Access-Control-Allow-Origin value (default *)"},
        {"access-log", "request log: - for stderr (default), a file to append to, or empty for none"},
        {"public-url", "base URL used in links, e.g. https://example.org/coldspot (default: from Host)"},
        {"tiles", "serve vector tiles (default true)"},
        {"title", "title of the landing page (default Coldspot)"},
        {"assets", "folder of the map page served under /map/ (default: the built page, see docs/map.md)"},
        {"partnerships", "JSON file naming hub partnerships (default: data/partnerships.json of the source tree)"},
        {"max-scenarios", "what-if jobs (POST /scenarios, /suggestions) queued or running at once; more answer 429 (default 2)"},
        {"scenario-timeout", "seconds a what-if job may run before it is stopped (default 120)"},
    };
    return keys;
}

namespace {

template <typename T>
T get_as(const nlohmann::json& v, const std::string& key, const std::string& origin) {
    try {
        return v.get<T>();
    } catch (const nlohmann::json::exception&) {
        throw InvalidArgumentError(origin + ": '" + key + "' has the wrong type (" + v.dump() + ")");
    }
}

long long get_int(const nlohmann::json& v, const std::string& key, const std::string& origin, long long lo, long long hi) {
    if (!v.is_number_integer() && !v.is_number_unsigned()) throw InvalidArgumentError(origin + ": '" + key + "' must be an integer, got " + v.dump());
    const auto n = v.get<long long>();
    if (n < lo || n > hi) throw InvalidArgumentError(origin + ": '" + key + "' must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " + std::to_string(n));
    return n;
}

} // namespace

void apply_config_json(ServiceConfig& c, const nlohmann::json& j, const std::string& origin) {
    if (!j.is_object()) throw InvalidArgumentError(origin + ": the configuration must be a JSON object");
    for (const auto& [key, v] : j.items()) {
        if (key == "bind") c.bind = get_as<std::string>(v, key, origin);
        else if (key == "port") c.port = static_cast<int>(get_int(v, key, origin, 0, 65535));
        else if (key == "threads") c.threads = static_cast<int>(get_int(v, key, origin, 1, 256));
        else if (key == "token") c.token = get_as<std::string>(v, key, origin);
        else if (key == "default-limit") c.items.default_limit = static_cast<std::size_t>(get_int(v, key, origin, 1, 1'000'000));
        else if (key == "max-limit") c.items.max_limit = static_cast<std::size_t>(get_int(v, key, origin, 1, 1'000'000));
        else if (key == "xlsx-max-rows") c.items.xlsx_max_rows = static_cast<std::size_t>(get_int(v, key, origin, 1, 1'048'575));
        else if (key == "max-parameters") c.items.max_parameters = static_cast<std::size_t>(get_int(v, key, origin, 1, 1000));
        else if (key == "max-body-bytes") c.max_body_bytes = static_cast<std::size_t>(get_int(v, key, origin, 1, 64LL << 20));
        else if (key == "max-url-bytes") c.max_url_bytes = static_cast<std::size_t>(get_int(v, key, origin, 64, 1 << 20));
        else if (key == "cache-max-age") c.cache_max_age = static_cast<int>(get_int(v, key, origin, 0, 31'536'000));
        else if (key == "keepalive-timeout") c.keepalive_timeout = static_cast<int>(get_int(v, key, origin, 1, 3600));
        else if (key == "request-timeout") c.request_timeout = static_cast<int>(get_int(v, key, origin, 1, 3600));
        else if (key == "cors-origin") c.cors_origin = get_as<std::string>(v, key, origin);
        else if (key == "access-log") c.access_log = get_as<std::string>(v, key, origin);
        else if (key == "public-url") c.public_url = get_as<std::string>(v, key, origin);
        else if (key == "tiles") c.tiles = get_as<bool>(v, key, origin);
        else if (key == "title") c.title = get_as<std::string>(v, key, origin);
        else if (key == "assets") {
            c.assets = get_as<std::string>(v, key, origin);
            if (!std::filesystem::is_directory(c.assets)) throw InvalidArgumentError(origin + ": 'assets' is not a folder: " + c.assets.string());
        } else if (key == "partnerships") {
            c.partnerships = get_as<std::string>(v, key, origin);
            if (!std::filesystem::is_regular_file(c.partnerships)) throw InvalidArgumentError(origin + ": 'partnerships' is not a file: " + c.partnerships.string());
        } else if (key == "max-scenarios") c.max_scenarios = static_cast<std::size_t>(get_int(v, key, origin, 0, 64));
        else if (key == "scenario-timeout") c.scenario_timeout = static_cast<int>(get_int(v, key, origin, 1, 86400));
        else throw InvalidArgumentError(origin + ": unknown key '" + key + "'");
    }
    if (c.items.default_limit > c.items.max_limit)
        throw InvalidArgumentError(origin + ": default-limit (" + std::to_string(c.items.default_limit) + ") is above max-limit (" + std::to_string(c.items.max_limit) + ")");
    while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
}

std::filesystem::path default_assets_dir() {
    std::vector<std::filesystem::path> candidates;
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        // build/tools/coldspot -> build/web, where tools/web/build.mjs writes the page; an
        // installed bin/coldspot -> share/coldspot/web.
        candidates.push_back(exe.parent_path().parent_path() / "web");
        candidates.push_back(exe.parent_path().parent_path() / "share" / "coldspot" / "web");
    }
#ifdef COLDSPOT_SOURCE_DIR
    candidates.push_back(std::filesystem::path(COLDSPOT_SOURCE_DIR) / "tools" / "web" / "dist"); // tools/js-deps builds it there
    candidates.push_back(std::filesystem::path(COLDSPOT_SOURCE_DIR) / "build" / "web");
#endif
    for (const auto& c : candidates)
        if (std::filesystem::is_regular_file(c / "index.html", ec)) return c;
    return {};
}

std::filesystem::path default_partnerships_file() {
#ifdef COLDSPOT_SOURCE_DIR
    auto f = std::filesystem::path(COLDSPOT_SOURCE_DIR) / "data" / "partnerships.json";
    std::error_code ec;
    if (std::filesystem::is_regular_file(f, ec)) return f;
#endif
    return {};
}

void apply_config_file(ServiceConfig& config, const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw FileNotFoundError({file.string(), 0, ""}, "cannot open the configuration file");
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::parse_error& e) {
        throw FormatError({file.string(), 0, ""}, std::string("not valid JSON: ") + e.what());
    }
    apply_config_json(config, j, file.string());
}

} // namespace coldspot::service
