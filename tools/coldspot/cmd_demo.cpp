// coldspot demo: writes the synthetic Demoshire workspace and its OSM PBF road network.
#include "command.hpp"

#include "coldspot/geo/workspace.hpp"
#include "coldspot/geo/timestamp.hpp"
#include "coldspot/geo/demo/demo_region.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/import/import_report.hpp"

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>

namespace coldspot::cli {
namespace {

/// The provenance time: SOURCE_DATE_EPOCH when set (the reproducible-builds convention, so that
/// two runs can give identical tables), the current time otherwise.
std::string generation_time() {
    const char* epoch = std::getenv("SOURCE_DATE_EPOCH");
    if (!epoch || !*epoch) return geo::utc_now_iso8601();
    char* end = nullptr;
    const long long seconds = std::strtoll(epoch, &end, 10);
    if (*end != '\0' || seconds < 0) throw InvalidArgumentError("SOURCE_DATE_EPOCH must be a number of seconds, got '" + std::string(epoch) + "'");
    return geo::utc_iso8601(static_cast<std::time_t>(seconds));
}

int run_demo(CommandArgs raw) {
    Args args(raw, {"-o", "--output", "--seed"}, {});
    args.expect_positionals(0, 0, "no positional arguments (use -o WORKSPACE.gpkg)");
    auto output = args.value("-o");
    if (!output) output = args.value("--output");
    if (!output) throw InvalidArgumentError("option -o WORKSPACE.gpkg is required");
    geo::demo::DemoOptions options;
    if (auto seed = args.integer("--seed")) {
        if (*seed < 0) throw InvalidArgumentError("option --seed must not be negative");
        options.seed = static_cast<std::uint64_t>(*seed);
    }
    const std::filesystem::path workspace(*output);
    const bool postgis = geo::is_postgis_workspace(workspace);
    if (!postgis && workspace.extension() != ".gpkg")
        throw InvalidArgumentError("the workspace must be a .gpkg file or a PostGIS connection (PG:... or postgresql://...), got " + *output);
    if (!postgis && workspace.has_parent_path()) std::filesystem::create_directories(workspace.parent_path());

    const auto region = geo::demo::generate_demo_region(options);
    const auto files = geo::demo::write_demo_region(region, workspace, generation_time());
    std::cout << geo::demo::kSyntheticLabel << " (seed " << region.seed << ") written to " << geo::workspace_display_name(files.workspace) << "\n";
    for (const auto& t : region.layers) std::cout << "  " << t.name << ": " << t.features.size() << "\n";
    std::cout << "  provenance, import_report\n";
    std::cout << "road network (OSM PBF): " << files.osm_pbf.string() << " (" << region.roads.nodes().size() << " nodes, "
              << region.roads.ways().size() << " ways)\n";
    return 0;
}

const RegisterCommand registered{Command{
    "demo",
    "write the synthetic Demoshire demo workspace (no downloads needed)",
    "usage: coldspot demo -o WORKSPACE.gpkg [--seed N]\n\n"
    "Writes a deterministic, clearly labelled SYNTHETIC region (\"Demoshire\", in EPSG:27700) with every\n"
    "workspace layer (towns, schools, areas, local_authorities, upper_tier_authorities, hubs,\n"
    "hub_districts, hub_venues, roads, provenance, import_report) to WORKSPACE.gpkg, and its road\n"
    "network as OSM PBF to WORKSPACE.osm.pbf beside it. WORKSPACE may be a PostGIS database\n"
    "(PG:\"host=H port=P dbname=D user=U\" or postgresql://U@H:P/D): the PBF then goes to its local\n"
    "cache folder (docs/deployment.md). The same seed gives the same data.\n"
    "Missing folders are created. SOURCE_DATE_EPOCH, when set, fixes the provenance time.\n\n"
    "  -o, --output PATH   the workspace to write (replaced atomically if it exists)\n"
    "  --seed N            another synthetic region (default 20261122)",
    run_demo}};

} // namespace
} // namespace coldspot::cli
