#pragma once
// Reads polygon layers from any OGR source into EPSG:27700 FeatureTables, repairing invalid
// geometries with GEOS and reporting every change. Private to the importer.
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/import/import_report.hpp"
#include "coldspot/geo/import/manifest.hpp"

#include <string>

namespace coldspot::geo::import::detail {

/// GDAL path for a file: "/vsigzip/..." for ".gz" (after checking the gzip magic number).
std::string gdal_path(const std::filesystem::path& path);

/// Reads `src` into a layer named `layer_name` with fields code, name, the mapped columns and
/// area_km2; fid counts from 1. Throws FileNotFoundError, FormatError, MissingColumnError,
/// CrsError (no CRS and none given).
FeatureTable read_polygons(const VectorSource& src, const std::string& layer_name, ImportReport& report);

} // namespace coldspot::geo::import::detail
