#pragma once
// A .qgz: the zip container QGIS saves projects in (the .qgs document inside), made with GDAL's
// zip writer.
#include <string>
#include <string_view>

namespace coldspot::geo::style {

/// The bytes of a zip archive holding one file, `name` (deflated). Throws GdalError.
std::string qgz_archive(const std::string& name, std::string_view qgs);

} // namespace coldspot::geo::style
