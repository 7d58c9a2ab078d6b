#pragma once
// The parameters of POST /analysis: one JSON Schema document that is both published (in /api and
// at /analysis/schema) and enforced, by a validator for the subset of JSON Schema it uses.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace coldspot::service {

/// The JSON Schema (draft 2020-12 subset) of analysis parameters.
const nlohmann::json& analysis_parameters_schema();

struct SchemaViolation {
    std::string pointer; ///< RFC 6901 pointer into the document ("/weights/k")
    std::string message;
};

/// Every violation of `schema` by `document` (empty when valid). Supports type, enum, minimum,
/// maximum, exclusiveMinimum, exclusiveMaximum, maxLength, properties, required,
/// additionalProperties (boolean or schema) and maxProperties.
std::vector<SchemaViolation> validate(const nlohmann::json& document, const nlohmann::json& schema);

/// The document with schema defaults filled in (recursively, for absent object members).
nlohmann::json apply_defaults(const nlohmann::json& document, const nlohmann::json& schema);

/// Validates and fills defaults; throws HttpProblem 422 listing every violation.
nlohmann::json validated_analysis_parameters(const nlohmann::json& document);

} // namespace coldspot::service
