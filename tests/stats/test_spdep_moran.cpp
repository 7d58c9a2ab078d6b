// Local Moran's I with permutation inference, FDR (global and spdep's neighbourhood scope),
// significance-filtered cluster labels and confidence bins from permutation p-values, checked
// against R's spdep (localmoran_perm, p.adjust, p.adjustSP) on real data: the IMD 2025 score of the
// 3,758 East of England LSOAs on their 8 nearest neighbours (the analysis's default weights).
// spdep builds its own neighbours from the centroids; R draws its own permutations, so permutation
// p-values agree within Monte Carlo error, and everything computed from given p-values exactly.
#include "coldspot/geo/import/csv_reader.hpp"
#include "coldspot/geo/stats/distance_weights.hpp"
#include "coldspot/geo/stats/local_statistics.hpp"
#include "coldspot/geo/stats/vector_file.hpp"

#include "test_support.hpp"

#include <boost/geometry/algorithms/centroid.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

using namespace coldspot;
using namespace coldspot::geo;
using namespace coldspot::geo::stats;

namespace {

constexpr const char* kBoundaries = "boundaries/lsoa21_bsc/lsoa21_east_of_england_bsc.geojson";
constexpr const char* kImd = "deprivation/imd2025_england_lsoa21.csv";
constexpr unsigned kK = 8;
constexpr unsigned kOurPermutations = 9999;
constexpr unsigned kRPermutations = 2999; // R's loop is slow: ~0.6 s per 1,000 on these 3,758

struct Columns {
    enum : std::size_t { Ii, PSim, ZSim, Quadrant, BhOurs, AdjustSpOurs, LabelOurs, LabelR, BinR, Count };
};

int quadrant_code(Quadrant q) {
    switch (q) {
    case Quadrant::HH:
        return 1;
    case Quadrant::LL:
        return 2;
    case Quadrant::HL:
        return 3;
    case Quadrant::LH:
        return 4;
    case Quadrant::None:
        break;
    }
    return 0;
}

/// Is there a bin threshold (0.01, 0.05, 0.10) between two p-values?
bool threshold_between(double a, double b) {
    for (double t : {0.01, 0.05, 0.10})
        if ((a < t) != (b < t))
            return true;
    return false;
}

struct SpdepMoranState {
    test::TempDir dir;
    std::vector<Point> points;
    std::vector<double> x;
    SpatialWeights knn;
    LocalStatistics moran, fdr, local_fdr;
    std::vector<std::vector<double>> r; ///< R's rows (Columns)
    std::string r_output;
    bool r_ok = false;
};

class SpdepMoran : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        const auto boundaries = test::shared_data() / kBoundaries;
        if (!std::filesystem::exists(boundaries) || !std::filesystem::exists(test::shared_data() / kImd))
            return;
        if (test::run_command("Rscript -e 'library(spdep)' >/dev/null").exit_code != 0)
            return;
        s = new State;
        std::map<std::string, double> imd;
        {
            geo::import::CsvReader csv(test::shared_data() / kImd);
            const std::size_t code = csv.require_column("lsoa21_code"), score = csv.require_column("IMD_score");
            for (geo::import::CsvRecord r; csv.next(r);)
                imd[r.fields.at(code)] = std::stod(r.fields.at(score));
        }
        const FeatureTable lsoas = read_vector_file(boundaries.string());
        const std::size_t code = lsoas.require_field("lsoa21_code");
        for (const auto& f : lsoas.features) {
            Point c;
            bg::centroid(std::get<MultiPolygon>(f.geometry), c);
            s->points.push_back(c);
            s->x.push_back(imd.at(std::get<std::string>(f.values[code])));
        }
        s->knn = k_nearest_weights(s->points, kK);
        InferenceOptions o;
        o.permutations = kOurPermutations;
        o.seed = 20240601;
        o.bin_from_permutations = true;
        s->moran = local_moran(s->x, s->knn, WeightStyle::Binary, o);
        o.fdr = true;
        s->fdr = local_moran(s->x, s->knn, WeightStyle::Binary, o);
        o.fdr_scope = FdrScope::Neighbourhood;
        s->local_fdr = local_moran(s->x, s->knn, WeightStyle::Binary, o);

        const auto& d = s->dir.path();
        std::ofstream x(d / "x.txt"), c(d / "coords.txt"), p(d / "p_sim.txt");
        for (auto* out : {&x, &c, &p})
            out->precision(17);
        for (double v : s->x)
            x << v << '\n';
        for (const auto& pt : s->points)
            c << pt.x() << ' ' << pt.y() << '\n';
        for (double v : s->moran.p_sim)
            p << v << '\n';
        x.close(), c.close(), p.close();
        const auto r =
            test::run_command("Rscript " + test::quote((test::source_dir() / "tests/stats/spdep_moran.R").string()) + " " +
                              test::quote(d.string()) + " " + std::to_string(kK) + " " + std::to_string(kRPermutations));
        s->r_output = r.output;
        std::ifstream in(d / "r_moran.txt");
        for (std::string line; std::getline(in, line);) {
            std::istringstream ss(line);
            std::vector<double> row;
            for (std::string cell; ss >> cell;)
                row.push_back(cell == "NA" ? std::nan("") : std::stod(cell));
            s->r.push_back(row);
        }
        s->r_ok = r.exit_code == 0 && s->r.size() == s->x.size();
    }
    static void TearDownTestSuite() {
        delete s;
        s = nullptr;
    }
    void SetUp() override {
        COLDSPOT_REQUIRE_SHARED(kBoundaries);
        COLDSPOT_REQUIRE_SHARED(kImd);
        if (!s) {
            if (test::running_in_ci())
                FAIL() << "Rscript with spdep is not installed (tools/deps/test.txt)";
            GTEST_SKIP() << "Rscript with spdep is not installed";
        }
        ASSERT_TRUE(s->r_ok) << s->r_output;
    }

    using State = SpdepMoranState;
    static State* s;
};

