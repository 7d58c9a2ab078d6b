// The importer on hand-made inputs whose answers are known exactly: hub footprints dissolved from
// districts, tables joined by key, venues placed at lead schools, areas joined to deprivation.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/import/importer.hpp"
#include "coldspot/geo/workspace.hpp"
#include "import_fixtures.hpp"

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

using namespace coldspot;
using namespace coldspot::geo;
using namespace coldspot::geo::import;
using coldspot::test::write_file;

namespace {

Value value(const FeatureTable& t, const Feature& f, const std::string& field) { return f.values[t.require_field(field)]; }

const Feature& by_fid(const FeatureTable& t, std::int64_t fid) {
    for (const auto& f : t.features)
        if (f.fid == fid) return f;
    throw std::runtime_error("no feature " + std::to_string(fid));
}

class Fixture : public ::testing::Test {
protected:
    void SetUp() override {
        test::write_districts(dir_ / "districts.geojson");
        write_file(dir_ / "schools.csv", std::string(test::kSchoolsHeader) +
                                             "101,Alpha Primary,Primary,Open,505000,205000\n"
                                             "102,Beta Academy,Secondary,Open,515000,205000\n"
                                             "103,Gamma School,Primary,Open,525000,205000\n"
                                             "104,Closed School,Primary,Closed,506000,206000\n"
                                             "105,Coastal School,Primary,Open,530500,205000\n"   // 500 m east of D3
                                             "106,Far Away School,Primary,Open,560000,205000\n"); // 30 km away
        write_file(dir_ / "census.csv", "URN,NOR,NUMFSM\n101,200,50\n102,1000,SUPP\n999,10,1\n104,50,5\n");
        write_file(dir_ / "hubs.csv", "area,hub,lead,lad,part\n"
                                      "H1,Hub One,101,D1,whole\n"
                                      "H1,Hub One,101,D2,west\n"
                                      "H2,Hub Two,103,D2,east\n"
                                      "H2,Hub Two,103,D3,whole\n"
                                      "H2,Hub Two,103,D9,whole\n"); // D9 does not exist
        manifest_ = test::base_manifest(dir_.path());
        manifest_["schools"]["filters"] = {{"status", {"Open"}}};
        manifest_["school_tables"] = nlohmann::json::array(
            {{{"name", "census"}, {"path", "census.csv"}, {"key", "URN"},
              {"columns", {{"pupils", "NOR"}, {"fsm_count", {{"column", "NUMFSM"}, {"type", "integer"}}}}}}});
        manifest_["hubs"] = nlohmann::json::array({{{"type", "Teaching School Hub"}, {"path", "hubs.csv"}, {"id", "area"},
                                                    {"name", "hub"}, {"lead_urn", "lead"}, {"district", "lad"}, {"part", "part"}}});
        result_ = build_layers(parse_manifest(manifest_, dir_ / "manifest.json"));
    }
    test::TempDir dir_;
    nlohmann::json manifest_;
    ImportResult result_;
};

} // namespace

TEST_F(Fixture, SchoolsAreFilteredAssignedToDistrictsAndSnapped) {
    const FeatureTable& s = *result_.layer("schools");
    ASSERT_EQ(s.features.size(), 4u); // 101, 102, 103, 105 (104 closed, 106 outside the study area)
    EXPECT_EQ(as_text(value(s, by_fid(s, 101), "lad_code")), "D1");
    EXPECT_EQ(as_text(value(s, by_fid(s, 102), "lad_code")), "D2");
    EXPECT_EQ(as_text(value(s, by_fid(s, 105), "lad_code")), "D3"); // snapped from 500 m outside
    EXPECT_DOUBLE_EQ(*as_number(value(s, by_fid(s, 101), "x")), 505000.0);
    const auto& entries = result_.report.entries();
    auto has = [&](const std::string& key, const std::string& action) {
        return std::any_of(entries.begin(), entries.end(), [&](const auto& e) { return e.key == key && e.action == action; });
    };
    EXPECT_TRUE(has("105", "snapped"));
    EXPECT_TRUE(has("106", "outside-study-area"));
    EXPECT_EQ(result_.report.datasets()[1].rows_rejected, 1); // schools: 106 (the districts dataset is first)
}

