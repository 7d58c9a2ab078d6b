// Date filters: "the schools open on 1 September 2021" from a register's open and close dates, as
// data/manifests/england_2021.json asks. Each row's answer is worked out by hand below.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/import/importer.hpp"
#include "coldspot/geo/import/manifest.hpp"
#include "import_fixtures.hpp"

#include <fstream>
#include <set>

using namespace coldspot;
using namespace coldspot::geo;
using namespace coldspot::geo::import;
using coldspot::test::write_file;

namespace {

/// Schools with GIAS's dd-mm-yyyy open and close dates, around the day 2021-09-01.
void write_register(const std::filesystem::path& dir, const std::string& extra_row = "") {
    write_file(dir / "schools.csv", "urn,name,phase,status,easting,northing,open_date,close_date\n"
                                    "201,Old School,Primary,Open,505000,205000,,\n"                    // no dates: open
                                    "202,Opened Long Ago,Primary,Open,506000,205000,01-09-1975,\n"     // open
                                    "203,Opened That Day,Primary,Open,507000,205000,01-09-2021,\n"     // open on the day
                                    "204,Opened Next Day,Primary,Open,508000,205000,02-09-2021,\n"     // not yet open
                                    "205,Closed Before,Primary,Closed,509000,205000,01-01-1990,31-08-2021\n" // closed
                                    "206,Closed That Day,Primary,Closed,505500,205500,,01-09-2021\n"  // closed on the day
                                    "207,Closed Later,Primary,Closed,506500,205500,,02-09-2021\n"     // open that day
                                    "208,Leap Day,Primary,Open,507500,205500,29-02-2020,\n" +         // open
                                        extra_row);
}

nlohmann::json open_on_2021_09_01(const std::filesystem::path& dir) {
    auto m = test::base_manifest(dir);
    m["schools"]["filters"] = {
        {"open_date", {{"date", "DD-MM-YYYY"}, {"on_or_before", "2021-09-01"}, {"empty", "keep"}}},
        {"close_date", {{"date", "DD-MM-YYYY"}, {"after", "2021-09-01"}, {"empty", "keep"}}}};
    return m;
}

std::set<std::int64_t> urns(const ImportResult& r) {
    std::set<std::int64_t> out;
    for (const auto& f : r.layer("schools")->features) out.insert(f.fid);
    return out;
}

} // namespace

TEST(DateFilters, ParseDateKnowsRealDaysInEachFormat) {
    EXPECT_EQ(parse_date("01-09-2021", "DD-MM-YYYY"), 20210901);
    EXPECT_EQ(parse_date("01/09/2021", "DD/MM/YYYY"), 20210901);
    EXPECT_EQ(parse_date("2021-09-01", "YYYY-MM-DD"), 20210901);
    EXPECT_EQ(parse_date("29-02-2020", "DD-MM-YYYY"), 20200229);
    EXPECT_FALSE(parse_date("29-02-2021", "DD-MM-YYYY")); // not a leap year
    EXPECT_FALSE(parse_date("31-04-2021", "DD-MM-YYYY")); // April has 30 days
    EXPECT_FALSE(parse_date("01-13-2021", "DD-MM-YYYY"));
    EXPECT_FALSE(parse_date("2021-09-01", "DD-MM-YYYY")); // another format
    EXPECT_FALSE(parse_date("1-9-2021", "DD-MM-YYYY"));
    EXPECT_FALSE(parse_date("01-09-2021", "MM-DD-YYYY")); // unknown format
}

TEST(DateFilters, SchoolsOpenOnADayFromOpenAndCloseDates) {
    test::TempDir dir;
    test::write_districts(dir / "districts.geojson");
    write_register(dir.path());
    const auto r = build_layers(parse_manifest(open_on_2021_09_01(dir.path()), dir / "manifest.json"));
    EXPECT_EQ(urns(r), (std::set<std::int64_t>{201, 202, 203, 207, 208}));
}

TEST(DateFilters, ACellThatIsNotADateNamesFileRowAndColumn) {
    test::TempDir dir;
    test::write_districts(dir / "districts.geojson");
    write_register(dir.path(), "209,Typo School,Primary,Open,508500,205500,31-09-2020,\n");
    try {
        build_layers(parse_manifest(open_on_2021_09_01(dir.path()), dir / "manifest.json"));
        FAIL() << "a date filter read '31-09-2020' as a date";
    } catch (const FormatError& e) {
        EXPECT_EQ(e.where().file, (dir / "schools.csv").string());
        EXPECT_EQ(e.where().line, 10u); // the header is line 1
        EXPECT_EQ(e.where().field, "open_date");
        EXPECT_NE(e.reason().find("'31-09-2020' is not a date in DD-MM-YYYY"), std::string::npos) << e.reason();
    }
}

