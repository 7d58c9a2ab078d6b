// The parameters file: defaults, overrides, and errors that name the bad key.
#include "coldspot/geo/coldspots/parameters.hpp"
#include "coldspot/geo/error.hpp"

#include "test_support.hpp"

#include <fstream>

using namespace coldspot;
using namespace coldspot::geo::coldspots;
using nlohmann::json;

TEST(Parameters, DefaultFileMatchesTheBuiltInDefaults) {
    std::ifstream in(test::source_dir() / "data/params/default.json");
    const json file = json::parse(in);
    EXPECT_EQ(file, default_parameters_json());
    const auto p = load_parameters((test::source_dir() / "data/params/default.json").string());
    EXPECT_DOUBLE_EQ(p.w_access + p.w_deprivation + p.w_need + p.w_rurality + p.w_remit + p.w_engagement, 1.0);
    EXPECT_EQ(p.permutations, 999u);
    EXPECT_EQ(p.need.size(), 2u);
}

TEST(Parameters, OverridesMergeOverDefaults) {
    const auto p = parse_parameters(json::parse(R"({"statistics": {"band_m": 8000, "style": "W"},
                                                     "components": {"access": {"hub_types": ["maths hub"]}}})"));
    EXPECT_DOUBLE_EQ(p.band_m, 8000);
    EXPECT_EQ(p.style, geo::stats::WeightStyle::RowStandardised);
    EXPECT_EQ(p.hub_types, std::vector<std::string>{"maths hub"});
    EXPECT_DOUBLE_EQ(p.w_access, 0.35); // untouched
    EXPECT_EQ(p.source["statistics"]["band_m"], 8000);
    EXPECT_EQ(p.source["statistics"]["k"], 8);
}

TEST(Parameters, ErrorsNameTheKey) {
    try {
        parse_parameters(json::parse(R"({"statistics": {"band": 8000}})"), "run.json");
        FAIL() << "no exception";
    } catch (const ManifestError& e) {
        EXPECT_EQ(e.where().file, "run.json");
        EXPECT_EQ(e.where().field, "/statistics/band");
    }
    EXPECT_THROW(parse_parameters(json::parse(R"({"components": {"access": {"poor_minutes": 10}}})")), ManifestError);
    EXPECT_THROW(parse_parameters(json::parse(R"({"statistics": {"style": "C"}})")), ManifestError);
    EXPECT_THROW(parse_parameters(json::parse(R"({"statistics": {"permutations": "many"}})")), ManifestError);
    EXPECT_THROW(parse_parameters(json::parse(R"({"components": {"need": {"fields": [{"field": "x", "transform": "log"}]}}})")),
                 ManifestError);
    EXPECT_THROW(parse_parameters(json::parse("[1, 2]")), ManifestError);
    EXPECT_THROW(load_parameters("/nonexistent/params.json"), FileNotFoundError);
    test::TempDir dir;
    std::ofstream(dir / "bad.json") << "{ not json";
    EXPECT_THROW(load_parameters((dir / "bad.json").string()), FormatError);
}
