// The TileJSON 3.0.0 document of a tileset: bounds and centre from its layers' extents, and each
// vector layer's fields (with the cluster fields on clustering zooms).
#include "tileset_impl.hpp"

#include "coldspot/geo/crs.hpp"

#include <algorithm>
#include <cmath>

namespace coldspot::tiles {

namespace bg = boost::geometry;

namespace {

const char* field_type_name(geo::FieldType t) { return t == geo::FieldType::String ? "String" : "Number"; }

} // namespace

nlohmann::json TileService::tilejson(const std::string& tileset, const std::string& url) const {
    const ResolvedTileset& ts = impl_->find(tileset);
    geo::Box merc = geo::empty_box();
    for (const auto& rl : ts.layers)
        if (!geo::is_empty(rl.layer->extent)) bg::expand(merc, rl.layer->extent); // an empty layer has no extent
    double w = -180, s = -85.0511, e = 180, n = 85.0511;
    if (!geo::is_empty(merc)) {
        const geo::Box ll = geo::CrsTransform(geo::kWebMercator, geo::kWgs84).apply(merc);
        w = ll.min_corner().x(), s = ll.min_corner().y(), e = ll.max_corner().x(), n = ll.max_corner().y();
    }
    const auto r6 = [](double v) { return std::round(v * 1e6) / 1e6; };
    const double span = std::max(e - w, 1e-9);
    const int fit = static_cast<int>(std::floor(std::log2(360.0 / span)));
    const int center_zoom = std::clamp(fit + 1, ts.spec.minzoom, ts.spec.maxzoom);
    nlohmann::json layers = nlohmann::json::array();
    for (const auto& rl : ts.layers) {
        nlohmann::json fields = nlohmann::json::object();
        const auto& T = rl.layer->table;
        for (const auto& f : T.fields) fields[f.name] = field_type_name(f.type);
        std::string desc = T.description;
        if (T.geometry_type == geo::GeometryType::Point && rl.spec.cluster && impl_->options.encode.cluster_max_zoom >= rl.spec.minzoom) {
            fields[kClusterKey] = "Boolean";
            fields[kPointCountKey] = "Number";
            for (auto fi : rl.sum_fields) fields[T.fields[fi].name + kSumSuffix] = "Number";
        }
        layers.push_back({{"id", rl.spec.name},
                          {"description", desc},
                          {"minzoom", rl.spec.minzoom},
                          {"maxzoom", rl.spec.maxzoom},
                          {"fields", fields}});
    }
    return {{"tilejson", "3.0.0"},
            {"name", ts.spec.name},
            {"description", ts.spec.description},
            {"version", "1.0.0"},
            {"attribution", ts.spec.attribution},
            {"scheme", "xyz"},
            {"tiles", nlohmann::json::array({url})},
            {"minzoom", ts.spec.minzoom},
            {"maxzoom", ts.spec.maxzoom},
            {"bounds", {r6(w), r6(s), r6(e), r6(n)}},
            {"center", {r6((w + e) / 2), r6((s + n) / 2), center_zoom}},
            {"vector_layers", layers}};
}

} // namespace coldspot::tiles
