#pragma once
// The workspace: every input layer and result layer, in EPSG:27700, in one of two engines:
// - a GeoPackage file: readers open it read-only; writers build a complete new file beside it and
//   rename it into place, so a reader never sees a half-written workspace and a crash never
//   damages the old one;
// - a PostgreSQL/PostGIS database, named "PG:dbname=... host=... port=... user=..." (GDAL's
//   spelling) or "postgresql://user@host:port/dbname": writers build a new schema coldspot_v<N>
//   and publish it by switching one row of coldspot.current_version in a transaction (then
//   NOTIFY coldspot_workspace); readers read the version current when they opened it.
// Which engine a workspace name means is decided here (is_postgis_workspace) and nowhere else;
// the analysis code sees only Workspace and WorkspaceWriter. docs/deployment.md.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/feature_table.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace coldspot::geo {

/// A PostGIS workspace that cannot be used: no PostGIS extension, a role without the rights a
/// writer needs, a layout from another Coldspot version. Messages name the connection without its
/// password and say what to do.
class DatabaseError : public WorkspaceError {
public:
    using WorkspaceError::WorkspaceError;
};
/// The database cannot be reached (server down, wrong host/port, authentication failed).
class DatabaseUnavailableError : public DatabaseError {
public:
    using DatabaseError::DatabaseError;
};

/// True when `workspace` names a PostgreSQL database ("PG:..." or a postgresql:// or postgres://
/// URI) rather than a GeoPackage file.
bool is_postgis_workspace(const std::filesystem::path& workspace);
/// The workspace as messages name it: a file path as given, a connection without its password.
std::string workspace_display_name(const std::filesystem::path& workspace);
/// Where a file that belongs with a workspace but not in it goes (the road graph cache, the demo's
/// OSM PBF): `<workspace><suffix>` beside a GeoPackage; for PostGIS `<cache>/<suffix without dot>`
/// in a local folder keyed on the database (host, port, dbname): $COLDSPOT_CACHE_DIR, else
/// $XDG_CACHE_HOME/coldspot, else ~/.cache/coldspot, then postgis-<host>-<port>-<dbname>/.
std::filesystem::path workspace_sidecar(const std::filesystem::path& workspace, const std::string& suffix);
/// The published version of a PostGIS workspace (0 for a GeoPackage). Throws
/// DatabaseUnavailableError when the database cannot be reached, WorkspaceError when it holds no
/// Coldspot workspace.
std::int64_t current_workspace_version(const std::filesystem::path& workspace);

struct LayerInfo {
    std::string name;
    std::string description;
    GeometryType geometry_type = GeometryType::None;
    int epsg = 0; ///< 0 for attribute tables
    std::int64_t feature_count = 0;
    Box extent = empty_box();
    std::vector<Field> fields;
};

/// Read access to a workspace file or database.
class Workspace {
public:
    /// Throws WorkspaceError when the file is missing or is not a GeoPackage; for PostGIS,
    /// DatabaseUnavailableError / DatabaseError / WorkspaceError (no Coldspot workspace in it).
    /// A PostGIS reader holds its version while it lives (the publisher's cleanup keeps it).
    explicit Workspace(std::filesystem::path path);
    /// A PostGIS workspace's version `version` (0: the current one); WorkspaceError when it is no
    /// longer there. For a GeoPackage `version` is ignored.
    Workspace(std::filesystem::path path, std::int64_t version);

    const std::filesystem::path& path() const noexcept { return path_; }
    /// The PostGIS version this reader reads (fixed when it opened); 0 for a GeoPackage.
    std::int64_t version() const noexcept { return version_; }
    std::vector<LayerInfo> layers() const;
    bool has_layer(const std::string& name) const;
    /// Reads a whole layer into memory. Throws NotFoundError when it is absent.
    FeatureTable read(const std::string& name) const;

private:
    void open_postgis(std::int64_t wanted);
    std::filesystem::path path_;
    std::string source_; ///< what GDAL opens: the file, or the PG dataset name of one version
    std::int64_t version_ = 0;
    /// PostGIS: the one connection every read of this reader uses (opening one costs tens of ms).
    struct OpenDataset;
    std::shared_ptr<OpenDataset> open_;
};

/// Builds a new version of a workspace. Starts empty or from a copy of an existing workspace,
/// writes layers, and on commit() atomically replaces the target. Destroyed without commit(), it
/// removes its temporary file (PostGIS: its schema) and leaves the target untouched. Target and
/// base may be of different engines (a base in another engine or database is copied layer by layer).
class WorkspaceWriter {
public:
    /// `base`: copy this workspace's layers first (usually the target itself, to add results).
    explicit WorkspaceWriter(std::filesystem::path target,
                             std::optional<std::filesystem::path> base = std::nullopt);
    ~WorkspaceWriter();
    WorkspaceWriter(const WorkspaceWriter&) = delete;
    WorkspaceWriter& operator=(const WorkspaceWriter&) = delete;

    /// Writes a layer, replacing one of the same name. Attribute tables (geometry None) become
    /// GeoPackage attribute tables.
    void write(const FeatureTable& table);
    void remove(const std::string& name);
    /// The GeoPackage being written (empty for PostGIS).
    const std::filesystem::path& temporary_path() const noexcept { return temp_; }
    /// The PostGIS version this writer will publish (0 for a GeoPackage).
    std::int64_t version() const noexcept;
    /// Flushes, closes and renames the temporary file over the target.
    void commit();

private:
    struct Impl;
    std::filesystem::path target_;
    std::filesystem::path temp_;
    std::unique_ptr<Impl> impl_;
    bool committed_ = false;
};

} // namespace coldspot::geo
