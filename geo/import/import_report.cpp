#include "coldspot/geo/version.hpp"
#include "coldspot/geo/import/import_report.hpp"

#include "coldspot/geo/import/detail/sha256.hpp"
#include "coldspot/geo/model/layers.hpp"

#include <chrono>
#include <ctime>

namespace coldspot::geo::import {

DatasetRecord& ImportReport::dataset(const std::string& name, const std::filesystem::path& path, const std::string& vintage) {
    DatasetRecord r;
    r.dataset = name;
    r.path = path;
    r.vintage = vintage;
    std::error_code ec;
    r.size_bytes = std::filesystem::file_size(path, ec);
    if (ec) r.size_bytes = 0;
    r.sha256 = ec ? std::string() : sha256_file(path);
    datasets_.push_back(std::move(r));
    return datasets_.back();
}

void ImportReport::add(ReportEntry entry) { entries_.push_back(std::move(entry)); }

std::size_t ImportReport::count(const std::string& dataset, const std::string& action) const {
    std::size_t n = 0;
    for (const auto& e : entries_)
        if (e.dataset == dataset && e.action == action) ++n;
    return n;
}

FeatureTable ImportReport::provenance_table(const std::string& imported_at) const {
    FeatureTable t;
    t.name = model::layer::provenance;
    t.description = "Every input of this workspace: file, checksum, rows read/kept/rejected, vintage";
    t.epsg = 0;
    t.fields = model::table_fields(model::input_layer(model::layer::provenance));
    for (const auto& d : datasets_) {
        Feature f;
        f.values = {d.dataset,
                    std::filesystem::absolute(d.path).lexically_normal().string(),
                    static_cast<std::int64_t>(d.size_bytes),
                    d.sha256,
                    d.rows_read,
                    d.rows_kept,
                    d.rows_rejected,
                    d.vintage,
                    imported_at,
                    std::string(version())};
        t.features.push_back(std::move(f));
    }
    return t;
}

FeatureTable ImportReport::report_table() const {
    FeatureTable t;
    t.name = model::layer::import_report;
    t.description = "Rows and values the import did not take as they were, with file, line, field and reason";
    t.epsg = 0;
    t.fields = model::table_fields(model::input_layer(model::layer::import_report));
    for (const auto& e : entries_) {
        Feature f;
        f.values = {e.dataset, e.file, static_cast<std::int64_t>(e.line), e.key, e.field, e.reason, e.action};
        t.features.push_back(std::move(f));
    }
    return t;
}

} // namespace coldspot::geo::import
