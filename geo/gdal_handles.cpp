#include "gdal_handles.hpp"

#include "coldspot/geo/detail/wkb.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>

#include <filesystem>
#include <mutex>

namespace coldspot::geo::detail {

void ensure_gdal() {
    static std::once_flag once;
    std::call_once(once, [] {
        GDALAllRegister();
        CPLSetErrorHandler(CPLQuietErrorHandler);
        // Workspaces are built in a temporary file that is fsynced before the atomic rename, so
        // SQLite's per-transaction syncs buy nothing there.
        CPLSetConfigOption("OGR_SQLITE_SYNCHRONOUS", "OFF");
    });
}

std::string last_gdal_error() {
    const char* msg = CPLGetLastErrorMsg();
    return (msg && *msg) ? msg : "unknown GDAL error";
}

GdalDataset GdalDataset::open_vector(const std::string& path, bool update) {
    ensure_gdal();
    CPLErrorReset();
    const unsigned flags = GDAL_OF_VECTOR | (update ? GDAL_OF_UPDATE : GDAL_OF_READONLY);
    GDALDatasetH h = GDALOpenEx(path.c_str(), flags, nullptr, nullptr, nullptr);
    if (!h) {
        // /vsigzip/ and other virtual paths are checked by GDAL; a plain path we check ourselves
        // so "missing" and "not a dataset" get distinct errors.
        const bool is_virtual = path.rfind("/vsi", 0) == 0;
        if (!is_virtual && !std::filesystem::exists(path))
            throw FileNotFoundError(InputLocation{path, 0, {}}, "no such file");
        throw FormatError(InputLocation{path, 0, {}}, "not a readable vector dataset: " + last_gdal_error());
    }
    return GdalDataset(h);
}

GdalDataset GdalDataset::create(const std::string& driver, const std::string& path) {
    ensure_gdal();
    GDALDriverH drv = GDALGetDriverByName(driver.c_str());
    if (!drv) throw GdalError("GDAL driver " + driver + " is not available");
    CPLErrorReset();
    GDALDatasetH h = GDALCreate(drv, path.c_str(), 0, 0, 0, GDT_Unknown, nullptr);
    if (!h) throw GdalError("cannot create " + path + ": " + last_gdal_error());
    return GdalDataset(h);
}

void GdalDataset::close() {
    if (!h_) return;
    CPLErrorReset();
    GDALClose(std::exchange(h_, nullptr));
}

Feature read_ogr_feature(OGRFeatureH f, const std::vector<Field>& fields, std::vector<std::uint8_t>& wkb) {
    Feature out;
    out.fid = OGR_F_GetFID(f);
    out.values.resize(fields.size());
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const int fi = static_cast<int>(i);
        if (!OGR_F_IsFieldSetAndNotNull(f, fi)) continue;
        switch (fields[i].type) {
        case FieldType::Integer: out.values[i] = static_cast<std::int64_t>(OGR_F_GetFieldAsInteger64(f, fi)); break;
        case FieldType::Real: out.values[i] = OGR_F_GetFieldAsDouble(f, fi); break;
        case FieldType::String: out.values[i] = std::string(OGR_F_GetFieldAsString(f, fi)); break;
        }
    }
    if (OGRGeometryH g = OGR_F_GetGeometryRef(f); g && !OGR_G_IsEmpty(g)) {
        wkb.resize(static_cast<std::size_t>(OGR_G_WkbSize(g)));
        OGR_G_ExportToIsoWkb(g, wkbNDR, wkb.data());
        out.geometry = from_wkb(wkb);
    }
    return out;
}

OGRwkbGeometryType to_ogr(GeometryType t) noexcept {
    switch (t) {
    case GeometryType::Point: return wkbPoint;
    case GeometryType::MultiLineString: return wkbMultiLineString;
    case GeometryType::MultiPolygon: return wkbMultiPolygon;
    case GeometryType::None: return wkbNone;
    }
    return wkbNone;
}

OGRFieldType to_ogr(FieldType t) noexcept {
    switch (t) {
    case FieldType::Integer: return OFTInteger64;
    case FieldType::Real: return OFTReal;
    case FieldType::String: return OFTString;
    }
    return OFTString;
}

void create_ogr_fields(OGRLayerH layer, const std::vector<Field>& fields, const std::string& layer_name) {
    for (const auto& field : fields) {
        OGRFieldDefnH fd = OGR_Fld_Create(field.name.c_str(), to_ogr(field.type));
        const OGRErr err = OGR_L_CreateField(layer, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (err != OGRERR_NONE) throw GdalError("cannot create field " + layer_name + "." + field.name + ": " + last_gdal_error());
    }
}

void set_ogr_field(OGRFeatureH f, int index, const Value& v) {
    if (const auto* iv = std::get_if<std::int64_t>(&v)) OGR_F_SetFieldInteger64(f, index, *iv);
    else if (const auto* dv = std::get_if<double>(&v)) OGR_F_SetFieldDouble(f, index, *dv);
    else if (const auto* sv = std::get_if<std::string>(&v)) OGR_F_SetFieldString(f, index, sv->c_str());
    else OGR_F_SetFieldNull(f, index);
}

void set_ogr_geometry(OGRFeatureH f, const Geometry& geometry, OGRSpatialReferenceH srs, const std::string& layer, std::int64_t fid) {
    if (std::holds_alternative<std::monostate>(geometry)) return;
    auto wkb = to_wkb(geometry);
    OGRGeometryH g = nullptr;
    if (OGR_G_CreateFromWkb(wkb.data(), srs, &g, static_cast<int>(wkb.size())) != OGRERR_NONE)
        throw GdalError("cannot convert geometry of feature " + std::to_string(fid) + " in " + layer);
    OGR_F_SetGeometryDirectly(f, g);
}

std::string crs_identifier(OGRSpatialReferenceH srs) {
    if (!srs) return {};
    const char* auth = OSRGetAuthorityName(srs, nullptr);
    const char* code = OSRGetAuthorityCode(srs, nullptr);
    if (auth && code) return std::string(auth) + ":" + code;
    // Try to identify e.g. an ESRI .prj without authority against the EPSG database.
    if (OSRAutoIdentifyEPSG(srs) == OGRERR_NONE) {
        auth = OSRGetAuthorityName(srs, nullptr);
        code = OSRGetAuthorityCode(srs, nullptr);
        if (auth && code) return std::string(auth) + ":" + code;
    }
    char* wkt = nullptr;
    const char* options[] = {"FORMAT=WKT2_2019", nullptr};
    if (OSRExportToWktEx(srs, &wkt, options) != OGRERR_NONE || !wkt) return {};
    std::string out = wkt;
    CPLFree(wkt);
    return out;
}

} // namespace coldspot::geo::detail
