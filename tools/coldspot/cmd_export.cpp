// coldspot export WORKSPACE [--gpkg OUT.gpkg] [--csv DIR|FILE.csv] [--xlsx OUT.xlsx] [--layers a,b] [--crs CRS]
#include "command.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/export/styled_geopackage.hpp"
#include "coldspot/service/palette.hpp"
#include "coldspot/service/table_export.hpp"

#include <algorithm>
#include <map>
#include <memory>

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

/// The collections of the layers, in the order of `names` (a layer of several geometry types gives
/// one collection per type, as on the server).
std::vector<service::Collection> collections_of(const geo::Workspace& ws, const std::vector<std::string>& names) {
    std::map<std::string, std::shared_ptr<const geo::FeatureTable>> layers;
    for (const auto& n : names) layers.emplace(n, std::make_shared<const geo::FeatureTable>(ws.read(n)));
    auto collections = service::build_collections(layers);
    std::stable_sort(collections.begin(), collections.end(), [&](const service::Collection& a, const service::Collection& b) {
        return std::find(names.begin(), names.end(), a.layer) < std::find(names.begin(), names.end(), b.layer);
    });
    return collections;
}

void report_tables(const char* what, const std::vector<service::ExportedTable>& tables) {
    for (const auto& t : tables) std::cout << "wrote " << what << " " << t.collection << ": " << t.rows << " rows -> " << t.file.string() << "\n";
}

int run_export(CommandArgs argv) {
    Args args(argv, {"--gpkg", "--csv", "--xlsx", "--layers", "--crs"}, {});
    args.expect_positionals(1, 1, "one workspace: coldspot export WORKSPACE.gpkg --gpkg OUT.gpkg | --csv DIR | --xlsx OUT.xlsx");
    const auto gpkg = args.value("--gpkg"), csv = args.value("--csv"), xlsx = args.value("--xlsx");
    if (!gpkg && !csv && !xlsx) throw InvalidArgumentError("say what to write: --gpkg OUT.gpkg, --csv DIR (or FILE.csv) and/or --xlsx OUT.xlsx");
    service::OutputCrs crs = service::OutputCrs::Crs84;
    if (const auto text = args.value("--crs")) {
        if (!csv && !xlsx) throw InvalidArgumentError("--crs applies to --csv and --xlsx; the GeoPackage keeps the workspace's EPSG:27700");
        const auto parsed = service::parse_crs(*text);
        if (!parsed) throw InvalidArgumentError("--crs must be CRS84, EPSG:27700 or EPSG:3857 (or their OGC URIs), got '" + *text + "'");
        crs = *parsed;
    }
    const geo::Workspace ws(args.positionals()[0]);
    const auto palette = geo::style::Palette::from_json(service::palette_json(), "data/style/palette.json");
    const auto names = geo::exporting::resolve_export_layers(ws, palette, args.value("--layers") ? split_list(*args.value("--layers"))
                                                                                                  : std::vector<std::string>{});
    if (gpkg) {
        const auto r = geo::exporting::export_styled_geopackage(ws, *gpkg, palette, names);
        std::cout << "wrote " << *gpkg << ": " << r.layers.size() << " layers (";
        for (std::size_t i = 0; i < r.layers.size(); ++i) std::cout << (i ? ", " : "") << r.layers[i];
        std::cout << "), " << r.styles << " QGIS styles in layer_styles, tables:";
        for (const auto& t : r.tables) std::cout << " " << t;
        std::cout << "\n";
    }
    if (csv || xlsx) {
        const auto collections = collections_of(ws, names);
        if (csv) report_tables("CSV", service::export_csv(collections, *csv, crs));
        if (xlsx) report_tables("XLSX sheet", service::export_xlsx(collections, *xlsx, crs));
    }
    return 0;
}

const RegisterCommand reg{Command{
    "export", "result layers as a styled GeoPackage for QGIS, as CSV files or as an XLSX workbook",
    "usage: coldspot export WORKSPACE.gpkg [--gpkg OUT.gpkg] [--csv DIR|FILE.csv] [--xlsx OUT.xlsx]\n"
    "                       [--layers NAME,NAME...] [--crs CRS84|EPSG:27700|EPSG:3857]\n\n"
    "--gpkg writes a standalone GeoPackage: the layers, their QGIS styles in layer_styles (QML and SLD, made\n"
    "from the same palette as the web map and the server's QGIS project; one default per layer, applied when\n"
    "QGIS opens it), and provenance, import_report, analysis_runs and analysis_parameters (every parameter of\n"
    "the last run of each step) as tables.\n"
    "--csv writes one CSV file per layer into the folder DIR (DIR/LAYER.csv), or the one layer into FILE.csv;\n"
    "--xlsx writes one workbook with a sheet per layer, in --layers order. Columns, values and coordinates are\n"
    "exactly those of the server's /collections/LAYER/items?f=csv|xlsx: id, the fields, then x,y for points\n"
    "(wkt for lines and areas in CSV; none in XLSX), in CRS84 lon/lat unless --crs says otherwise. A layer\n"
    "with several geometry types gives one file or sheet per type (LAYER_point, ...), as on the server.\n"
    "Without --layers: every result layer the workspace has (coldspots_schools, coldspots_areas,\n"
    "coldspots_hex, targets, hub_venues, remit gaps and overlaps, hubs, isochrones, areas); any layer of the\n"
    "workspace may be named. Each file is replaced atomically; an unknown layer is an error naming it.",
    run_export}};

} // namespace
} // namespace coldspot::cli
