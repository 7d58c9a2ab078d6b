// Every kind of bad input the foundation issue lists: each gives a clear error or a report entry
// naming file, line and field; none crashes; none leaves a partial workspace.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/geos.hpp"
#include "coldspot/geo/import/importer.hpp"
#include "coldspot/geo/workspace.hpp"
#include "import_fixtures.hpp"

#include <map>

using namespace coldspot;
using namespace coldspot::geo;
using namespace coldspot::geo::import;
using coldspot::test::write_file;

namespace {

class BadInput : public ::testing::Test {
protected:
    void SetUp() override {
        test::write_districts(dir_ / "districts.geojson");
        write_file(dir_ / "schools.csv", std::string(test::kSchoolsHeader) + "1,A,Primary,Open,505000,205000\n");
        manifest_ = test::base_manifest(dir_.path());
        // An existing good workspace that a failed import must leave untouched.
        import_workspace(parse_manifest(manifest_, dir_ / "manifest.json"), output());
    }
    std::filesystem::path output() const { return dir_ / "ws.gpkg"; }
    ImportResult run() { return import_workspace(parse_manifest(manifest_, dir_ / "manifest.json"), output()); }

    /// The old workspace is intact and no temporary file is left beside it.
    void expect_untouched() const {
        EXPECT_EQ(Workspace(output()).read("schools").features.size(), 1u);
        std::size_t files = 0;
        for (const auto& e : std::filesystem::directory_iterator(dir_.path()))
            if (e.path().filename().string().find(".tmp-") != std::string::npos) ++files;
        EXPECT_EQ(files, 0u);
    }

    static const ReportEntry* find(const ImportResult& r, const std::string& action, std::size_t line) {
        for (const auto& e : r.report.entries())
            if (e.action == action && e.line == line) return &e;
        return nullptr;
    }

    test::TempDir dir_;
    nlohmann::json manifest_;
};

} // namespace

TEST_F(BadInput, MissingFileNamesTheFile) {
    manifest_["schools"]["path"] = "nope.csv";
    try {
        run();
        FAIL() << "expected FileNotFoundError";
    } catch (const FileNotFoundError& e) {
        EXPECT_EQ(e.where().file, (dir_ / "nope.csv").string());
    }
    expect_untouched();
}

TEST_F(BadInput, EmptyFile) {
    write_file(dir_ / "schools.csv", "");
    EXPECT_THROW(run(), EmptyInputError);
    write_file(dir_ / "schools.csv", test::kSchoolsHeader);
    EXPECT_THROW(run(), EmptyInputError); // a header and no rows
    expect_untouched();
}

TEST_F(BadInput, WrongDelimiterSaysSo) {
    write_file(dir_ / "schools.csv", "urn;name;phase;status;easting;northing\n1;A;Primary;Open;505000;205000\n");
    try {
        run();
        FAIL() << "expected MissingColumnError";
    } catch (const MissingColumnError& e) {
        EXPECT_EQ(e.where().file, (dir_ / "schools.csv").string());
        EXPECT_EQ(e.where().line, 1u);
        EXPECT_NE(std::string(e.what()).find("delimiter"), std::string::npos) << e.what();
    }
    expect_untouched();
}

TEST_F(BadInput, MissingMappedColumnNamesIt) {
    manifest_["schools"]["columns"]["pupils"] = "NumberOfPupils";
    try {
        run();
        FAIL() << "expected MissingColumnError";
    } catch (const MissingColumnError& e) {
        EXPECT_EQ(e.where().field, "NumberOfPupils");
        EXPECT_EQ(e.where().line, 1u);
    }
    expect_untouched();
}