TEST_F(Fixture, TablesJoinByUrnAndUnmatchedKeysAreReported) {
    const FeatureTable& s = *result_.layer("schools");
    EXPECT_EQ(std::get<std::int64_t>(value(s, by_fid(s, 101), "pupils")), 200);
    EXPECT_EQ(std::get<std::int64_t>(value(s, by_fid(s, 101), "fsm_count")), 50);
    EXPECT_TRUE(is_null(value(s, by_fid(s, 102), "fsm_count"))); // SUPP
    EXPECT_TRUE(is_null(value(s, by_fid(s, 103), "pupils")));    // not in the census
    const auto& entries = result_.report.entries();
    const auto unmatched = std::find_if(entries.begin(), entries.end(), [](const auto& e) { return e.action == "unmatched" && e.key == "999"; });
    ASSERT_NE(unmatched, entries.end());
    EXPECT_EQ(unmatched->line, 4u);
    // 104 is a real school filtered out (closed): counted as outside the study area, not unmatched.
    EXPECT_FALSE(std::any_of(entries.begin(), entries.end(), [](const auto& e) { return e.key == "104" && e.action == "unmatched"; }));
}

TEST_F(Fixture, HubFootprintsAreDissolvedDistricts) {
    const FeatureTable& hubs = *result_.layer("hubs");
    ASSERT_EQ(hubs.features.size(), 2u);
    const Feature& h1 = hubs.features[0];
    EXPECT_EQ(as_text(value(hubs, h1, "hub_id")), "teaching-school-hub:H1");
    EXPECT_EQ(as_text(value(hubs, h1, "districts")), "D1;D2");
    EXPECT_EQ(as_text(value(hubs, h1, "partial_districts")), "D2");
    EXPECT_EQ(std::get<std::int64_t>(value(hubs, h1, "lead_urn")), 101);
    const auto& g1 = std::get<MultiPolygon>(h1.geometry);
    EXPECT_EQ(g1.size(), 1u); // one polygon: the shared edge dissolved
    EXPECT_NEAR(bg::area(g1), 200e6, 1e-3);
    EXPECT_NEAR(*as_number(value(hubs, h1, "area_km2")), 200.0, 1e-9);
    // H2 lists D9, which has no boundary: reported, and the footprint is D2 + D3 only.
    EXPECT_NEAR(bg::area(std::get<MultiPolygon>(hubs.features[1].geometry)), 200e6, 1e-3);
    const auto& entries = result_.report.entries();
    EXPECT_TRUE(std::any_of(entries.begin(), entries.end(), [](const auto& e) {
        return e.action == "unmatched" && e.line == 6 && e.field == "lad" && e.reason.find("D9") != std::string::npos;
    }));
    EXPECT_EQ(result_.layer("hub_districts")->features.size(), 4u);
}

TEST_F(Fixture, LeadSchoolsBecomeVenues) {
    const FeatureTable& v = *result_.layer("hub_venues");
    ASSERT_EQ(v.features.size(), 2u);
    EXPECT_TRUE(bg::equals(std::get<Point>(v.features[0].geometry), Point{505000, 205000}));
    EXPECT_EQ(as_text(value(v, v.features[0], "name")), "Alpha Primary");
    EXPECT_EQ(as_text(value(v, v.features[1], "hub_id")), "teaching-school-hub:H2");
    EXPECT_EQ(as_text(value(v, v.features[1], "kind")), "lead school");
}

TEST_F(Fixture, ProvenanceRecordsEveryInputWithChecksum) {
    const FeatureTable& p = *result_.layer("provenance");
    ASSERT_EQ(p.features.size(), 4u); // districts, schools, census, hubs
    for (const auto& f : p.features) EXPECT_EQ(as_text(value(p, f, "sha256")).size(), 64u);
}

