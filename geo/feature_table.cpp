#include "coldspot/geo/feature_table.hpp"

#include "coldspot/geo/error.hpp"

#include <cmath>
#include <cstdio>

namespace coldspot::geo {

std::string_view to_string(FieldType type) noexcept {
    switch (type) {
    case FieldType::Integer: return "integer";
    case FieldType::Real: return "number";
    case FieldType::String: return "string";
    }
    return "string";
}

bool is_null(const Value& v) noexcept { return std::holds_alternative<std::monostate>(v); }

std::optional<double> as_number(const Value& v) noexcept {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    if (const auto* d = std::get_if<double>(&v)) return *d;
    return std::nullopt;
}

std::string as_text(const Value& v) {
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&v)) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", *d);
        return buf;
    }
    return {};
}

int FeatureTable::field_index(std::string_view field) const noexcept {
    for (std::size_t i = 0; i < fields.size(); ++i)
        if (fields[i].name == field) return static_cast<int>(i);
    return -1;
}

std::size_t FeatureTable::require_field(std::string_view field) const {
    const int i = field_index(field);
    if (i < 0) throw NotFoundError("layer '" + name + "' has no field '" + std::string(field) + "'");
    return static_cast<std::size_t>(i);
}

std::size_t FeatureTable::add_field(std::string field_name, FieldType type) {
    fields.push_back(Field{std::move(field_name), type});
    for (auto& f : features) f.values.resize(fields.size());
    return fields.size() - 1;
}

Box FeatureTable::extent() const {
    Box box = empty_box();
    for (const auto& f : features) {
        const Box b = envelope(f.geometry);
        if (!is_empty(b)) bg::expand(box, b);
    }
    return box;
}

} // namespace coldspot::geo
