#include "vector_reader.hpp"

#include "../gdal_handles.hpp"
#include "coldspot/geo/crs.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/geos.hpp"
#include "coldspot/geo/import/detail/values.hpp"
#include "coldspot/geo/detail/wkb.hpp"

#include <fstream>

namespace coldspot::geo::import::detail {

using geo::detail::GdalDataset;
using geo::detail::OgrFeature;

std::string gdal_path(const std::filesystem::path& path) {
    if (path.extension() != ".gz") return path.string();
    std::ifstream in(path, std::ios::binary);
    if (!in) throw FileNotFoundError(InputLocation{path.string(), 0, {}}, "no such file");
    unsigned char magic[2] = {0, 0};
    in.read(reinterpret_cast<char*>(magic), 2);
    if (in.gcount() < 2 || magic[0] != 0x1f || magic[1] != 0x8b)
        throw FormatError(InputLocation{path.string(), 0, {}}, "file ends in .gz but is not gzip-compressed");
    return "/vsigzip/" + path.string();
}

FeatureTable read_polygons(const VectorSource& src, const std::string& layer_name, ImportReport& report) {
    const std::string file = src.path.string();
    GdalDataset ds = GdalDataset::open_vector(gdal_path(src.path));
    OGRLayerH layer = src.layer.empty() ? GDALDatasetGetLayer(ds.get(), 0) : GDALDatasetGetLayerByName(ds.get(), src.layer.c_str());
    if (!layer)
        throw FormatError(InputLocation{file, 0, src.layer}, src.layer.empty() ? "no layer in the file" : "no such layer");
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    const auto field_of = [&](const std::string& column) {
        const int i = OGR_FD_GetFieldIndex(defn, column.c_str());
        if (i < 0) throw MissingColumnError(InputLocation{file, 0, column}, "attribute not found in layer " + std::string(OGR_L_GetName(layer)));
        return i;
    };
    const int code_i = field_of(src.code_column);
    const int name_i = src.name_column.empty() ? -1 : field_of(src.name_column);
    std::vector<int> mapped_i;
    for (const auto& m : src.columns) mapped_i.push_back(field_of(m.column));
    std::vector<int> filter_i;
    for (const auto& f : src.filters) filter_i.push_back(field_of(f.column));

    std::string crs = src.crs.empty() ? geo::detail::crs_identifier(OGR_L_GetSpatialRef(layer)) : src.crs;
    if (crs.empty())
        throw CrsError(file + ": the layer has no CRS; give one with \"crs\" in the manifest");
    CrsTransform to_bng(crs, epsg_code(kBritishNationalGrid));

    FeatureTable t;
    t.name = layer_name;
    t.geometry_type = GeometryType::MultiPolygon;
    t.epsg = kBritishNationalGrid;
    t.fields = {{"code", FieldType::String}, {"name", FieldType::String}};
    for (const auto& m : src.columns) t.fields.push_back(Field{m.field, m.type});
    const std::size_t area_field = t.fields.size();
    t.fields.push_back(Field{"area_km2", FieldType::Real});

    DatasetRecord& rec = report.dataset(src.name, src.path, src.vintage);
    std::vector<std::uint8_t> wkb;
    std::int64_t index = 0;
    OGR_L_ResetReading(layer);
    while (OgrFeature f{OGR_L_GetNextFeature(layer)}) {
        ++index;
        ++rec.rows_read;
        const std::size_t line = static_cast<std::size_t>(index); // feature number: GeoJSON/GPKG have no lines
        bool keep = true;
        for (std::size_t k = 0; k < src.filters.size() && keep; ++k) {
            try {
                keep = src.filters[k].keeps(OGR_F_GetFieldAsString(f.get(), filter_i[k]));
            } catch (const FormatError& e) {
                throw FormatError(InputLocation{file, line, src.filters[k].column}, e.reason());
            }
        }
        if (!keep) continue;
        const std::string code = OGR_F_GetFieldAsString(f.get(), code_i);
        auto reject = [&](const std::string& field, const std::string& reason) {
            ++rec.rows_rejected;
            report.add(ReportEntry{src.name, file, line, code, field, reason, "rejected"});
        };
        if (code.empty()) {
            reject(src.code_column, "empty code");
            continue;
        }
        OGRGeometryH g = OGR_F_GetGeometryRef(f.get());
        if (!g || OGR_G_IsEmpty(g)) {
            reject("geometry", "no geometry");
            continue;
        }
        const auto gtype = wkbFlatten(OGR_G_GetGeometryType(g));
        if (gtype != wkbPolygon && gtype != wkbMultiPolygon) {
            reject("geometry", std::string("not a polygon (") + OGR_G_GetGeometryName(g) + ")");
            continue;
        }
        wkb.resize(static_cast<std::size_t>(OGR_G_WkbSize(g)));
        OGR_G_ExportToIsoWkb(g, wkbNDR, wkb.data());
        MultiPolygon poly = std::get<MultiPolygon>(from_wkb(wkb));
        try {
            to_bng.apply(poly);
        } catch (const CrsError& e) {
            reject("geometry", e.what());
            continue;
        }
        if (!bg::is_valid(poly)) {
            const std::string reason = invalid_reason(poly);
            if (!reason.empty()) {
                poly = make_valid(poly);
                if (poly.empty()) {
                    reject("geometry", "invalid polygon (" + reason + ") with nothing left after repair");
                    continue;
                }
                report.add(ReportEntry{src.name, file, line, code, "geometry", "invalid polygon: " + reason, "repaired"});
            }
        }
        Feature out;
        out.fid = index;
        out.values.resize(t.fields.size());
        out.values[0] = code;
        if (name_i >= 0) out.values[1] = std::string(OGR_F_GetFieldAsString(f.get(), name_i));
        for (std::size_t k = 0; k < src.columns.size(); ++k) {
            const auto& m = src.columns[k];
            if (!OGR_F_IsFieldSetAndNotNull(f.get(), mapped_i[k])) continue;
            const std::string text = OGR_F_GetFieldAsString(f.get(), mapped_i[k]);
            if (m.equals) {
                out.values[2 + k] = std::int64_t{text == *m.equals};
                continue;
            }
            bool ok = true;
            out.values[2 + k] = convert_cell(text, m.type, {}, ok);
            if (!ok) report.add(ReportEntry{src.name, file, line, code, m.column, "not a valid " + std::string(to_string(m.type)) + ": '" + text + "'", "nulled"});
        }
        out.values[area_field] = bg::area(poly) / 1e6;
        out.geometry = std::move(poly);
        t.features.push_back(std::move(out));
        ++rec.rows_kept;
    }
    if (rec.rows_read == 0) throw EmptyInputError(InputLocation{file, 0, {}}, "layer has no features");
    return t;
}

} // namespace coldspot::geo::import::detail
