#include "coldspot/geo/workspace.hpp"

#include "coldspot/geo/atomic_file.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/detail/wkb.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "gdal_handles.hpp"
#include "postgis_workspace.hpp"

#include <cpl_conv.h>
#include <cpl_string.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <mutex>

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
    return code ? static_cast<int>(std::strtol(code, nullptr, 10)) : 0;
}

bool is_internal_table(const std::string& name) {
    return name.rfind("gpkg_", 0) == 0 || name.rfind("rtree_", 0) == 0 || name == "sqlite_sequence";
}

/// Opens a PostGIS version through GDAL; a failure names the connection without its password.
GdalDataset open_pg(const detail::PgTarget& target, const std::string& schema, bool update) {
    detail::ensure_gdal();
    CPLErrorReset();
    // Attribute tables too, not only those with a geometry column.
    const char* const options[] = {"LIST_ALL_TABLES=YES", nullptr};
    GDALDatasetH h = GDALOpenEx(target.gdal_name(schema).c_str(), GDAL_OF_VECTOR | (update ? GDAL_OF_UPDATE : GDAL_OF_READONLY), nullptr, options, nullptr);
    if (!h)
        throw DatabaseUnavailableError("cannot open version schema " + schema + " of the PostgreSQL workspace " + target.display() + ": " +
                                       detail::last_gdal_error());
    return GdalDataset(h);
}

/// Key columns a PostGIS layer gets an index on (the GeoPackage has its own rtree and fid key).
std::vector<std::string> key_fields(const FeatureTable& table) {
    std::vector<std::string> out;
    for (const auto& f : table.fields)
        if (f.name == model::school::urn || f.name == model::hub::hub_id || f.name == model::school::lsoa_code || f.name == model::school::la_code ||
            f.name == model::area::code)
            out.push_back(f.name);
    return out;
}

std::filesystem::path cache_root() {
    if (const char* d = std::getenv("COLDSPOT_CACHE_DIR"); d && *d) return d;
    if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return std::filesystem::path(d) / "coldspot";
    if (const char* d = std::getenv("HOME"); d && *d) return std::filesystem::path(d) / ".cache" / "coldspot";
    return std::filesystem::temp_directory_path() / "coldspot-cache";
}

} // namespace

bool is_postgis_workspace(const std::filesystem::path& workspace) {
    const std::string s = workspace.string();
    return s.rfind("PG:", 0) == 0 || s.rfind("postgresql://", 0) == 0 || s.rfind("postgres://", 0) == 0;
}

std::string workspace_display_name(const std::filesystem::path& workspace) {
    if (!is_postgis_workspace(workspace)) return workspace.string();
    try {
        return detail::parse_pg_target(workspace.string()).display();
    } catch (const WorkspaceError&) {
        return "PG:(not a valid connection)";
    }
}

std::filesystem::path workspace_sidecar(const std::filesystem::path& workspace, const std::string& suffix) {
    if (!is_postgis_workspace(workspace)) return workspace.parent_path() / (workspace.filename().string() + suffix);
    const auto target = detail::parse_pg_target(workspace.string());
    const auto get = [&](const char* k, const char* fallback) {
        const auto it = target.options.find(k);
        return it == target.options.end() ? std::string(fallback) : it->second;
    };
    std::string key = "postgis-" + get("host", get("hostaddr", "local").c_str()) + "-" + get("port", "5432") + "-" + get("dbname", get("user", "postgres").c_str());
    for (auto& c : key)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') c = '_';
    const auto folder = cache_root() / key;
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) throw IoError("cannot create the local cache folder " + folder.string() + " of " + workspace_display_name(workspace) + ": " + ec.message());
    return folder / ("workspace" + suffix);
}

std::int64_t current_workspace_version(const std::filesystem::path& workspace) {
    if (!is_postgis_workspace(workspace)) return 0;
    detail::PgConnection c(detail::parse_pg_target(workspace.string()));
    return detail::current_pg_version(c).number;
}

// ---------------------------------------------------------------------------------------------
// Reading

struct Workspace::OpenDataset {
    std::mutex mutex;
    GdalDataset ds;
};

namespace {

/// Takes the readers' hold on version n over the reader's own GDAL connection (see
/// detail::pg_hold_version_sql): the version then stays while this reader lives.
void hold_version(const GdalDataset& ds, std::int64_t n) {
    OGRLayerH r = GDALDatasetExecuteSQL(ds.get(), detail::pg_hold_version_sql(n).c_str(), nullptr, nullptr);
    if (!r) return;
    // GDAL runs a SELECT only when its first row is asked for.
    if (OGRFeatureH f = OGR_L_GetNextFeature(r)) OGR_F_Destroy(f);
    GDALDatasetReleaseResultSet(ds.get(), r);
}

} // namespace

Workspace::Workspace(std::filesystem::path path) : Workspace(std::move(path), 0) {}

