#include "coldspot/geo/json_schema.hpp"

#include "coldspot/geo/error.hpp"

// valijson reports a schema it cannot read by throwing (without this, by printing and aborting).
#define VALIJSON_USE_EXCEPTIONS 1
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>

namespace coldspot::geo {

namespace {

using nlohmann::json;
using Path = std::vector<std::string>;

std::string type_of(const json& v) {
    if (v.is_null()) return "null";
    if (v.is_boolean()) return "boolean";
    if (v.is_number_integer() || v.is_number_unsigned()) return "integer";
    if (v.is_number_float()) return std::floor(v.get<double>()) == v.get<double>() ? "integer-valued number" : "number";
    if (v.is_string()) return "string";
    if (v.is_array()) return "array";
    return "object";
}

/// A copy in which a number written with a fraction but integral (2.0) is an integer: JSON Schema
/// counts it as one, valijson's strict types would not.
json integral_numbers_as_integers(const json& v) {
    if (v.is_number_float()) {
        const double d = v.get<double>();
        if (std::floor(d) == d && std::abs(d) < 9.2e18) return static_cast<std::int64_t>(d);
        return v;
    }
    if (v.is_array() || v.is_object()) {
        json out = v;
        for (auto& item : out) item = integral_numbers_as_integers(item);
        return out;
    }
    return v;
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

std::string pointer_of(const Path& path) {
    std::string out;
    for (const auto& p : path) out += "/" + escape_pointer(p);
    return out.empty() ? "/" : out;
}

/// valijson's context ("<root>", "[statistics]", "[k]") as path segments.
Path path_of(const std::vector<std::string>& context) {
    Path out;
    for (const auto& c : context)
        if (c.size() >= 2 && c.front() == '[' && c.back() == ']') out.push_back(c.substr(1, c.size() - 2));
    return out;
}

const json* value_at(const json& doc, const Path& path) {
    const json* v = &doc;
    for (const auto& seg : path) {
        if (v->is_object()) {
            const auto it = v->find(seg);
            if (it == v->end()) return nullptr;
            v = &*it;
        } else if (v->is_array()) {
            std::size_t i = 0;
            try {
                i = std::stoul(seg);
            } catch (const std::exception&) {
                return nullptr;
            }
            if (i >= v->size()) return nullptr;
            v = &(*v)[i];
        } else {
            return nullptr;
        }
    }
    return v;
}

const json* schema_at(const json& schema, const Path& path) {
    const json* s = &schema;
    for (const auto& seg : path) {
        if (s->contains("properties") && (*s)["properties"].contains(seg)) s = &(*s)["properties"][seg];
        else if (s->contains("items") && (*s)["items"].is_object()) s = &(*s)["items"];
        else if (s->contains("additionalProperties") && (*s)["additionalProperties"].is_object()) s = &(*s)["additionalProperties"];
        else return nullptr;
    }
    return s;
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

struct Found {
    Path path;
    std::string message;
    bool type = false; ///< a wrong type: the value's other violations are not reported
};

/// valijson's finding, said in the words of the schema's constraint. Empty when the finding only
/// repeats a nested one ("Failed to validate against schema associated with property ...").
std::vector<Found> explain(const Path& path, const std::string& description, const json& doc, const json& schema) {
    const json* s = schema_at(schema, path);
    const json* v = value_at(doc, path);
    if (!s || !v) return {{path, description}};
    const auto bound = [&](const char* key) { return (*s).contains(key) ? (*s)[key].dump() : std::string("?"); };
    if (starts_with(description, "Value type not permitted"))
        return {{path, "expected " + (*s)["type"].get<std::string>() + ", got " + type_of(*v), true}};
    if (starts_with(description, "Failed to match against any enum values"))
        return {{path, "must be one of " + (*s)["enum"].dump() + ", got " + v->dump()}};
    if (starts_with(description, "Expected number less than or equal to")) return {{path, "must be at most " + bound("maximum")}};
    if (starts_with(description, "Expected number less than")) return {{path, "must be less than " + bound("exclusiveMaximum")}};
    if (starts_with(description, "Expected number greater than or equal to")) return {{path, "must be at least " + bound("minimum")}};
    if (starts_with(description, "Expected number greater than")) return {{path, "must be greater than " + bound("exclusiveMinimum")}};
    if (starts_with(description, "String should be no more than"))
        return {{path, "must be at most " + bound("maxLength") + " characters long"}};
    if (starts_with(description, "Array should contain no fewer than")) return {{path, "must have at least " + bound("minItems") + " items"}};
    if (starts_with(description, "Object should have no more than"))
        return {{path, "must have at most " + bound("maxProperties") + " members"}};
    if (starts_with(description, "Missing required property")) {
        std::vector<Found> out;
        for (const auto& r : s->value("required", json::array()))
            if (!v->contains(r.get<std::string>())) {
                Path child = path;
                child.push_back(r.get<std::string>());
                out.push_back({child, "is required"});
            }
        return out;
    }
    if (starts_with(description, "Object contains a property that could not be validated")) {
        // valijson names the first unknown member only; every one is reported.
        std::vector<Found> out;
        const json props = s->value("properties", json::object());
        for (const auto& [key, value] : v->items())
            if (!props.contains(key)) {
                Path child = path;
                child.push_back(key);
                out.push_back({child, "is not a known parameter"});
            }
        return out;
    }
    if (starts_with(description, "Failed to validate against schema associated with property") ||
        starts_with(description, "Failed to validate item #") || starts_with(description, "Failed to validate against additional properties"))
        return {};
    return {{path, description}};
}

/// Document order: members by name (nlohmann's order), array items by index.
bool before(const Path& a, const Path& b) {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (a[i] == b[i]) continue;
        const bool an = !a[i].empty() && std::all_of(a[i].begin(), a[i].end(), ::isdigit);
        const bool bn = !b[i].empty() && std::all_of(b[i].begin(), b[i].end(), ::isdigit);
        if (an && bn && a[i].size() != b[i].size()) return a[i].size() < b[i].size();
        return a[i] < b[i];
    }
    return a.size() < b.size();
}

} // namespace

std::vector<SchemaViolation> validate_json(const json& document, const json& schema) {
    valijson::Schema compiled;
    try {
        valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
        const valijson::adapters::NlohmannJsonAdapter schema_adapter(schema);
        parser.populateSchema(schema_adapter, compiled);
    } catch (const std::exception& e) {
        throw InvalidArgumentError(std::string("not a JSON Schema valijson can read: ") + e.what());
    }
    const json normalised = integral_numbers_as_integers(document);
    valijson::Validator validator(valijson::Validator::kStrongTypes);
    valijson::ValidationResults results;
    const valijson::adapters::NlohmannJsonAdapter target(normalised);
    if (validator.validate(compiled, target, &results)) return {};

    std::vector<Found> found;
    valijson::ValidationResults::Error e;
    while (results.popError(e))
        for (auto& f : explain(path_of(e.context), e.description, document, schema)) found.push_back(std::move(f));
    // One report per value: a wrong type hides the rest (its bounds and enum mean nothing then),
    // and the same finding made twice is said once.
    std::map<std::string, bool> typed;
    for (const auto& f : found)
        if (f.type) typed[pointer_of(f.path)] = true;
    std::vector<Found> kept;
    for (auto& f : found) {
        if (typed.count(pointer_of(f.path)) && !f.type) continue;
        const bool seen = std::any_of(kept.begin(), kept.end(), [&](const Found& k) { return k.path == f.path && k.message == f.message; });
        if (!seen) kept.push_back(std::move(f));
    }
    std::stable_sort(kept.begin(), kept.end(), [](const Found& a, const Found& b) { return before(a.path, b.path); });
    std::vector<SchemaViolation> out;
    out.reserve(kept.size());
    for (const auto& f : kept) out.push_back({pointer_of(f.path), f.message});
    return out;
}

} // namespace coldspot::geo