TEST(DateFilters, ABadDateFilterInTheManifestNamesItsPath) {
    test::TempDir dir;
    auto expect_manifest_error = [&](nlohmann::json filter, const std::string& field, const std::string& words) {
        auto m = test::base_manifest(dir.path());
        m["schools"]["filters"] = {{"open_date", std::move(filter)}};
        try {
            parse_manifest(m, dir / "manifest.json");
            FAIL() << "accepted a bad date filter for " << field;
        } catch (const ManifestError& e) {
            EXPECT_EQ(e.where().field, field);
            EXPECT_NE(e.reason().find(words), std::string::npos) << e.reason();
        }
    };
    expect_manifest_error({{"date", "MM/DD/YYYY"}, {"after", "2021-09-01"}}, "/schools/filters/open_date/date", "DD-MM-YYYY");
    expect_manifest_error({{"date", "DD-MM-YYYY"}, {"after", "01-09-2021"}}, "/schools/filters/open_date/after", "YYYY-MM-DD");
    expect_manifest_error({{"date", "DD-MM-YYYY"}}, "/schools/filters/open_date", "on_or_before");
    expect_manifest_error({{"date", "DD-MM-YYYY"}, {"after", "2021-09-01"}, {"empty", "maybe"}}, "/schools/filters/open_date/empty",
                          "keep");
}

TEST(DateFilters, RealRegisterTheEastOfEngland2021SchoolsAreThoseOpenOn1September2021) {
    COLDSPOT_REQUIRE_SHARED("schools/schools_gias2024_composite_geocoded.csv");
    // The schools and districts of the shipped 2021 manifest, imported with its date filters and
    // without them; the dated set must be exactly the undated set's schools that were open on the
    // day by a second reading of the register's dates here (yyyymmdd strings compared as text).
    std::ifstream in(test::source_dir() / "data/manifests/east_of_england_2021.json");
    const auto shipped = nlohmann::json::parse(in);
    nlohmann::json m = {{"name", "2021 schools"},
                        {"base_dir", test::shared_data().string()},
                        {"schools", shipped["schools"]},
                        {"local_authorities", shipped["local_authorities"]}};
    ASSERT_TRUE(m["schools"]["filters"].contains("open_date"));
    const auto dated = urns(build_layers(parse_manifest(m, test::source_dir() / "data/manifests/east_of_england_2021.json")));
    m["schools"]["filters"].erase("open_date");
    m["schools"]["filters"].erase("close_date");
    const auto all = urns(build_layers(parse_manifest(m, test::source_dir() / "data/manifests/east_of_england_2021.json")));

    CsvReader csv(test::shared_data() / "schools/schools_gias2024_composite_geocoded.csv");
    const auto urn_c = csv.require_column("urn"), open_c = csv.require_column("open_date"), close_c = csv.require_column("close_date");
    auto ymd = [](const std::string& dmy) { return dmy.empty() ? std::string() : dmy.substr(6, 4) + dmy.substr(3, 2) + dmy.substr(0, 2); };
    std::set<std::int64_t> expected;
    CsvRecord row;
    std::size_t opened_after = 0, closed_in_2021_22 = 0;
    while (csv.next(row)) {
        const auto urn = std::stoll(row.fields[urn_c]);
        if (!all.count(urn)) continue;
        const std::string opened = ymd(row.fields[open_c]), closed = ymd(row.fields[close_c]);
        const bool open = (opened.empty() || opened <= "20210901") && (closed.empty() || closed > "20210901");
        if (open) expected.insert(urn);
        opened_after += !opened.empty() && opened > "20210901";
        closed_in_2021_22 += !closed.empty() && closed > "20210901";
    }
    EXPECT_EQ(dated, expected);
    // Both kinds of school the old filter (no close date in the July 2022 register) got wrong are here.
    EXPECT_GT(opened_after, 0u);
    EXPECT_GT(closed_in_2021_22, 0u);
    EXPECT_GT(dated.size(), 2000u);
}