Workspace::Workspace(std::filesystem::path path, std::int64_t version) : path_(std::move(path)), source_(path_.string()) {
    if (is_postgis_workspace(path_)) {
        open_postgis(version);
        return;
    }
    if (!std::filesystem::exists(path_)) throw WorkspaceError("workspace " + path_.string() + " does not exist");
    try {
        GdalDataset ds = GdalDataset::open_vector(path_.string());
        if (std::strcmp(GDALGetDriverShortName(GDALGetDatasetDriver(ds.get())), "GPKG") != 0)
            throw WorkspaceError(path_.string() + " is not a GeoPackage");
    } catch (const InputError& e) {
        throw WorkspaceError("cannot open workspace " + path_.string() + ": " + e.reason());
    }
}

void Workspace::open_postgis(std::int64_t wanted) {
    const auto target = detail::parse_pg_target(path_.string());
    detail::PgConnection c(target);
    // The current version (or the wanted one) is held, then checked: a publisher may have dropped it
    // between the two, and then the current one is read instead (a wanted one is an error).
    for (int attempt = 0; attempt < 5; ++attempt) {
        const auto current = detail::current_pg_version(c);
        const std::int64_t n = wanted ? wanted : current.number;
        auto opened = std::make_shared<OpenDataset>();
        opened->ds = open_pg(target, detail::pg_version_schema(n), false);
        hold_version(opened->ds, n);
        if (detail::pg_version_present(c, n)) {
            version_ = n;
            source_ = target.gdal_name(detail::pg_version_schema(n));
            open_ = std::move(opened);
            return;
        }
        if (wanted)
            throw WorkspaceError("version " + std::to_string(wanted) + " of " + target.display() + " is no longer in the database (version " +
                                 std::to_string(current.number) + " is published): reload");
    }
    throw WorkspaceError("cannot hold a version of " + target.display() + ": each was replaced and removed while it was opened");
}

namespace {
/// The dataset a reader reads: its PostGIS connection (locked while in use) or the file, opened now.
class DatasetUse {
public:
    /// `mutex` and `shared`: the reader's kept connection, or null for a file.
    DatasetUse(const std::string& source, std::mutex* mutex, const GdalDataset* shared) {
        if (shared) {
            lock_ = std::unique_lock(*mutex);
            h_ = shared->get();
        } else {
            own_ = GdalDataset::open_vector(source);
            h_ = own_.get();
        }
    }
    GDALDatasetH get() const noexcept { return h_; }

private:
    std::unique_lock<std::mutex> lock_;
    GdalDataset own_;
    GDALDatasetH h_ = nullptr;
};
} // namespace

std::vector<LayerInfo> Workspace::layers() const {
    const DatasetUse ds(source_, open_ ? &open_->mutex : nullptr, open_ ? &open_->ds : nullptr);
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
    const DatasetUse ds(source_, open_ ? &open_->mutex : nullptr, open_ ? &open_->ds : nullptr);
    return GDALDatasetGetLayerByName(ds.get(), name.c_str()) != nullptr;
}

FeatureTable Workspace::read(const std::string& name) const {
    const DatasetUse ds(source_, open_ ? &open_->mutex : nullptr, open_ ? &open_->ds : nullptr);
    OGRLayerH layer = GDALDatasetGetLayerByName(ds.get(), name.c_str());
    if (!layer) throw NotFoundError("workspace " + workspace_display_name(path_) + " has no layer '" + name + "'");
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
    // A GeoPackage gives rows in fid (rowid) order; PostgreSQL in whatever order a scan finds them
    // (a synchronised scan may even start mid-table): order them as the GeoPackage does, so the
    // analysis sees the same input either way.
    if (version_ != 0)
        std::stable_sort(t.features.begin(), t.features.end(), [](const Feature& a, const Feature& b) { return a.fid < b.fid; });
    return t;
}

// ---------------------------------------------------------------------------------------------
// Writing

struct WorkspaceWriter::Impl {
    std::optional<AtomicFile> file;
    std::unique_ptr<detail::PgVersionWriter> pg;
    std::optional<detail::PgTarget> pg_target;
    GdalDataset ds;
    /// For error messages: the workspace and the temporary file (or schema) being written.
    std::string where() const {
        if (pg) return "PostgreSQL workspace " + pg_target->display() + " (new version schema " + pg->schema() + ")";
        return "workspace " + file->target().string() + " (temporary file " + file->temp().string() + ")";
    }
};

std::int64_t WorkspaceWriter::version() const noexcept { return impl_ && impl_->pg ? impl_->pg->number() : 0; }

