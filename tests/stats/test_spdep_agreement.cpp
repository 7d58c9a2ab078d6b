// Neighbours and local statistics checked against R's spdep (a second, independent
// implementation) on real data: IMD 2025 scores of the 3,758 East of England LSOAs, reprojected to
// EPSG:27700. spdep computes its own neighbour lists from the same coordinates and polygons, and
// Gi, Gi*, local Moran's I from the weights the C++ side built, so both halves are compared.
#include "coldspot/geo/stats/detail/contiguity_weights.hpp"
#include "coldspot/geo/stats/distance_weights.hpp"
#include "coldspot/geo/stats/local_statistics.hpp"
#include "coldspot/geo/stats/vector_file.hpp"

#include "test_support.hpp"

#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace coldspot;
using namespace coldspot::geo;
using namespace coldspot::geo::stats;

namespace {

constexpr const char* kBoundaries = "boundaries/lsoa21_bsc/lsoa21_east_of_england_bsc.geojson";
constexpr const char* kImd = "deprivation/imd2025_england_lsoa21.csv";
constexpr double kBand = 4000.0; // metres
constexpr unsigned kK = 8;

std::string unquote(std::string s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
    return s;
}

/// lsoa21_code -> IMD_score from the IoD 2025 file.
std::map<std::string, double> read_imd_scores(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    std::vector<std::string> header;
    {
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, ',')) header.push_back(unquote(cell));
    }
    std::size_t col = 0;
    while (col < header.size() && header[col] != "IMD_score") ++col;
    std::map<std::string, double> out;
    while (std::getline(in, line)) {
        std::stringstream ss(line);
        std::string cell;
        std::vector<std::string> cells;
        while (std::getline(ss, cell, ',')) cells.push_back(unquote(cell));
        if (cells.size() > col) out[cells[0]] = std::stod(cells[col]);
    }
    return out;
}

Point centroid_of(const MultiPolygon& mp) {
    // Area-weighted centroid of the parts, by the shoelace formula.
    double a = 0, cx = 0, cy = 0;
    for (const auto& poly : mp) {
        auto ring_sum = [&](const Ring& r, double sign) {
            for (std::size_t i = 0; i + 1 < r.size(); ++i) {
                const double cross = r[i].x() * r[i + 1].y() - r[i + 1].x() * r[i].y();
                a += sign * cross;
                cx += sign * (r[i].x() + r[i + 1].x()) * cross;
                cy += sign * (r[i].y() + r[i + 1].y()) * cross;
            }
        };
        // Signed sums: holes run the other way round, so they subtract by themselves.
        ring_sum(poly.outer(), 1.0);
        for (const auto& hole : poly.inners()) ring_sum(hole, 1.0);
    }
    return Point{cx / (3 * a), cy / (3 * a)};
}

void write_edges(const SpatialWeights& w, const std::filesystem::path& path) {
    std::ofstream out(path);
    for (std::size_t i = 0; i < w.size(); ++i)
        for (FeatureIndex j : w.neighbours(i)) out << i + 1 << ' ' << j + 1 << '\n';
}

std::vector<std::vector<FeatureIndex>> read_edges(const std::filesystem::path& path, std::size_t n) {
    std::vector<std::vector<FeatureIndex>> lists(n);
    std::ifstream in(path);
    std::size_t i, j;
    while (in >> i >> j) lists.at(i - 1).push_back(static_cast<FeatureIndex>(j - 1));
    return lists;
}

std::vector<std::vector<double>> read_matrix(const std::filesystem::path& path) {
    std::vector<std::vector<double>> rows;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        std::stringstream ss(line);
        std::vector<double> row;
        std::string cell;
        while (ss >> cell) row.push_back(cell == "NA" || cell == "NaN" ? std::nan("") : std::stod(cell));
        rows.push_back(row);
    }
    return rows;
}

