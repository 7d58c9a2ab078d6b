// The coldspot side of tools/bench/tiles, linked straight against libtiles/libgeo so the benchmark
// does not depend on the whole CLI:
//   tiles_bench pyramid WORKSPACE LAYERS MAXZOOM THREADS OUT.mbtiles
//   tiles_bench latency WORKSPACE LAYERS TILELIST        (TILELIST: one z/x/y per line)
//   tiles_bench digest WORKSPACE LAYERS TILELIST         (z/x/y, bytes and FNV-1a 64 of render_mvt per tile:
//                                                         two builds' outputs diff to nothing when the bytes agree)
// latency prints "z/x/y microseconds mvt_bytes features dropped reduced encode_passes mvt_only_microseconds" per tile
// (microseconds: render() = encode + gzip; mvt_only: render_mvt(), the encode alone)
// (render without cache, after TileService::prepare(14), whose time goes to stderr).
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/tiles/archive.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>

using namespace coldspot;
using Clock = std::chrono::steady_clock;

namespace {

std::shared_ptr<const tiles::TileService> open(const std::string& workspace, const std::string& layers) {
    tiles::TilesetSpec spec;
    spec.name = "bench";
    std::stringstream ss(layers);
    for (std::string name; std::getline(ss, name, ',');) {
        tiles::TileLayerSpec l;
        l.source = name;
        if (name == geo::model::layer::areas) l.id_source = tiles::FeatureIdSource::GssCode;
        spec.layers.push_back(l);
    }
    tiles::TileServiceOptions options;
    options.prebuild_max_zoom = -1;
    return tiles::open_tile_service(workspace, options, {spec});
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

} // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> a(argv + 1, argv + argc);
    if (a.size() == 6 && a[0] == "pyramid") {
        const auto t0 = Clock::now();
        const auto svc = open(a[1], a[2]);
        const double load = seconds_since(t0);
        tiles::ArchiveOptions ao;
        ao.minzoom = 0;
        ao.maxzoom = std::stoi(a[3]);
        ao.threads = static_cast<unsigned>(std::stoi(a[4]));
        ao.progress = [](int z, const tiles::ArchiveStats& s) {
            std::cerr << "z" << z << " cumulative: tiles=" << s.tiles << " dropped=" << s.features_dropped
                      << " reduced=" << s.features_reduced << " max_mvt_bytes=" << s.max_tile_mvt_bytes << "\n";
        };
        const auto t1 = Clock::now();
        const auto st = tiles::write_mbtiles(*svc, "bench", a[5], ao);
        std::cout << "load_s=" << load << " render_write_s=" << seconds_since(t1) << " total_s=" << seconds_since(t0)
                  << " tiles=" << st.tiles << " max_mvt_bytes=" << st.max_tile_mvt_bytes << " largest=" << st.largest_tile
                  << " max_features=" << st.max_tile_features << " dropped=" << st.features_dropped
                  << " reduced=" << st.features_reduced << "\n";
        return 0;
    }
    if (a.size() == 4 && a[0] == "latency") {
        const auto t0 = Clock::now();
        const auto svc = open(a[1], a[2]);
        const double load = seconds_since(t0);
        // What a server does at start-up: generalise every polygon layer for z0-z14 once.
        const auto t1 = Clock::now();
        svc->prepare(14);
        std::cerr << "load_s=" << load << " prepare_z0_z14_s=" << seconds_since(t1) << "\n";
        std::ifstream in(a[3]);
        for (std::string line; std::getline(in, line);) {
            unsigned z, x, y;
            if (std::sscanf(line.c_str(), "%u/%u/%u", &z, &x, &y) != 3) continue;
            const auto t = Clock::now();
            const auto tile = svc->render("bench", tiles::TileId{z, x, y});
            const double us = std::chrono::duration<double, std::micro>(Clock::now() - t).count();
            // The same tile encoded only (no gzip): what PostGIS's ST_AsMVT does.
            const auto tm = Clock::now();
            const std::string mvt = svc->render_mvt("bench", tiles::TileId{z, x, y});
            const double mvt_us = std::chrono::duration<double, std::micro>(Clock::now() - tm).count();
            if (mvt.size() != tile.mvt_bytes) throw std::runtime_error("render_mvt and render disagree on " + line);
            std::cout << z << "/" << x << "/" << y << " " << us << " " << tile.mvt_bytes << " " << tile.feature_count << " "
                      << tile.features_dropped << " " << tile.features_reduced << " " << tile.encode_passes << " " << mvt_us
                      << "\n";
        }
        return 0;
    }
    if (a.size() == 4 && a[0] == "digest") {
        const auto svc = open(a[1], a[2]);
        std::ifstream in(a[3]);
        for (std::string line; std::getline(in, line);) {
            unsigned z, x, y;
            if (std::sscanf(line.c_str(), "%u/%u/%u", &z, &x, &y) != 3) continue;
            tiles::EncodedTile stats;
            const std::string mvt = svc->render_mvt("bench", tiles::TileId{z, x, y}, &stats);
            std::uint64_t h = 0xcbf29ce484222325ull;
            for (unsigned char c : mvt) h = (h ^ c) * 0x100000001b3ull;
            std::printf("%u/%u/%u %zu %016llx %zu %zu %zu %zu %d\n", z, x, y, mvt.size(), static_cast<unsigned long long>(h),
                        stats.feature_count, stats.features_dropped, stats.features_reduced, stats.polygons_clipped,
                        stats.simplification_level);
        }
        return 0;
    }
    std::cerr << "usage: tiles_bench pyramid WORKSPACE LAYERS MAXZOOM THREADS OUT.mbtiles\n"
                 "       tiles_bench latency WORKSPACE LAYERS TILELIST\n"
                 "       tiles_bench digest WORKSPACE LAYERS TILELIST\n";
    return 2;
}