WorkspaceWriter::WorkspaceWriter(std::filesystem::path target, std::optional<std::filesystem::path> base) {
    if (is_postgis_workspace(target)) {
        impl_ = std::make_unique<Impl>();
        target_ = target;
        const auto pgt = detail::parse_pg_target(target.string());
        impl_->pg_target = pgt;
        // The base is checked before anything is written: its errors leave the database as it was.
        std::optional<std::string> same_database_schema;
        std::optional<Workspace> other;
        if (base) {
            if (is_postgis_workspace(*base) && detail::parse_pg_target(base->string()).same_database(pgt)) {
                detail::PgConnection c(pgt);
                same_database_schema = detail::current_pg_version(c).schema;
            } else {
                other.emplace(*base);
            }
        }
        impl_->pg = std::make_unique<detail::PgVersionWriter>(pgt);
        if (same_database_schema) impl_->pg->copy_tables_from(*same_database_schema);
        if (other)
            for (const auto& info : other->layers()) write(other->read(info.name));
        return;
    }
    if (target.parent_path().empty()) target = std::filesystem::path(".") / target;
    if (!std::filesystem::is_directory(target.parent_path()))
        throw WorkspaceError("cannot write workspace " + target.string() + ": folder does not exist");
    if (base && !is_postgis_workspace(*base) && !std::filesystem::exists(*base)) throw WorkspaceError("workspace " + base->string() + " does not exist");
    impl_ = std::make_unique<Impl>();
    impl_->file.emplace(target);
    target_ = impl_->file->target();
    temp_ = impl_->file->temp();
    if (base && is_postgis_workspace(*base)) {
        // A GeoPackage from a PostGIS workspace: layer by layer.
        const Workspace from(*base);
        impl_->ds = GdalDataset::create("GPKG", temp_.string());
        for (const auto& info : from.layers()) write(from.read(info.name));
    } else if (base) {
        std::error_code ec;
        std::filesystem::copy_file(*base, temp_, std::filesystem::copy_options::overwrite_existing, ec);
        if (ec) {
            // A full disk shows here as EIO or ENOSPC depending on how the kernel copies: say how
            // much room there is, so the reason is plain either way.
            std::error_code size_ec, space_ec;
            const auto needed = std::filesystem::file_size(*base, size_ec);
            const auto space = std::filesystem::space(temp_.parent_path(), space_ec);
            std::string room;
            if (!size_ec && !space_ec)
                room = " (" + std::to_string(space.available) + " bytes free on its disk, " + std::to_string(needed) + " needed)";
            throw IoError("cannot copy workspace " + base->string() + " to " + temp_.string() + ": " + ec.message() + room);
        }
        impl_->ds = GdalDataset::open_vector(temp_.string(), true);
    } else {
        impl_->ds = GdalDataset::create("GPKG", temp_.string());
    }
}

WorkspaceWriter::~WorkspaceWriter() {
    // Close before the AtomicFile removes the temporary file (and SQLite's files beside it).
    if (impl_) impl_->ds.close();
}

void WorkspaceWriter::remove(const std::string& name) {
    if (impl_->pg) return impl_->pg->drop_table(name);
    GDALDatasetH ds = impl_->ds.get();
    const int n = GDALDatasetGetLayerCount(ds);
    for (int i = 0; i < n; ++i) {
        if (name == OGR_L_GetName(GDALDatasetGetLayer(ds, i))) {
            if (GDALDatasetDeleteLayer(ds, i) != OGRERR_NONE)
                throw GdalError("cannot remove layer " + name + " from " + impl_->where() + ": " + detail::last_gdal_error());
            return;
        }
    }
}

void WorkspaceWriter::write(const FeatureTable& table) {
    if (committed_) throw WorkspaceError("workspace writer already committed");
    if (impl_->pg) return impl_->pg->write_table(table, key_fields(table));
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
    if (!layer) throw GdalError("cannot create layer " + table.name + " in " + impl_->where() + ": " + detail::last_gdal_error());
    detail::create_ogr_fields(layer, table.fields, table.name);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    if (GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE)
        throw GdalError("cannot start a transaction in " + impl_->where() + ": " + detail::last_gdal_error());
    for (const auto& feature : table.features) {
        OgrFeature f{OGR_F_Create(defn)};
        if (feature.fid > 0) OGR_F_SetFID(f.get(), feature.fid);
        for (std::size_t i = 0; i < table.fields.size() && i < feature.values.size(); ++i) detail::set_ogr_field(f.get(), static_cast<int>(i), feature.values[i]);
        if (table.geometry_type != GeometryType::None) detail::set_ogr_geometry(f.get(), feature.geometry, srs->get(), table.name, feature.fid);
        if (OGR_L_CreateFeature(layer, f.get()) != OGRERR_NONE) {
            GDALDatasetRollbackTransaction(ds);
            throw GdalError("cannot write feature " + std::to_string(feature.fid) + " to " + table.name + " in " + impl_->where() + ": " +
                            detail::last_gdal_error());
        }
    }
    if (GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
        throw GdalError("cannot commit layer " + table.name + " in " + impl_->where() + ": " + detail::last_gdal_error());
}

void WorkspaceWriter::commit() {
    if (committed_) return;
    CPLErrorReset();
    impl_->ds.close();
    if (CPLGetLastErrorType() >= CE_Failure) throw GdalError("cannot finish " + impl_->where() + ": " + detail::last_gdal_error());
    if (impl_->pg) {
        impl_->pg->publish();
    } else {
        impl_->file->commit();
    }
    committed_ = true;
}

} // namespace coldspot::geo
