#pragma once
// Helpers for tests/tiles: hand-made layers placed in tile units, and the independent decoders
// (@mapbox/vector-tile and pmtiles on Debian 12's Node.js 18, installed by tools/js-deps).
#include "js_support.hpp"
#include "test_support.hpp"

#include "coldspot/tiles/tileset.hpp"
#include "coldspot/tiles/gzip.hpp"
#include "coldspot/tiles/detail/prepared_polygons.hpp"

#include <nlohmann/json.hpp>

#include <fstream>

namespace coldspot::tiles::test {

using coldspot::test::TempDir;
using json = nlohmann::json;

inline std::filesystem::path node_dir() { return coldspot::test::source_dir() / "tests/tiles/node"; }

/// The decoders' npm packages come from tools/js-deps (run once by tools/test before ctest).
#define COLDSPOT_REQUIRE_NODE() COLDSPOT_REQUIRE_NPM("tests/tiles/node")

inline void write_file(const std::filesystem::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary);
    out << bytes;
}

/// Decodes tiles (gzip or raw) with @mapbox/vector-tile; one JSON object of layers per file.
inline std::vector<json> decode_mvt_files(const std::vector<std::filesystem::path>& files) {
    std::vector<json> out;
    // Batches keep the command line short.
    for (std::size_t i = 0; i < files.size(); i += 400) {
        std::string cmd = coldspot::test::node_command() + " " + coldspot::test::quote((node_dir() / "decode.mjs").string()) + " mvt";
        for (std::size_t k = i; k < std::min(files.size(), i + 400); ++k) cmd += " " + coldspot::test::quote(files[k].string());
        const auto r = coldspot::test::run_command(cmd);
        if (r.exit_code != 0) throw std::runtime_error("node decoder failed: " + r.output);
        for (auto& f : json::parse(r.output)) out.push_back(std::move(f["layers"]));
    }
    return out;
}

inline json decode_tile(const EncodedTile& tile) {
    TempDir dir;
    write_file(dir / "t.mvt.gz", tile.gzip_body);
    return decode_mvt_files({dir / "t.mvt.gz"}).at(0);
}

/// EPSG:3857 position of a point given in tile units of `tile` (u right, v_down down).
inline geo::Point at(const TileId& tile, double u, double v_down, std::uint32_t extent = 4096) {
    const geo::Box b = bounds_3857(tile);
    const double size = b.max_corner().x() - b.min_corner().x();
    return geo::Point{b.min_corner().x() + u * size / extent, b.max_corner().y() - v_down * size / extent};
}

/// A polygon from rings given in tile units (y down) of `tile`; Boost orientation fixed by correct().
inline geo::MultiPolygon polygon_in_tile(const TileId& tile, const std::vector<std::vector<std::pair<double, double>>>& rings) {
    geo::Polygon poly;
    for (std::size_t r = 0; r < rings.size(); ++r) {
        geo::Ring ring;
        for (const auto& [u, v] : rings[r]) ring.push_back(at(tile, u, v));
        ring.push_back(ring.front());
        if (r == 0) poly.outer() = ring;
        else poly.inners().push_back(ring);
    }
    boost::geometry::correct(poly);
    return geo::MultiPolygon{poly};
}

inline geo::FeatureTable table_3857(std::string name, geo::GeometryType type, std::vector<geo::Field> fields) {
    geo::FeatureTable t;
    t.name = std::move(name);
    t.geometry_type = type;
    t.epsg = 3857;
    t.fields = std::move(fields);
    return t;
}

inline TilesetSpec single(const std::string& layer, int maxzoom = 22, FeatureIdSource ids = FeatureIdSource::Fid) {
    TilesetSpec s;
    s.name = layer;
    s.maxzoom = maxzoom;
    TileLayerSpec l;
    l.source = layer;
    l.maxzoom = maxzoom;
    l.id_source = ids;
    s.layers.push_back(l);
    return s;
}

/// A prepared zoom (z0: world units = tile units, y up) holding one polygon of hand-drawn rings
/// (exterior clockwise in y-up, as preparation leaves it; holes the other way).
inline PreparedZoom prepared_zoom_with(const std::vector<std::vector<std::pair<int, int>>>& rings) {
    PreparedZoom pz;
    pz.z = 0;
    pz.extent = 4096;
    PreparedPolygon pf;
    pf.kind = PreparedKind::Rings;
    pf.x0 = pf.y0 = 1 << 30;
    pf.x1 = pf.y1 = -(1 << 30);
    for (const auto& r : rings) {
        PreparedRing pr;
        pr.first_point = static_cast<std::uint32_t>(pz.points.size());
        for (const auto& [x, y] : r) {
            pz.points.push_back(TilePoint{x, y});
            pf.x0 = std::min(pf.x0, x), pf.y0 = std::min(pf.y0, y), pf.x1 = std::max(pf.x1, x), pf.y1 = std::max(pf.y1, y);
        }
        pr.size = static_cast<std::uint32_t>(r.size());
        pz.rings.push_back(pr);
    }
    pf.ring_count = static_cast<std::uint32_t>(pz.rings.size());
    pz.features.push_back(pf);
    return pz;
}

/// Shoelace sum (twice the signed area) of a decoded ring in y-down tile units: MVT exteriors > 0.
inline long long shoelace2(const json& ring) {
    long long s = 0;
    for (std::size_t i = 0; i + 1 < ring.size(); ++i)
        s += ring[i][0].get<long long>() * ring[i + 1][1].get<long long>() -
             ring[i + 1][0].get<long long>() * ring[i][1].get<long long>();
    return s;
}

} // namespace coldspot::tiles::test
