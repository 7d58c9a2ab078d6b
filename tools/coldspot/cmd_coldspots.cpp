// coldspot coldspots WORKSPACE [--params FILE] [--band M] [--permutations N] [--seed S]
#include "command.hpp"

#include "coldspot/geo/coldspots/analysis.hpp"
#include "coldspot/geo/error.hpp"

#include <fstream>
#include <iomanip>
#include <iostream>

namespace coldspot::cli {
namespace {

int run_coldspots(CommandArgs argv) {
    Args args(argv, {"--params", "--band", "--permutations", "--seed", "--add-venue", "--remove-venue", "--output"},
              {"--quiet"});
    args.expect_positionals(1, 1, "one workspace: coldspot coldspots WORKSPACE.gpkg");
    nlohmann::json params = nlohmann::json::object();
    if (const auto file = args.value("--params")) {
        std::ifstream in(*file);
        if (!in) throw FileNotFoundError(InputLocation{*file, 0, {}}, "cannot open parameters file");
        try {
            params = nlohmann::json::parse(in);
        } catch (const nlohmann::json::parse_error& e) {
            throw FormatError(InputLocation{*file, 0, {}}, std::string("not valid JSON: ") + e.what());
        }
    }
    // Command-line overrides win over the file.
    if (const auto band = args.number("--band")) params["statistics"]["band_m"] = *band;
    if (const auto n = args.integer("--permutations")) params["statistics"]["permutations"] = *n;
    if (const auto s = args.integer("--seed")) params["statistics"]["seed"] = *s;
    const bool quiet = args.flag("--quiet");
    geo::coldspots::Scenario scenario;
    for (const auto& spec : args.values("--add-venue")) {
        // TYPE:NAME:EASTING:NORTHING (EPSG:27700)
        std::vector<std::string> parts;
        std::string::size_type start = 0, colon;
        while ((colon = spec.find(':', start)) != std::string::npos) {
            parts.push_back(spec.substr(start, colon - start));
            start = colon + 1;
        }
        parts.push_back(spec.substr(start));
        if (parts.size() != 4) throw InvalidArgumentError("--add-venue expects TYPE:NAME:EASTING:NORTHING, got '" + spec + "'");
        try {
            scenario.add.push_back({parts[0], parts[1], geo::Point{std::stod(parts[2]), std::stod(parts[3])}});
        } catch (const std::exception&) {
            throw InvalidArgumentError("--add-venue: easting and northing must be numbers in '" + spec + "'");
        }
    }
    scenario.remove = args.values("--remove-venue");
    const auto progress = [&](std::string_view stage, double f) {
        if (!quiet) std::cerr << "  [" << std::setw(3) << static_cast<int>(f * 100) << "%] " << stage << "\n";
    };
    const auto output = args.value("--output");
    if (!scenario.empty() && !output)
        throw InvalidArgumentError("a scenario (--add-venue/--remove-venue) needs --output OUT.gpkg; the workspace stays as it is");
    const auto summary = scenario.empty() && !output
                             ? geo::coldspots::run_analysis(params, args.positionals()[0], progress)
                             : geo::coldspots::run_scenario(params, args.positionals()[0], scenario, *output, progress);
    std::cout << summary.run_id << ": " << summary.scored << " of " << summary.schools << " schools scored, "
              << summary.cold_spot_schools << " in significant cold spots, " << summary.islands << " islands\n";
    if (summary.rank_draws > 0)
        std::cout << "rank stability: " << summary.robust_targets << " robust targets (in the top " << summary.rank_top_n
                  << " in >= " << summary.rank_robust_share * 100 << " % of " << summary.rank_draws << " draws over weights and missing-input rules; targets layer: "
                  << "rank_median, rank_p05, rank_p95, top_share, robust_target)\n";
    for (const auto& n : summary.notes) std::cout << "  note: " << n << "\n";
    std::cout << "layers:";
    for (const auto& l : summary.layers) std::cout << " " << l;
    std::cout << "\n";
    return 0;
}

const RegisterCommand reg{Command{
    "coldspots", "compute the cold-spot index, Gi*/local Moran, aggregates and targets into a workspace",
    "usage: coldspot coldspots WORKSPACE.gpkg [--params FILE.json] [--band METRES] [--permutations N] [--seed S] [--quiet]\n"
    "                          [--add-venue TYPE:NAME:EASTING:NORTHING]... [--remove-venue NAME]... [--output OUT.gpkg]\n\n"
    "Scores every school (data/params/default.json documents the parameters; docs/methodology.md explains them),\n"
    "runs Getis-Ord Gi* and local Moran's I on the index, aggregates to LSOA, local authority, hub footprint and\n"
    "hexagons, ranks schools for targeting, and writes coldspots_schools, coldspots_areas, coldspots_hex, targets\n"
    "and a new analysis_runs row into a new version of the workspace.\n\n"
    "Scenario: --add-venue / --remove-venue (repeatable) change hub_venues, re-route access for the affected hub\n"
    "types on the road graph the access run used (its cache beside the workspace, or the roads layer), and write\n"
    "the whole analysis to --output, leaving WORKSPACE unchanged. Without a road graph, times are estimated\n"
    "(removed: from access_matrix, else straight line; added: straight line); the notes say which.",
    run_coldspots}};

} // namespace
} // namespace coldspot::cli
