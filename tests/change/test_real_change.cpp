// The real East of England vintages through the CLI as a user runs them (`coldspot import` twice,
// `coldspot change`), checked against tests/change/expected_change.py, which derives the answers
// straight from the source CSVs and the ONS lookup with Python's csv module.
#include "coldspot/geo/workspace.hpp"

#include "test_support.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>

namespace coldspot::test {
namespace {

using nlohmann::json;

json areas(const std::string& boundaries, const std::string& code, const std::string& lad, const std::string& table, const std::string& key) {
    return {{"boundaries", {{"path", boundaries}, {"code", code}, {"columns", {{"lad_code", lad}}}}},
            {"tables", json::array({{{"name", table.substr(table.find_last_of('/') + 1)},
                                     {"path", table},
                                     {"key", key},
                                     {"covers_more", true},
                                     {"columns", {{"imd_rank", {{"column", "IMD_rank"}, {"type", "integer"}}},
                                                  {"imd_decile", {{"column", "IMD_decile"}, {"type", "integer"}}}}}}})}};
}

json manifest(const std::string& name, json area_entry, json hub) {
    const json lads = {{"path", "boundaries/lad24_buc/lad24_england_buc.geojson"},
                       {"code", "ltla24_code"},
                       {"name", "ltla24_name"},
                       {"filters", {{"region24_name", json::array({"East of England"})}}}};
    hub["type"] = "teaching school hub";
    hub["districts"] = {{"path", "boundaries/lad24_buc/lad24_england_buc.geojson"}, {"code", "ltla24_code"}};
    return {{"name", name},
            {"base_dir", shared_data().string()},
            {"areas", std::move(area_entry)},
            {"local_authorities", lads},
            {"hubs", json::array({std::move(hub)})}};
}

void run_ok(const std::string& command) {
    const auto r = run_command(command);
    ASSERT_EQ(r.exit_code, 0) << command << "\n" << r.output;
}

TEST(RealChange, EastOfEnglandDeprivationAndHubChangesEqualAnIndependentDerivation) {
    COLDSPOT_REQUIRE_SHARED("lookups/lsoa11_lsoa21_lad22_ew.csv");
    COLDSPOT_REQUIRE_SHARED("hubs/teaching_school_hubs_2021_east_of_england_partial.csv");
    TempDir tmp;
    const json old_manifest = manifest(
        "East of England 2019/2021",
        areas("boundaries/lsoa11_sg/lsoa11_east_of_england.geojson", "lsoa11_code", "ltla22_code", "deprivation/imd2019_england_lsoa11.csv", "lsoa11_code"),
        {{"path", "hubs/teaching_school_hubs_2021_east_of_england_partial.csv"}, {"id", "hub_name"}, {"name", "hub_name"},
         {"lead_urn", "lead_school_urn"}, {"district", "lad24_code"}, {"part", "coverage_note"}, {"whole_value", ""}});
    const json new_manifest = manifest(
        "East of England 2025",
        areas("boundaries/lsoa21_bsc/lsoa21_east_of_england_bsc.geojson", "lsoa21_code", "ltla24_code", "deprivation/imd2025_england_lsoa21.csv", "lsoa21_code"),
        {{"path", "hubs/teaching_school_hubs_2025_area_lad24.csv"}, {"id", "tsh_area_code"}, {"name", "hub_name"},
         {"lead_urn", "lead_school_urn"}, {"district", "lad24_code"}, {"part", "lad_part"}, {"filters", {{"tsh_area_code", {{"prefix", "EE"}}}}}});
    std::ofstream(tmp / "old.json") << old_manifest.dump(2);
    std::ofstream(tmp / "new.json") << new_manifest.dump(2);
    const std::string cli_path = quote(cli().string());
    run_ok(cli_path + " import " + quote((tmp / "old.json").string()) + " -o " + quote((tmp / "old.gpkg").string()) + " --quiet");
    run_ok(cli_path + " import " + quote((tmp / "new.json").string()) + " -o " + quote((tmp / "new.gpkg").string()) + " --quiet");
    run_ok(cli_path + " change " + quote((tmp / "old.gpkg").string()) + " " + quote((tmp / "new.gpkg").string()) + " -o " +
           quote((tmp / "change.gpkg").string()) + " --quiet --lsoa-lookup " + quote((shared_data() / "lookups/lsoa11_lsoa21_lad22_ew.csv").string()));

    const auto py = run_command("python3 " + quote((source_dir() / "tests/change/expected_change.py").string()) + " " + quote(shared_data().string()));
    ASSERT_EQ(py.exit_code, 0) << py.output;
    const json expected = json::parse(py.output);

    const geo::Workspace ws(tmp / "change.gpkg");
    const auto t = ws.read("change_areas");
    const auto field = [&](const geo::FeatureTable& table, const geo::Feature& f, const char* name) {
        return f.values[table.require_field(name)];
    };
    long long old_deprived = 0, new_deprived = 0, entered = 0, left = 0, several_parents = 0, unknown = 0;
    for (const auto& f : t.features) {
        const auto od = geo::as_number(field(t, f, "old_decile")), nd = geo::as_number(field(t, f, "new_decile"));
        old_deprived += od && *od <= 2;
        new_deprived += nd && *nd <= 2;
        const std::string change = geo::as_text(field(t, f, "deprived_change"));
        entered += change == "entered";
        left += change == "left";
        unknown += change == "unknown";
        const std::string rule = geo::as_text(field(t, f, "rule"));
        several_parents += rule == "merged" || rule == "irregular";
    }
    EXPECT_EQ(static_cast<long long>(t.features.size()), expected["areas"].get<long long>());
    EXPECT_EQ(old_deprived, expected["deprived_old"].get<long long>());
    EXPECT_EQ(new_deprived, expected["deprived_new"].get<long long>());
    EXPECT_EQ(entered, expected["entered"].get<long long>());
    EXPECT_EQ(left, expected["left"].get<long long>());
    EXPECT_EQ(unknown, 0);
    EXPECT_EQ(several_parents, expected["merged_or_irregular"].get<long long>());
    // The published figures these come to (IoD2019 carried: 378, IoD2025: 390, 67 in, 55 out).
    EXPECT_EQ(old_deprived, 378);
    EXPECT_EQ(new_deprived, 390);

    const auto r = ws.read("change_remits");
    std::vector<std::string> changed, unknown_districts;
    for (const auto& f : r.features) {
        const std::string status = geo::as_text(field(r, f, "status")), lad = geo::as_text(field(r, f, "lad_code"));
        if (status == "changed") changed.push_back(lad);
        if (status == "unknown") unknown_districts.push_back(lad);
    }
    std::sort(changed.begin(), changed.end());
    std::sort(unknown_districts.begin(), unknown_districts.end());
    EXPECT_EQ(changed, expected["hub_changed"].get<std::vector<std::string>>());
    EXPECT_EQ(unknown_districts, expected["hub_unknown"].get<std::vector<std::string>>());
    // Babergh, Colchester, Ipswich, Tendring: Colchester County High School for Girls' hub (2021) -> Unity (2025).
    EXPECT_EQ(changed, (std::vector<std::string>{"E07000071", "E07000076", "E07000200", "E07000202"}));
    for (const auto& f : r.features)
        if (geo::as_text(field(r, f, "lad_code")) == "E07000071") {
            EXPECT_NE(geo::as_text(field(r, f, "old_hubs")).find("Colchester County High School for Girls"), std::string::npos);
            EXPECT_EQ(geo::as_text(field(r, f, "new_hubs")), "Unity Teaching School Hub");
        }
}

} // namespace
} // namespace coldspot::test
