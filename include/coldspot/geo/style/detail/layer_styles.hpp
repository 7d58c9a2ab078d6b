#pragma once
// The `layer_styles` table of a GeoPackage, with the columns and types QGIS itself creates
// (QgsOgrProviderUtils::saveStyle): each row a style of one table, as QML and SLD, one marked as
// the table's default, which QGIS applies when it opens the layer.
#include <filesystem>
#include <string>
#include <vector>

namespace coldspot::geo::style {

struct StoredStyle {
    std::string table;            ///< f_table_name
    std::string geometry_column;  ///< f_geometry_column ("geom" in workspaces)
    std::string name;             ///< styleName
    std::string qml, sld;
    bool use_as_default = false;
    std::string description;
};

/// Creates `layer_styles` in an existing GeoPackage (replacing one that is there) and writes the
/// rows. Throws FileNotFoundError / GdalError naming the file.
void write_layer_styles(const std::filesystem::path& gpkg, const std::vector<StoredStyle>& styles);

/// The rows of a GeoPackage's `layer_styles`, in id order (empty when it has none).
std::vector<StoredStyle> read_layer_styles(const std::filesystem::path& gpkg);

} // namespace coldspot::geo::style
