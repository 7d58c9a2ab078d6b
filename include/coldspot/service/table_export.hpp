#pragma once
// Collections as CSV and XLSX files, offline (`coldspot export --csv/--xlsx`), with the same
// columns, values and coordinates as the server's items?f=csv|xlsx of the same collection: both go
// through download_layout() and write_download() below, and geo's feature writers.
#include "coldspot/geo/feature_writers.hpp"
#include "coldspot/service/output_crs.hpp"
#include "coldspot/service/snapshot.hpp"

#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace coldspot::service {

/// The columns of a download of `c` with coordinates in `crs`, rounded as the GeoJSON's: every
/// field in order, or only `properties` (field indices) when given.
geo::ExportLayout download_layout(const Collection& c, OutputCrs crs, const std::vector<std::size_t>* properties = nullptr);

/// The features of `c` at `positions`, in `crs`, through `writer` (not finished here).
void write_download(geo::FeatureWriter& writer, const Collection& c, std::span<const std::size_t> positions, OutputCrs crs);

/// One file (or sheet) written by an export.
struct ExportedTable {
    std::string collection;
    std::filesystem::path file;
    std::size_t rows = 0;
};

/// One CSV file per collection, each written atomically. `out` is a folder (made when missing;
/// files `<collection>.csv`), or a file ending in `.csv` when there is exactly one collection.
/// Throws InvalidArgumentError for a `.csv` path and several collections or no collection.
std::vector<ExportedTable> export_csv(std::span<const Collection> collections, const std::filesystem::path& out, OutputCrs crs);

/// One workbook, one sheet per collection in the order given, written atomically. Throws
/// InvalidArgumentError, naming the collection, for one over Excel's row limit, and for no collection.
std::vector<ExportedTable> export_xlsx(std::span<const Collection> collections, const std::filesystem::path& out, OutputCrs crs);

} // namespace coldspot::service
