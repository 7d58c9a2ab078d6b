// The East of England manifest on the real files in ../shared/data, checked against counts that
// tests/import/expected_east_of_england.py computes straight from the source files with Python's
// csv module (an independent reader), and against R/sf's point-in-polygon region assignment.
#include "coldspot/geo/geos.hpp"
#include "coldspot/geo/workspace.hpp"
#include "import_fixtures.hpp"

#include <boost/geometry/index/rtree.hpp>

#include <fstream>
#include <set>

using namespace coldspot;
using namespace coldspot::geo;

namespace {

struct EastOfEngland : public ::testing::Test {
    static void SetUpTestSuite() {
        if (!std::filesystem::exists(test::shared_data() / "schools/schools_gias2024_composite_geocoded.csv")) return;
        dir_ = new test::TempDir;
        const auto manifest = test::source_dir() / "data/manifests/east_of_england.json";
        const auto r = test::run_cli({"import", manifest.string(), "-o", (*dir_ / "eoe.gpkg").string(), "--quiet"});
        import_output_ = r.output;
        import_exit_ = r.exit_code;
        const auto py = test::run_command("python3 " + test::quote((test::source_dir() / "tests/import/expected_east_of_england.py").string()) +
                                          " " + test::quote(test::shared_data().string()) + " " + test::quote(manifest.string()) + " 2>/dev/null");
        expected_ = nlohmann::json::parse(py.output);
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    void SetUp() override {
        COLDSPOT_REQUIRE_SHARED("schools/schools_gias2024_composite_geocoded.csv");
        ASSERT_EQ(import_exit_, 0) << import_output_;
    }
    static Workspace workspace() { return Workspace(*dir_ / "eoe.gpkg"); }

    static std::int64_t prov(const FeatureTable& p, const std::string& dataset, const std::string& field) {
        for (const auto& f : p.features)
            if (as_text(f.values[p.require_field("dataset")]) == dataset) return std::get<std::int64_t>(f.values[p.require_field(field)]);
        ADD_FAILURE() << "no provenance for " << dataset;
        return -1;
    }

    static inline test::TempDir* dir_ = nullptr;
    static inline std::string import_output_;
    static inline int import_exit_ = -1;
    static inline nlohmann::json expected_;
};

} // namespace

TEST_F(EastOfEngland, SchoolCountsMatchTheSourceFile) {
    const Workspace ws = workspace();
    const FeatureTable p = ws.read("provenance");
    EXPECT_EQ(prov(p, "schools", "rows_read"), expected_["rows_read"].get<std::int64_t>());
    const FeatureTable report = ws.read("import_report");
    std::size_t no_coords = 0, outside = 0;
    for (const auto& f : report.features) {
        const std::string ds = as_text(f.values[report.require_field("dataset")]);
        const std::string reason = as_text(f.values[report.require_field("reason")]);
        const std::string action = as_text(f.values[report.require_field("action")]);
        if (ds != "schools") continue;
        if (action == "rejected" && reason == "no coordinates") {
            ++no_coords;
            EXPECT_GT(std::get<std::int64_t>(f.values[report.require_field("line")]), 1); // names the line
        }
        if (action == "outside-study-area") ++outside;
    }
    // Every selected school without coordinates is listed, one by one.
    EXPECT_EQ(no_coords, expected_["no_coordinates"].get<std::size_t>());
    const FeatureTable schools = ws.read("schools");
    // Kept + dropped as outside the districts = every selected row with coordinates.
    EXPECT_EQ(schools.features.size() + outside, expected_["with_coordinates"].get<std::size_t>());
    // R/sf's region assignment (LSOA 2021 BSC) agrees on at least 99.5 % of schools; the rest are
    // points within metres of the more generalised district boundary.
    std::set<std::int64_t> ours, sf(expected_["sf_in_region_urns"].begin(), expected_["sf_in_region_urns"].end());
    for (const auto& f : schools.features) ours.insert(f.fid);
    std::vector<std::int64_t> diff;
    std::set_symmetric_difference(ours.begin(), ours.end(), sf.begin(), sf.end(), std::back_inserter(diff));
    EXPECT_LE(diff.size(), sf.size() / 200) << "schools assigned differently from R/sf: " << diff.size();
}

TEST_F(EastOfEngland, EverySchoolLiesInExactlyOneDistrict) {
    const Workspace ws = workspace();
    const FeatureTable lads = ws.read("local_authorities");
    EXPECT_EQ(lads.features.size(), expected_["lads_east"].get<std::size_t>());
    std::vector<PreparedPolygon> prepared;
    for (const auto& f : lads.features) prepared.emplace_back(std::get<MultiPolygon>(f.geometry));
    const FeatureTable schools = ws.read("schools");
    const FeatureTable report = ws.read("import_report");
    std::set<std::string> snapped;
    for (const auto& f : report.features)
        if (as_text(f.values[report.require_field("action")]) == "snapped") snapped.insert(as_text(f.values[report.require_field("key")]));
    const std::size_t lad_field = schools.require_field("lad_code");
    for (const auto& s : schools.features) {
        const Point p = std::get<Point>(s.geometry);
        std::vector<std::string> covering;
        for (std::size_t i = 0; i < lads.features.size(); ++i)
            if (prepared[i].covers(p)) covering.push_back(as_text(lads.features[i].values[0]));
        if (covering.empty()) {
            // Outside the generalised coastline: must be flagged, and assigned to a district within 2 km.
            EXPECT_TRUE(snapped.count(std::to_string(s.fid))) << s.fid;
            const std::string lad = as_text(s.values[lad_field]);
            for (std::size_t i = 0; i < lads.features.size(); ++i) {
                if (as_text(lads.features[i].values[0]) == lad) {
                    EXPECT_LE(prepared[i].distance(p), 2000.0) << s.fid;
                }
            }
        } else {
            EXPECT_EQ(covering.size(), 1u) << s.fid << " on a district boundary";
            EXPECT_EQ(covering.front(), as_text(s.values[lad_field])) << s.fid;
        }
    }
}

TEST_F(EastOfEngland, LsoaJoinMatchesEveryArea) {
    const Workspace ws = workspace();
    const FeatureTable areas = ws.read("areas");
    EXPECT_EQ(areas.features.size(), expected_["areas"].get<std::size_t>());
    const std::size_t imd = areas.require_field("imd_decile"), ruc = areas.require_field("ruc_code");
    std::size_t with_imd = 0, with_ruc = 0;
    for (const auto& f : areas.features) {
        with_imd += !is_null(f.values[imd]);
        with_ruc += !is_null(f.values[ruc]);
        EXPECT_EQ(invalid_reason(std::get<MultiPolygon>(f.geometry)), "") << as_text(f.values[0]);
    }
    // The LSOA join match rate: 100 % of the region's 2021 LSOAs have IoD2025 and RUC 2021 rows.
    EXPECT_EQ(with_imd, expected_["areas_with_imd"].get<std::size_t>());
    EXPECT_EQ(with_imd, areas.features.size());
    EXPECT_EQ(with_ruc, areas.features.size());
    const FeatureTable p = ws.read("provenance");
    EXPECT_EQ(prov(p, "IoD2025", "rows_kept"), static_cast<std::int64_t>(areas.features.size()));
}

TEST_F(EastOfEngland, TablesJoinByUrn) {
    const Workspace ws = workspace();
    const FeatureTable schools = ws.read("schools");
    std::set<std::int64_t> census(expected_["census_urns"].begin(), expected_["census_urns"].end());
    std::set<std::int64_t> pp50(expected_["pp50_urns"].begin(), expected_["pp50_urns"].end());
    const std::size_t pupils = schools.require_field("pupils"), flag = schools.require_field("npq_pp50");
    for (const auto& f : schools.features) {
        // Pupils come from the census: present exactly for the URNs the census lists (NOR is
        // never suppressed in this file).
        EXPECT_EQ(!is_null(f.values[pupils]), census.count(f.fid) == 1) << f.fid;
        EXPECT_EQ(std::get<std::int64_t>(f.values[flag]), pp50.count(f.fid) ? 1 : 0) << f.fid;
    }
}

TEST_F(EastOfEngland, HubFootprintsDissolveTheListedDistricts) {
    const Workspace ws = workspace();
    const FeatureTable hubs = ws.read("hubs");
    ASSERT_EQ(hubs.features.size(), expected_["hub_areas"].get<std::size_t>());
    EXPECT_EQ(ws.read("hub_districts").features.size(), expected_["hub_district_rows"].get<std::size_t>());
    const std::size_t area_code = hubs.require_field("area_code"), districts = hubs.require_field("districts");
    for (const auto& h : hubs.features) {
        const std::string code = as_text(h.values[area_code]);
        std::vector<std::string> listed;
        for (const auto& d : expected_["hub_districts"][code]) listed.push_back(d.get<std::string>());
        std::vector<std::string> ours;
        std::string s = as_text(h.values[districts]);
        for (std::size_t pos = 0; pos <= s.size();) {
            const auto next = std::min(s.find(';', pos), s.size());
            ours.push_back(s.substr(pos, next - pos));
            pos = next + 1;
        }
        std::sort(ours.begin(), ours.end());
        EXPECT_EQ(ours, listed) << code;
        EXPECT_EQ(invalid_reason(std::get<MultiPolygon>(h.geometry)), "") << code;
    }
    EXPECT_EQ(ws.read("hub_venues").features.size(), hubs.features.size()); // every lead school located
}

TEST(EastOfEngland2011, IoD2019JoinsLsoa2011BoundariesCompletely) {
    COLDSPOT_REQUIRE_SHARED("boundaries/lsoa11_sg/lsoa11_east_of_england.geojson");
    test::TempDir dir;
    const auto manifest = test::source_dir() / "data/manifests/east_of_england_iod2019.json";
    const auto r = test::run_cli({"import", manifest.string(), "-o", (dir / "w.gpkg").string(), "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    // Independent count: features in the GeoJSON and their codes present in the IoD2019 CSV,
    // read with nlohmann::json and a plain line split (IoD2019 has no quoted commas).
    nlohmann::json fc;
    std::ifstream(test::shared_data() / "boundaries/lsoa11_sg/lsoa11_east_of_england.geojson") >> fc;
    std::set<std::string> imd_codes;
    std::ifstream csv(test::shared_data() / "deprivation/imd2019_england_lsoa11.csv");
    std::string line;
    std::getline(csv, line);
    while (std::getline(csv, line)) imd_codes.insert(line.substr(1, line.find(',') - 2));
    std::size_t expected_matched = 0;
    for (const auto& f : fc["features"]) expected_matched += imd_codes.count(f["properties"]["lsoa11_code"].get<std::string>());
    const FeatureTable areas = Workspace(dir / "w.gpkg").read("areas");
    ASSERT_EQ(areas.features.size(), fc["features"].size());
    const std::size_t decile = areas.require_field("imd_decile"), rural = areas.require_field("rural");
    std::size_t matched = 0, with_rural = 0;
    for (const auto& f : areas.features) {
        matched += !is_null(f.values[decile]);
        with_rural += !is_null(f.values[rural]);
    }
    EXPECT_EQ(matched, expected_matched);
    EXPECT_EQ(matched, areas.features.size()); // 100 % match, as the data's PROVENANCE states
    EXPECT_EQ(with_rural, areas.features.size());
}
