#include "coldspot/geo/style/detail/layer_styles.hpp"

#include "coldspot/geo/timestamp.hpp"
#include "gdal_handles.hpp"

#include <cpl_string.h>

namespace coldspot::geo::style {

namespace {

constexpr const char* kTable = "layer_styles";

struct Column {
    const char* name;
    OGRFieldType type;
    int width;
    OGRFieldSubType subtype = OFSTNone;
};

// As QGIS 3.22 creates it: TEXT(256) names, TEXT(30) styleName/owner/ui, BOOLEAN useAsDefault,
// DATETIME update_time, id as the primary key.
const Column kColumns[] = {{"f_table_catalog", OFTString, 256}, {"f_table_schema", OFTString, 256},
                           {"f_table_name", OFTString, 256},    {"f_geometry_column", OFTString, 256},
                           {"styleName", OFTString, 30},        {"styleQML", OFTString, 0},
                           {"styleSLD", OFTString, 0},          {"useAsDefault", OFTInteger, 0, OFSTBoolean},
                           {"description", OFTString, 0},       {"owner", OFTString, 30},
                           {"ui", OFTString, 30},               {"update_time", OFTDateTime, 0}};

OGRLayerH find_layer(GDALDatasetH ds, int* index = nullptr) {
    for (int i = 0; i < GDALDatasetGetLayerCount(ds); ++i) {
        OGRLayerH l = GDALDatasetGetLayer(ds, i);
        if (EQUAL(OGR_L_GetName(l), kTable)) {
            if (index) *index = i;
            return l;
        }
    }
    return nullptr;
}

} // namespace

void write_layer_styles(const std::filesystem::path& gpkg, const std::vector<StoredStyle>& styles) {
    auto ds = detail::GdalDataset::open_vector(gpkg.string(), true);
    int index = -1;
    if (find_layer(ds.get(), &index) && GDALDatasetDeleteLayer(ds.get(), index) != OGRERR_NONE)
        throw GdalError(gpkg.string() + ": cannot replace layer_styles: " + detail::last_gdal_error());
    CPLStringList options;
    options.SetNameValue("FID", "id");
    OGRLayerH layer = GDALDatasetCreateLayer(ds.get(), kTable, nullptr, wkbNone, options.List());
    if (!layer) throw GdalError(gpkg.string() + ": cannot create layer_styles: " + detail::last_gdal_error());
    for (const auto& c : kColumns) {
        OGRFieldDefnH fd = OGR_Fld_Create(c.name, c.type);
        OGR_Fld_SetWidth(fd, c.width);
        OGR_Fld_SetSubType(fd, c.subtype);
        if (c.type == OFTDateTime) OGR_Fld_SetDefault(fd, "CURRENT_TIMESTAMP");
        const OGRErr err = OGR_L_CreateField(layer, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (err != OGRERR_NONE)
            throw GdalError(gpkg.string() + ": cannot create layer_styles." + c.name + ": " + detail::last_gdal_error());
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    const std::string now = utc_now_iso8601();
    for (const auto& s : styles) {
        detail::OgrFeature f{OGR_F_Create(defn)};
        auto set = [&](const char* field, const std::string& v) { OGR_F_SetFieldString(f.get(), OGR_FD_GetFieldIndex(defn, field), v.c_str()); };
        set("f_table_catalog", "");
        set("f_table_schema", "");
        set("f_table_name", s.table);
        set("f_geometry_column", s.geometry_column);
        set("styleName", s.name.substr(0, 30));
        set("styleQML", s.qml);
        set("styleSLD", s.sld);
        OGR_F_SetFieldInteger(f.get(), OGR_FD_GetFieldIndex(defn, "useAsDefault"), s.use_as_default ? 1 : 0);
        set("description", s.description);
        set("owner", "");
        set("ui", "");
        set("update_time", now);
        if (OGR_L_CreateFeature(layer, f.get()) != OGRERR_NONE)
            throw GdalError(gpkg.string() + ": cannot write a layer_styles row: " + detail::last_gdal_error());
    }
    ds.close();
}

std::vector<StoredStyle> read_layer_styles(const std::filesystem::path& gpkg) {
    auto ds = detail::GdalDataset::open_vector(gpkg.string());
    std::vector<StoredStyle> out;
    OGRLayerH layer = find_layer(ds.get());
    if (!layer) return out;
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    OGR_L_ResetReading(layer);
    for (OGRFeatureH h; (h = OGR_L_GetNextFeature(layer)) != nullptr;) {
        detail::OgrFeature f{h};
        auto get = [&](const char* field) { return std::string(OGR_F_GetFieldAsString(f.get(), OGR_FD_GetFieldIndex(defn, field))); };
        StoredStyle s;
        s.table = get("f_table_name");
        s.geometry_column = get("f_geometry_column");
        s.name = get("styleName");
        s.qml = get("styleQML");
        s.sld = get("styleSLD");
        s.use_as_default = OGR_F_GetFieldAsInteger(f.get(), OGR_FD_GetFieldIndex(defn, "useAsDefault")) != 0;
        s.description = get("description");
        out.push_back(std::move(s));
    }
    return out;
}

} // namespace coldspot::geo::style
