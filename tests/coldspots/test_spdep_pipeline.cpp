// The answer Coldspot exists to give, checked end to end on real data: the whole default pipeline
// (import, remits, access, coldspots) on the East of England workspace, school by school and area by
// area against R spdep run on the same workspace (tests/coldspots/cold_spots_spdep.R), whose bins and
// cold-spot flags come from a short R function written from docs/methodology.md, not from our code.
// Every weight the parameters allow (k nearest and distance band, binary and row-standardised, with
// and without FDR) is compared; permutation p-values within a Monte Carlo bound; the aggregates
// against SQL counts on the workspace.
#include "coldspot/geo/coldspots/analysis.hpp"
#include "coldspot/geo/coldspots/parameters.hpp"
#include "coldspot/geo/workspace.hpp"

#include "test_support.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

using namespace coldspot;
using namespace coldspot::geo;

namespace {

constexpr unsigned kPermutations = 999; // the default; R's localG_perm draws as many

/// A tab-separated file with a header: column name -> values (text).
struct Tsv {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::size_t col(const std::string& name) const {
        const auto it = std::find(header.begin(), header.end(), name);
        if (it == header.end()) throw std::runtime_error("no column " + name);
        return static_cast<std::size_t>(it - header.begin());
    }
    double num(std::size_t row, const std::string& name) const {
        const auto& v = rows[row][col(name)];
        return v == "NA" || v == "NaN" ? std::nan("") : std::stod(v);
    }
};

Tsv read_tsv(const std::filesystem::path& p) {
    std::ifstream in(p);
    Tsv t;
    std::string line;
    auto split = [](const std::string& l) {
        std::vector<std::string> out;
        std::stringstream ss(l);
        std::string cell;
        while (std::getline(ss, cell, '\t')) out.push_back(cell);
        return out;
    };
    if (std::getline(in, line)) t.header = split(line);
    while (std::getline(in, line))
        if (!line.empty()) t.rows.push_back(split(line));
    return t;
}

std::optional<double> number(const FeatureTable& t, const Feature& f, const std::string& field) {
    return as_number(f.values[t.require_field(field)]);
}

/// Largest differences seen, printed for docs/methodology.md "How we know".
struct Figures {
    double z = 0, p = 0, p_fdr = 0;
    std::size_t compared = 0, bins_differ = 0, flags_differ = 0;
    void print(const std::string& what) const {
        std::cout << what << ": " << compared << " compared; max |dz| " << z << ", max |dp| " << p << ", max |dp_fdr| "
                  << p_fdr << "; bins differing " << bins_differ << ", cold-spot flags differing " << flags_differ << "\n";
    }
};

/// Compares one unit's Gi* outputs with R's row; a bin or flag may differ only where p sits on a
/// threshold within rounding (none did when this was written).
void compare_unit(const FeatureTable& t, const Feature& f, const Tsv& r, std::size_t row, const std::string& what,
                  bool fdr, Figures& fig) {
    const double rz = r.num(row, "z");
    const auto z = number(t, f, "gi_z");
    if (std::isnan(rz)) {
        EXPECT_FALSE(z.has_value()) << what << ": R finds no neighbour";
        return;
    }
    ASSERT_TRUE(z.has_value()) << what;
    const double p = *number(t, f, "gi_p"), q = *number(t, f, "gi_p_fdr");
    const double rp = r.num(row, "p"), rq = r.num(row, "p_fdr");
    fig.z = std::max(fig.z, std::fabs(*z - rz));
    fig.p = std::max(fig.p, std::fabs(p - rp));
    fig.p_fdr = std::max(fig.p_fdr, std::fabs(q - rq));
    ++fig.compared;
    EXPECT_NEAR(*z, rz, 1e-9) << what;
    EXPECT_NEAR(p, rp, 1e-12 + 1e-9 * rp) << what;
    EXPECT_NEAR(q, rq, 1e-12 + 1e-9 * rq) << what;
    const double used = fdr ? rq : rp;
    const bool on_threshold = std::fabs(used - 0.01) < 1e-12 || std::fabs(used - 0.05) < 1e-12 || std::fabs(used - 0.10) < 1e-12;
    const auto bin = *number(t, f, "gi_bin");
    const auto cold = *number(t, f, "cold_spot");
    if (bin != r.num(row, "bin")) {
        ++fig.bins_differ;
        EXPECT_TRUE(on_threshold) << what << ": bin " << bin << ", R " << r.num(row, "bin") << " (p " << used << ")";
    }
    if (cold != r.num(row, "cold")) {
        ++fig.flags_differ;
        EXPECT_TRUE(on_threshold) << what << ": cold_spot " << cold << ", R " << r.num(row, "cold");
    }
}

void compare_schools(const FeatureTable& schools, const Tsv& r, bool fdr, const std::string& what) {
    std::map<std::int64_t, const Feature*> by_urn;
    for (const auto& f : schools.features) by_urn[static_cast<std::int64_t>(*number(schools, f, "urn"))] = &f;
    Figures fig;
    ASSERT_EQ(r.rows.size(), by_urn.size()) << what;
    for (std::size_t i = 0; i < r.rows.size(); ++i) {
        const auto urn = static_cast<std::int64_t>(r.num(i, "urn"));
        ASSERT_TRUE(by_urn.count(urn)) << what << " URN " << urn;
        compare_unit(schools, *by_urn.at(urn), r, i, what + " URN " + std::to_string(urn), fdr, fig);
    }
    std::size_t tested = 0; // schools with a neighbour (distance band: islands have none)
    for (std::size_t i = 0; i < r.rows.size(); ++i) tested += !std::isnan(r.num(i, "z"));
    EXPECT_EQ(fig.compared, tested) << what;
    EXPECT_GT(tested, r.rows.size() * 9 / 10) << what;
    fig.print(what);
}

std::int64_t count(const std::string& text) { return std::stoll(text); }

} // namespace

