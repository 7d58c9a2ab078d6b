#include "coldspot/geo/routing/isochrones.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/geos.hpp"
#include "coldspot/geo/detail/wkb.hpp"
#include "gdal_handles.hpp"

#include <gdal_alg.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace coldspot::geo::routing {

namespace {

constexpr float kFar = 1.0e6f; // minutes; "not reached" without a nodata hole in the contours

} // namespace

std::vector<MultiPolygon> isochrone_polygons(const RoadGraph& graph, std::span<const TimeMs> node_time,
                                             const IsochroneOptions& options) {
    if (!(options.cell_m > 0)) throw InvalidArgumentError("isochrone cell size must be positive");
    if (!(options.access_kph > 0) || options.access_radius_m < 0)
        throw InvalidArgumentError("isochrone access speed must be positive and radius non-negative");
    if (node_time.size() != graph.node_count()) throw InvalidArgumentError("isochrones: one time per node expected");
    std::vector<MultiPolygon> out(options.minutes.size());
    if (options.minutes.empty()) return out;
    for (double m : options.minutes)
        if (!(m > 0)) throw InvalidArgumentError("isochrone thresholds must be positive minutes");
    const double max_min = *std::max_element(options.minutes.begin(), options.minutes.end());
    const auto max_ms = static_cast<double>(max_min) * 60000.0;

    Box box = empty_box();
    for (std::uint32_t n = 0; n < graph.node_count(); ++n)
        if (node_time[n] != kUnreachable && node_time[n] <= max_ms) bg::expand(box, graph.coord(NodeId{n}));
    if (is_empty(box)) return out;
    // Two cells of margin beyond the access radius: contours close inside the raster.
    const double margin = options.access_radius_m + 2 * options.cell_m;
    const double x0 = std::floor((box.min_corner().x() - margin) / options.cell_m) * options.cell_m;
    const double y1 = std::ceil((box.max_corner().y() + margin) / options.cell_m) * options.cell_m;
    const auto width = static_cast<int>(std::ceil((box.max_corner().x() + margin - x0) / options.cell_m));
    const auto height = static_cast<int>(std::ceil((y1 - (box.min_corner().y() - margin)) / options.cell_m));
    if (static_cast<double>(width) * height > 4.0e8)
        throw InvalidArgumentError("isochrone grid of " + std::to_string(width) + " x " + std::to_string(height) +
                                   " cells is too large: use a larger cell size");

    std::vector<float> grid(static_cast<std::size_t>(width) * height, kFar);
    const int reach = static_cast<int>(std::ceil(options.access_radius_m / options.cell_m));
    const double access_m_per_min = options.access_kph * 1000.0 / 60.0;
    auto splat = [&](const Point& p, double minutes) {
        const int cx = static_cast<int>((p.x() - x0) / options.cell_m);
        const int cy = static_cast<int>((y1 - p.y()) / options.cell_m);
        for (int row = std::max(0, cy - reach); row <= std::min(height - 1, cy + reach); ++row)
            for (int col = std::max(0, cx - reach); col <= std::min(width - 1, cx + reach); ++col) {
                const double mx = x0 + (col + 0.5) * options.cell_m, my = y1 - (row + 0.5) * options.cell_m;
                const double d = std::hypot(mx - p.x(), my - p.y());
                if (d > options.access_radius_m + options.cell_m * 0.7072) continue;
                float& cell = grid[static_cast<std::size_t>(row) * width + col];
                cell = std::min(cell, static_cast<float>(minutes + d / access_m_per_min));
            }
    };
    // Times continue along the searched edges: a point s of the way along u->v is reached at
    // time(u) + s x time(edge). Sampling every half cell draws long roads, not just their ends.
    const double step = options.cell_m / 2;
    for (std::uint32_t u = 0; u < graph.node_count(); ++u) {
        if (node_time[u] == kUnreachable || node_time[u] > max_ms) continue;
        const Point& a = graph.coord(NodeId{u});
        splat(a, node_time[u] / 60000.0);
        for (std::uint32_t e = graph.first_out(NodeId{u}); e < graph.end_out(NodeId{u}); ++e) {
            const Point& b = graph.coord(graph.head(EdgeId{e}));
            const double len = bg::distance(a, b);
            const int samples = static_cast<int>(std::ceil(len / step));
            for (int k = 1; k < samples; ++k) {
                const double s = static_cast<double>(k) / samples;
                const double t = node_time[u] + s * graph.time_ms(EdgeId{e});
                if (t > max_ms) break;
                splat(Point(a.x() + s * (b.x() - a.x()), a.y() + s * (b.y() - a.y())), t / 60000.0);
            }
        }
    }

    geo::detail::ensure_gdal();
    GDALDriverH mem = GDALGetDriverByName("MEM");
    if (!mem) throw GdalError("GDAL MEM driver is not available");
    geo::detail::GdalDataset raster(GDALCreate(mem, "", width, height, 1, GDT_Float32, nullptr));
    if (!raster) throw GdalError("cannot create isochrone raster: " + geo::detail::last_gdal_error());
    double transform[6] = {x0, options.cell_m, 0, y1, 0, -options.cell_m};
    GDALSetGeoTransform(raster.get(), transform);
    GDALRasterBandH band = GDALGetRasterBand(raster.get(), 1);
    if (GDALRasterIO(band, GF_Write, 0, 0, width, height, grid.data(), width, height, GDT_Float32, 0, 0) != CE_None)
        throw GdalError("cannot fill isochrone raster: " + geo::detail::last_gdal_error());

    GDALDriverH vmem = GDALGetDriverByName("Memory");
    if (!vmem) throw GdalError("OGR Memory driver is not available");
    for (std::size_t i = 0; i < options.minutes.size(); ++i) {
        const double level = options.minutes[i];
        geo::detail::GdalDataset vector(GDALCreate(vmem, "", 0, 0, 0, GDT_Unknown, nullptr));
        if (!vector) throw GdalError("cannot create contour layer: " + geo::detail::last_gdal_error());
        OGRLayerH layer = GDALDatasetCreateLayer(vector.get(), "contours", nullptr, wkbMultiPolygon, nullptr);
        OGRFieldDefnH fid = OGR_Fld_Create("id", OFTInteger);
        OGRFieldDefnH fmin = OGR_Fld_Create("min", OFTReal);
        OGRFieldDefnH fmax = OGR_Fld_Create("max", OFTReal);
        OGR_L_CreateField(layer, fid, TRUE);
        OGR_L_CreateField(layer, fmin, TRUE);
        OGR_L_CreateField(layer, fmax, TRUE);
        OGR_Fld_Destroy(fid);
        OGR_Fld_Destroy(fmin);
        OGR_Fld_Destroy(fmax);
        const std::string levels = "FIXED_LEVELS=" + std::to_string(level);
        const char* contour_options[] = {levels.c_str(), "ID_FIELD=0", "ELEV_FIELD_MIN=1", "ELEV_FIELD_MAX=2",
                                         "POLYGONIZE=YES", nullptr};
        if (GDALContourGenerateEx(band, layer, const_cast<char**>(contour_options), nullptr, nullptr) != CE_None)
            throw GdalError("contour generation failed: " + geo::detail::last_gdal_error());
        std::vector<MultiPolygon> parts;
        OGR_L_ResetReading(layer);
        while (true) {
            geo::detail::OgrFeature f(OGR_L_GetNextFeature(layer));
            if (!f) break;
            // The band below the level: [grid minimum, level].
            if (OGR_F_GetFieldAsDouble(f.get(), 2) > level + 1e-9) continue;
            OGRGeometryH g = OGR_F_GetGeometryRef(f.get());
            if (!g || OGR_G_IsEmpty(g)) continue;
            std::vector<std::uint8_t> wkb(static_cast<std::size_t>(OGR_G_WkbSize(g)));
            OGR_G_ExportToIsoWkb(g, wkbNDR, wkb.data());
            Geometry geom = from_wkb(wkb);
            if (auto* mp = std::get_if<MultiPolygon>(&geom)) parts.push_back(std::move(*mp));
        }
        if (parts.empty()) continue;
        MultiPolygon merged = parts.size() == 1 ? parts.front() : union_all(parts);
        bg::correct(merged);
        out[i] = invalid_reason(merged).empty() ? merged : make_valid(merged);
    }
    return out;
}

} // namespace coldspot::geo::routing
