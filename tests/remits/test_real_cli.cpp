// End to end on real data: `coldspot import` of the East of England manifest, then
// `coldspot remits`, checked against lists derived here from the hub and school CSVs.
#include "real_data.hpp"

#include "coldspot/geo/remits/polygon_index.hpp"
#include "coldspot/geo/workspace.hpp"

#include <gtest/gtest.h>

#include <set>

namespace coldspot::test::remits {
namespace {

TEST(RemitsRealData, EastOfEnglandImportThenRemitsMatchesHubCsv) {
    COLDSPOT_REQUIRE_SHARED("hubs/teaching_school_hubs_2025_area_lad24.csv");
    COLDSPOT_REQUIRE_SHARED("schools/schools_gias2024_composite_geocoded.csv");
    ASSERT_TRUE(std::filesystem::exists(cli())) << cli();  // test targets depend on coldspot
    TempDir tmp;
    const auto ws = tmp / "eoe.gpkg";
    const auto imported = run_cli({"import", (source_dir() / "data/manifests/east_of_england.json").string(), "-o", ws.string(), "--quiet"});
    ASSERT_EQ(imported.exit_code, 0) << imported.output;
    const auto r = run_cli({"remits", ws.string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;

    // From the CSV: the East of England areas (EE*), and for each district the areas listing it.
    std::map<std::string, std::set<std::string>> areas_of_district;
    std::set<std::string> ee_areas;
    for (const auto& row : read_csv(shared_data() / "hubs/teaching_school_hubs_2025_area_lad24.csv")) {
        if (row.at("tsh_area_code").rfind("EE", 0) != 0) continue;
        ee_areas.insert("teaching-school-hub:" + row.at("tsh_area_code"));
        areas_of_district[row.at("lad24_code")].insert("teaching-school-hub:" + row.at("tsh_area_code"));
    }
    std::set<std::string> expected_overlap;
    for (const auto& [lad, areas] : areas_of_district)
        if (areas.size() > 1) expected_overlap.insert(*areas.begin() + ";" + *areas.rbegin());

    const geo::Workspace out(ws);
    const auto gaps = out.read("remit_gaps");
    double gap_km2 = 0;
    for (const auto& f : gaps.features) gap_km2 += *geo::as_number(f.values[gaps.require_field("area_km2")]);
    EXPECT_LT(gap_km2, 0.01) << "the 2025 areas cover the whole region";

    const auto overlaps = out.read("remit_overlaps");
    std::set<std::string> got_overlap;
    for (const auto& f : overlaps.features) {
        const std::string ids = geo::as_text(f.values[overlaps.require_field("hub_ids")]);
        // Sort the pair the way the expected set is built.
        const auto semi = ids.find(';');
        ASSERT_NE(semi, std::string::npos) << ids;
        const std::string a = ids.substr(0, semi), b = ids.substr(semi + 1);
        got_overlap.insert(std::min(a, b) + ";" + std::max(a, b));
    }
    EXPECT_EQ(got_overlap, expected_overlap); // East Suffolk: EE10 and EE6

    const auto dashboard = out.read("hub_dashboard");
    std::set<std::string> got_hubs;
    for (const auto& f : dashboard.features) got_hubs.insert(geo::as_text(f.values[dashboard.require_field("hub_id")]));
    EXPECT_EQ(got_hubs, ee_areas);

    // Every school's hubs are the areas the CSV lists for the district Coldspot placed it in.
    // (The district itself is checked against R/sf in test_real_assignment.cpp through LSOAs.)
    const auto schools = out.read("schools");
    const auto sr = out.read("school_remits");
    std::map<std::string, std::set<std::string>> hubs_of_school;
    for (const auto& f : sr.features)
        hubs_of_school[geo::as_text(f.values[sr.require_field("urn")])].insert(geo::as_text(f.values[sr.require_field("hub_id")]));
    int checked = 0, mismatched = 0;
    std::string examples;
    for (const auto& f : schools.features) {
        const std::string lad = geo::as_text(f.values[schools.require_field("remit_lad_code")]);
        if (lad.empty()) continue;
        const std::string urn = geo::as_text(f.values[schools.require_field("urn")]);
        ++checked;
        const auto it = areas_of_district.find(lad);
        const std::set<std::string> expected = it == areas_of_district.end() ? std::set<std::string>{} : it->second;
        if (hubs_of_school[urn] != expected) {
            ++mismatched;
            if (examples.size() < 300) examples += urn + " in " + lad + "; ";
        }
    }
    EXPECT_GT(checked, 2600);
    EXPECT_EQ(mismatched, 0) << examples;

    // The overlay (GEOS) and the assignment (point in each footprint) agree: a school inside a
    // zone polygon has exactly the zone's hub set.
    const auto zones = out.read("remit_zones");
    std::vector<geo::MultiPolygon> zone_polygons;
    std::vector<std::string> zone_keys;
    for (const auto& f : zones.features) {
        zone_polygons.push_back(std::get<geo::MultiPolygon>(f.geometry));
        zone_keys.push_back(geo::as_text(f.values[zones.require_field("hub_ids")]));
    }
    const geo::remits::PolygonIndex zone_index(zone_polygons, zone_keys);
    int in_zone = 0, zone_mismatch = 0;
    for (const auto& f : schools.features) {
        const auto* p = std::get_if<geo::Point>(&f.geometry);
        if (!p) continue;
        const auto hit = zone_index.locate(*p, geo::Metres(0));
        if (!hit || hit->placement != geo::remits::Placement::Interior) continue;
        ++in_zone;
        std::string mine;
        for (const auto& id : hubs_of_school[geo::as_text(f.values[schools.require_field("urn")])]) mine += (mine.empty() ? "" : ";") + id;
        std::set<std::string> want;
        std::string key = zone_keys[hit->polygon];
        for (std::size_t start = 0; start <= key.size();) {
            const auto end = std::min(key.find(';', start), key.size());
            want.insert(key.substr(start, end - start));
            start = end + 1;
        }
        std::string wanted;
        for (const auto& id : want) wanted += (wanted.empty() ? "" : ";") + id;
        if (mine != wanted) ++zone_mismatch;
    }
    EXPECT_GT(in_zone, 2600);
    EXPECT_EQ(zone_mismatch, 0);
}

} // namespace
} // namespace coldspot::test::remits