// One test: it imports the region, runs the pipeline and starts R once (ctest runs each test in its
// own process).
TEST(SpdepPipeline, EastOfEnglandColdSpotsMatchSpdepAndSqlCounts) {
    COLDSPOT_REQUIRE_SHARED("schools/schools_gias2024_composite_geocoded.csv");
    COLDSPOT_REQUIRE_SHARED("boundaries/lsoa21_bsc/lsoa21_east_of_england_bsc.geojson");
    ASSERT_EQ(test::run_command("Rscript -e 'library(spdep)' >/dev/null 2>&1").exit_code, 0)
        << "Rscript with spdep is not installed (tools/deps/test.txt)";
    test::TempDir dir;
    const auto ws = (dir / "eoe.gpkg").string();
    for (const auto& step : std::vector<std::vector<std::string>>{
             {"import", (test::source_dir() / "data/manifests/east_of_england.json").string(), "-o", ws, "--quiet"},
             {"remits", ws},
             {"access", ws},
             {"coldspots", ws}}) {
        std::string cmd = test::quote(test::cli().string());
        for (const auto& a : step) cmd += " " + test::quote(a);
        const auto r = test::run_command(cmd + " 2>&1");
        ASSERT_EQ(r.exit_code, 0) << cmd << "\n" << r.output;
    }
    const auto defaults = coldspots::parse_parameters(nlohmann::json::object());
    ASSERT_EQ(defaults.weights, "knn");
    ASSERT_EQ(defaults.k, 8u);
    ASSERT_EQ(defaults.permutations, kPermutations);
    const Workspace workspace(ws);
    const auto schools = workspace.read("coldspots_schools");
    const auto areas = workspace.read("coldspots_areas");
    const auto hex = workspace.read("coldspots_hex");
    const double hex_side = std::sqrt(2.0 * defaults.hex_cell_area_km2 * 1e6 / (3.0 * std::sqrt(3.0)));

    const auto out = dir / "r";
    std::filesystem::create_directories(out);
    const auto r = test::run_command("Rscript " + test::quote((test::source_dir() / "tests/coldspots/cold_spots_spdep.R").string()) +
                                     " " + test::quote(ws) + " " + test::quote(out.string()) + " " + std::to_string(defaults.k) +
                                     " " + std::to_string(defaults.band_m) + " " + std::to_string(defaults.significance_for_cold_spot) +
                                     " " + std::to_string(kPermutations) + " " + std::to_string(hex_side * 1e-6) + " 2>&1");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    {
        std::ifstream summary(out / "r_knn_summary.txt");
        std::cout << summary.rdbuf() << "\n";
    }

    // ---- schools, the default run as written by the CLI: k = 8 nearest, binary, FDR.
    compare_schools(schools, read_tsv(out / "r_schools_knn_B_fdr.tsv"), true, "default run (kNN 8, binary, FDR)");

    // ---- every other weight the parameters allow, through the library on the same workspace.
    for (const std::string weights : {"knn", "distance_band"})
        for (const std::string style : {"binary", "row"})
            for (const bool fdr : {true, false}) {
                const auto params = coldspots::parse_parameters(nlohmann::json{
                    {"statistics", {{"weights", weights}, {"style", style}, {"fdr", fdr}, {"permutations", 0}}}});
                const auto layers = coldspots::compute_analysis(workspace, params);
                const auto name = std::string("r_schools_") + (weights == "knn" ? "knn" : "band") + "_" +
                                  (style == "binary" ? "B" : "W") + "_" + (fdr ? "fdr" : "raw") + ".tsv";
                compare_schools(layers.tables.at(0), read_tsv(out / name), fdr, weights + " " + style + (fdr ? " FDR" : " raw p"));
            }

    // ---- permutation p-values: Coldspot's Gi* p_sim holds the school's value fixed and draws its
    // neighbours' values from the others (docs/methodology.md §4), which is the test of the
    // neighbours' sum: spdep's localG_perm on the neighbour list without self (the R script says
    // why not on Gi* weights). spdep draws with replacement, Coldspot without: with 8 draws from
    // 2,690 values the variance of the sum differs by 0.3 %, far below the Monte Carlo error.
    // Both are estimates from 999 draws of the same distribution, so each difference is within
    // Monte Carlo error: for a true p of q each estimate has standard deviation sqrt(q(1 - q)/P),
    // their difference sqrt(2 q(1 - q)/P). Bound: 5 of those (q taken as the mean of the two
    // estimates) plus 2/(P + 1) for the +1 in both estimators: a school exceeds 5 sd by chance with
    // probability 6e-7, 0.2 % over 2,691 schools; both seeds are fixed, so the outcome does not vary
    // from run to run.
    {
        const auto perm = read_tsv(out / "r_perm.tsv");
        std::map<std::int64_t, double> ours;
        for (const auto& f : schools.features)
            ours[static_cast<std::int64_t>(*number(schools, f, "urn"))] = *number(schools, f, "gi_p_sim");
        double worst_sd = 0, worst = 0;
        std::size_t beyond_2sd = 0;
        for (std::size_t i = 0; i < perm.rows.size(); ++i) {
            const auto urn = static_cast<std::int64_t>(perm.num(i, "urn"));
            const double a = ours.at(urn), b = perm.num(i, "p_folded");
            const double q = (a + b) / 2;
            const double sd = std::sqrt(2 * q * (1 - q) / kPermutations);
            const double d = std::fabs(a - b);
            EXPECT_LE(d, 5 * sd + 2.0 / (kPermutations + 1)) << "URN " << urn << ": p_sim " << a << ", spdep " << b;
            worst = std::max(worst, d);
            if (sd > 0) worst_sd = std::max(worst_sd, d / sd);
            beyond_2sd += d > 2 * sd + 2.0 / (kPermutations + 1);
        }
        // About 5 % of differences lie beyond 2 sd when both estimate the same distribution.
        EXPECT_LT(beyond_2sd, perm.rows.size() / 10);
        std::cout << "permutation p (999 draws each): max |dp| " << worst << ", max " << worst_sd << " sd; "
                  << beyond_2sd << " of " << perm.rows.size() << " beyond 2 sd\n";
    }

    // ---- areas (LSOA, district, hub) and hexagons of the default run.
    {
        const auto ra = read_tsv(out / "r_areas.tsv");
        std::map<std::pair<std::string, std::string>, std::size_t> row_of;
        for (std::size_t i = 0; i < ra.rows.size(); ++i) row_of[{ra.rows[i][ra.col("level")], ra.rows[i][ra.col("key")]}] = i;
        Figures fig;
        std::map<std::string, std::size_t> per_level;
        for (const auto& f : areas.features) {
            const std::string level = as_text(f.values[areas.require_field("level")]);
            const std::string code = as_text(f.values[areas.require_field("code")]);
            const auto it = row_of.find({level, code});
            ASSERT_NE(it, row_of.end()) << level << " " << code;
            const auto i = it->second;
            const std::string what = level + " " + code;
            EXPECT_EQ(*number(areas, f, "schools"), ra.num(i, "schools")) << what;
            EXPECT_NEAR(*number(areas, f, "mean_index"), ra.num(i, "mean_index"), 1e-9) << what;
            EXPECT_EQ(*number(areas, f, "cold_spot_schools"), ra.num(i, "cold_spot_schools")) << what;
            compare_unit(areas, f, ra, i, what, true, fig);
            ++per_level[level];
        }
        EXPECT_EQ(areas.features.size(), ra.rows.size());
        EXPECT_GT(per_level["lsoa"], 1000u);
        EXPECT_EQ(per_level["la"], 45u);
        EXPECT_EQ(per_level["hub"], 10u);
        fig.print("areas (LSOA, district, hub; queen contiguity)");

        const auto rh = read_tsv(out / "r_hex.tsv");
        std::map<std::string, std::size_t> hex_row;
        for (std::size_t i = 0; i < rh.rows.size(); ++i) hex_row[rh.rows[i][rh.col("key")]] = i;
        Figures hf;
        for (const auto& f : hex.features) {
            const std::string key = std::to_string(static_cast<long>(*number(hex, f, "q"))) + ":" +
                                    std::to_string(static_cast<long>(*number(hex, f, "r")));
            ASSERT_TRUE(hex_row.count(key)) << key;
            const auto i = hex_row.at(key);
            EXPECT_EQ(*number(hex, f, "schools"), rh.num(i, "schools")) << "hexagon " << key;
            EXPECT_NEAR(*number(hex, f, "mean_index"), rh.num(i, "mean_index"), 1e-9) << "hexagon " << key;
            EXPECT_EQ(*number(hex, f, "cold_spot_schools"), rh.num(i, "cold_spot_schools")) << "hexagon " << key;
            compare_unit(hex, f, rh, i, "hexagon " + key, true, hf);
        }
        EXPECT_EQ(hex.features.size(), rh.rows.size());
        hf.print("hexagons (queen contiguity)");
    }

    // ---- aggregates = SQL counts over the per-school flags in the workspace.
    const std::string sql = R"SQL(
WITH counted AS (
  SELECT 'lsoa' AS level, lsoa_code AS code, COUNT(*) AS n, SUM(cold_spot) AS cold FROM coldspots_schools
   WHERE coldspot_index IS NOT NULL GROUP BY lsoa_code
  UNION ALL
  SELECT 'la', lad_code, COUNT(*), SUM(cold_spot) FROM coldspots_schools
   WHERE coldspot_index IS NOT NULL GROUP BY lad_code
  UNION ALL
  SELECT 'hub', a.code, COUNT(*), SUM(s.cold_spot) FROM coldspots_areas a JOIN coldspots_schools s
      ON instr(';' || s.hub_ids || ';', ';' || a.code || ';') > 0
   WHERE a.level = 'hub' AND s.coldspot_index IS NOT NULL GROUP BY a.code)
SELECT COUNT(*), SUM(a.schools = c.n AND a.cold_spot_schools = c.cold AND abs(a.cold_spot_share - 1.0 * c.cold / c.n) < 1e-12),
       SUM(a.level = 'hub'), SUM(a.level = 'la'), SUM(c.cold)
  FROM coldspots_areas a JOIN counted c ON a.level = c.level AND a.code = c.code;)SQL";
    const auto counts = test::run_command("sqlite3 -separator ' ' " + test::quote(ws) + " " + test::quote(sql));
    ASSERT_EQ(counts.exit_code, 0) << counts.output;
    std::istringstream in(counts.output);
    std::string joined, equal, hubs, las, cold;
    in >> joined >> equal >> hubs >> las >> cold;
    EXPECT_EQ(count(joined), static_cast<std::int64_t>(areas.features.size())) << "every area row has its SQL count";
    EXPECT_EQ(count(equal), count(joined)) << "areas whose schools, cold_spot_schools and share equal the SQL count";
    EXPECT_EQ(count(hubs), 10);
    EXPECT_EQ(count(las), 45);
    EXPECT_GT(count(cold), 0) << "the region has cold-spot schools";
    std::cout << "aggregates: " << equal << " of " << joined << " area rows equal their SQL counts\n";
}
