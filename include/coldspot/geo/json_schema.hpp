#pragma once
// JSON Schema validation (draft 7 keywords, as published with a 2020-12 `$schema`) by valijson, with
// errors reported as RFC 6901 pointers and short messages written from the schema's own constraint
// ("must be at most 9999"), so a person can fix the named value without reading the schema.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace coldspot::geo {

struct SchemaViolation {
    std::string pointer; ///< RFC 6901 pointer into the document ("/statistics/k")
    std::string message;
};

/// Every violation of `schema` by `document` (empty when valid), in document order (members by name,
/// items by index), one per value: a value of the wrong type reports only that. An integral number
/// written with a fraction (2.0) counts as an integer, as JSON Schema says.
/// Throws InvalidArgumentError when `schema` itself is not a schema valijson can read.
std::vector<SchemaViolation> validate_json(const nlohmann::json& document, const nlohmann::json& schema);

} // namespace coldspot::geo
