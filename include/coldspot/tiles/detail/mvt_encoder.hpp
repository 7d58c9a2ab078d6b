#pragma once
// Mapbox Vector Tile 2.1 encoding over protozero: one MvtLayerBuilder per layer, geometry already
// in integer tile units (y down), attributes deduplicated into the layer's key and value tables.
#include "coldspot/geo/feature_table.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace coldspot::tiles {

struct TilePoint {
    std::int32_t x = 0;
    std::int32_t y = 0;
    friend bool operator==(const TilePoint&, const TilePoint&) = default;
};
/// A ring or line in tile units. Rings are not closed (MVT closes them with ClosePath).
using TilePath = std::vector<TilePoint>;

enum class MvtGeomType : std::uint32_t { Unknown = 0, Point = 1, LineString = 2, Polygon = 3 };

/// One path of a TilePaths buffer.
struct PathRef {
    std::uint32_t first = 0; ///< index of its first point
    std::uint32_t size = 0;  ///< points (rings: the closing one left out)
};

/// The paths of many features in one flat buffer: a tile's geometry then costs no allocation per
/// ring or feature once the buffer has grown (renders keep one per thread and clear() it).
struct TilePaths {
    std::vector<TilePoint> points;
    std::vector<PathRef> paths;
    void clear() noexcept {
        points.clear();
        paths.clear();
    }
    void add(const TilePath& path) {
        paths.push_back(PathRef{static_cast<std::uint32_t>(points.size()), static_cast<std::uint32_t>(path.size())});
        points.insert(points.end(), path.begin(), path.end());
    }
};

/// A typed attribute value as MVT stores it (bool is MVT-only; clusters use it).
struct MvtValue {
    enum class Kind : std::uint8_t { String, Double, Int, Bool } kind = Kind::String;
    std::string s;
    double d = 0;
    std::int64_t i = 0;
    bool b = false;
    static MvtValue of(const geo::Value& v); ///< NULL must be skipped by the caller
    static MvtValue of_bool(bool b);
    static MvtValue of_int(std::int64_t i);
    static MvtValue of_double(double d);
};

class MvtLayerBuilder {
public:
    MvtLayerBuilder(std::string name, std::uint32_t extent);

    /// Index of a key in the layer's key table (added when new).
    std::uint32_t key(std::string_view name);
    /// Index of a value in the layer's value table (added when new).
    std::uint32_t value(const MvtValue& v);
    /// The same for a value already encoded as a Value message by encode_value, known by the
    /// caller's own dense id: a layer's values are encoded once, not once per feature and tile.
    /// Distinct ids must be distinct messages.
    std::uint32_t value_by_id(std::uint32_t id, std::string_view encoded);
    /// A value as its MVT Value message.
    static std::string encode_value(const MvtValue& v);

    /// Adds a feature. `parts`: for Point every part's points are one MultiPoint; for LineString
    /// each part is a line (>= 2 points); for Polygon each part is a ring (>= 3 points, exterior
    /// with positive surveyor's area in y-down tile units, each exterior followed by its holes).
    /// `tags` are alternating key and value indexes.
    void add_feature(std::optional<std::uint64_t> id, MvtGeomType type, const std::vector<TilePath>& parts,
                     const std::vector<std::uint32_t>& tags);

    std::size_t feature_count() const noexcept { return feature_count_; }
    bool empty() const noexcept { return feature_count_ == 0; }
    /// Appends the encoded Layer message (field 3 of Tile) to a tile buffer.
    void write_to(std::string& tile) const;

private:
    std::uint32_t encoded_value(std::string encoded);
    std::string name_;
    std::uint32_t extent_;
    std::vector<std::string> keys_;
    std::unordered_map<std::string, std::uint32_t> key_index_;
    std::vector<std::string> values_; ///< encoded Value messages
    std::unordered_map<std::string, std::uint32_t> value_index_;
    std::unordered_map<std::uint32_t, std::uint32_t> id_index_;
    bool indexed_ = true; ///< value_index_ covers every value (false after value_by_id added some)
    std::vector<std::uint32_t> geometry_;
    std::string features_; ///< encoded Feature messages, each with its field-2 tag
    std::size_t feature_count_ = 0;
};