TEST(GiasPreset, ReadsTheOfficialDownloadFormat) {
    test::TempDir dir;
    // The columns of edubasealldata*.csv that the preset maps, in Windows-1252 as DfE publishes it.
    write_file(dir / "edubasealldata20240617.csv",
               "URN,LA (code),LA (name),EstablishmentNumber,EstablishmentName,TypeOfEstablishment (name),EstablishmentStatus (name),"
               "PhaseOfEducation (name),NumberOfPupils,PercentageFSM,Trusts (code),Trusts (name),Postcode,DistrictAdministrative (code),"
               "LSOA (code),Easting,Northing\r\n"
               "100000,201,City of London,3614,The Aldgate School,Voluntary aided school,Open,Primary,263,18.30,,,EC3A 5DE,E09000001,"
               "E01000005,533498,181201\r\n"
               "136776,881,Essex,4000,Saffron Walden County High School,Academy converter,Open,Secondary,2057,6.5,2512,"
               "Saffron Acad\xE9my Trust,CB11 4UH,E07000077,E01022158,554043,238321\r\n"
               "999999,881,Essex,4001,New School,Free schools,Proposed to open,Primary,,,,,,,,0,0\r\n");
    nlohmann::json m{{"base_dir", dir.path().string()},
                     {"schools", {{"path", "edubasealldata20240617.csv"}, {"preset", "gias"}, {"filters", {{"EstablishmentStatus (name)", {"Open"}}}}}}};
    const ImportResult r = build_layers(parse_manifest(m, dir / "m.json"));
    const FeatureTable& s = *r.layer("schools");
    ASSERT_EQ(s.features.size(), 2u);
    const Feature& saffron = by_fid(s, 136776);
    EXPECT_EQ(as_text(value(s, saffron, "trust_name")), "Saffron Acad\xC3\xA9my Trust"); // recoded to UTF-8
    EXPECT_EQ(std::get<std::int64_t>(value(s, saffron, "trust_uid")), 2512);
    EXPECT_EQ(std::get<std::int64_t>(value(s, saffron, "pupils")), 2057);
    EXPECT_DOUBLE_EQ(std::get<double>(value(s, saffron, "fsm_percent")), 6.5);
    EXPECT_EQ(as_text(value(s, saffron, "type")), "Academy converter");
    EXPECT_EQ(as_text(value(s, saffron, "la_code")), "881");
    EXPECT_TRUE(bg::equals(std::get<Point>(saffron.geometry), Point{554043, 238321}));
    EXPECT_TRUE(is_null(value(s, by_fid(s, 100000), "trust_name")));
}

TEST(AreasImport, DeprivationAndRuralityJoinOnCodeBothSidesReported) {
    test::TempDir dir;
    write_file(dir / "lsoa.geojson", test::feature_collection_27700({test::square_feature("E01000001", "A", 500000, 200000, 1000),
                                                                     test::square_feature("E01000002", "B", 501000, 200000, 1000),
                                                                     test::square_feature("E01000003", "C", 502000, 200000, 1000)}));
    write_file(dir / "imd.csv", "lsoa21_code,IMD_score,IMD_decile\nE01000001,45.1,1\nE01000002,5.2,10\nE01099999,1,5\n");
    write_file(dir / "ruc.csv", "lsoa21_code,ruc21_code,ruc\nE01000001,UN1,Urban\nE01000002,RLF1,Rural\nE01000003,RSN1,Rural\n");
    nlohmann::json m{{"base_dir", dir.path().string()},
                     {"areas",
                      {{"boundaries", {{"path", "lsoa.geojson"}, {"code", "code"}, {"name", "name"}}},
                       {"tables",
                        {{{"name", "IoD"}, {"path", "imd.csv"}, {"key", "lsoa21_code"},
                          {"columns", {{"imd_score", {{"column", "IMD_score"}, {"type", "real"}}}, {"imd_decile", {{"column", "IMD_decile"}, {"type", "integer"}}}}}},
                         {{"name", "RUC"}, {"path", "ruc.csv"}, {"key", "lsoa21_code"},
                          {"columns", {{"ruc_code", "ruc21_code"}, {"rural", {{"column", "ruc"}, {"equals", "Rural"}}}}}}}}}}};
    const ImportResult r = build_layers(parse_manifest(m, dir / "m.json"));
    const FeatureTable& a = *r.layer("areas");
    ASSERT_EQ(a.features.size(), 3u);
    EXPECT_DOUBLE_EQ(std::get<double>(value(a, a.features[0], "imd_score")), 45.1);
    EXPECT_EQ(std::get<std::int64_t>(value(a, a.features[1], "imd_decile")), 10);
    EXPECT_TRUE(is_null(value(a, a.features[2], "imd_score")));
    EXPECT_EQ(std::get<std::int64_t>(value(a, a.features[0], "rural")), 0);
    EXPECT_EQ(std::get<std::int64_t>(value(a, a.features[2], "rural")), 1);
    EXPECT_NEAR(std::get<double>(value(a, a.features[0], "area_km2")), 1.0, 1e-9);
    const auto& e = r.report.entries();
    // Table code with no boundary (line 4), and boundary with no table row (E01000003).
    EXPECT_TRUE(std::any_of(e.begin(), e.end(), [](const auto& x) { return x.key == "E01099999" && x.line == 4 && x.action == "unmatched"; }));
    EXPECT_TRUE(std::any_of(e.begin(), e.end(), [](const auto& x) { return x.key == "E01000003" && x.dataset == "IoD" && x.action == "unmatched"; }));
}

