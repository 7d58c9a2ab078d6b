// The sources catalogue (data/sources.json and the test fixture) and resolving --region / --la
// names against the real ONS lookups in ../shared/data.
#include "test_support.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/fetch/errors.hpp"
#include "coldspot/geo/fetch/fetch.hpp"
#include "coldspot/geo/import/manifest.hpp"

#include <fstream>

using namespace coldspot;
using namespace coldspot::geo::fetch;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

fs::path fixture_sources() { return test::source_dir() / "tests/fetch/fixture_sources.json"; }

AreaLookup real_lookup() { return read_area_lookup(read_sources(fixture_sources()), test::shared_data()); }

std::string error_of(const json& j) {
    try {
        parse_sources(j, "bad.json");
    } catch (const ManifestError& e) {
        return e.what();
    }
    return "(no error)";
}

} // namespace

TEST(FetchSources, TheShippedCatalogueNamesEveryDatasetWithLicenceAndColumns) {
    const Sources s = read_sources(test::source_dir() / "data/sources.json");
    for (DatasetRole role : {DatasetRole::LadRegionLookup, DatasetRole::LadUpperTierLookup, DatasetRole::Schools,
                             DatasetRole::SchoolTable, DatasetRole::AreaBoundaries, DatasetRole::AreaTable,
                             DatasetRole::LocalAuthorities, DatasetRole::UpperTierAuthorities, DatasetRole::Hubs})
        EXPECT_NE(s.find(role), nullptr) << to_string(role);
    for (const auto& d : s.datasets) {
        EXPECT_FALSE(d.source.licence.empty()) << d.source.id;
        EXPECT_FALSE(d.columns.empty()) << d.source.id;
        EXPECT_FALSE(d.source.publisher.empty()) << d.source.id;
    }
    EXPECT_TRUE(s.national_roads.has_value());
    EXPECT_GE(s.road_extracts.size(), 6u);
}

TEST(FetchSources, BadEntriesNameTheFileAndJsonPath) {
    json good = json::parse(std::ifstream(fixture_sources()));
    json j = good;
    j["datasets"][2]["sha256"] = "abc";
    EXPECT_NE(error_of(j).find("/datasets/2/sha256"), std::string::npos) << error_of(j);
    j = good;
    j["datasets"][3]["role"] = "school_tabel";
    EXPECT_NE(error_of(j).find("unknown role 'school_tabel'"), std::string::npos) << error_of(j);
    j = good;
    j["datasets"][4].erase("licence");
    EXPECT_NE(error_of(j).find("/datasets/4/licence"), std::string::npos) << error_of(j);
    j = good;
    j["datasets"][5]["file"] = j["datasets"][4]["file"];
    EXPECT_NE(error_of(j).find("another entry writes"), std::string::npos) << error_of(j);
    j = good;
    j["datasets"][5]["file"] = "../../etc/passwd";
    EXPECT_NE(error_of(j).find("inside the output folder"), std::string::npos) << error_of(j);
    j = good;
    j["datasets"][6]["url"] = "ftp://x/y";
    EXPECT_NE(error_of(j).find("/datasets/6/url"), std::string::npos) << error_of(j);
}

TEST(FetchSources, MirrorKeepsHostAndPath) {
    FetchOptions o;
    SourceFile s;
    s.url = "https://ea-edubase-api-prod.azurewebsites.net/edubase/downloads/public/edubasealldata20240617.csv";
    EXPECT_EQ(fetch_url(s, o), s.url);
    o.mirror = "http://127.0.0.1:9/m/";
    EXPECT_EQ(fetch_url(s, o), "http://127.0.0.1:9/m/ea-edubase-api-prod.azurewebsites.net/edubase/downloads/public/edubasealldata20240617.csv");
    s.url = "shared:hubs/x.csv";
    EXPECT_EQ(fetch_url(s, o), "http://127.0.0.1:9/m/shared/hubs/x.csv");
    o.mirror.reset();
    o.shared_data = "/data/shared";
    EXPECT_EQ(fetch_url(s, o), "file:///data/shared/hubs/x.csv");
}

TEST(FetchSelection, RegionsAndAuthoritiesResolveAgainstTheOnsLookups) {
    COLDSPOT_REQUIRE_SHARED("lookups/lad24_region24_en.csv");
    const AreaLookup lookup = real_lookup();
    EXPECT_EQ(lookup.districts.size(), 296u); // England's LADs, May 2024
    EXPECT_EQ(lookup.regions().size(), 9u);
    const Selection eoe = select_region(lookup, "east of ENGLAND");
    EXPECT_EQ(eoe.label, "East of England");
    EXPECT_EQ(eoe.districts.size(), 45u); // rows of the ONS lookup with that region (counted by awk)
    EXPECT_EQ(eoe.upper_tier.size(), 11u); // Beds x3, Cambs, Peterborough, Essex, Southend, Thurrock, Herts, Norfolk, Suffolk
    EXPECT_TRUE(eoe.districts.count("E07000098")); // Hertsmere

    const Selection herts = select_authorities(lookup, {"Hertfordshire"});
    EXPECT_EQ(herts.districts.size(), 10u);
    EXPECT_EQ(herts.upper_tier, std::set<std::string>{"E10000015"});
    const Selection two = select_authorities(lookup, {"e07000098", "Rutland"});
    EXPECT_EQ(two.districts, (std::set<std::string>{"E06000017", "E07000098"}));
    EXPECT_EQ(two.label, "Hertsmere, Rutland");
    EXPECT_EQ(select_authorities(lookup, {"Kings Lynn & West Norfolk"}).districts, std::set<std::string>{"E07000146"});
    EXPECT_EQ(select_england(lookup).districts.size(), 296u);
}

TEST(FetchSelection, ANameMatchingNothingSuggestsTheNearest) {
    COLDSPOT_REQUIRE_SHARED("lookups/lad24_region24_en.csv");
    const AreaLookup lookup = real_lookup();
    try {
        select_region(lookup, "East of Englund");
        FAIL() << "no exception";
    } catch (const UnknownAreaError& e) {
        ASSERT_FALSE(e.suggestions().empty());
        EXPECT_EQ(e.suggestions().front(), "East of England");
        EXPECT_NE(std::string(e.what()).find("no region called 'East of Englund'"), std::string::npos);
    }
    try {
        select_authorities(lookup, {"Rutland", "Hertsmear"});
        FAIL() << "no exception";
    } catch (const UnknownAreaError& e) {
        EXPECT_EQ(e.suggestions().front(), "Hertsmere");
    }
    // An exact type a CLI maps to exit code 2 (bad arguments).
    EXPECT_THROW(select_region(lookup, "Narnia"), InvalidArgumentError);
}

TEST(FetchSelection, NearestNamesRanksByEditDistance) {
    EXPECT_EQ(nearest_names("Bedfrod", {"Bradford", "Bedford", "Bolton"}, 2), (std::vector<std::string>{"Bedford", "Bradford"}));
    EXPECT_EQ(normalise_name("King's Lynn & West  Norfolk"), "kings lynn and west norfolk");
}
