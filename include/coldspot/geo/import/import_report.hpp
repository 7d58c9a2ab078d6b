#pragma once
// What an import read, kept and rejected, per input and per row. Stored in the workspace as the
// `provenance` and `import_report` tables (docs/workspace.md).
#include "coldspot/geo/feature_table.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace coldspot::geo::import {

struct ReportEntry {
    std::string dataset;
    std::string file;
    std::size_t line = 0;
    std::string key;    ///< URN or code of the row, when known
    std::string field;
    std::string reason;
    std::string action; ///< rejected, repaired, unmatched, snapped, outside-study-area, ...
};

struct DatasetRecord {
    std::string dataset;
    std::filesystem::path path;
    std::uintmax_t size_bytes = 0;
    std::string sha256;
    std::string vintage;
    std::int64_t rows_read = 0;
    std::int64_t rows_kept = 0;
    std::int64_t rows_rejected = 0;
};

class ImportReport {
public:
    /// Registers an input (size and checksum computed now) and returns its record to count into.
    DatasetRecord& dataset(const std::string& name, const std::filesystem::path& path, const std::string& vintage);
    void add(ReportEntry entry);

    const std::vector<ReportEntry>& entries() const noexcept { return entries_; }
    const std::vector<DatasetRecord>& datasets() const noexcept { return datasets_; }
    std::size_t count(const std::string& dataset, const std::string& action) const;

    FeatureTable provenance_table(const std::string& imported_at) const;
    FeatureTable report_table() const;

private:
    std::vector<DatasetRecord> datasets_;
    std::vector<ReportEntry> entries_;
};

} // namespace coldspot::geo::import
