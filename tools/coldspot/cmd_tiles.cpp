// coldspot tiles WORKSPACE --tileset NAME -o OUT.mbtiles|OUT.pmtiles: a vector tile archive for
// static hosting, or --list to show the tilesets a workspace offers.
#include "command.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/tiles/archive.hpp"

#include <chrono>
#include <iostream>
#include <sstream>

namespace coldspot::cli {
namespace {

int run(CommandArgs raw) {
    Args args(raw, {"--tileset", "--layers", "-o", "--output", "--minzoom", "--maxzoom", "--threads", "--format", "--extent", "--buffer"},
              {"--list", "--quiet"});
    args.expect_positionals(1, 1, "WORKSPACE");
    const std::string workspace = args.positionals()[0];
    tiles::TileServiceOptions options;
    options.prebuild_max_zoom = -1; // an export renders every tile once anyway
    if (const auto e = args.integer("--extent")) {
        if (*e < 256 || *e > 65536) throw InvalidArgumentError("--extent must be between 256 and 65536");
        options.encode.extent = static_cast<std::uint32_t>(*e);
    }
    if (const auto b = args.integer("--buffer")) {
        if (*b < 0 || *b > static_cast<long long>(options.encode.extent))
            throw InvalidArgumentError("--buffer must be between 0 and the extent");
        options.encode.buffer = static_cast<std::uint32_t>(*b);
    }
    // --layers a,b,c: an ad-hoc tileset over those layers, named by --tileset (default "custom").
    std::vector<tiles::TilesetSpec> extra;
    if (const auto layers = args.value("--layers")) {
        tiles::TilesetSpec spec;
        spec.name = args.value_or("--tileset", "custom");
        std::stringstream ss(*layers);
        for (std::string name; std::getline(ss, name, ',');) {
            if (name.empty()) continue;
            tiles::TileLayerSpec l;
            l.source = name;
            // Areas and authorities carry GSS codes; everything else its fid.
            namespace layer = geo::model::layer;
            if (name == layer::areas || name == layer::local_authorities || name == layer::upper_tier_authorities || name == layer::coldspots_areas)
                l.id_source = tiles::FeatureIdSource::GssCode;
            spec.layers.push_back(l);
        }
        if (spec.layers.empty()) throw InvalidArgumentError("--layers needs at least one layer name");
        extra.push_back(std::move(spec));
    }
    const auto service = tiles::open_tile_service(workspace, options, std::move(extra));
    if (args.flag("--list")) {
        for (const auto& name : service->names()) {
            const auto& spec = service->spec(name);
            std::cout << name << "\tz" << spec.minzoom << "-" << spec.maxzoom << "\t";
            for (std::size_t i = 0; i < spec.layers.size(); ++i) std::cout << (i ? "," : "") << spec.layers[i].source;
            std::cout << "\n";
        }
        return 0;
    }
    const std::string tileset = args.required("--tileset");
    if (!service->has(tileset)) {
        std::string known;
        for (const auto& n : service->names()) known += (known.empty() ? "" : ", ") + n;
        throw InvalidArgumentError("no tileset '" + tileset + "' in " + workspace + " (tilesets: " + known + ")");
    }
    const auto out = args.value("-o") ? *args.value("-o") : args.required("--output");
    std::string format = args.value_or("--format", "");
    if (format.empty()) {
        const std::string ext = std::filesystem::path(out).extension().string();
        if (ext == ".mbtiles") format = "mbtiles";
        else if (ext == ".pmtiles") format = "pmtiles";
        else throw InvalidArgumentError("cannot tell the archive format from '" + out + "': use .mbtiles, .pmtiles or --format");
    }
    if (format != "mbtiles" && format != "pmtiles") throw InvalidArgumentError("--format must be mbtiles or pmtiles");
    tiles::ArchiveOptions ao;
    if (const auto z = args.integer("--minzoom")) ao.minzoom = static_cast<int>(*z);
    if (const auto z = args.integer("--maxzoom")) ao.maxzoom = static_cast<int>(*z);
    if (const auto t = args.integer("--threads")) {
        if (*t < 1 || *t > 64) throw InvalidArgumentError("--threads must be between 1 and 64");
        ao.threads = static_cast<unsigned>(*t);
    }
    const bool quiet = args.flag("--quiet");
    if (!quiet)
        ao.progress = [](int z, const tiles::ArchiveStats& s) {
            std::cerr << "  z" << z << ": " << s.tiles << " tiles so far, " << s.features_dropped << " features dropped and "
                      << s.features_reduced << " tiny polygons reduced so far\n";
        };
    const auto t0 = std::chrono::steady_clock::now();
    const auto stats = format == "mbtiles" ? tiles::write_mbtiles(*service, tileset, out, ao)
                                           : tiles::write_pmtiles(*service, tileset, out, ao);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "wrote " << out << ": " << stats.tiles << " tiles (" << stats.unique_tiles << " distinct), "
              << stats.bytes << " bytes gzip, largest tile " << stats.max_tile_mvt_bytes << " bytes ("
              << stats.largest_tile << "), most features " << stats.max_tile_features << ", dropped "
              << stats.features_dropped << ", tiny polygons reduced " << stats.features_reduced << ", " << secs << " s\n";
    return 0;
}

const RegisterCommand registered{Command{
    "tiles", "export a vector tileset as MBTiles 1.3 or PMTiles v3",
    "usage: coldspot tiles WORKSPACE --tileset NAME -o OUT.mbtiles|OUT.pmtiles [options]\n"
    "       coldspot tiles WORKSPACE --list\n"
    "\n"
    "Renders every non-empty tile of a tileset (the same tiles `coldspot serve` sends) into an archive for\n"
    "static hosting. Tilesets: one per workspace layer (schools, areas, local_authorities, hubs, ...) plus\n"
    "combined ones (overview, remits, coldspots); --list shows those the workspace has.\n"
    "\n"
    "  --tileset NAME     tileset to export\n"
    "  --layers A,B,...   export an ad-hoc tileset of these workspace layers instead (named by --tileset,\n"
    "                     default custom)\n"
    "  -o, --output FILE  .mbtiles (MBTiles 1.3, metadata `json` with vector_layers) or .pmtiles (PMTiles v3)\n"
    "  --format F         mbtiles | pmtiles, when the file name does not say\n"
    "  --minzoom Z        first zoom (default: the tileset's, 0)\n"
    "  --maxzoom Z        last zoom (default: the tileset's, 14)\n"
    "  --threads N        rendering threads (default 2)\n"
    "  --extent N         tile extent in units (default 4096)\n"
    "  --buffer N         buffer in tile units (default 64)\n"
    "  --quiet            no per-zoom progress on stderr\n",
    run}};

} // namespace
} // namespace coldspot::cli