/// Everything is computed once: R takes a few seconds to start and load spdep and sf.
class SpdepAgreement : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        const auto boundaries = test::shared_data() / kBoundaries;
        if (!std::filesystem::exists(boundaries) || !std::filesystem::exists(test::shared_data() / kImd)) return;
        if (test::run_command("Rscript -e 'library(spdep)' >/dev/null").exit_code != 0) return;
        s = new State;
        const FeatureTable lsoas = read_vector_file(boundaries.string());
        const auto imd = read_imd_scores(test::shared_data() / kImd);
        const std::size_t code = lsoas.require_field("lsoa21_code");
        for (const auto& f : lsoas.features) {
            s->polygons.push_back(std::get<MultiPolygon>(f.geometry));
            s->points.push_back(centroid_of(s->polygons.back()));
            s->x.push_back(imd.at(std::get<std::string>(f.values[code])));
        }
        s->band = distance_band_weights(s->points, kBand);
        s->knn = k_nearest_weights(s->points, kK);
        s->queen_vertices = queen_weights(s->polygons, QueenOptions{1e-3, false});
        s->queen = queen_weights(s->polygons);

        const auto& d = s->dir.path();
        {
            std::ofstream x(d / "x.txt"), c(d / "coords.txt");
            x.precision(17);
            c.precision(17);
            for (double v : s->x) x << v << '\n';
            for (const auto& p : s->points) c << p.x() << ' ' << p.y() << '\n';
        }
        write_edges(s->band, d / "edges_band.txt");
        write_edges(s->queen_vertices, d / "edges_queen.txt");
        const auto r = test::run_command("Rscript " + test::quote((test::source_dir() / "tests/stats/spdep_agreement.R").string()) +
                                         " " + test::quote(d.string()) + " " + std::to_string(kBand) + " " +
                                         std::to_string(kK) + " " + test::quote(boundaries.string()));
        s->r_output = r.output;
        s->r_ok = r.exit_code == 0;
    }
    static void TearDownTestSuite() {
        delete s;
        s = nullptr;
    }
    void SetUp() override {
        COLDSPOT_REQUIRE_SHARED(kBoundaries);
        COLDSPOT_REQUIRE_SHARED(kImd);
        if (!s) {
            if (test::running_in_ci()) FAIL() << "Rscript with spdep is not installed (tools/deps/test.txt)";
            GTEST_SKIP() << "Rscript with spdep is not installed";
        }
        ASSERT_TRUE(s->r_ok) << s->r_output;
    }

    struct State {
        test::TempDir dir;
        std::vector<MultiPolygon> polygons;
        std::vector<Point> points;
        std::vector<double> x;
        SpatialWeights band, knn, queen_vertices, queen;
        std::string r_output;
        bool r_ok = false;
    };
    static State* s;

    void expect_same_neighbours(const SpatialWeights& w, const std::string& r_file) {
        const auto r = read_edges(s->dir / r_file, w.size());
        std::size_t differing = 0;
        for (std::size_t i = 0; i < w.size(); ++i) {
            const auto mine = w.neighbours(i);
            auto theirs = r[i];
            std::sort(theirs.begin(), theirs.end());
            if (!std::equal(mine.begin(), mine.end(), theirs.begin(), theirs.end())) {
                if (++differing <= 5) ADD_FAILURE() << r_file << ": feature " << i << " differs";
            }
        }
        EXPECT_EQ(differing, 0u);
    }

    /// Columns: Gi* z, Gi*, Gi z, Gi, Ii, E(Ii), Var(Ii), Z(Ii), BH(p of Gi*).
    void expect_same_statistics(const SpatialWeights& w, const std::string& name, WeightStyle style) {
        const auto rows = read_matrix(s->dir / ("r_" + name + (style == WeightStyle::Binary ? "_B" : "_W") + ".txt"));
        ASSERT_EQ(rows.size(), w.size());
        const auto gstar = getis_ord(s->x, w, true, style);
        const auto gi = getis_ord(s->x, w, false, style);
        const auto moran = local_moran(s->x, w, style);
        std::size_t compared = 0;
        for (std::size_t i = 0; i < w.size(); ++i) {
            if (w.cardinality(i) == 0) {
                EXPECT_TRUE(std::isnan(gstar.z[i]));
                continue;
            }
            const auto& r = rows[i];
            ASSERT_EQ(r.size(), 9u);
            EXPECT_NEAR(gstar.z[i], r[0], 1e-6) << name << " Gi* z, feature " << i;
            EXPECT_NEAR(gstar.statistic[i], r[1], 1e-12) << name << " Gi*, feature " << i;
            if (!std::isnan(r[2])) {
                EXPECT_NEAR(gi.z[i], r[2], 1e-6) << name << " Gi z, feature " << i;
            }
            EXPECT_NEAR(gi.statistic[i], r[3], 1e-12) << name << " Gi, feature " << i;
            EXPECT_NEAR(moran.statistic[i], r[4], 1e-9) << name << " Ii, feature " << i;
            EXPECT_NEAR(moran.expected[i], r[5], 1e-9) << name << " E(Ii), feature " << i;
            EXPECT_NEAR(moran.variance[i], r[6], 1e-9 * std::max(1.0, std::fabs(r[6]))) << name << " Var(Ii), feature " << i;
            EXPECT_NEAR(moran.z[i], r[7], 1e-6) << name << " Z(Ii), feature " << i;
            EXPECT_NEAR(gstar.p_fdr[i], r[8], 1e-9) << name << " BH-adjusted p, feature " << i;
            ++compared;
        }
        EXPECT_GT(compared, w.size() * 8 / 10);
    }
};

SpdepAgreement::State* SpdepAgreement::s = nullptr;

} // namespace

// Two tests rather than seven: ctest runs each test in its own process, and each process starts R.
TEST_F(SpdepAgreement, NeighboursMatchDnearneighKnearneighAndPoly2nb) {
    {
        SCOPED_TRACE("distance band");
        expect_same_neighbours(s->band, "r_band.txt");
        std::cout << "band " << kBand << " m: mean " << s->band.mean_cardinality() << " neighbours, "
                  << s->band.islands().size() << " islands\n";
        EXPECT_GT(s->band.mean_cardinality(), 5.0);
        EXPECT_LT(s->band.mean_cardinality(), 40.0);
        EXPECT_FALSE(s->band.islands().empty()); // rural LSOAs further than the band from any other
    }
    {
        SCOPED_TRACE("k nearest");
        expect_same_neighbours(s->knn, "r_knn.txt");
    }
    {
        SCOPED_TRACE("queen");
        expect_same_neighbours(s->queen_vertices, "r_queen.txt");
        // The edge pass only ever adds links (boundaries that touch without a common vertex).
        EXPECT_GE(s->queen.link_count(), s->queen_vertices.link_count());
        EXPECT_TRUE(s->queen.is_symmetric());
    }
}

TEST_F(SpdepAgreement, LocalGAndLocalMoranMatchOnBandAndQueenWeights) {
    expect_same_statistics(s->band, "band", WeightStyle::Binary);
    expect_same_statistics(s->band, "band", WeightStyle::RowStandardised);
    expect_same_statistics(s->queen_vertices, "queen", WeightStyle::Binary);
    expect_same_statistics(s->queen_vertices, "queen", WeightStyle::RowStandardised);
}
