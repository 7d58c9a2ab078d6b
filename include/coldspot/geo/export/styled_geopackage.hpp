#pragma once
// `coldspot export WORKSPACE --gpkg OUT.gpkg`: result layers as a standalone GeoPackage that opens
// styled in QGIS with no server: the layers, QGIS styles in `layer_styles` (QML and SLD, one default
// per layer, from the same catalogue and palette as the server's QGIS project), and the provenance
// and analysis parameters as attribute tables.
#include "coldspot/geo/style/palette.hpp"
#include "coldspot/geo/workspace.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace coldspot::geo::exporting {

/// The layers exported when none are named: every layer the style catalogue knows that the
/// workspace has, in catalogue order.
std::vector<std::string> default_export_layers(const Workspace& workspace, const style::Palette& palette);

/// Checks `names` against the workspace; throws NotFoundError naming every unknown one and listing
/// the layers the workspace has. Empty: default_export_layers.
std::vector<std::string> resolve_export_layers(const Workspace& workspace, const style::Palette& palette,
                                               const std::vector<std::string>& names);

struct GeoPackageExport {
    std::vector<std::string> layers; ///< data layers written
    std::vector<std::string> tables; ///< provenance and parameter tables written
    std::size_t styles = 0;          ///< rows in layer_styles
};

/// Writes `out` atomically (a temporary file renamed into place; an existing file is replaced).
/// Tables: the layers; `provenance` and `import_report` when the workspace has them;
/// `analysis_runs`; `analysis_parameters` (run_id, step, parameter as a JSON pointer, value as
/// JSON text): every parameter of the last run of each step, one row each.
GeoPackageExport export_styled_geopackage(const Workspace& workspace, const std::filesystem::path& out,
                                          const style::Palette& palette, const std::vector<std::string>& layers);

} // namespace coldspot::geo::exporting
