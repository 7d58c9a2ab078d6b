// The map page's files under /map/ (from the `assets` folder), the browser's way in from `/`, and
// what the landing page says about the workspace (synthetic demo or real data).
#include "coldspot/geo/demo/demo_region.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/service/problem.hpp"
#include "routes.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace coldspot::service::detail {

namespace {

using json = nlohmann::json;

struct MediaType {
    const char* extension;
    const char* type;
    bool compressible;
};

// maplibre-gl 6 is ES-module only: .mjs must be a JavaScript type or the browser refuses it.
constexpr MediaType kMediaTypes[] = {
    {".html", "text/html; charset=utf-8", true},     {".mjs", "text/javascript; charset=utf-8", true},
    {".js", "text/javascript; charset=utf-8", true}, {".css", "text/css; charset=utf-8", true},
    {".json", "application/json", true},             {".map", "application/json", true},
    {".pbf", "application/x-protobuf", true},        {".svg", "image/svg+xml", true},
    {".png", "image/png", false},                    {".jpg", "image/jpeg", false},
    {".ico", "image/x-icon", false},                 {".woff2", "font/woff2", false},
    {".woff", "font/woff", false},                   {".txt", "text/plain; charset=utf-8", true},
    {".wasm", "application/wasm", false},
};

const MediaType& media_type(const std::filesystem::path& file) {
    static const MediaType other{"", "application/octet-stream", false};
    const std::string ext = ascii_lower(file.extension().string());
    for (const auto& m : kMediaTypes)
        if (ext == m.extension) return m;
    return other;
}

/// A request may name only files below the assets folder: no `..` or `.` segment, no hidden
/// file, no separator or NUL smuggled in a percent-encoded segment.
bool safe_segment(const std::string& s) {
    return !s.empty() && s.front() != '.' && s.find_first_of(std::string("/\\\0", 3)) == std::string::npos;
}

Reply file_reply(const RouteContext& ctx, const std::filesystem::path& file) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    const auto mtime = std::filesystem::last_write_time(file, ec);
    std::ifstream in(file, std::ios::binary);
    if (ec || !in) throw HttpProblem(404, "there is no file " + ctx.request.path + " in the map's assets");
    std::ostringstream tag;
    tag << '"' << std::hex << size << '-' << mtime.time_since_epoch().count() << '"';
    const MediaType& m = media_type(file);
    Reply r;
    r.content_type = m.type;
    r.compressible = m.compressible;
    r.set_header("ETag", tag.str());
    // Revalidated on every use: a rebuilt page is seen at once, an unchanged one costs a 304.
    r.set_header("Cache-Control", "no-cache");
    if (const auto inm = ctx.request.header("if-none-match"); inm && etag_matches(*inm, tag.str())) {
        r.status = 304;
        return r;
    }
    r.body.assign(std::istreambuf_iterator<char>(in), {});
    return r;
}

} // namespace

bool etag_matches(const std::string& if_none_match, const std::string& etag) {
    if (if_none_match == "*") return true;
    // A list of entity tags; weak ones (W/"...") match by their opaque part (weak comparison).
    std::string_view rest = if_none_match;
    const std::string_view wanted = std::string_view(etag);
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::string_view tag = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
        while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
        if (tag.starts_with("W/")) tag.remove_prefix(2);
        if (tag == wanted) return true;
    }
    return false;
}

bool map_page_available(const RouteContext& ctx) {
    std::error_code ec;
    return !ctx.config.assets.empty() && std::filesystem::is_regular_file(ctx.config.assets / "index.html", ec);
}

Reply map_page_redirect(const RouteContext& ctx) {
    std::string query;
    for (const auto& [k, v] : ctx.request.query)
        if (k != "f") query += (query.empty() ? "?" : "&") + url_encode(k) + "=" + url_encode(v);
    Reply r;
    r.status = 303;
    r.content_type = "text/html; charset=utf-8";
    const std::string to = ctx.base + "/map/" + query;
    r.set_header("Location", to);
    r.set_header("Vary", "Accept");
    r.body = "<!doctype html><title>Coldspot map</title><a href=\"" + html_escape(to) + "\">The map</a>\n";
    return r;
}

Reply asset(const RouteContext& ctx, const std::vector<std::string>& segments) {
    if (ctx.config.assets.empty())
        throw HttpProblem(404, "this server has no map page: start `coldspot serve` with --assets DIR (docs/map.md)");
    std::filesystem::path file = ctx.config.assets;
    for (const auto& s : segments) {
        if (!safe_segment(s)) throw HttpProblem(404, "there is no file " + ctx.request.path + " in the map's assets");
        file /= s;
    }
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) {
        // /map (no slash) would resolve the page's relative URLs against /: send it to /map/.
        if (!ctx.request.path.ends_with("/")) {
            Reply r;
            r.status = 301;
            r.set_header("Location", ctx.base + ctx.request.path + "/");
            r.body.clear();
            r.content_type.clear();
            return r;
        }
        file /= "index.html";
    }
    // The page takes its view from the query (?hub=...); only the files themselves are fixed.
    return file_reply(ctx, file);
}

json map_links(const RouteContext& ctx) {
    const std::string& b = ctx.base;
    json links = json::array({{{"href", b + "/styles/coldspot.json"}, {"rel", "stylesheet"}, {"type", "application/vnd.mapbox.style+json"}, {"title", "MapLibre style of the map"}},
                              {{"href", b + "/search?q={q}"}, {"rel", "search"}, {"type", "application/json"}, {"templated", true}, {"title", "find a school, hub, authority or postcode"}}});
    if (map_page_available(ctx)) links.push_back({{"href", b + "/map/"}, {"rel", "alternate"}, {"type", "text/html"}, {"title", "the partnership map"}});
    return links;
}

json workspace_description(const RouteContext& ctx) {
    const auto* schools = ctx.snapshot.layer(geo::model::layer::schools);
    const bool synthetic = schools && schools->description.starts_with(geo::demo::kSyntheticLabel);
    json region = nullptr;
    if (synthetic) {
        region = "Demoshire (a fictional county)";
    } else if (const auto* lads = ctx.snapshot.layer(geo::model::layer::local_authorities)) {
        std::set<std::string> regions;
        if (const int f = lads->field_index(geo::model::authority::region); f >= 0)
            for (const auto& row : lads->features)
                if (auto v = geo::as_text(row.values[static_cast<std::size_t>(f)]); !v.empty()) regions.insert(v);
        if (regions.size() == 1) region = *regions.begin();
        else if (regions.size() > 1) region = "England (" + std::to_string(regions.size()) + " regions)";
    }
    return {{"synthetic", synthetic},
            {"workspace", {{"name", ctx.snapshot.workspace.stem().string()}, {"region", region}}},
            {"notice", synthetic ? json("Synthetic demonstration data: every school, hub and area is fictional.") : json(nullptr)}};
}

} // namespace coldspot::service::detail
