// coldspot export WORKSPACE --gpkg OUT.gpkg [--layers a,b]
#include "command.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/export/styled_geopackage.hpp"
#include "coldspot/service/palette.hpp"

#include <iostream>
#include <sstream>

namespace coldspot::cli {
namespace {

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream ss(text);
    for (std::string name; std::getline(ss, name, ',');)
        if (!name.empty()) out.push_back(name);
    if (out.empty()) throw InvalidArgumentError("--layers needs at least one layer name");
    return out;
}

int run_export(CommandArgs argv) {
    Args args(argv, {"--gpkg", "--layers"}, {});
    args.expect_positionals(1, 1, "one workspace: coldspot export WORKSPACE.gpkg --gpkg OUT.gpkg");
    const auto gpkg = args.value("--gpkg");
    if (!gpkg) throw InvalidArgumentError("say where to write: --gpkg OUT.gpkg");
    const geo::Workspace ws(args.positionals()[0]);
    const auto palette = geo::style::Palette::from_json(service::palette_json(), "data/style/palette.json");
    const auto names = geo::exporting::resolve_export_layers(ws, palette, args.value("--layers") ? split_list(*args.value("--layers"))
                                                                                                  : std::vector<std::string>{});
    {
        const auto r = geo::exporting::export_styled_geopackage(ws, *gpkg, palette, names);
        std::cout << "wrote " << *gpkg << ": " << r.layers.size() << " layers (";
        for (std::size_t i = 0; i < r.layers.size(); ++i) std::cout << (i ? ", " : "") << r.layers[i];
        std::cout << "), " << r.styles << " QGIS styles in layer_styles, tables:";
        for (const auto& t : r.tables) std::cout << " " << t;
        std::cout << "\n";
    }
    return 0;
}

const RegisterCommand reg{Command{
    "export", "result layers as a standalone GeoPackage styled for QGIS (layer_styles), with provenance and parameters",
    "usage: coldspot export WORKSPACE.gpkg --gpkg OUT.gpkg [--layers NAME,NAME...]\n\n"
    "--gpkg writes a standalone GeoPackage: the layers, their QGIS styles in layer_styles (QML and SLD, made\n"
    "from the same palette as the web map and the server's QGIS project; one default per layer, applied when\n"
    "QGIS opens it), and provenance, import_report, analysis_runs and analysis_parameters (every parameter of\n"
    "the last run of each step) as tables. Without --layers: every result layer the workspace has\n"
    "(coldspots_schools, coldspots_areas, coldspots_hex, targets, hub_venues, remit gaps and overlaps, hubs,\n"
    "isochrones, areas). OUT is replaced atomically; an unknown layer is an error naming it.",
    run_export}};

} // namespace
} // namespace coldspot::cli