SpdepMoran::State* SpdepMoran::s = nullptr;

/// I_i, quadrants and folded permutation p-values against localmoran_perm.
void permutation_p_values_agree(const SpdepMoranState& s) {
    const std::size_t n = s.x.size();
    ASSERT_EQ(n, 3758u);
    std::size_t beyond = 0;
    double worst = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const auto& r = s.r[i];
        ASSERT_EQ(r.size(), std::size_t{Columns::Count});
        EXPECT_NEAR(s.moran.statistic[i], r[Columns::Ii], 1e-9 * std::max(1.0, std::fabs(r[Columns::Ii]))) << i;
        EXPECT_EQ(quadrant_code(s.moran.quadrant[i]), static_cast<int>(r[Columns::Quadrant])) << i;
        // Both are estimates of the same folded p (R draws with replacement, we without: for 8 slots
        // out of 3,757 values the difference is far below the Monte Carlo error). Five standard
        // errors of the difference, plus one step of R's coarser grid.
        const double p = s.moran.p_sim[i], pr = r[Columns::PSim];
        const double pm = (p + pr) / 2;
        const double se = std::sqrt(pm * (1 - pm) * (1.0 / kOurPermutations + 1.0 / kRPermutations));
        const double excess = std::fabs(p - pr) / (5 * se + 1.0 / (kRPermutations + 1));
        worst = std::max(worst, excess);
        if (excess > 1) {
            ++beyond;
            ADD_FAILURE() << "feature " << i << ": p_sim " << p << " vs spdep " << pr;
        }
        // z from the permutation moments: R samples the mean and variance too.
        EXPECT_NEAR(s.moran.z_sim[i], r[Columns::ZSim], 0.1 + 0.05 * std::fabs(r[Columns::ZSim])) << i;
    }
    std::cout << "p_sim vs spdep: largest difference " << worst << " of the allowed 5 SE\n";
    EXPECT_EQ(beyond, 0u);
}

/// FDR (p.adjust, p.adjustSP of our p-values: exact) and cluster labels (from R's own p-values: the
/// same wherever the two estimates are not on either side of alpha).
void fdr_and_labels_agree(const SpdepMoranState& s) {
    std::size_t agree_own = 0, significant = 0;
    for (std::size_t i = 0; i < s.x.size(); ++i) {
        const auto& r = s.r[i];
        EXPECT_NEAR(s.fdr.p_fdr[i], r[Columns::BhOurs], 1e-12) << i;
        EXPECT_NEAR(s.local_fdr.p_fdr[i], r[Columns::AdjustSpOurs], 1e-12) << i;
        EXPECT_EQ(quadrant_code(s.fdr.cluster[i]), static_cast<int>(r[Columns::LabelOurs])) << i;
        significant += s.fdr.cluster[i] != Quadrant::None;
        agree_own += quadrant_code(s.fdr.cluster[i]) == static_cast<int>(r[Columns::LabelR]);
    }
    std::cout << significant << " of " << s.x.size() << " LSOAs in significant clusters (BH, alpha 0.05); " << agree_own
              << " labels equal to spdep's from its own permutations\n";
    EXPECT_GT(significant, 100u); // deprivation clusters strongly
    EXPECT_GE(agree_own, s.x.size() * 97 / 100);
}

/// Confidence bins from permutation p-values: a different bin only where a threshold lies between
/// the two estimates of the same p.
void bins_agree(const SpdepMoranState& s) {
    std::size_t differ = 0;
    for (std::size_t i = 0; i < s.x.size(); ++i) {
        const auto& r = s.r[i];
        const int ours = s.moran.bin[i], theirs = static_cast<int>(r[Columns::BinR]);
        if (ours == theirs) continue;
        ++differ;
        EXPECT_TRUE(threshold_between(s.moran.p_sim[i], r[Columns::PSim]))
            << "feature " << i << ": bin " << ours << " (p_sim " << s.moran.p_sim[i] << ") vs spdep " << theirs << " ("
            << r[Columns::PSim] << ")";
    }
    std::cout << differ << " of " << s.x.size() << " bins differ, each across a threshold\n";
    EXPECT_LT(differ, s.x.size() / 20);
}

} // namespace

// One test: ctest runs each test in its own process, and each process starts R.
TEST_F(SpdepMoran, LocalmoranPermPAdjustAndPAdjustSPAgree) {
    {
        SCOPED_TRACE("localmoran_perm");
        permutation_p_values_agree(*s);
    }
    {
        SCOPED_TRACE("p.adjust, p.adjustSP, cluster labels");
        fdr_and_labels_agree(*s);
    }
    {
        SCOPED_TRACE("confidence bins");
        bins_agree(*s);
    }
}
