#pragma once
// A result layer's columns as one table: each column's name, type and how its value comes from the
// record. The layer's schema and each row's values are both made from the table, so the two cannot
// drift apart (as hand-kept parallel lists of fields and values did).
#include "coldspot/geo/alias.hpp"
#include "coldspot/geo/feature_table.hpp"

#include <optional>
#include <span>
#include <vector>

namespace coldspot::geo::model::detail {

template <class Record>
struct Column {
    const char* name;
    FieldType type;
    Value (*get)(const Record&);
};

template <class Record>
std::vector<Field> fields_of(std::span<const Column<Record>> columns) {
    std::vector<Field> out;
    out.reserve(columns.size());
    for (const auto& c : columns) out.push_back({c.name, c.type});
    return out;
}

template <class Record>
std::vector<Value> values_of(std::span<const Column<Record>> columns, const Record& r) {
    std::vector<Value> out;
    out.reserve(columns.size());
    for (const auto& c : columns) out.push_back(c.get(r));
    return out;
}

/// NULL for nullopt, else the value (a strong type's raw value).
template <class T>
Value value_or_null(const std::optional<T>& v) {
    if (!v) return Value();
    if constexpr (requires { v->value(); }) return Value(v->value());
    else return Value(*v);
}

} // namespace coldspot::geo::model::detail
