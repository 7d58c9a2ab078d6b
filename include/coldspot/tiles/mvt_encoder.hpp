#pragma once
// Mapbox Vector Tile 2.1 encoding over protozero: one MvtLayerBuilder per layer, geometry already
// in integer tile units (y down), attributes deduplicated into the layer's key and value tables.
#include "coldspot/geo/feature_table.hpp"

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
    /// Approximate encoded size so far.
    std::size_t size_estimate() const noexcept;
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
    std::size_t key_bytes_ = 0;
    std::size_t value_bytes_ = 0;
};

} // namespace coldspot::tiles