TEST_F(Fixture, VenuesFromACsvByUrnOrCoordinates) {
    write_file(dir_ / "venues.csv", "hub,venue,urn,lon,lat\n"
                                    "teaching-school-hub:H1,Beta hall,102,,\n"          // at school 102
                                    "teaching-school-hub:H2,Town centre,,1.716073973,52.658007833\n" // at coordinates
                                    "teaching-school-hub:H9,Nowhere,101,,\n"           // unknown hub
                                    "teaching-school-hub:H2,Lost,,,\n");               // no location
    manifest_["venues"] = nlohmann::json::array({{{"path", "venues.csv"}, {"hub", "hub"}, {"name", "venue"}, {"urn", "urn"},
                                                  {"coordinates", {{"x", "lon"}, {"y", "lat"}, {"crs", "EPSG:4326"}}}}});
    const ImportResult r = build_layers(parse_manifest(manifest_, dir_ / "manifest.json"));
    const FeatureTable& v = *r.layer("hub_venues");
    ASSERT_EQ(v.features.size(), 4u); // two lead schools + two listed venues
    EXPECT_TRUE(bg::equals(std::get<Point>(v.features[2].geometry), Point{515000, 205000}));
    EXPECT_EQ(as_text(value(v, v.features[2], "kind")), "venue");
    // Ordnance Survey's published worked example (Caister water tower): ETRS89 1.716073973 E,
    // 52.658007833 N is 651409.903 E, 313177.270 N; 6 m allows for PROJ's Helmert without OSTN15.
    const Point town = std::get<Point>(v.features[3].geometry);
    EXPECT_NEAR(town.x(), 651409.903, 6);
    EXPECT_NEAR(town.y(), 313177.270, 6);
    const auto& e = r.report.entries();
    EXPECT_TRUE(std::any_of(e.begin(), e.end(), [](const auto& x) { return x.line == 4 && x.field == "hub" && x.action == "rejected"; }));
    EXPECT_TRUE(std::any_of(e.begin(), e.end(), [](const auto& x) { return x.line == 5 && x.action == "rejected"; }));
}

