#pragma once
// Candidate sites for new venues from a list a lead keeps (a library, a hall, a trust's office): the
// venue suggestion then chooses among them instead of among the schools.
#include "coldspot/geo/geometry.hpp"

#include <filesystem>
#include <vector>

namespace coldspot::geo::coldspots {

/// Reads a CSV with a header and either `lon`,`lat` (WGS 84 degrees) or `easting`,`northing`
/// (EPSG:27700 metres), one site a row; other columns are ignored. Returns EPSG:27700 points in file
/// order. Throws FileNotFoundError, EmptyInputError (no header or no site), MissingColumnError (neither
/// pair of columns) and FormatError for a value that is not a number or lies outside Great Britain, each
/// naming the file, line and field.
std::vector<Point> read_candidate_points(const std::filesystem::path& csv);

} // namespace coldspot::geo::coldspots
