#include "coldspot/geo/workspace.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/wkb.hpp"
#include "gdal_handles.hpp"

#include <cpl_conv.h>
#include <cpl_string.h>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <random>

namespace coldspot::geo {

using detail::GdalDataset;
using detail::OgrFeature;
using detail::OgrGeometry;
using detail::to_ogr;

namespace {

GeometryType from_ogr(OGRwkbGeometryType t) {
    switch (wkbFlatten(t)) {
    case wkbPoint: return GeometryType::Point;
    case wkbLineString:
    case wkbMultiLineString: return GeometryType::MultiLineString;
    case wkbPolygon:
    case wkbMultiPolygon: return GeometryType::MultiPolygon;
    default: return GeometryType::None;
    }
}

FieldType from_ogr(OGRFieldType t) {
    switch (t) {
    case OFTInteger:
    case OFTInteger64: return FieldType::Integer;
    case OFTReal: return FieldType::Real;
    default: return FieldType::String;
    }
}

std::vector<Field> read_schema(OGRFeatureDefnH defn) {
    std::vector<Field> fields;
    const int n = OGR_FD_GetFieldCount(defn);
    for (int i = 0; i < n; ++i) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, i);
        fields.push_back(Field{OGR_Fld_GetNameRef(fd), from_ogr(OGR_Fld_GetType(fd))});
    }
    return fields;
}

int layer_epsg(OGRLayerH layer) {
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer);
    if (!srs) return 0;
    const char* code = OSRGetAuthorityCode(srs, nullptr);
    return code ? std::atoi(code) : 0;
}

bool is_internal_table(const std::string& name) {
    return name.rfind("gpkg_", 0) == 0 || name.rfind("rtree_", 0) == 0 || name == "sqlite_sequence";
}

std::filesystem::path temporary_name(const std::filesystem::path& target) {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    const std::string name = "." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                             std::to_string(counter++) + "-" + std::to_string(rd() ^ static_cast<unsigned>(stamp));
    return target.parent_path() / name;
}

