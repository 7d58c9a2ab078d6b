// coldspot change OLD.gpkg NEW.gpkg -o OUT.gpkg [--lsoa-lookup FILE] [--params FILE]
#include "command.hpp"

#include "coldspot/geo/change/change.hpp"
#include "coldspot/geo/error.hpp"

#include <fstream>
#include <iomanip>
#include <iostream>

namespace coldspot::cli {
namespace {

nlohmann::json read_json(const std::string& file) {
    std::ifstream in(file);
    if (!in) throw FileNotFoundError(InputLocation{file, 0, {}}, "cannot open parameters file");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        throw FormatError(InputLocation{file, 0, {}}, std::string("not valid JSON: ") + e.what());
    }
}

int run_change(CommandArgs argv) {
    Args args(argv, {"-o", "--output", "--lsoa-lookup", "--params"}, {"--old-hubs-complete", "--new-hubs-complete", "--quiet"});
    args.expect_positionals(2, 2, "two workspaces: coldspot change OLD.gpkg NEW.gpkg -o OUT.gpkg");
    const auto output = args.value("-o") ? args.value("-o") : args.value("--output");
    if (!output) throw InvalidArgumentError("option -o OUT.gpkg is required (it may be NEW.gpkg itself: a new version of it)");
    nlohmann::json params = nlohmann::json::object();
    std::string source = "command line";
    if (const auto file = args.value("--params")) {
        params = read_json(*file);
        source = *file;
    }
    if (const auto lookup = args.value("--lsoa-lookup")) params["lsoa_lookup"] = *lookup;
    if (args.flag("--old-hubs-complete")) params["old_hubs_complete"] = true;
    if (args.flag("--new-hubs-complete")) params["new_hubs_complete"] = true;
    auto options = geo::change::parse_change_options(params, source);
    // A lookup named in a parameters file is relative to that file, as manifests' paths are.
    if (const auto file = args.value("--params"); file && options.lsoa_lookup && options.lsoa_lookup->is_relative() && !args.value("--lsoa-lookup"))
        options.lsoa_lookup = std::filesystem::path(*file).parent_path() / *options.lsoa_lookup;
    const bool quiet = args.flag("--quiet");
    const auto summary = geo::change::run_change(options, args.positionals()[0], args.positionals()[1], *output, [&](std::string_view stage, double f) {
        if (!quiet) std::cerr << "  [" << std::setw(3) << static_cast<int>(f * 100) << "%] " << stage << "\n";
    });
    for (const auto& w : summary.warnings) std::cout << "warning: " << w << "\n";
    for (const auto& n : summary.notes) std::cout << "note: " << n << "\n";
    std::cout << "layers:";
    for (const auto& l : summary.layers) std::cout << " " << l;
    std::cout << "\n";
    return 0;
}

const RegisterCommand reg{Command{
    "change", "compare two analysed workspaces (OLD and NEW vintages) into change layers",
    "usage: coldspot change OLD.gpkg NEW.gpkg -o OUT.gpkg [--lsoa-lookup LOOKUP.csv] [--params FILE.json]\n"
    "                       [--old-hubs-complete] [--new-hubs-complete] [--quiet]\n\n"
    "Writes NEW plus change_areas (OLD deprivation carried onto NEW LSOAs through the lookup, with the rule each\n"
    "area got), change_remits (districts whose hub changed, gaps and overlaps), change_schools (opened, closed,\n"
    "phase, trust, hub footprint, decile, cold-spot class), change_coldspots, change_engagement, change_hub_dashboard,\n"
    "change_la_dashboard and change_notes into OUT (which may be NEW itself). data/params/change.json lists the\n"
    "parameters; docs/methodology.md explains the rules. Incomparable inputs (the same vintage twice, no common\n"
    "district, different CRSs, LSOA codes that differ with no lookup) stop with an error; differences that can be\n"
    "compared with care (study areas, analysis parameters, codes missing from the lookup) are warnings in the output.",
    run_change}};

} // namespace
} // namespace coldspot::cli