TEST_F(BadInput, RowProblemsAreReportedWithLineAndField) {
    write_file(dir_ / "schools.csv", std::string(test::kSchoolsHeader) +
                                         "1,A,Primary,Open,505000,205000\n"       // line 2: fine
                                         "2,B,Primary,Open,505000\n"              // line 3: malformed (5 fields)
                                         "3,C,Primary,Open,five,205000\n"         // line 4: non-numeric easting
                                         "4,D,Primary,Open,900000,205000\n"       // line 5: outside England
                                         "1,E,Primary,Open,506000,206000\n"       // line 6: duplicate URN 1
                                         "5,F,Primary,Open,,\n"                   // line 7: no coordinates
                                         "six,G,Primary,Open,506000,206000\n"     // line 8: URN not a number
                                         "7,H,Secondary,Open,515000,205000\n");   // line 9: fine
    const ImportResult r = run();
    const auto& datasets = r.report.datasets();
    const auto& rec = *std::find_if(datasets.begin(), datasets.end(), [](const auto& d) { return d.dataset == "schools"; });
    EXPECT_EQ(rec.rows_read, 8);
    EXPECT_EQ(rec.rows_kept, 2);
    EXPECT_EQ(rec.rows_rejected, 6);
    const std::string file = (dir_ / "schools.csv").string();
    struct Expected {
        std::size_t line;
        const char* key;
        const char* field;
        const char* words;
    };
    for (const Expected& x : {Expected{3, "2", "", "malformed"}, Expected{4, "3", "easting", "non-numeric"},
                              Expected{5, "4", "easting", "outside England"}, Expected{6, "1", "urn", "duplicate"},
                              Expected{7, "5", "easting", "no coordinates"}, Expected{8, "six", "urn", "not a positive integer"}}) {
        const ReportEntry* e = find(r, "rejected", x.line);
        ASSERT_NE(e, nullptr) << "line " << x.line;
        EXPECT_EQ(e->file, file);
        EXPECT_EQ(e->key, x.key) << "line " << x.line;
        EXPECT_EQ(e->field, x.field) << "line " << x.line;
        EXPECT_NE(e->reason.find(x.words), std::string::npos) << e->reason;
    }
    // The workspace holds the report too.
    const FeatureTable report = Workspace(output()).read("import_report");
    EXPECT_EQ(report.features.size(), r.report.entries().size());
}

// GIAS writes 0,0 for an unknown location. Such a pair is never a place (0,0 in EPSG:27700 lies
// off the Isles of Scilly, outside England): the row falls through to the next coordinate pair, and
// is rejected with the placeholder named when no pair is left.
TEST_F(BadInput, GiasZeroZeroPlaceholderIsNotALocation) {
    manifest_["schools"]["coordinates"] = nlohmann::json::array(
        {{{"x", "easting"}, {"y", "northing"}, {"crs", "EPSG:27700"}}, {{"x", "pc_x"}, {"y", "pc_y"}, {"crs", "EPSG:27700"}}});
    write_file(dir_ / "schools.csv", "urn,name,phase,status,easting,northing,pc_x,pc_y\n"
                                     "1,A,Primary,Open,505000,205000,,\n"     // line 2: first pair
                                     "2,B,Primary,Open,0,0,,\n"               // line 3: placeholder, no other pair
                                     "3,C,Primary,Open,0,0,507000,207000\n"   // line 4: placeholder, then the second pair
                                     "4,D,Primary,Open,0,0,0,0\n");           // line 5: placeholder in both
    const ImportResult r = run();
    const FeatureTable schools = Workspace(output()).read("schools");
    std::map<std::int64_t, Point> kept;
    for (const auto& f : schools.features) kept[f.fid] = std::get<Point>(f.geometry);
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_EQ(kept.at(1).x(), 505000);
    EXPECT_EQ(kept.at(3).x(), 507000);
    EXPECT_EQ(kept.at(3).y(), 207000);
    for (const std::size_t line : {3u, 5u}) {
        const ReportEntry* e = find(r, "rejected", line);
        ASSERT_NE(e, nullptr) << "line " << line;
        EXPECT_EQ(e->key, std::to_string(line - 1));
        EXPECT_EQ(e->field, "easting");
        EXPECT_NE(e->reason.find("0,0 (GIAS's placeholder for unknown)"), std::string::npos) << e->reason;
    }
    EXPECT_EQ(find(r, "rejected", 4), nullptr);
}

