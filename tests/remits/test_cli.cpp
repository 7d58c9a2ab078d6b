// `coldspot remits` as a user runs it, on the strip fixture written as a workspace.
#include "workspace_fixture.hpp"

#include "coldspot/geo/workspace.hpp"

#include <gtest/gtest.h>

#include <iterator>
#include <sstream>

namespace coldspot::test::remits {
namespace {

// Test targets depend on the coldspot target (tests/CMakeLists.txt), so the CLI is always built.
#define REQUIRE_CLI() ASSERT_TRUE(std::filesystem::exists(cli())) << cli()

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

TEST(RemitsCli, PrintsSummaryAndHubTableAndWritesLayers) {
    REQUIRE_CLI();
    TempDir tmp;
    const auto ws = write_workspace(tmp, fixture_layers());
    const auto r = run_cli({"remits", ws.string(), "--sliver-m2", "5e6"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("study area 300.0 km2, 6 zones"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("gap  tsh"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("4.000 km2"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("overlap tsh"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("2 sliver parts"), std::string::npos) << r.output;
    // The table: header, then one row per hub.
    bool header = false;
    for (const auto& l : lines(r.output)) {
        if (l.rfind("hub_id", 0) == 0) header = true;
        if (l.rfind("tsh:T1", 0) != 0) continue;
        std::istringstream words(l);
        std::vector<std::string> w{std::istream_iterator<std::string>(words), {}};
        ASSERT_GE(w.size(), 5u) << l;
        EXPECT_EQ(w[3], "3") << l; // schools
        EXPECT_EQ(w[4], "1200") << l; // pupils
    }
    EXPECT_TRUE(header) << r.output;
    EXPECT_TRUE(geo::Workspace(ws).has_layer("hub_dashboard"));
}

TEST(RemitsCli, CsvHasEveryColumn) {
    REQUIRE_CLI();
    TempDir tmp;
    const auto ws = write_workspace(tmp, fixture_layers());
    const auto r = run_cli({"remits", ws.string(), "--csv", "--no-write"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto l = lines(r.output);
    ASSERT_EQ(l.size(), 4u) << r.output; // header + 3 hubs
    EXPECT_EQ(l[0].rfind("hub_id,hub_type,name,lead_urn,schools,pupils,schools_primary,pupils_primary,", 0), 0u) << l[0];
    EXPECT_EQ(l[1].rfind("tsh:T1,tsh,Hub T1,1002,3,1200,1,200,1,1000,", 0), 0u) << l[1];
    EXPECT_NE(l[1].find(",E07000001;E07000002"), std::string::npos) << l[1];
    // --no-write leaves the workspace as it was.
    EXPECT_FALSE(geo::Workspace(ws).has_layer("hub_dashboard"));

    const auto la = run_cli({"remits", ws.string(), "--csv", "--la", "--no-write"});
    ASSERT_EQ(la.exit_code, 0) << la.output;
    const auto ll = lines(la.output);
    ASSERT_EQ(ll.size(), 11u) << la.output;
    EXPECT_EQ(ll[0], "level,la_code,la_name,hub_type,hub_id,hub_name,covered_km2,covered_share,schools,schools_covered,in_study_area");
    EXPECT_EQ(ll[3], "district,E07000002,D2,maths,,,0.0000,0.0000,1,0,1");
    EXPECT_EQ(ll[8], "upper tier,E10000001,U1,maths,maths:M1,Maths M1,100.0000,0.3333,5,3,");
}

TEST(RemitsCli, SchoolRecordShowsHubsAndFlags) {
    REQUIRE_CLI();
    TempDir tmp;
    const auto ws = write_workspace(tmp, fixture_layers());
    const auto r = run_cli({"remits", ws.string(), "--no-write", "--school", "1003"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("tsh: Hub T1 [tsh:T1], lead School 1002"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("FLAG outside every maths"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("FLAG under two or more of type tsh"), std::string::npos) << r.output;
    const auto missing = run_cli({"remits", ws.string(), "--no-write", "--school", "999"});
    EXPECT_EQ(missing.exit_code, 1) << missing.output;
    EXPECT_NE(missing.output.find("no located school with URN 999"), std::string::npos) << missing.output;
}

TEST(RemitsCli, BadArgumentsAndMissingWorkspace) {
    REQUIRE_CLI();
    TempDir tmp;
    const auto bad = run_cli({"remits", (tmp / "ws.gpkg").string(), "--snap-m", "-5"});
    EXPECT_EQ(bad.exit_code, 2) << bad.output;
    EXPECT_NE(bad.output.find("snap_distance_m"), std::string::npos) << bad.output;
    const auto typo = run_cli({"remits", (tmp / "ws.gpkg").string(), "--snap", "5"});
    EXPECT_EQ(typo.exit_code, 2) << typo.output;
    const auto none = run_cli({"remits", (tmp / "absent.gpkg").string()});
    EXPECT_EQ(none.exit_code, 1) << none.output;
    EXPECT_FALSE(std::filesystem::exists(tmp / "absent.gpkg"));
}

} // namespace
} // namespace coldspot::test::remits
