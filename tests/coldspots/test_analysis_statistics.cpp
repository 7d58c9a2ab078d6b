// The analysis's statistics options (inference, FDR scope), Moran cluster labels and rank stability
// as they reach the workspace layers, and the parameters that drive them.
#include "coldspot/geo/coldspots/analysis.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/stats/detail/multiple_testing.hpp"

#include "fixture.hpp"
#include "test_support.hpp"

#include <cmath>
#include <set>

using namespace coldspot;
using namespace coldspot::geo;
using namespace coldspot::geo::coldspots;
using nlohmann::json;

namespace {

std::string error_pointer(const json& given) {
    try {
        parse_parameters(given, "p.json");
    } catch (const ManifestError& e) {
        return e.where().field;
    }
    return "(accepted)";
}

} // namespace

TEST(AnalysisParameters, InferenceFdrScopeAndRankStability) {
    const auto defaults = parse_parameters(json::object());
    EXPECT_FALSE(defaults.p_from_permutations);
    EXPECT_EQ(defaults.fdr_scope, stats::FdrScope::All);
    EXPECT_EQ(defaults.rank_stability.draws, 1000u);
    EXPECT_EQ(defaults.rank_stability.top_n, 100u);
    EXPECT_EQ(defaults.rank_stability.missing_rules.size(), 2u);
    const auto p = parse_parameters(json::parse(R"({"statistics": {"inference": "permutation", "fdr_scope": "neighbourhood"},
        "rank_stability": {"draws": 10, "missing_rules": ["zero"], "weight_range": 0.2}})"));
    EXPECT_TRUE(p.p_from_permutations);
    EXPECT_TRUE(p.inference().bin_from_permutations);
    EXPECT_EQ(p.inference().fdr_scope, stats::FdrScope::Neighbourhood);
    EXPECT_EQ(p.rank_stability.missing_rules, std::vector<stats::MissingRule>{stats::MissingRule::Zero});
    EXPECT_DOUBLE_EQ(p.rank_stability.weight_range, 0.2);
    EXPECT_EQ(error_pointer(json::parse(R"({"statistics": {"inference": "permutation", "permutations": 0}})")), "/statistics/inference");
    EXPECT_EQ(error_pointer(json::parse(R"({"statistics": {"inference": "bootstrap"}})")), "/statistics/inference");
    EXPECT_EQ(error_pointer(json::parse(R"({"statistics": {"fdr_scope": "local"}})")), "/statistics/fdr_scope");
    EXPECT_EQ(error_pointer(json::parse(R"({"rank_stability": {"missing_rules": ["renormalise", "mean"]}})")), "/rank_stability/missing_rules/1");
    EXPECT_EQ(error_pointer(json::parse(R"({"rank_stability": {"missing_rules": []}})")), "/rank_stability/missing_rules");
    EXPECT_EQ(error_pointer(json::parse(R"({"rank_stability": {"weight_range": 1.5}})")), "/rank_stability/weight_range");
    EXPECT_EQ(error_pointer(json::parse(R"({"rank_stability": {"drawz": 5}})")), "/rank_stability/drawz");
}

TEST(AnalysisStatistics, MoranClustersAndPermutationBinsReachTheLayers) {
    test::TempDir dir;
    const auto ws_path = dir / "ws.gpkg";
    test::coldspots::write_workspace(test::coldspots::make_fixture(), ws_path);
    run_analysis(json::parse(R"({"statistics": {"weights": "distance_band", "band_m": 3000, "permutations": 199,
                                                "inference": "permutation"}, "rank_stability": {"draws": 0}})"),
                 ws_path);
    const Workspace ws(ws_path);
    const auto cs = ws.read("coldspots_schools");
    const std::size_t f_cluster = cs.require_field("moran_cluster"), f_quadrant = cs.require_field("moran_quadrant"),
                      f_pfdr = cs.require_field("moran_p_fdr"), f_psim = cs.require_field("moran_p_sim"),
                      f_bin = cs.require_field("gi_bin"), f_gpsim = cs.require_field("gi_p_sim"), f_gz = cs.require_field("gi_z"),
                      f_cold = cs.require_field("cold_spot"), f_gfdr = cs.require_field("gi_p_fdr");
    cs.require_field("moran_p");
    const std::set<std::string> labels{"HH", "LL", "HL", "LH", "not significant"};
    for (const auto& f : cs.features) {
        const std::string label = as_text(f.values[f_cluster]);
        EXPECT_TRUE(labels.count(label)) << label;
        // FDR on (the default) over the permutation p: the label is the quadrant exactly when the
        // adjusted p_sim is below alpha.
        const double q = *as_number(f.values[f_pfdr]);
        EXPECT_EQ(label, q < 0.05 ? as_text(f.values[f_quadrant]) : std::string("not significant"));
        EXPECT_GE(q + 1e-12, *as_number(f.values[f_psim]));
        // Bins and the cold-spot flag from p_sim (FDR-adjusted), not the analytical p.
        const double gq = *as_number(f.values[f_gfdr]);
        EXPECT_GE(gq + 1e-12, *as_number(f.values[f_gpsim]));
        const double z = *as_number(f.values[f_gz]);
        EXPECT_EQ(*as_number(f.values[f_bin]), stats::confidence_bin(z, gq));
        EXPECT_EQ(*as_number(f.values[f_cold]), z > 0 && gq < 0.05 ? 1 : 0);
    }
}

TEST(AnalysisStatistics, TargetsCarryRankStability) {
    test::TempDir dir;
    const auto ws_path = dir / "ws.gpkg";
    test::coldspots::write_workspace(test::coldspots::make_fixture(), ws_path);
    const auto summary = run_analysis(json::parse(R"({"statistics": {"weights": "distance_band", "band_m": 3000, "permutations": 0},
        "rank_stability": {"draws": 300, "top_n": 6}})"), ws_path);
    EXPECT_EQ(summary.rank_draws, 300u);
    EXPECT_EQ(summary.robust_targets, 6u); // every school is in the top 6 of 6 in every draw
    const Workspace ws(ws_path);
    const auto t = ws.read("targets");
    const std::size_t f_index = t.require_field("coldspot_index"), f_rank = t.require_field("index_rank"),
                      f_med = t.require_field("rank_median"), f_lo = t.require_field("rank_p05"), f_hi = t.require_field("rank_p95"),
                      f_share = t.require_field("top_share"), f_robust = t.require_field("robust_target");
    for (const auto& a : t.features) {
        // index_rank: 1 + the schools with a strictly higher index.
        int higher = 0;
        for (const auto& b : t.features) higher += *as_number(b.values[f_index]) > *as_number(a.values[f_index]);
        EXPECT_EQ(*as_number(a.values[f_rank]), higher + 1);
        EXPECT_LE(*as_number(a.values[f_lo]), *as_number(a.values[f_med]));
        EXPECT_LE(*as_number(a.values[f_med]), *as_number(a.values[f_hi]));
        EXPECT_GE(*as_number(a.values[f_lo]), 1);
        EXPECT_LE(*as_number(a.values[f_hi]), 6);
        EXPECT_EQ(*as_number(a.values[f_share]), 1.0);
        EXPECT_EQ(*as_number(a.values[f_robust]), 1);
    }
}
