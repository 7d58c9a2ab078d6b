#pragma once
// The workspace: one GeoPackage holding every input layer and result layer, in EPSG:27700.
// Readers open it read-only; writers build a complete new file beside it and rename it into place,
// so a reader never sees a half-written workspace and a crash never damages the old one.
#include "coldspot/geo/feature_table.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace coldspot::geo {

struct LayerInfo {
    std::string name;
    std::string description;
    GeometryType geometry_type = GeometryType::None;
    int epsg = 0; ///< 0 for attribute tables
    std::int64_t feature_count = 0;
    Box extent = empty_box();
    std::vector<Field> fields;
};

/// Read access to a workspace file.
class Workspace {
public:
    /// Throws WorkspaceError when the file is missing or is not a GeoPackage.
    explicit Workspace(std::filesystem::path path);

    const std::filesystem::path& path() const noexcept { return path_; }
    std::vector<LayerInfo> layers() const;
    bool has_layer(const std::string& name) const;
    /// Reads a whole layer into memory. Throws NotFoundError when it is absent.
    FeatureTable read(const std::string& name) const;

private:
    std::filesystem::path path_;
};

/// Builds a new version of a workspace. Starts empty or from a copy of an existing workspace,
/// writes layers, and on commit() atomically replaces the target. Destroyed without commit(), it
/// removes its temporary file and leaves the target untouched.
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
    const std::filesystem::path& temporary_path() const noexcept { return temp_; }
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
