// OGC API - Tiles 1.0 over the same tile service as /tiles: the WebMercatorQuad tile matrix set
// (OGC Two Dimensional Tile Matrix Set 2.0 JSON), and per collection a tileset list, a tileset and
// its vector tiles at /collections/{id}/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}.
// The tiles are the bytes /tiles/{layer}/{z}/{x}/{y}.mvt serves (row = y, col = x).
#include "coldspot/service/output_crs.hpp"
#include "coldspot/service/problem.hpp"
#include "coldspot/tiles/tile_id.hpp"
#include "coldspot/tiles/tileset.hpp"
#include "routes.hpp"

#include <cmath>

namespace coldspot::service::detail {

namespace {

using json = nlohmann::json;

constexpr const char* kTms = "WebMercatorQuad";
constexpr const char* kTmsUri = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";
constexpr const char* kWebMercatorUri = "http://www.opengis.net/def/crs/EPSG/0/3857";
constexpr const char* kTilingSchemeRel = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme";
constexpr const char* kMvt = "application/vnd.mapbox-vector-tile";
constexpr double kOriginShift = 20037508.342789244; // pi * 6378137

const Collection& tiled_collection(const RouteContext& ctx, const std::string& id) {
    const Collection* c = ctx.snapshot.collection(id);
    if (!c) throw HttpProblem(404, "there is no collection '" + id + "'", {{"collections", ctx.base + "/collections"}});
    if (!ctx.snapshot.tiles || !ctx.snapshot.tiles->has(c->layer))
        throw HttpProblem(404, "collection '" + id + "' has no vector tiles", {{"tilesets", ctx.base + "/tiles"}});
    return *c;
}

void require_tms(const std::string& tms) {
    if (tms != kTms) throw HttpProblem(404, "there is no tile matrix set '" + tms + "' (this server tiles in WebMercatorQuad)", {{"tileMatrixSets", json::array({kTms})}});
}

json tile_matrix(int z) {
    const double cell = 2 * kOriginShift / 256 / std::ldexp(1.0, z);
    const auto n = static_cast<std::uint64_t>(1) << z;
    return {{"id", std::to_string(z)}, {"scaleDenominator", cell / 0.00028}, {"cellSize", cell}, {"cornerOfOrigin", "topLeft"},
            {"pointOfOrigin", {-kOriginShift, kOriginShift}}, {"tileWidth", 256}, {"tileHeight", 256}, {"matrixWidth", n}, {"matrixHeight", n}};
}

/// Tile rows and columns of zoom z that hold the lon/lat box.
json matrix_limits(const geo::Box& lonlat, int z) {
    const double n = std::ldexp(1.0, z);
    const geo::Point lo = crs84_to_web_mercator(lonlat.min_corner()), hi = crs84_to_web_mercator(lonlat.max_corner());
    const auto index = [&](double v) { return std::clamp(static_cast<long long>(std::floor(v / (2 * kOriginShift) * n)), 0LL, static_cast<long long>(n) - 1); };
    return {{"tileMatrix", std::to_string(z)}, {"minTileCol", index(lo.x() + kOriginShift)}, {"maxTileCol", index(hi.x() + kOriginShift)},
            {"minTileRow", index(kOriginShift - hi.y())}, {"maxTileRow", index(kOriginShift - lo.y())}};
}

int geometry_dimension(geo::GeometryType t) { return t == geo::GeometryType::Point ? 0 : t == geo::GeometryType::MultiLineString ? 1 : 2; }

json tileset_links(const RouteContext& ctx, const Collection& c) {
    const std::string base = ctx.base + "/collections/" + url_encode(c.id) + "/tiles/" + kTms;
    return json::array({link(base, "self", "application/json", "this tileset"),
                        link(ctx.base + "/tileMatrixSets/" + kTms, kTilingSchemeRel, "application/json", "the WebMercatorQuad tile matrix set"),
                        link(ctx.base + "/collections/" + url_encode(c.id), "collection", "application/json", "the collection"),
                        {{"href", base + "/{tileMatrix}/{tileRow}/{tileCol}"}, {"rel", "item"}, {"type", kMvt}, {"templated", true}, {"title", "Mapbox vector tiles"}}});
}

json tileset_summary(const RouteContext& ctx, const Collection& c) {
    return {{"title", c.id + " (vector tiles)"}, {"dataType", "vector"}, {"crs", kWebMercatorUri}, {"tileMatrixSetURI", kTmsUri}, {"links", tileset_links(ctx, c)}};
}

} // namespace

Reply tile_matrix_sets(const RouteContext& ctx) {
    allow_only(ctx.request, {});
    json doc{{"tileMatrixSets", json::array({{{"id", kTms}, {"title", "Google Maps compatible tile matrix set (EPSG:3857)"}, {"uri", kTmsUri},
                                              {"links", json::array({link(ctx.base + "/tileMatrixSets/" + kTms, "self", "application/json", "WebMercatorQuad")})}}})},
             {"links", json::array({link(ctx.base + "/tileMatrixSets", "self", "application/json", "tile matrix sets")})}};
    if (wants_html(ctx.request)) return json_as_html(ctx, "Tile matrix sets", doc, ctx.base + "/tileMatrixSets");
    return json_reply(doc);
}

Reply tile_matrix_set(const RouteContext& ctx, const std::string& id) {
    allow_only(ctx.request, {});
    require_tms(id);
    json matrices = json::array(), matrices_v1 = json::array();
    for (int z = 0; z <= static_cast<int>(tiles::kMaxZoom); ++z) {
        const json m = tile_matrix(z);
        matrices.push_back(m);
        matrices_v1.push_back({{"type", "TileMatrixType"}, {"identifier", m["id"]}, {"scaleDenominator", m["scaleDenominator"]}, {"topLeftCorner", m["pointOfOrigin"]},
                               {"tileWidth", 256}, {"tileHeight", 256}, {"matrixWidth", m["matrixWidth"]}, {"matrixHeight", m["matrixHeight"]}});
    }
    // TMS 2.0 members (id, crs, tileMatrices) as OGC API - Tiles asks, and the same matrices in the
    // TMS 1.0 encoding (type, identifier, supportedCRS, tileMatrix) beside them: GDAL 3.6's OGCAPI
    // driver parses only 1.0 ("Cannot parse CRS" on a 2.0-only document), newer clients read 2.0.
    json doc{{"id", kTms}, {"title", "Google Maps compatible tile matrix set (EPSG:3857)"}, {"uri", kTmsUri}, {"crs", kWebMercatorUri},
             {"orderedAxes", {"X", "Y"}}, {"wellKnownScaleSet", "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible"}, {"tileMatrices", matrices},
             {"type", "TileMatrixSetType"}, {"identifier", kTms}, {"supportedCRS", kWebMercatorUri}, {"tileMatrix", matrices_v1}};
    if (wants_html(ctx.request)) return json_as_html(ctx, "WebMercatorQuad", doc, ctx.base + "/tileMatrixSets/" + kTms);
    return json_reply(doc);
}

Reply collection_tilesets(const RouteContext& ctx, const std::string& id) {
    allow_only(ctx.request, {});
    const Collection& c = tiled_collection(ctx, id);
    const std::string self = ctx.base + "/collections/" + url_encode(c.id) + "/tiles";
    json doc{{"links", json::array({link(self, "self", "application/json", "tilesets of " + c.id)})}, {"tilesets", json::array({tileset_summary(ctx, c)})}};
    if (wants_html(ctx.request)) return json_as_html(ctx, c.id + ": tilesets", doc, self);
    return json_reply(doc);
}

Reply collection_tileset(const RouteContext& ctx, const std::string& id, const std::string& tms) {
    allow_only(ctx.request, {});
    const Collection& c = tiled_collection(ctx, id);
    require_tms(tms);
    const auto& spec = ctx.snapshot.tiles->spec(c.layer);
    json limits = json::array();
    if (!geo::is_empty(c.extent_crs84))
        for (int z = spec.minzoom; z <= spec.maxzoom; ++z) limits.push_back(matrix_limits(c.extent_crs84, z));
    json layers = json::array();
    for (const auto& l : spec.layers)
        layers.push_back({{"id", l.name.empty() ? l.source : l.name}, {"dataType", "vector"}, {"geometryDimension", geometry_dimension(c.geometry_type)},
                          {"minTileMatrix", std::to_string(std::max(l.minzoom, spec.minzoom))}, {"maxTileMatrix", std::to_string(std::min(l.maxzoom, spec.maxzoom))}});
    json doc = tileset_summary(ctx, c);
    doc["description"] = spec.description;
    doc["tileMatrixSetLimits"] = limits;
    doc["layers"] = layers;
    doc["minTileMatrix"] = std::to_string(spec.minzoom);
    doc["maxTileMatrix"] = std::to_string(spec.maxzoom);
    if (!geo::is_empty(c.extent_crs84)) {
        const auto& b = c.extent_crs84;
        doc["boundingBox"] = {{"lowerLeft", {b.min_corner().x(), b.min_corner().y()}}, {"upperRight", {b.max_corner().x(), b.max_corner().y()}}, {"crs", kCrs84Uri}};
    }
    if (wants_html(ctx.request)) return json_as_html(ctx, c.id + ": WebMercatorQuad tileset", doc, ctx.base + "/collections/" + url_encode(c.id) + "/tiles/" + kTms);
    return json_reply(doc);
}

Reply collection_tile(const RouteContext& ctx, const std::string& id, const std::string& tms, const std::string& z, const std::string& row, const std::string& col) {
    allow_only(ctx.request, {});
    const Collection& c = tiled_collection(ctx, id);
    require_tms(tms);
    return tile_reply(ctx, c.layer, z, col, row);
}

} // namespace coldspot::service::detail