void fsync_path(const std::filesystem::path& p, bool directory) {
    const int fd = ::open(p.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Reading

Workspace::Workspace(std::filesystem::path path) : path_(std::move(path)) {
    if (!std::filesystem::exists(path_)) throw WorkspaceError("workspace " + path_.string() + " does not exist");
    try {
        GdalDataset ds = GdalDataset::open_vector(path_.string());
        if (std::strcmp(GDALGetDriverShortName(GDALGetDatasetDriver(ds.get())), "GPKG") != 0)
            throw WorkspaceError(path_.string() + " is not a GeoPackage");
    } catch (const InputError& e) {
        throw WorkspaceError("cannot open workspace " + path_.string() + ": " + e.reason());
    }
}

std::vector<LayerInfo> Workspace::layers() const {
    GdalDataset ds = GdalDataset::open_vector(path_.string());
    std::vector<LayerInfo> out;
    const int n = GDALDatasetGetLayerCount(ds.get());
    for (int i = 0; i < n; ++i) {
        OGRLayerH layer = GDALDatasetGetLayer(ds.get(), i);
        LayerInfo info;
        info.name = OGR_L_GetName(layer);
        if (is_internal_table(info.name)) continue;
        const char* desc = GDALGetMetadataItem(layer, "DESCRIPTION", nullptr);
        info.description = desc ? desc : "";
        info.geometry_type = from_ogr(OGR_L_GetGeomType(layer));
        info.epsg = layer_epsg(layer);
        info.feature_count = OGR_L_GetFeatureCount(layer, TRUE);
        info.fields = read_schema(OGR_L_GetLayerDefn(layer));
        OGREnvelope env;
        if (info.geometry_type != GeometryType::None && OGR_L_GetExtent(layer, &env, TRUE) == OGRERR_NONE)
            info.extent = Box{Point{env.MinX, env.MinY}, Point{env.MaxX, env.MaxY}};
        out.push_back(std::move(info));
    }
    return out;
}

bool Workspace::has_layer(const std::string& name) const {
    GdalDataset ds = GdalDataset::open_vector(path_.string());
    return GDALDatasetGetLayerByName(ds.get(), name.c_str()) != nullptr;
}

FeatureTable Workspace::read(const std::string& name) const {
    GdalDataset ds = GdalDataset::open_vector(path_.string());
    OGRLayerH layer = GDALDatasetGetLayerByName(ds.get(), name.c_str());
    if (!layer) throw NotFoundError("workspace " + path_.string() + " has no layer '" + name + "'");
    FeatureTable t;
    t.name = name;
    const char* desc = GDALGetMetadataItem(layer, "DESCRIPTION", nullptr);
    t.description = desc ? desc : "";
    t.geometry_type = from_ogr(OGR_L_GetGeomType(layer));
    t.epsg = t.geometry_type == GeometryType::None ? 0 : layer_epsg(layer);
    t.fields = read_schema(OGR_L_GetLayerDefn(layer));
    const GIntBig count = OGR_L_GetFeatureCount(layer, TRUE);
    if (count > 0) t.features.reserve(static_cast<std::size_t>(count));
    OGR_L_ResetReading(layer);
    std::vector<std::uint8_t> wkb;
    while (OgrFeature f{OGR_L_GetNextFeature(layer)}) {
        t.features.push_back(detail::read_ogr_feature(f.get(), t.fields, wkb));
    }
    return t;
}

// ---------------------------------------------------------------------------------------------
// Writing

struct WorkspaceWriter::Impl {
    GdalDataset ds;
};

WorkspaceWriter::WorkspaceWriter(std::filesystem::path target, std::optional<std::filesystem::path> base)
    : target_(std::move(target)), impl_(std::make_unique<Impl>()) {
    if (target_.parent_path().empty()) target_ = std::filesystem::path(".") / target_;
    if (!std::filesystem::is_directory(target_.parent_path()))
        throw WorkspaceError("cannot write workspace " + target_.string() + ": folder does not exist");
    temp_ = temporary_name(target_);
    if (base) {
        if (!std::filesystem::exists(*base)) throw WorkspaceError("workspace " + base->string() + " does not exist");
        std::filesystem::copy_file(*base, temp_, std::filesystem::copy_options::overwrite_existing);
        impl_->ds = GdalDataset::open_vector(temp_.string(), true);
    } else {
        impl_->ds = GdalDataset::create("GPKG", temp_.string());
    }
}

WorkspaceWriter::~WorkspaceWriter() {
    if (committed_) return;
    impl_->ds.close();
    std::error_code ec;
    std::filesystem::remove(temp_, ec);
    std::filesystem::remove(temp_.string() + "-journal", ec);
    std::filesystem::remove(temp_.string() + "-wal", ec);
    std::filesystem::remove(temp_.string() + "-shm", ec);
}

void WorkspaceWriter::remove(const std::string& name) {
    GDALDatasetH ds = impl_->ds.get();
    const int n = GDALDatasetGetLayerCount(ds);
    for (int i = 0; i < n; ++i) {
        if (name == OGR_L_GetName(GDALDatasetGetLayer(ds, i))) {
            if (GDALDatasetDeleteLayer(ds, i) != OGRERR_NONE)
                throw GdalError("cannot remove layer " + name + ": " + detail::last_gdal_error());
            return;
        }
    }
}

void WorkspaceWriter::write(const FeatureTable& table) {
    if (committed_) throw WorkspaceError("workspace writer already committed");
    remove(table.name);
    GDALDatasetH ds = impl_->ds.get();
    std::unique_ptr<detail::OgrSpatialReference> srs;
    if (table.geometry_type != GeometryType::None) srs = std::make_unique<detail::OgrSpatialReference>(table.epsg);
    CPLStringList options;
    if (!table.description.empty()) options.SetNameValue("DESCRIPTION", table.description.c_str());
    options.SetNameValue("FID", "fid");
    if (table.geometry_type != GeometryType::None) options.SetNameValue("GEOMETRY_NAME", "geom");
    CPLErrorReset();
    OGRLayerH layer = GDALDatasetCreateLayer(ds, table.name.c_str(), srs ? srs->get() : nullptr,
                                             to_ogr(table.geometry_type), options.List());
    if (!layer) throw GdalError("cannot create layer " + table.name + ": " + detail::last_gdal_error());
    detail::create_ogr_fields(layer, table.fields, table.name);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    if (GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE)
        throw GdalError("cannot start a transaction: " + detail::last_gdal_error());
    for (const auto& feature : table.features) {
        OgrFeature f{OGR_F_Create(defn)};
        if (feature.fid > 0) OGR_F_SetFID(f.get(), feature.fid);
        for (std::size_t i = 0; i < table.fields.size() && i < feature.values.size(); ++i) detail::set_ogr_field(f.get(), static_cast<int>(i), feature.values[i]);
        if (table.geometry_type != GeometryType::None) detail::set_ogr_geometry(f.get(), feature.geometry, srs->get(), table.name, feature.fid);
        if (OGR_L_CreateFeature(layer, f.get()) != OGRERR_NONE) {
            GDALDatasetRollbackTransaction(ds);
            throw GdalError("cannot write feature " + std::to_string(feature.fid) + " to " + table.name + ": " +
                            detail::last_gdal_error());
        }
    }
    if (GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
        throw GdalError("cannot commit layer " + table.name + ": " + detail::last_gdal_error());
}

void WorkspaceWriter::commit() {
    if (committed_) return;
    impl_->ds.close();
    if (CPLGetLastErrorType() >= CE_Failure)
        throw GdalError("closing " + temp_.string() + " failed: " + detail::last_gdal_error());
    fsync_path(temp_, false);
    std::error_code ec;
    std::filesystem::rename(temp_, target_, ec);
    if (ec) throw WorkspaceError("cannot rename " + temp_.string() + " to " + target_.string() + ": " + ec.message());
    fsync_path(target_.parent_path(), true);
    committed_ = true;
}

} // namespace coldspot::geo
