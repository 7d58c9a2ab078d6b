// Items as downloads: CSV, XLSX and FlatGeobuf through geo's feature writers (the same code as
// `coldspot export --csv/--xlsx`, service/table_export.cpp), streamed from the request's snapshot.
#include "coldspot/geo/feature_writers.hpp"
#include "coldspot/service/detail/geojson_writer.hpp"
#include "coldspot/service/problem.hpp"
#include "coldspot/service/table_export.hpp"
#include "routes.hpp"

namespace coldspot::service::detail {

namespace {

struct DownloadType {
    geo::ExportFormat format;
    const char* content_type;
    const char* extension;
};

DownloadType download_type(ItemsFormat f) {
    switch (f) {
    case ItemsFormat::Csv: return {geo::ExportFormat::Csv, "text/csv; charset=utf-8; header=present", "csv"};
    case ItemsFormat::Xlsx: return {geo::ExportFormat::Xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"};
    default: return {geo::ExportFormat::FlatGeobuf, "application/flatgeobuf", "fgb"};
    }
}

/// A file name safe in a Content-Disposition header whatever the collection is called.
std::string file_name(const std::string& id, const char* extension) {
    std::string name;
    for (char ch : id) name += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-') ? ch : '_';
    return (name.empty() ? "items" : name) + "." + extension;
}

} // namespace

Reply items_download(const RouteContext& ctx, const Collection& c, const ItemsQuery& q, ItemsPage page, const std::vector<std::pair<std::string, std::string>>& links) {
    if (q.format == ItemsFormat::Xlsx && page.positions.size() > ctx.config.items.xlsx_max_rows)
        throw xlsx_too_many_rows(c, page.positions.size(), ctx.config.items);
    const DownloadType type = download_type(q.format);
    geo::ExportLayout layout = download_layout(c, q.crs, q.all_properties ? nullptr : &q.properties);
    Reply r;
    r.content_type = type.content_type;
    r.compressible = q.format != ItemsFormat::Xlsx; // a zip already
    r.set_header("Content-Disposition", "attachment; filename=\"" + file_name(c.id, type.extension) + "\"");
    if (c.geometry_type != geo::GeometryType::None) r.set_header("Content-Crs", "<" + crs_uri(q.crs) + ">");
    r.set_header("OGC-NumberMatched", std::to_string(page.matched));
    std::string link_header;
    for (const auto& [rel, href] : links) link_header += (link_header.empty() ? "" : ", ") + std::string("<") + href + ">; rel=\"" + rel + "\"";
    if (!link_header.empty()) r.set_header("Link", link_header);
    auto positions = std::make_shared<const std::vector<std::size_t>>(std::move(page.positions));
    r.stream = [positions, &c, layout = std::move(layout), format = type.format, crs = q.crs, hold = ctx.hold](BodySink& sink) {
        auto writer = geo::make_feature_writer(format, layout, [&sink](std::string_view bytes) { sink.write(bytes); });
        write_download(*writer, c, *positions, crs);
        writer->finish();
    };
    return r;
}

} // namespace coldspot::service::detail
