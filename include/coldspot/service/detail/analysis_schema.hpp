#pragma once
// The parameters of POST /analysis: one JSON Schema document that is both published (in /api and
// at /analysis/schema) and enforced (by valijson, geo/json_schema.hpp). It is the engine's definition
// of a parameters file (geo::coldspots::parameters_schema()) plus the request's `kind` and `change`.
#include "coldspot/geo/json_schema.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace coldspot::service {

/// The JSON Schema (draft 2020-12 subset) of analysis parameters.
const nlohmann::json& analysis_parameters_schema();

using geo::SchemaViolation;

/// Every violation of `schema` by `document` (empty when valid): geo::validate_json.
std::vector<SchemaViolation> validate(const nlohmann::json& document, const nlohmann::json& schema);

/// The document with schema defaults filled in (recursively, for absent object members).
nlohmann::json apply_defaults(const nlohmann::json& document, const nlohmann::json& schema);

/// Validates and fills defaults; throws HttpProblem 422 listing every violation.
nlohmann::json validated_analysis_parameters(const nlohmann::json& document);

} // namespace coldspot::service
