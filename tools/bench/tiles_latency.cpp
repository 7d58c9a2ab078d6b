// Per-tile render latency of coldspot's TileService (no cache), for tools/bench/tiles.
//   tiles_latency WORKSPACE TILELIST LAYERS   (TILELIST: one z/x/y per line; LAYERS: areas,schools)
// Prints one line per tile "z/x/y microseconds mvt_bytes features" and a summary line.
#include "coldspot/tiles/tileset.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

using namespace coldspot;

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: tiles_latency WORKSPACE TILELIST LAYERS\n";
        return 2;
    }
    tiles::TilesetSpec spec;
    spec.name = "bench";
    std::stringstream ss(argv[3]);
    for (std::string name; std::getline(ss, name, ',');) {
        tiles::TileLayerSpec l;
        l.source = name;
        if (name == "areas") l.id_source = tiles::FeatureIdSource::GssCode;
        spec.layers.push_back(l);
    }
    tiles::TileServiceOptions options;
    options.prebuild_max_zoom = -1;
    const auto t0 = std::chrono::steady_clock::now();
    const auto svc = tiles::open_tile_service(argv[1], options, {spec});
    const double load = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::ifstream in(argv[2]);
    std::vector<double> us;
    std::size_t max_bytes = 0;
    for (std::string line; std::getline(in, line);) {
        unsigned z, x, y;
        if (std::sscanf(line.c_str(), "%u/%u/%u", &z, &x, &y) != 3) continue;
        const auto a = std::chrono::steady_clock::now();
        const auto tile = svc->render("bench", tiles::TileId{z, x, y});
        const double t = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - a).count();
        us.push_back(t);
        max_bytes = std::max(max_bytes, tile.mvt_bytes);
        std::cout << z << "/" << x << "/" << y << " " << t << " " << tile.mvt_bytes << " " << tile.feature_count << "\n";
    }
    std::sort(us.begin(), us.end());
    const auto pct = [&](double p) { return us.empty() ? 0.0 : us[std::min(us.size() - 1, static_cast<std::size_t>(p * us.size()))]; };
    std::cout << "summary load_s=" << load << " tiles=" << us.size() << " p50_ms=" << pct(0.5) / 1000
              << " p95_ms=" << pct(0.95) / 1000 << " max_mvt_bytes=" << max_bytes << "\n";
}