TEST(HubPolygons, FootprintsGivenAsPolygonsAreTakenAsTheyAre) {
    test::TempDir dir;
    write_file(dir / "hubs.geojson", test::feature_collection_27700({test::square_feature("M1", "Maths One", 500000, 200000, 20000),
                                                                    test::square_feature("M2", "Maths Two", 510000, 200000, 20000)}));
    nlohmann::json m{{"base_dir", dir.path().string()},
                     {"hubs", {{{"type", "maths hub"}, {"form", "polygons"}, {"path", "hubs.geojson"}, {"id", "code"}, {"name", "name"}}}}};
    const ImportResult r = build_layers(parse_manifest(m, dir / "m.json"));
    const FeatureTable& hubs = *r.layer("hubs");
    ASSERT_EQ(hubs.features.size(), 2u);
    EXPECT_EQ(as_text(value(hubs, hubs.features[1], "hub_id")), "maths-hub:M2");
    EXPECT_EQ(as_text(value(hubs, hubs.features[1], "hub_type")), "maths hub");
    EXPECT_NEAR(*as_number(value(hubs, hubs.features[0], "area_km2")), 400.0, 1e-9);
    const FeatureTable* venues = r.layer("hub_venues");
    ASSERT_NE(venues, nullptr); // the layer exists, empty: no lead schools given
    EXPECT_TRUE(venues->features.empty());
}

TEST(InfoCommand, PrintsLayersCountsCrsExtentAndProvenance) {
    test::TempDir dir;
    test::write_districts(dir / "districts.geojson");
    write_file(dir / "schools.csv", std::string(test::kSchoolsHeader) + "1,A,Primary,Open,505000,205000\n2,B,Primary,Open,515000,206000\n");
    const auto manifest = test::write_manifest(dir.path(), test::base_manifest(dir.path()));
    ASSERT_EQ(test::run_cli({"import", manifest.string(), "-o", (dir / "w.gpkg").string(), "--quiet"}).exit_code, 0);
    const auto r = test::run_cli({"info", (dir / "w.gpkg").string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    // The row of a layer, as whitespace-separated tokens.
    auto row = [&](const std::string& layer) {
        std::istringstream lines(r.output);
        std::string line;
        while (std::getline(lines, line)) {
            std::istringstream words(line);
            std::vector<std::string> tokens{std::istream_iterator<std::string>(words), {}};
            if (!tokens.empty() && tokens[0] == layer) return tokens;
        }
        return std::vector<std::string>{};
    };
    EXPECT_EQ(row("schools"), (std::vector<std::string>{"schools", "Point", "EPSG:27700", "2", "505000", "205000", "515000", "206000"}));
    EXPECT_EQ(row("local_authorities"),
              (std::vector<std::string>{"local_authorities", "MultiPolygon", "EPSG:27700", "3", "500000", "200000", "530000", "210000"}));
    EXPECT_NE(r.output.find("read 2, kept 2, rejected 0; sha256 "), std::string::npos) << r.output;
    EXPECT_NE(test::run_cli({"info", (dir / "missing.gpkg").string()}).exit_code, 0);
}

// `import --report FILE` writes the report through the atomic-file helper: the CSV is whole (its header
// and one line per import_report row), nothing else is left beside it, and a report that cannot be
// written is an I/O error naming it (exit 1).
TEST(ImportCommand, ReportCsvIsWrittenWholeAndAtomically) {
    test::TempDir dir;
    test::write_districts(dir / "districts.geojson");
    write_file(dir / "schools.csv", std::string(test::kSchoolsHeader) + "1,A,Primary,Open,505000,205000\n2,B,Primary,Open,,\n");
    const auto manifest = test::write_manifest(dir.path(), test::base_manifest(dir.path()));
    const auto out = dir / "out";
    std::filesystem::create_directories(out);
    auto r = test::run_cli({"import", manifest.string(), "-o", (out / "w.gpkg").string(), "--quiet", "--report", (out / "r.csv").string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::ifstream in(out / "r.csv");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    const auto entries = Workspace(out / "w.gpkg").read("import_report").features.size();
    ASSERT_GT(entries, 0u); // school 2 has no coordinates
    ASSERT_EQ(lines.size(), entries + 1);
    EXPECT_EQ(lines.front(), "dataset,file,line,key,field,reason,action");
    std::set<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(out)) names.insert(e.path().filename().string());
    EXPECT_EQ(names, (std::set<std::string>{"r.csv", "w.gpkg"}));

    r = test::run_cli({"import", manifest.string(), "-o", (out / "w.gpkg").string(), "--quiet", "--report",
                       (out / "missing" / "r.csv").string()});
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("cannot write " + (out / "missing" / "r.csv").string()), std::string::npos) << r.output;
}
