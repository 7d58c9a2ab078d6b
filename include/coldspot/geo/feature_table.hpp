#pragma once
// An in-memory layer: a schema, features with one geometry type, and the CRS they are in.
#include "coldspot/geo/geometry.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace coldspot::geo {

enum class FieldType : std::uint8_t { Integer, Real, String };
std::string_view to_string(FieldType type) noexcept;

struct Field {
    std::string name;
    FieldType type = FieldType::String;
};

/// An attribute value; monostate is NULL.
using Value = std::variant<std::monostate, std::int64_t, double, std::string>;

bool is_null(const Value& v) noexcept;
/// Numeric view of a value: integers and reals convert, NULL and strings give nullopt.
std::optional<double> as_number(const Value& v) noexcept;
/// Text view: strings as they are, numbers formatted, NULL as "".
std::string as_text(const Value& v);

struct Feature {
    std::int64_t fid = 0; ///< stable id within the layer (URN for schools where the layer says so)
    Geometry geometry;
    std::vector<Value> values; ///< one per field, in schema order
};

struct FeatureTable {
    std::string name;
    std::string description;
    GeometryType geometry_type = GeometryType::None; ///< None for plain attribute tables
    int epsg = 27700;
    std::vector<Field> fields;
    std::vector<Feature> features;

    /// Index of a field, or -1.
    int field_index(std::string_view field) const noexcept;
    /// Index of a field; throws NotFoundError naming the layer.
    std::size_t require_field(std::string_view field) const;
    /// Adds a field (NULL in every existing feature) and returns its index.
    std::size_t add_field(std::string name, FieldType type);
    /// Union of all feature envelopes.
    Box extent() const;
};

} // namespace coldspot::geo
