#pragma once
// Field lookups for one layer, with errors that name the workspace, layer, row and field: the
// common part of the model's record readers.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/geometry.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace coldspot::geo::model::detail {

class LayerReader {
public:
    LayerReader(const FeatureTable& t, const std::string& source) : t_(t), source_(source) {}

    /// The field's index; MissingColumnError when the layer lacks it.
    int required(const char* field) const;
    /// The field's index, or -1.
    int optional(const char* field) const { return t_.field_index(field); }

    [[noreturn]] void fail(const Feature& f, const std::string& field, const std::string& reason) const;

    /// Text of field `i` ("" for a field the layer lacks, or NULL).
    std::string text(const Feature& f, int i) const;
    /// Text of field `i`; InputError when it is empty.
    std::string required_text(const Feature& f, int i, const char* field) const;
    /// An integer, from an integer, a whole real or a text of digits; nullopt for NULL, "" or a
    /// missing field; InputError for anything else.
    std::optional<std::int64_t> integer(const Feature& f, int i, const char* field) const;
    /// integer() of a field that must have a value; InputError for NULL.
    std::int64_t required_integer(const Feature& f, int i, const char* field) const;
    /// Text of field `i`, or nullopt when the field is missing or NULL.
    std::optional<std::string> nullable_text(const Feature& f, int i) const;
    /// A real, from a number or a numeric text; nullopt for NULL, "" or a missing field.
    std::optional<double> real(const Feature& f, int i, const char* field) const;
    /// The row's polygon; InputError when it is not one.
    const MultiPolygon& polygon(const Feature& f) const;
    /// The row's point, or nullptr for an empty geometry; InputError for another type or a
    /// non-finite coordinate.
    const Point* point(const Feature& f) const;

private:
    const FeatureTable& t_;
    const std::string& source_;
};

} // namespace coldspot::geo::model::detail
