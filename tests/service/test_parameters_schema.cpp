// The one definition of the analysis parameters (issue 14): the engine enforces the schema the
// service publishes, a bad value is named by its JSON path with the schema's bound, and the bounds
// that had drifted between the two copies are the engine's.
#include "coldspot/geo/coldspots/parameters.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/json_schema.hpp"
#include "coldspot/service/detail/analysis_schema.hpp"

#include "test_support.hpp"

#include <fstream>

using namespace coldspot;
using namespace coldspot::geo::coldspots;
using nlohmann::json;

namespace {

/// The ManifestError parse_parameters throws for `given` (fails the test when there is none).
ManifestError refusal(const json& given) {
    try {
        parse_parameters(given, "run.json");
    } catch (const ManifestError& e) {
        return e;
    }
    ADD_FAILURE() << "accepted: " << given.dump();
    return ManifestError(InputLocation{}, "");
}

} // namespace

TEST(ParametersSchema, ThePublishedSchemaIsTheEnginesPlusTheRequestMembers) {
    json published = service::analysis_parameters_schema();
    ASSERT_TRUE(published["properties"].contains("kind"));
    ASSERT_TRUE(published["properties"].contains("change"));
    published["properties"].erase("kind");
    published["properties"].erase("change");
    EXPECT_EQ(published, parameters_schema());
}

TEST(ParametersSchema, TheDefaultsAreValid) {
    EXPECT_TRUE(geo::validate_json(default_parameters_json(), parameters_schema()).empty());
    std::ifstream in(test::source_dir() / "data/params/default.json");
    EXPECT_TRUE(geo::validate_json(json::parse(in), parameters_schema()).empty());
}

TEST(ParametersSchema, DriftedBoundsAreTheEnginesInBothPlaces) {
    const auto& schema = service::analysis_parameters_schema();
    // detour_factor: the parser's 5, not the old published 10.
    EXPECT_DOUBLE_EQ(parse_parameters(json::parse(R"({"components": {"access": {"detour_factor": 5}}})")).detour_factor, 5.0);
    const auto e = refusal(json::parse(R"({"components": {"access": {"detour_factor": 5.5}}})"));
    EXPECT_EQ(e.where().file, "run.json");
    EXPECT_EQ(e.where().field, "/components/access/detour_factor");
    EXPECT_EQ(e.reason(), "must be at most 5");
    ASSERT_EQ(service::validate(json::parse(R"({"components": {"access": {"detour_factor": 5.5}}})"), schema).size(), 1u);
    // straight_line_kph: at least 1 km/h in both (the published copy allowed anything above 0).
    EXPECT_EQ(refusal(json::parse(R"({"components": {"access": {"straight_line_kph": 0.5}}})")).reason(), "must be at least 1");
    EXPECT_EQ(service::validate(json::parse(R"({"components": {"access": {"straight_line_kph": 0.5}}})"), schema).at(0).message,
              "must be at least 1");
    // permutations: 9999 in both (the parser allowed 99999; the published bound is what the API promises).
    EXPECT_EQ(parse_parameters(json::parse(R"({"statistics": {"permutations": 9999}})")).permutations, 9999u);
    EXPECT_EQ(refusal(json::parse(R"({"statistics": {"permutations": 10000}})")).where().field, "/statistics/permutations");
    // k and band_m: the parser's 1000 neighbours and 1000 km, accepted by the service too.
    EXPECT_TRUE(service::validate(json::parse(R"({"statistics": {"k": 1000, "band_m": 1000000}})"), schema).empty());
    EXPECT_EQ(parse_parameters(json::parse(R"({"statistics": {"k": 1000}})")).k, 1000u);
    EXPECT_EQ(refusal(json::parse(R"({"statistics": {"k": 1001}})")).reason(), "must be at most 1000");
}

TEST(ParametersSchema, ErrorsNameThePathAndTheRule) {
    auto e = refusal(json::parse(R"({"statistics": {"style": "C"}})"));
    EXPECT_EQ(e.where().field, "/statistics/style");
    EXPECT_EQ(e.reason(), R"(must be one of ["binary","row","row-standardised","B","W"], got "C")");
    e = refusal(json::parse(R"({"statistics": {"permutations": "many"}})"));
    EXPECT_EQ(e.where().field, "/statistics/permutations");
    EXPECT_EQ(e.reason(), "expected integer, got string");
    e = refusal(json::parse(R"({"components": {"need": {"fields": [{"field": "x"}, {"transform": "linear", "max": 2}]}}})"));
    EXPECT_EQ(e.where().field, "/components/need/fields/1/field");
    EXPECT_EQ(e.reason(), "is required");
    e = refusal(json::parse(R"({"components": {"need": {"fields": [{"field": "x", "colour": 1}]}}})"));
    EXPECT_EQ(e.where().field, "/components/need/fields/0/colour");
    EXPECT_EQ(e.reason(), "is not a known parameter");
    e = refusal(json::parse(R"({"rank_stability": {"missing_rules": []}})"));
    EXPECT_EQ(e.where().field, "/rank_stability/missing_rules");
    EXPECT_EQ(e.reason(), "must have at least 1 items");
    // A relation a schema cannot say is still the parser's own check.
    e = refusal(json::parse(R"({"components": {"access": {"good_minutes": 50}}})"));
    EXPECT_EQ(e.where().field, "/components/access/poor_minutes");
    // An integral number written with a fraction is an integer, as JSON Schema says.
    EXPECT_EQ(parse_parameters(json::parse(R"({"statistics": {"k": 12.0}})")).k, 12u);
}

TEST(JsonSchema, EveryUnknownMemberIsNamedInDocumentOrder) {
    const json schema = json::parse(R"({"type": "object", "additionalProperties": false,
        "properties": {"a": {"type": "array", "items": {"type": "integer", "maximum": 3}}, "b": {"type": "string"}}})");
    const auto v = geo::validate_json(json::parse(R"({"z": 1, "b": 2, "a": [1, 4, 2, 1, 1, 1, 1, 1, 1, 1, 9], "c": 0})"), schema);
    std::vector<std::string> got;
    for (const auto& x : v) got.push_back(x.pointer + " " + x.message);
    EXPECT_EQ(got, (std::vector<std::string>{"/a/1 must be at most 3", "/a/10 must be at most 3", "/b expected string, got integer",
                                             "/c is not a known parameter", "/z is not a known parameter"}));
    EXPECT_THROW(geo::validate_json(json::object(), json::parse(R"({"type": 5})")), InvalidArgumentError);
}
