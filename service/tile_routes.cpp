// Vector tiles from the snapshot's TileService: TileJSON, and tiles with gzip, ETag and 204/304.
#include "coldspot/geo/error.hpp"
#include "coldspot/service/gzip.hpp"
#include "coldspot/service/problem.hpp"
#include "coldspot/tiles/gzip.hpp"
#include "coldspot/tiles/tileset.hpp"
#include "routes.hpp"

#include <charconv>

namespace coldspot::service::detail {

namespace {

const tiles::TileService& require_tiles(const RouteContext& ctx) {
    if (!ctx.snapshot.tiles) throw HttpProblem(404, "this server serves no vector tiles (started with tiles off, or the workspace has no spatial layer)");
    return *ctx.snapshot.tiles;
}

std::uint32_t parse_coordinate(const std::string& name, const std::string& text) {
    std::uint32_t v = 0;
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || p != text.data() + text.size())
        throw HttpProblem(400, "tile " + name + " must be a non-negative integer, got '" + text + "'");
    return v;
}

} // namespace

Reply tilesets(const RouteContext& ctx) {
    allow_only(ctx.request, {});
    nlohmann::json list = nlohmann::json::array();
    if (ctx.snapshot.tiles)
        for (const auto& name : ctx.snapshot.tiles->names()) {
            const auto& spec = ctx.snapshot.tiles->spec(name);
            nlohmann::json layers = nlohmann::json::array();
            for (const auto& l : spec.layers) layers.push_back(l.name.empty() ? l.source : l.name);
            list.push_back({{"name", name}, {"description", spec.description}, {"minzoom", spec.minzoom}, {"maxzoom", spec.maxzoom}, {"layers", layers},
                            {"tilejson", ctx.base + "/tiles/" + url_encode(name) + ".json"},
                            {"tiles", ctx.base + "/tiles/" + url_encode(name) + "/{z}/{x}/{y}.mvt"}});
        }
    return json_reply({{"tilesets", list}});
}

Reply tilejson(const RouteContext& ctx, const std::string& tileset) {
    allow_only(ctx.request, {});
    const auto& service = require_tiles(ctx);
    if (!service.has(tileset)) throw HttpProblem(404, "there is no tileset '" + tileset + "'", {{"tilesets", ctx.base + "/tiles"}});
    Reply r = json_reply(service.tilejson(tileset, ctx.base + "/tiles/" + url_encode(tileset) + "/{z}/{x}/{y}.mvt"));
    r.set_header("Cache-Control", "public, max-age=" + std::to_string(ctx.config.cache_max_age));
    return r;
}

Reply tile(const RouteContext& ctx, const std::string& tileset, const std::string& z, const std::string& x, const std::string& y_file) {
    allow_only(ctx.request, {});
    const auto& service = require_tiles(ctx);
    std::string y = y_file;
    if (y.ends_with(".mvt") || y.ends_with(".pbf")) y.resize(y.size() - 4);
    else throw HttpProblem(404, "a tile is addressed as /tiles/{tileset}/{z}/{x}/{y}.mvt (or .pbf), not '" + y_file + "'");
    if (!service.has(tileset)) throw HttpProblem(404, "there is no tileset '" + tileset + "'", {{"tilesets", ctx.base + "/tiles"}});
    const tiles::TileId id{parse_coordinate("z", z), parse_coordinate("x", x), parse_coordinate("y", y)};
    if (!tiles::is_valid(id))
        throw HttpProblem(400, "tile " + id.to_string() + " does not exist: z must be 0-" + std::to_string(tiles::kMaxZoom) + " and x, y below 2^z");
    std::shared_ptr<const tiles::EncodedTile> encoded;
    try {
        encoded = service.get(tileset, id);
    } catch (const NotFoundError& e) {
        throw HttpProblem(404, e.what()); // a zoom outside the tileset's range
    } catch (const InvalidArgumentError& e) {
        throw HttpProblem(400, e.what());
    }
    Reply r;
    r.compressible = false;
    r.content_type = "application/vnd.mapbox-vector-tile";
    r.set_header("ETag", encoded->etag);
    r.set_header("Cache-Control", "public, max-age=" + std::to_string(ctx.config.cache_max_age));
    r.set_header("Vary", "Accept-Encoding");
    if (const auto inm = ctx.request.header("if-none-match"); inm && etag_matches(*inm, encoded->etag)) {
        r.status = 304;
        return r;
    }
    if (encoded->empty) {
        r.status = 204;
        return r;
    }
    const auto ae = ctx.request.header("accept-encoding");
    if (ae && accepts_gzip(*ae)) {
        r.set_header("Content-Encoding", "gzip");
        r.shared_body = std::shared_ptr<const std::string>(encoded, &encoded->gzip_body); // aliases the cached tile
    } else {
        r.body = tiles::gzip_decompress(encoded->gzip_body);
    }
    return r;
}

} // namespace coldspot::service::detail