namespace detail {

/// A byte buffer that only grows: clear() keeps its memory and nothing is zero-filled per use, so
/// varints are written through a pointer rather than one std::string::push_back per byte.
class ByteBuffer {
public:
    /// Room for `extra` more bytes at data() + size(); the caller writes there, then commit()s.
    char* reserve(std::size_t extra) {
        if (size_ + extra > bytes_.size()) bytes_.resize(std::max(bytes_.size() * 2, size_ + extra));
        return bytes_.data() + size_;
    }
    void commit(const char* end) noexcept { size_ = static_cast<std::size_t>(end - bytes_.data()); }
    const char* data() const noexcept { return bytes_.data(); }
    std::size_t size() const noexcept { return size_; }
    void clear() noexcept { size_ = 0; }

private:
    std::vector<char> bytes_;
    std::size_t size_ = 0;
};

/// Appends the packed command integers of paths [first_path, first_path + path_count) (MVT 2.1:
/// MoveTo, LineTo, ClosePath for rings; zigzag deltas) to `out`; returns their length, 0 when
/// there is nothing to write (no path, or a point feature without points).
std::size_t encode_geometry(MvtGeomType type, const TilePaths& paths, std::size_t first_path, std::size_t path_count,
                            ByteBuffer& out);

/// Encodes one layer whose keys are known up front (the layer's field names) and whose values
/// were encoded once per layer as Value messages with dense ids: per tile only the ids used are
/// numbered, in first-use order. Features are written straight from a TilePaths buffer with exact
/// lengths (no nested-message reservations, no per-feature allocation). The bytes are those of an
/// MvtLayerBuilder given the same keys in order, value_by_id and add_feature calls (tested).
/// Reusable: reset() keeps every buffer's capacity, so a thread keeps one across tiles.
class IndexedLayerEncoder {
public:
    /// Starts a layer whose value ids are below `value_count`.
    void reset(std::size_t value_count);
    /// The tile-local index of value `id` (numbered at its first use).
    std::uint32_t value(std::uint32_t id) {
        std::uint32_t& slot = index_[id];
        if (slot == kUnused) {
            slot = static_cast<std::uint32_t>(used_.size());
            used_.push_back(id);
        }
        return slot;
    }
    /// The tile-local index of a Value message that is not among the layer's values (cluster
    /// counts and sums), deduplicated by its bytes within the tile.
    std::uint32_t extra_value(std::string message);
    /// As MvtLayerBuilder::add_feature, for paths [first_path, first_path + path_count) of `paths`.
    void add_feature(std::optional<std::uint64_t> id, MvtGeomType type, const TilePaths& paths, std::size_t first_path,
                     std::size_t path_count, const std::uint32_t* tags, std::size_t tag_count);
    /// A feature whose geometry is already encoded (encode_geometry's bytes, not empty).
    void add_encoded(std::optional<std::uint64_t> id, MvtGeomType type, const char* geometry, std::size_t geometry_bytes,
                     const std::uint32_t* tags, std::size_t tag_count);
    /// A one-point feature (MoveTo(1)): as add_feature with one part of one point.
    void add_point(std::optional<std::uint64_t> id, const TilePoint& p, const std::uint32_t* tags, std::size_t tag_count);
    std::size_t feature_count() const noexcept { return feature_count_; }
    /// Appends the Layer message (field 3 of Tile): version, name, features, `keys`, the values used
    /// (value_messages[id], in first-use order), extent.
    void write_to(std::string& tile, std::string_view name, const std::vector<std::string>& keys,
                  const std::vector<std::string>& value_messages, std::uint32_t extent) const;

private:
    static constexpr std::uint32_t kUnused = 0xffffffffu;
    std::vector<std::uint32_t> index_; ///< value id -> tile-local index, kUnused when not used yet
    std::vector<std::uint32_t> used_;  ///< value ids in first-use order; ids >= index_.size() are extras
    std::vector<std::string> extras_;  ///< extra_value messages of this tile
    std::unordered_map<std::string, std::uint32_t> extra_index_;
    ByteBuffer features_;              ///< encoded Feature messages, each with its field-2 tag
    ByteBuffer geometry_;              ///< one feature's packed geometry
    std::size_t feature_count_ = 0;
};

} // namespace detail

} // namespace coldspot::tiles
