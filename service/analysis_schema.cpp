#include "coldspot/service/detail/analysis_schema.hpp"

#include "coldspot/service/problem.hpp"

#include "coldspot/geo/coldspots/parameters.hpp"

namespace coldspot::service {

const nlohmann::json& analysis_parameters_schema() {
    // The engine's definition of a parameters file (geo/coldspots/parameters_schema.cpp), plus the
    // members of a request that choose what to run: absent keys keep the analysis defaults, which
    // the analysis merges in itself.
    static const nlohmann::json schema = [] {
        nlohmann::json s = geo::coldspots::parameters_schema();
        s["properties"]["kind"] = nlohmann::json::parse(R"({"type": "string", "enum": ["coldspots", "change"],
             "description": "coldspots (the default): the cold-spot analysis. change: compare the server's --baseline workspace (OLD) with the served one (NEW) and add the change layers (docs/methodology.md, Change over time)."})");
        s["properties"]["change"] = nlohmann::json::parse(R"({"type": "object", "description": "With kind = change: any of deprived_deciles, old_hubs_complete, new_hubs_complete, old_total_areas, new_total_areas, since_label (data/params/change.json). The LSOA lookup is the server's --lsoa-lookup."})");
        return s;
    }();
    return schema;
}

std::vector<SchemaViolation> validate(const nlohmann::json& document, const nlohmann::json& schema) {
    return geo::validate_json(document, schema);
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
