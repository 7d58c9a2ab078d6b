#include "coldspot/service/table_export.hpp"

#include "coldspot/geo/atomic_file.hpp"
#include "coldspot/geo/crs.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/service/detail/geojson_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>

namespace coldspot::service {

geo::ExportLayout download_layout(const Collection& c, OutputCrs crs, const std::vector<std::size_t>* properties) {
    geo::ExportLayout l;
    l.layer_name = c.id;
    l.geometry_type = c.geometry_type;
    l.epsg = crs == OutputCrs::Crs84 ? geo::kWgs84 : crs_epsg(crs);
    l.decimals = coordinate_decimals(crs);
    const auto& fields = c.table->fields;
    if (!properties) {
        l.fields = fields;
    } else {
        for (const auto i : *properties) {
            l.fields.push_back(fields[i]);
            l.value_index.push_back(i);
        }
    }
    return l;
}

void write_download(geo::FeatureWriter& writer, const Collection& c, std::span<const std::size_t> positions, OutputCrs crs) {
    geo::Geometry scratch;
    for (const auto position : positions) {
        const geo::Feature& f = c.feature(position);
        writer.write(f.fid, geometry_in(c, position, crs, scratch), f.values);
    }
}

namespace {

std::vector<std::size_t> every_position(const Collection& c) {
    std::vector<std::size_t> all(c.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    return all;
}

/// A file written through stdio, every failure an IoError naming it.
class OutFile {
public:
    explicit OutFile(const std::filesystem::path& path) : path_(path), f_(std::fopen(path.c_str(), "wb")) {
        if (!f_) geo::throw_io_error("create", path_, errno);
    }
    ~OutFile() {
        if (f_) std::fclose(f_);
    }
    OutFile(const OutFile&) = delete;
    OutFile& operator=(const OutFile&) = delete;
    void write(std::string_view bytes) {
        if (std::fwrite(bytes.data(), 1, bytes.size(), f_) != bytes.size()) geo::throw_io_error("write", path_, errno);
    }
    void close() {
        std::FILE* f = std::exchange(f_, nullptr);
        if (std::fclose(f) != 0) geo::throw_io_error("write", path_, errno);
    }

private:
    std::filesystem::path path_;
    std::FILE* f_;
};

} // namespace

std::vector<ExportedTable> export_csv(std::span<const Collection> collections, const std::filesystem::path& out, OutputCrs crs) {
    if (collections.empty()) throw InvalidArgumentError("nothing to export as CSV: no layer (the workspace has no result layer; name layers with --layers)");
    const bool one_file = out.extension() == ".csv";
    if (one_file && collections.size() > 1) {
        std::string names;
        for (const auto& c : collections) names += (names.empty() ? "" : ", ") + c.id;
        throw InvalidArgumentError("--csv " + out.string() + " is one file, but " + std::to_string(collections.size()) +
                                   " layers are exported (" + names + "): give a folder (one CSV per layer) or one layer with --layers");
    }
    if (!one_file) {
        std::error_code ec;
        std::filesystem::create_directories(out, ec);
        if (ec || !std::filesystem::is_directory(out))
            throw IoError("cannot make the folder " + out.string() + " for the CSV files" + (ec ? ": " + ec.message() : ": a file has that name"));
    }
    std::vector<ExportedTable> written;
    for (const auto& c : collections) {
        const auto path = one_file ? out : out / (c.id + ".csv");
        const auto positions = every_position(c);
        geo::write_atomically(path, [&](const std::filesystem::path& temp) {
            OutFile file(temp);
            auto writer = geo::make_feature_writer(geo::ExportFormat::Csv, download_layout(c, crs), [&](std::string_view b) { file.write(b); });
            write_download(*writer, c, positions, crs);
            writer->finish();
            file.close();
        });
        written.push_back({c.id, path, positions.size()});
    }
    return written;
}

std::vector<ExportedTable> export_xlsx(std::span<const Collection> collections, const std::filesystem::path& out, OutputCrs crs) {
    if (collections.empty()) throw InvalidArgumentError("nothing to export as XLSX: no layer (the workspace has no result layer; name layers with --layers)");
    for (const auto& c : collections)
        if (c.size() > geo::kXlsxMaxRows)
            throw InvalidArgumentError("layer " + c.id + " has " + std::to_string(c.size()) + " rows, more than a spreadsheet holds (" +
                                       std::to_string(geo::kXlsxMaxRows) + " below the header): export it with --csv");
    std::vector<ExportedTable> written;
    geo::write_atomically(out, [&](const std::filesystem::path& temp) {
        OutFile file(temp);
        geo::XlsxWorkbook book([&](std::string_view b) { file.write(b); });
        for (const auto& c : collections) {
            const auto positions = every_position(c);
            write_download(book.add_sheet(download_layout(c, crs)), c, positions, crs);
            written.push_back({c.id, out, positions.size()});
        }
        book.finish();
        file.close();
    });
    return written;
}

} // namespace coldspot::service
