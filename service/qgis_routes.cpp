// GET /qgis/project.qgs and /qgis/project.qgz: a QGIS project whose layers read this server
// (geo/style/qgis_project.hpp builds it; docs/clients.md describes it).
#include "qgis_routes.hpp"

#include "coldspot/geo/style/qgis_project.hpp"
#include "coldspot/geo/style/qgz.hpp"
#include "coldspot/service/detail/client_address.hpp"
#include "coldspot/service/problem.hpp"
#include "coldspot/tiles/tileset.hpp"

namespace coldspot::service::detail {

namespace {

geo::style::ProjectSource project_source(const RouteContext& ctx) {
    geo::style::ProjectSource src;
    src.title = ctx.config.title;
    src.base_url = client_base_url(ctx.request, ctx.config.public_url);
    geo::Box extent = geo::empty_box();
    for (const auto& c : ctx.snapshot.collections) {
        src.collections.insert(c.id);
        if (!geo::is_empty(c.extent_storage)) boost::geometry::expand(extent, c.extent_storage);
    }
    if (!geo::is_empty(extent)) src.extent = extent;
    if (ctx.snapshot.tiles)
        for (const auto& c : ctx.snapshot.collections)
            if (ctx.snapshot.tiles->has(c.id)) src.tile_maxzoom[c.id] = ctx.snapshot.tiles->spec(c.id).maxzoom;
    return src;
}

} // namespace

Reply qgis_project(const RouteContext& ctx, bool zipped) {
    allow_only(ctx.request, {});
    static const auto parsed = geo::style::Palette::from_json(palette(), "data/style/palette.json");
    static const auto catalogue = geo::style::coldspot_catalogue(parsed);
    const std::string qgs = geo::style::qgis_project_xml(project_source(ctx), catalogue);
    Reply r;
    r.content_type = zipped ? "application/x-qgis-project-container" : "application/x-qgis-project";
    r.body = zipped ? geo::style::qgz_archive("coldspot.qgs", qgs) : qgs;
    r.compressible = !zipped;
    r.set_header("Content-Disposition", std::string("attachment; filename=\"coldspot.") + (zipped ? "qgz" : "qgs") + "\"");
    // The URLs inside follow Host and Forwarded: a cache must not hand one client's to another.
    r.set_header("Vary", "Host, Forwarded");
    r.set_header("Cache-Control", "no-cache");
    return r;
}

} // namespace coldspot::service::detail
