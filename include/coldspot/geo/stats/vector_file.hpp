#pragma once
// Reads a whole vector file (anything GDAL opens: GeoJSON, GeoPackage, /vsigzip/ paths...) into a
// FeatureTable reprojected to a target CRS. The statistics tests and benchmarks read the shared
// boundary files with it; workspace layers are read with geo::Workspace instead.
#include "coldspot/geo/crs.hpp"
#include "coldspot/geo/feature_table.hpp"

#include <string>

namespace coldspot::geo::stats {

/// Throws FileNotFoundError / FormatError naming the path, CrsError when the file's CRS is unknown.
/// A file without a CRS is taken to be in `assumed_source_epsg`.
FeatureTable read_vector_file(const std::string& path, Epsg target_epsg = kBritishNationalGrid,
                              Epsg assumed_source_epsg = kWgs84);

} // namespace coldspot::geo::stats
