#pragma once
// The immutable state a request reads: every workspace layer in memory, split into OGC API
// collections with one geometry type each, with CRS84 coordinates and a spatial index precomputed.
// A Snapshot never changes after load_snapshot() returns; a new analysis result is a new Snapshot
// swapped in whole by SnapshotHolder, so a request never sees half old and half new results.
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/service/feature_text_cache.hpp"

#include <boost/geometry/index/rtree.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace coldspot::tiles {
class TileService;
}

namespace coldspot::geo {
class Workspace;
}

namespace coldspot::service {

class MapIndex;

/// One OGC API collection: the features of one workspace layer that share a geometry type.
struct Collection {
    std::string id;    ///< the layer name, or `layer_point` etc. when a layer mixes geometry types
    std::string layer; ///< the workspace layer it comes from
    std::string title;
    std::string description;
    geo::GeometryType geometry_type = geo::GeometryType::None;
    std::shared_ptr<const geo::FeatureTable> table; ///< the layer in its storage CRS (EPSG:27700)
    std::vector<std::size_t> rows;                  ///< indices into table->features
    std::vector<geo::Geometry> crs84;               ///< per row: lon/lat coordinates
    geo::Box extent_crs84 = geo::empty_box();
    geo::Box extent_storage = geo::empty_box();
    std::unordered_map<std::int64_t, std::size_t> row_of_fid; ///< fid -> position in rows

    using IndexEntry = std::pair<geo::Box, std::size_t>; ///< CRS84 envelope, position in rows
    boost::geometry::index::rtree<IndexEntry, boost::geometry::index::rstar<16>> index;
    /// GeoJSON text of whole features per CRS, made on first use (shared: a Collection is copied
    /// into the snapshot, the cache is not).
    std::shared_ptr<FeatureTextCache> text_cache;

    const geo::Feature& feature(std::size_t position) const { return table->features[rows[position]]; }
    std::size_t size() const noexcept { return rows.size(); }
};

struct Snapshot {
    std::uint64_t version = 0; ///< increases with every swap; part of every ETag
    std::filesystem::path workspace;
    std::chrono::system_clock::time_point loaded_at;
    std::map<std::string, std::shared_ptr<const geo::FeatureTable>> layers;
    std::vector<Collection> collections;
    std::shared_ptr<const tiles::TileService> tiles; ///< null when tiles are off for this snapshot
    std::shared_ptr<const MapIndex> map;             ///< search entries and extents (map_index.hpp)
    /// The reader the snapshot was loaded with. On PostGIS it holds its version (its connection's
    /// shared advisory lock), so no publisher removes a version while a server still serves it.
    std::shared_ptr<const geo::Workspace> reader;

    const Collection* collection(const std::string& id) const noexcept;
    /// The layer, or null when the workspace does not hold it.
    const geo::FeatureTable* layer(const std::string& name) const noexcept;
};

/// Reads every layer of the workspace into a new Snapshot and, with `with_tiles`, builds its tile
/// service (default tilesets over the spatial layers). Throws WorkspaceError (missing or not a
/// GeoPackage) and CrsError (a layer in a CRS PROJ cannot transform).
std::shared_ptr<const Snapshot> load_snapshot(const std::filesystem::path& workspace, std::uint64_t version, bool with_tiles = true);

/// Bytes of GeoJSON feature text a snapshot keeps (FeatureTextCache) unless told otherwise.
inline constexpr std::size_t kDefaultFeatureTextBytes = 256u << 20;

/// Builds the collections of a snapshot from its layers (exposed for tests with hand-made layers);
/// their feature text caches share `budget` (a new one of kDefaultFeatureTextBytes when null).
std::vector<Collection> build_collections(const std::map<std::string, std::shared_ptr<const geo::FeatureTable>>& layers,
                                          std::shared_ptr<FeatureTextBudget> budget = nullptr);

/// The current snapshot, replaced atomically. Readers copy the shared_ptr under a mutex held for
/// a pointer copy only, then work on their own reference.
class SnapshotHolder {
public:
    explicit SnapshotHolder(std::shared_ptr<const Snapshot> initial) : current_(std::move(initial)) {}
    std::shared_ptr<const Snapshot> get() const {
        std::lock_guard lock(mutex_);
        return current_;
    }
    void set(std::shared_ptr<const Snapshot> next) {
        std::lock_guard lock(mutex_);
        current_.swap(next);
        // `next` (the old snapshot) is released outside the lock, at the end of this scope
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const Snapshot> current_;
};

} // namespace coldspot::service
