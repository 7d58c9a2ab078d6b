// run_change on the drawn vintages of fixture.hpp: every layer's values against the drawing, and
// bad input (the same vintage twice, other regions, other CRSs, codes missing from the lookup,
// different analysis parameters).
#include "coldspot/geo/change/change.hpp"
#include "coldspot/geo/error.hpp"

#include "fixture.hpp"

namespace coldspot::test::change {
namespace {

using geo::change::ChangeOptions;
using geo::change::run_change;

ChangeOptions options(const Vintages& v, bool old_complete = false) {
    ChangeOptions o;
    o.lsoa_lookup = v.lookup;
    o.old_total_areas = o.new_total_areas = 100;
    o.old_hubs_complete = old_complete;
    o.new_hubs_complete = true;
    return o;
}

std::vector<std::string> notes(const geo::Workspace& ws, const std::string& severity) {
    const auto t = ws.read("change_notes");
    std::vector<std::string> out;
    for (const auto& f : t.features)
        if (str(t, f, "severity") == severity) out.push_back(str(t, f, "section") + ": " + str(t, f, "message"));
    return out;
}

bool any_contains(const std::vector<std::string>& v, const std::string& needle) {
    return std::any_of(v.begin(), v.end(), [&](const std::string& s) { return s.find(needle) != std::string::npos; });
}

TEST(ChangeWorkspaces, AreasCarryEveryRuleAndCountEntryAndExit) {
    TempDir tmp;
    const auto v = write_vintages(tmp);
    const auto out = tmp / "change.gpkg";
    const auto summary = run_change(options(v), v.old_ws, v.new_ws, out);
    const geo::Workspace ws(out);
    const auto t = ws.read("change_areas");
    ASSERT_EQ(t.features.size(), 4u);
    const auto& p = row(t, "code", "p");
    EXPECT_EQ(str(t, p, "rule"), "unchanged");
    EXPECT_EQ(*num(t, p, "old_decile"), 1);
    EXPECT_EQ(*num(t, p, "new_decile"), 4);
    EXPECT_EQ(*num(t, p, "decile_change"), 3);
    EXPECT_DOUBLE_EQ(*num(t, p, "percentile_change"), 35.0);
    EXPECT_EQ(str(t, p, "deprived_change"), "left");
    const auto& q1 = row(t, "code", "q1");
    EXPECT_EQ(str(t, q1, "rule"), "split");
    EXPECT_EQ(str(t, q1, "old_codes"), "Q");
    EXPECT_EQ(str(t, q1, "deprived_change"), "stayed_in");
    EXPECT_EQ(str(t, row(t, "code", "q2"), "deprived_change"), "left");
    const auto& rs = row(t, "code", "rs");
    EXPECT_EQ(str(t, rs, "rule"), "merged");
    EXPECT_EQ(str(t, rs, "old_codes"), "R;S");
    EXPECT_DOUBLE_EQ(*num(t, rs, "old_rank"), 62.5);
    EXPECT_EQ(*num(t, rs, "old_decile"), 7);
    EXPECT_EQ(str(t, rs, "deprived_change"), "entered");
    EXPECT_EQ(summary.counts.at("areas_deprived_old"), 3);
    EXPECT_EQ(summary.counts.at("areas_deprived_new"), 2);
    EXPECT_EQ(summary.counts.at("areas_entered"), 1);
    EXPECT_EQ(summary.counts.at("areas_left"), 2);
    // NEW's own layers are all there too: the output is NEW plus the change layers.
    EXPECT_TRUE(ws.has_layer("schools"));
    EXPECT_TRUE(ws.has_layer("coldspots_areas"));
}

TEST(ChangeWorkspaces, RemitsAreUnknownWhereTheOldTableIsPartialAndGainedWhereDeclaredComplete) {
    TempDir tmp;
    const auto v = write_vintages(tmp);
    run_change(options(v), v.old_ws, v.new_ws, tmp / "partial.gpkg");
    const auto t = geo::Workspace(tmp / "partial.gpkg").read("change_remits");
    ASSERT_EQ(t.features.size(), 2u);
    const auto& l1 = row(t, "lad_code", "L1");
    EXPECT_EQ(str(t, l1, "status"), "same"); // "Alpha Hub" = "The Alpha Hub", lead 1001 in both
    EXPECT_EQ(str(t, l1, "old_hubs"), "Alpha Hub");
    EXPECT_EQ(str(t, l1, "new_hubs"), "The Alpha Hub");
    EXPECT_EQ(str(t, l1, "gap_change"), "none");
    const auto& l2 = row(t, "lad_code", "L2");
    EXPECT_EQ(str(t, l2, "status"), "unknown");
    EXPECT_EQ(str(t, l2, "gap_change"), "unknown");
    EXPECT_EQ(str(t, l2, "new_hubs"), "Beta Hub");

    run_change(options(v, true), v.old_ws, v.new_ws, tmp / "complete.gpkg");
    const auto c = geo::Workspace(tmp / "complete.gpkg").read("change_remits");
    EXPECT_EQ(str(c, row(c, "lad_code", "L2"), "status"), "gained");
    EXPECT_EQ(str(c, row(c, "lad_code", "L2"), "gap_change"), "closed");
}

TEST(ChangeWorkspaces, SchoolsOpenedClosedPhaseTrustHubDecileAndColdSpotClass) {
    TempDir tmp;
    const auto v = write_vintages(tmp);
    const auto summary = run_change(options(v), v.old_ws, v.new_ws, tmp / "c.gpkg");
    const auto t = geo::Workspace(tmp / "c.gpkg").read("change_schools");
    ASSERT_EQ(t.features.size(), 5u);
    const auto& s11 = row(t, "urn", "11");
    EXPECT_EQ(str(t, s11, "status"), "continuing");
    EXPECT_EQ(str(t, s11, "coldspot_change"), "new");
    EXPECT_EQ(str(t, s11, "deprived_change"), "left"); // P decile 1 -> p decile 4 at its location
    EXPECT_EQ(str(t, s11, "hub_change"), "same");
    EXPECT_EQ(*num(t, s11, "phase_changed"), 0);
    const auto& s12 = row(t, "urn", "12");
    EXPECT_EQ(*num(t, s12, "phase_changed"), 1);
    EXPECT_EQ(*num(t, s12, "trust_changed"), 1);
    EXPECT_EQ(str(t, s12, "old_trust"), "T1");
    EXPECT_EQ(str(t, s12, "new_trust"), "T2");
    EXPECT_EQ(str(t, s12, "coldspot_change"), "intensifying");
    EXPECT_EQ(str(t, s12, "deprived_change"), "stayed_in");
    const auto& s13 = row(t, "urn", "13");
    EXPECT_EQ(str(t, s13, "coldspot_change"), "no_longer");
    EXPECT_EQ(str(t, s13, "hub_change"), "unknown"); // L2 is not in the partial OLD table
    EXPECT_EQ(str(t, s13, "deprived_change"), "entered");
    EXPECT_EQ(str(t, row(t, "urn", "14"), "status"), "closed");
    EXPECT_EQ(str(t, row(t, "urn", "14"), "coldspot_change"), "unknown");
    EXPECT_EQ(str(t, row(t, "urn", "15"), "status"), "opened");
    EXPECT_EQ(summary.counts.at("schools_opened"), 1);
    EXPECT_EQ(summary.counts.at("schools_closed"), 1);
    EXPECT_EQ(summary.counts.at("schools_phase_changed"), 1);
    EXPECT_EQ(summary.counts.at("schools_trust_changed"), 1);
}

TEST(ChangeWorkspaces, ColdSpotUnitsEngagementAndDashboards) {
    TempDir tmp;
    const auto v = write_vintages(tmp);
    run_change(options(v), v.old_ws, v.new_ws, tmp / "c.gpkg");
    const geo::Workspace ws(tmp / "c.gpkg");
    const auto cs = ws.read("change_coldspots");
    EXPECT_EQ(str(cs, row(cs, "code", "L1"), "coldspot_change"), "new");
    EXPECT_EQ(str(cs, row(cs, "code", "L2"), "coldspot_change"), "diminishing");
    EXPECT_EQ(str(cs, row(cs, "code", "p"), "coldspot_change"), "never");
    const auto& rs = row(cs, "code", "rs");
    EXPECT_EQ(str(cs, rs, "old_codes"), "R;S");
    EXPECT_EQ(*num(cs, rs, "old_gi_bin"), 3); // the stronger of R (2) and S (3)
    EXPECT_EQ(str(cs, rs, "coldspot_change"), "persistent");

    const auto e = ws.read("change_engagement");
    ASSERT_EQ(e.features.size(), 1u); // U9 is no upper-tier authority of NEW: left out, with a warning
    EXPECT_DOUBLE_EQ(*num(e, e.features[0], "rate_change"), 15.0);
    EXPECT_DOUBLE_EQ(*num(e, e.features[0], "count_change"), 20.0);
    EXPECT_TRUE(any_contains(notes(ws, "warning"), "U9"));

    const auto h = ws.read("change_hub_dashboard");
    const auto& alpha = row(h, "hub_id", "teaching-school-hub:A");
    EXPECT_EQ(str(h, alpha, "since"), "since 2019/2021");
    EXPECT_EQ(*num(h, alpha, "areas"), 3);
    EXPECT_EQ(*num(h, alpha, "areas_deprived_old"), 3);
    EXPECT_EQ(*num(h, alpha, "areas_deprived_new"), 1);
    EXPECT_EQ(*num(h, alpha, "areas_left"), 2);
    EXPECT_EQ(*num(h, alpha, "schools_opened"), 1);
    EXPECT_EQ(*num(h, alpha, "coldspot_new"), 1);
    EXPECT_EQ(*num(h, alpha, "coldspot_intensifying"), 1);
    EXPECT_EQ(*num(h, alpha, "coldspot_unknown"), 1);
    const auto& beta = row(h, "hub_id", "teaching-school-hub:B");
    EXPECT_EQ(*num(h, beta, "areas_entered"), 1);
    EXPECT_EQ(*num(h, beta, "schools_closed"), 1);
    EXPECT_EQ(*num(h, beta, "coldspot_no_longer"), 1);
    EXPECT_EQ(*num(h, beta, "districts_unknown"), 1);

    const auto la = ws.read("change_la_dashboard");
    const auto& u1 = row(la, "la_code", "U1");
    EXPECT_EQ(str(la, u1, "level"), "upper_tier");
    EXPECT_EQ(*num(la, u1, "areas"), 4);
    EXPECT_DOUBLE_EQ(*num(la, u1, "engagement_rate_change"), 15.0);
    const auto& l2 = row(la, "la_code", "L2");
    EXPECT_EQ(str(la, l2, "remit_change"), "teaching school hub: unknown");
    EXPECT_EQ(*num(la, l2, "areas_entered"), 1);
    // The run is recorded.
    const auto runs = ws.read("analysis_runs");
    EXPECT_NE(str(runs, runs.features.back(), "parameters").find("\"step\":\"change\""), std::string::npos);
}

TEST(ChangeWorkspaces, OutputMayBeNewItselfAndStaleChangeLayersGo) {
    TempDir tmp;
    const auto v = write_vintages(tmp);
    run_change(options(v), v.old_ws, v.new_ws, v.new_ws);
    EXPECT_TRUE(geo::Workspace(v.new_ws).has_layer("change_areas"));
    // A second comparison against an OLD without schools leaves no stale change_schools behind.
    {
        geo::WorkspaceWriter w(v.old_ws, v.old_ws);
        w.remove("schools");
        w.commit();
    }
    run_change(options(v), v.old_ws, v.new_ws, v.new_ws);
    EXPECT_FALSE(geo::Workspace(v.new_ws).has_layer("change_schools"));
}

TEST(ChangeBadInput, TheSameWorkspaceOrVintageTwiceIsAnError) {
    TempDir tmp;
    const auto v = write_vintages(tmp);
    EXPECT_THROW(run_change(options(v), v.new_ws, v.new_ws, tmp / "c.gpkg"), InvalidArgumentError);
    std::filesystem::copy_file(v.new_ws, tmp / "copy.gpkg");
    try {
        run_change(options(v), tmp / "copy.gpkg", v.new_ws, tmp / "c.gpkg");
        FAIL() << "the same vintage twice was compared";
    } catch (const InvalidArgumentError& e) {
        EXPECT_NE(std::string(e.what()).find("same vintage twice"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(tmp / "c.gpkg"));
}

TEST(ChangeBadInput, DifferentRegionsAreAnErrorAndPartlyDifferentOnesAWarning) {
    TempDir tmp;
    const auto v = write_vintages(tmp);
    {
        geo::WorkspaceWriter w(v.old_ws, v.old_ws);
        w.write(polygons("local_authorities", {{"M1", 0, 2}, {"M2", 2, 4}}));
        w.commit();
    }
    try {
        run_change(options(v), v.old_ws, v.new_ws, tmp / "c.gpkg");
        FAIL() << "workspaces of different regions were compared";
    } catch (const InvalidArgumentError& e) {
        EXPECT_NE(std::string(e.what()).find("different regions"), std::string::npos) << e.what();
    }
    {
        geo::WorkspaceWriter w(v.old_ws, v.old_ws);
        w.write(polygons("local_authorities", {{"L1", 0, 2}, {"M2", 2, 4}}));
        w.commit();
    }
    run_change(options(v), v.old_ws, v.new_ws, tmp / "c.gpkg");
    EXPECT_TRUE(any_contains(notes(geo::Workspace(tmp / "c.gpkg"), "warning"), "study areas differ: 1 districts only in OLD (M2)"));
}

TEST(ChangeBadInput, DifferentCrsIsAnError) {
    TempDir tmp;
    const auto v = write_vintages(tmp);
    {
        auto t = polygons("local_authorities", {{"L1", 0, 2}, {"L2", 2, 4}});
        t.epsg = 3857;
        geo::WorkspaceWriter w(v.old_ws, v.old_ws);
        w.write(t);
        w.commit();
    }
    EXPECT_THROW(run_change(options(v), v.old_ws, v.new_ws, tmp / "c.gpkg"), CrsError);
}

TEST(ChangeBadInput, CodesMissingFromTheLookupAreUnknownWithAWarning) {
    TempDir tmp;
    const auto v = write_vintages(tmp);
    std::ofstream(v.lookup) << "lsoa11_code,change_code,lsoa21_code\nP,U,p\nQ,S,q1\nQ,S,q2\n"; // rs and R, S missing
    run_change(options(v), v.old_ws, v.new_ws, tmp / "c.gpkg");
    const geo::Workspace ws(tmp / "c.gpkg");
    const auto t = ws.read("change_areas");
    const auto& rs = row(t, "code", "rs");
    EXPECT_EQ(str(t, rs, "rule"), "not_in_lookup");
    EXPECT_FALSE(num(t, rs, "old_decile"));
    EXPECT_EQ(str(t, rs, "deprived_change"), "unknown");
    const auto warnings = notes(ws, "warning");
    EXPECT_TRUE(any_contains(warnings, "1 NEW areas are not in the lookup (rs)"));
    EXPECT_TRUE(any_contains(warnings, "2 OLD areas lead to no NEW area"));
}

TEST(ChangeBadInput, DifferentLsoaCodesWithoutALookupIsAnError) {
    TempDir tmp;
    const auto v = write_vintages(tmp);
    auto o = options(v);
    o.lsoa_lookup.reset();
    EXPECT_THROW(run_change(o, v.old_ws, v.new_ws, tmp / "c.gpkg"), InvalidArgumentError);
}

TEST(ChangeBadInput, RanksThatDoNotFitTheReleaseSizeAreAnError) {
    TempDir tmp;
    const auto v = write_vintages(tmp);
    auto o = options(v);
    o.old_total_areas = 32844; // the drawing's deciles are among 100 areas
    try {
        run_change(o, v.old_ws, v.new_ws, tmp / "c.gpkg");
        FAIL() << "deciles that do not fit were accepted";
    } catch (const InvalidArgumentError& e) {
        EXPECT_NE(std::string(e.what()).find("old_total_areas"), std::string::npos) << e.what();
    }
}

TEST(ChangeBadInput, DifferentAnalysisParametersAreAWarningNamingThem) {
    TempDir tmp;
    const auto v = write_vintages(tmp);
    write_new(v.new_ws, R"({"statistics":{"k":6}})");
    run_change(options(v), v.old_ws, v.new_ws, tmp / "c.gpkg");
    EXPECT_TRUE(any_contains(notes(geo::Workspace(tmp / "c.gpkg"), "warning"), "'coldspots' step ran with different parameters in OLD and NEW (/statistics/k)"));
}

TEST(ChangeBadInput, AMissingWorkspaceIsAWorkspaceError) {
    TempDir tmp;
    const auto v = write_vintages(tmp);
    EXPECT_THROW(run_change(options(v), tmp / "nope.gpkg", v.new_ws, tmp / "c.gpkg"), WorkspaceError);
}

} // namespace
} // namespace coldspot::test::change
