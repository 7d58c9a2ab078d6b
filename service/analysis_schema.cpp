#include "coldspot/service/analysis_schema.hpp"

#include "coldspot/service/problem.hpp"

#include <cmath>

namespace coldspot::service {

const nlohmann::json& analysis_parameters_schema() {
    // Mirrors the analysis parameters file (docs/methodology.md, geo/coldspots/parameters.hpp):
    // absent keys keep the analysis defaults, which the analysis merges in itself.
    static const nlohmann::json schema = nlohmann::json::parse(R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Cold-spot analysis parameters",
  "description": "Any subset of the analysis parameters file; absent keys keep their defaults (docs/methodology.md).",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "kind": {"type": "string", "enum": ["coldspots", "change"],
             "description": "coldspots (the default): the cold-spot analysis. change: compare the server's --baseline workspace (OLD) with the served one (NEW) and add the change layers (docs/methodology.md, Change over time)."},
    "change": {"type": "object", "description": "With kind = change: any of deprived_deciles, old_hubs_complete, new_hubs_complete, old_total_areas, new_total_areas, since_label (data/params/change.json). The LSOA lookup is the server's --lsoa-lookup."},
    "components": {
      "type": "object", "additionalProperties": false,
      "description": "Index components and their weights and transforms.",
      "properties": {
        "access": {"type": "object", "additionalProperties": false, "properties": {
          "weight": {"type": "number", "minimum": 0, "maximum": 1000},
          "hub_types": {"type": "array"},
          "good_minutes": {"type": "number", "minimum": 0, "maximum": 1440},
          "poor_minutes": {"type": "number", "minimum": 0, "maximum": 1440},
          "straight_line_kph": {"type": "number", "exclusiveMinimum": 0, "maximum": 200},
          "detour_factor": {"type": "number", "minimum": 1, "maximum": 10}}},
        "deprivation": {"type": "object", "additionalProperties": false, "properties": {
          "weight": {"type": "number", "minimum": 0, "maximum": 1000},
          "field": {"type": "string", "maxLength": 64}}},
        "need": {"type": "object", "additionalProperties": false, "properties": {
          "weight": {"type": "number", "minimum": 0, "maximum": 1000},
          "fields": {"type": "array"}}},
        "rurality": {"type": "object", "additionalProperties": false, "properties": {
          "weight": {"type": "number", "minimum": 0, "maximum": 1000}}},
        "remit": {"type": "object", "additionalProperties": false, "properties": {
          "weight": {"type": "number", "minimum": 0, "maximum": 1000},
          "no_hub": {"type": "number", "minimum": 0, "maximum": 1},
          "conflicting": {"type": "number", "minimum": 0, "maximum": 1},
          "non_local_trust": {"type": "number", "minimum": 0, "maximum": 1}}},
        "engagement": {"type": "object", "additionalProperties": false, "properties": {
          "weight": {"type": "number", "minimum": 0, "maximum": 1000},
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
        "band_m": {"type": "number", "minimum": 1, "maximum": 200000},
        "k": {"type": "integer", "minimum": 1, "maximum": 100},
        "style": {"type": "string", "enum": ["binary", "row"]},
        "permutations": {"type": "integer", "minimum": 0, "maximum": 9999},
        "seed": {"type": "integer", "minimum": 0, "maximum": 9007199254740992},
        "fdr": {"type": "boolean"},
        "fdr_scope": {"type": "string", "enum": ["all", "neighbourhood"]},
        "inference": {"type": "string", "enum": ["analytical", "permutation"]},
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
      "cell_area_km2": {"type": "number", "minimum": 0.01, "maximum": 100000}}}
  }
})");
    return schema;
}

namespace {

std::string type_of(const nlohmann::json& v) {
    if (v.is_null()) return "null";
    if (v.is_boolean()) return "boolean";
    if (v.is_number_integer() || v.is_number_unsigned()) return "integer";
    if (v.is_number_float()) return std::floor(v.get<double>()) == v.get<double>() ? "integer-valued number" : "number";
    if (v.is_string()) return "string";
    if (v.is_array()) return "array";
    return "object";
}

bool has_type(const nlohmann::json& v, const std::string& type) {
    if (type == "integer") return v.is_number_integer() || v.is_number_unsigned() || (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>());
    if (type == "number") return v.is_number();
    if (type == "string") return v.is_string();
    if (type == "boolean") return v.is_boolean();
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "null") return v.is_null();
    return false;
}

std::string escape_pointer(const std::string& key) {
    std::string out;
    for (char c : key) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

void check(const nlohmann::json& v, const nlohmann::json& s, const std::string& at, std::vector<SchemaViolation>& out) {
    const std::string where = at.empty() ? "/" : at;
    if (s.contains("type") && !has_type(v, s["type"].get<std::string>())) {
        out.push_back({where, "expected " + s["type"].get<std::string>() + ", got " + type_of(v)});
        return;
    }
    if (s.contains("enum")) {
        bool found = false;
        for (const auto& e : s["enum"]) found = found || e == v;
        if (!found) out.push_back({where, "must be one of " + s["enum"].dump() + ", got " + v.dump()});
    }
    if (v.is_number()) {
        const double x = v.get<double>();
        if (s.contains("minimum") && x < s["minimum"].get<double>()) out.push_back({where, "must be at least " + s["minimum"].dump()});
        if (s.contains("maximum") && x > s["maximum"].get<double>()) out.push_back({where, "must be at most " + s["maximum"].dump()});
        if (s.contains("exclusiveMinimum") && x <= s["exclusiveMinimum"].get<double>()) out.push_back({where, "must be greater than " + s["exclusiveMinimum"].dump()});
        if (s.contains("exclusiveMaximum") && x >= s["exclusiveMaximum"].get<double>()) out.push_back({where, "must be less than " + s["exclusiveMaximum"].dump()});
    }
    if (v.is_string() && s.contains("maxLength") && v.get<std::string>().size() > s["maxLength"].get<std::size_t>())
        out.push_back({where, "must be at most " + s["maxLength"].dump() + " characters long"});
    if (v.is_array()) {
        if (s.contains("minItems") && v.size() < s["minItems"].get<std::size_t>())
            out.push_back({where, "must have at least " + s["minItems"].dump() + " items"});
        if (s.contains("items"))
            for (std::size_t i = 0; i < v.size(); ++i) check(v[i], s["items"], at + "/" + std::to_string(i), out);
    }
    if (v.is_object()) {
        if (s.contains("maxProperties") && v.size() > s["maxProperties"].get<std::size_t>())
            out.push_back({where, "must have at most " + s["maxProperties"].dump() + " members"});
        if (s.contains("required"))
            for (const auto& r : s["required"])
                if (!v.contains(r.get<std::string>())) out.push_back({at + "/" + escape_pointer(r.get<std::string>()), "is required"});
        const nlohmann::json props = s.value("properties", nlohmann::json::object());
        for (const auto& [key, value] : v.items()) {
            const std::string child = at + "/" + escape_pointer(key);
            if (props.contains(key)) {
                check(value, props[key], child, out);
            } else if (s.contains("additionalProperties")) {
                const auto& ap = s["additionalProperties"];
                if (ap.is_boolean()) {
                    if (!ap.get<bool>()) out.push_back({child, "is not a known parameter"});
                } else {
                    check(value, ap, child, out);
                }
            }
        }
    }
}

} // namespace

std::vector<SchemaViolation> validate(const nlohmann::json& document, const nlohmann::json& schema) {
    std::vector<SchemaViolation> out;
    check(document, schema, "", out);
    return out;
}

nlohmann::json apply_defaults(const nlohmann::json& document, const nlohmann::json& schema) {
    nlohmann::json out = document;
    if (!out.is_object() || !schema.contains("properties")) return out;
    for (const auto& [key, sub] : schema["properties"].items()) {
        if (out.contains(key)) {
            out[key] = apply_defaults(out[key], sub);
        } else if (sub.contains("default")) {
            out[key] = sub["default"];
        } else if (sub.value("type", "") == "object" && sub.contains("properties")) {
            out[key] = apply_defaults(nlohmann::json::object(), sub);
        }
    }
    return out;
}

nlohmann::json validated_analysis_parameters(const nlohmann::json& document) {
    const auto& schema = analysis_parameters_schema();
    const auto violations = validate(document, schema);
    if (!violations.empty()) {
        nlohmann::json errors = nlohmann::json::array();
        std::string first;
        for (const auto& v : violations) {
            errors.push_back({{"pointer", v.pointer}, {"detail", v.message}});
            if (first.empty()) first = v.pointer + " " + v.message;
        }
        throw HttpProblem(422, "analysis parameters do not match the schema: " + first +
                                   (violations.size() > 1 ? " (and " + std::to_string(violations.size() - 1) + " more)" : ""),
                          {{"errors", errors}, {"schema", "/analysis/schema"}});
    }
    return apply_defaults(document, schema);
}

} // namespace coldspot::service