TEST_F(BadInput, UnknownCrsIsAManifestErrorNamingTheEntry) {
    manifest_["schools"]["coordinates"][0]["crs"] = "EPSG:999999";
    try {
        run();
        FAIL() << "expected ManifestError";
    } catch (const ManifestError& e) {
        EXPECT_EQ(e.where().file, (dir_ / "manifest.json").string());
        EXPECT_EQ(e.where().field, "/schools/coordinates/0/crs");
    }
    expect_untouched();
}

TEST_F(BadInput, InvalidPolygonIsRepairedAndReported) {
    // D2 drawn as a bow tie: two triangles of 25 km2 each once repaired.
    const std::string bow = R"({"type":"Feature","properties":{"code":"D2","name":"Bow"},"geometry":{"type":"Polygon","coordinates":)"
                            R"([[[510000,200000],[520000,210000],[520000,200000],[510000,210000],[510000,200000]]]}})";
    write_file(dir_ / "districts.geojson",
               test::feature_collection_27700({test::square_feature("D1", "One", 500000, 200000, 10000), bow}));
    const ImportResult r = run();
    const FeatureTable* lads = r.layer("local_authorities");
    ASSERT_NE(lads, nullptr);
    ASSERT_EQ(lads->features.size(), 2u);
    const auto& d2 = std::get<MultiPolygon>(lads->features[1].geometry);
    EXPECT_EQ(invalid_reason(d2), "");
    EXPECT_NEAR(bg::area(d2), 50e6, 1.0);
    const ReportEntry* e = find(r, "repaired", 2);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->key, "D2");
    EXPECT_EQ(e->field, "geometry");
    EXPECT_NE(e->reason.find("Self-intersection"), std::string::npos) << e->reason;
}

TEST_F(BadInput, GzipThatIsNotGzip) {
    write_file(dir_ / "districts.geojson.gz", "{\"type\":\"FeatureCollection\",\"features\":[]}");
    manifest_["local_authorities"]["path"] = "districts.geojson.gz";
    try {
        run();
        FAIL() << "expected FormatError";
    } catch (const FormatError& e) {
        EXPECT_EQ(e.where().file, (dir_ / "districts.geojson.gz").string());
    }
    expect_untouched();
}

TEST_F(BadInput, BoundaryFileThatIsNotGeodata) {
    write_file(dir_ / "districts.geojson", "this is not json");
    EXPECT_THROW(run(), FormatError);
    expect_untouched();
}

TEST_F(BadInput, ManifestThatIsNotJsonOrLacksEntries) {
    write_file(dir_ / "m.json", "{ not json");
    EXPECT_THROW(read_manifest(dir_ / "m.json"), ManifestError);
    manifest_["schools"].erase("columns");
    try {
        parse_manifest(manifest_, dir_ / "manifest.json");
        FAIL() << "expected ManifestError";
    } catch (const ManifestError& e) {
        EXPECT_EQ(e.where().field, "/schools/columns");
    }
    EXPECT_THROW(read_manifest(dir_ / "absent.json"), FileNotFoundError);
}

TEST_F(BadInput, CliReportsInputErrorsWithExitCode3AndNoWorkspace) {
    manifest_["schools"]["path"] = "nope.csv";
    const auto m = test::write_manifest(dir_.path(), manifest_);
    const auto r = test::run_cli({"import", m.string(), "-o", (dir_ / "fresh.gpkg").string()});
    EXPECT_EQ(r.exit_code, 3) << r.output;
    EXPECT_NE(r.output.find("nope.csv"), std::string::npos) << r.output;
    EXPECT_FALSE(std::filesystem::exists(dir_ / "fresh.gpkg"));
}
