#include "coldspot/geo/coldspots/parameters.hpp"

namespace coldspot::geo::coldspots {

// The one definition of what a parameters file may hold: types, bounds, enumerations and units.
// parse_parameters enforces it (through valijson) and the service publishes it, with the request's
// own members added (service/analysis_schema.cpp). Defaults are default_parameters_json().
// Bounds are the engine's (issue 14 found the published copy had drifted: detour_factor <= 10,
// permutations <= 99999 in the parser, straight_line_kph > 0); permutations <= 9999 is the published
// API's bound, which its tests hold.
const nlohmann::json& parameters_schema() {
    static const nlohmann::json schema = nlohmann::json::parse(R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Cold-spot analysis parameters",
  "description": "Any subset of the analysis parameters file; absent keys keep their defaults (docs/methodology.md).",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "components": {
      "type": "object", "additionalProperties": false,
      "description": "Index components and their weights and transforms.",
      "properties": {
        "access": {"type": "object", "additionalProperties": false, "properties": {
          "weight": {"type": "number", "minimum": 0, "maximum": 1000000000000},
          "hub_types": {"type": "array", "items": {"type": "string"},
                        "description": "hub types whose nearest venue counts; empty: every type, equally"},
          "good_minutes": {"type": "number", "minimum": 0, "maximum": 1440, "description": "minutes; access scores 0 at or below"},
          "poor_minutes": {"type": "number", "minimum": 0, "maximum": 1440, "description": "minutes; access scores 1 at or above (more than good_minutes)"},
          "straight_line_kph": {"type": "number", "minimum": 1, "maximum": 200, "description": "km/h of the straight-line estimate when a school has no routed time"},
          "detour_factor": {"type": "number", "minimum": 1, "maximum": 5, "description": "road distance / straight-line distance of that estimate"}}},
        "deprivation": {"type": "object", "additionalProperties": false, "properties": {
          "weight": {"type": "number", "minimum": 0, "maximum": 1000000000000},
          "field": {"type": "string", "maxLength": 64, "description": "decile field of the areas layer, 1 = most deprived"}}},
        "need": {"type": "object", "additionalProperties": false, "properties": {
          "weight": {"type": "number", "minimum": 0, "maximum": 1000000000000},
          "fields": {"type": "array", "items": {"type": "object", "additionalProperties": false, "required": ["field"], "properties": {
            "field": {"type": "string", "description": "a field of the schools layer"},
            "transform": {"type": "string", "enum": ["flag", "linear"], "description": "flag: non-null and non-zero scores 1; linear: (v - min) / (max - min)"},
            "min": {"type": "number", "minimum": -1000000000000, "maximum": 1000000000000},
            "max": {"type": "number", "minimum": -1000000000000, "maximum": 1000000000000},
            "weight": {"type": "number", "minimum": 0, "maximum": 1000000000000}}}}}},
        "rurality": {"type": "object", "additionalProperties": false, "properties": {
          "weight": {"type": "number", "minimum": 0, "maximum": 1000000000000}}},
        "remit": {"type": "object", "additionalProperties": false, "properties": {
          "weight": {"type": "number", "minimum": 0, "maximum": 1000000000000},
          "no_hub": {"type": "number", "minimum": 0, "maximum": 1},
          "conflicting": {"type": "number", "minimum": 0, "maximum": 1},
          "non_local_trust": {"type": "number", "minimum": 0, "maximum": 1}}},
        "engagement": {"type": "object", "additionalProperties": false, "properties": {
          "weight": {"type": "number", "minimum": 0, "maximum": 1000000000000},
          "table": {"type": "string", "maxLength": 64},
          "key": {"type": "string", "maxLength": 64},
          "field": {"type": "string", "maxLength": 64},
          "school_key": {"type": "string", "maxLength": 64},
          "higher_is_better": {"type": "boolean"}}}
      }
    },
    "statistics": {
      "type": "object", "additionalProperties": false,
      "description": "Spatial weights and inference for Gi* and local Moran's I on the index.",
      "properties": {
        "weights": {"type": "string", "enum": ["knn", "distance_band"]},
        "band_m": {"type": "number", "minimum": 1, "maximum": 1000000, "description": "metres, with distance_band weights"},
        "k": {"type": "integer", "minimum": 1, "maximum": 1000, "description": "neighbours, with knn weights"},
        "style": {"type": "string", "enum": ["binary", "row", "row-standardised", "B", "W"], "description": "B and W are spdep's names"},
        "permutations": {"type": "integer", "minimum": 0, "maximum": 9999},
        "seed": {"type": "integer", "minimum": 0, "maximum": 9007199254740992},
        "fdr": {"type": "boolean"},
        "fdr_scope": {"type": "string", "enum": ["all", "neighbourhood"]},
        "inference": {"type": "string", "enum": ["analytical", "permutation"], "description": "permutation needs permutations > 0"},
        "alpha": {"type": "number", "exclusiveMinimum": 0, "maximum": 0.5}
      }
    },
    "rank_stability": {
      "type": "object", "additionalProperties": false,
      "description": "Monte Carlo over the index weights and missing-input rules: each school's median rank, 90 % rank interval and robust-target flag.",
      "properties": {
        "draws": {"type": "integer", "minimum": 0, "maximum": 100000},
        "seed": {"type": "integer", "minimum": 0, "maximum": 9007199254740992},
        "weight_range": {"type": "number", "minimum": 0, "maximum": 0.99},
        "missing_rules": {"type": "array", "minItems": 1, "items": {"type": "string", "enum": ["renormalise", "median", "zero"]}},
        "top_n": {"type": "integer", "minimum": 1, "maximum": 10000000},
        "robust_share": {"type": "number", "minimum": 0.5, "maximum": 1}
      }
    },
    "hex": {"type": "object", "additionalProperties": false, "properties": {
      "cell_area_km2": {"type": "number", "minimum": 0.01, "maximum": 100000, "description": "km² of each hexagon"}}}
  }
})json");
    return schema;
}

} // namespace coldspot::geo::coldspots
