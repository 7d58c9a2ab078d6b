// A workspace large enough to hold a real cold spot and a real hot spot, with every expected output
// worked out here from the documented formulas (docs/methodology.md §1, 2, 5, 9), not from Coldspot's
// code: 100 LSOA-like squares of 1 km in a 10 x 10 grid, one school at each centre plus a second
// school sharing a centre (a kNN tie), and only the deprivation input, so each school's index is
// 100 (10 - decile) / 9 exactly.
//
//   row 9  . . . . . . . . . .      C = decile 1 (index 100): the planted cold spot
//   row 8  . . . . . . H H H .      H = decile 10 (index 0): the planted hot spot
//   row 7  . . . . . . H H H .      . = decile 4 or 6 alternating (66.7 / 44.4), no pattern
//   row 6  . . . . . . H H H .
//   row 5  . . . . . . . . . .      districts: D1 columns 0-2, D2 columns 3-6, D3 columns 7-9
//   row 4  . . . . . . . . . .
//   row 3  . C C C . . . . . .
//   row 2  . C C C . . . . . .
//   row 1  . C C C . . . . . .
//   row 0  . . . . . 2 . . . .      2 = two schools at one point
//          0 1 2 3 4 5 6 7 8 9  (column)
#include "coldspot/geo/coldspots/analysis.hpp"
#include "coldspot/geo/workspace.hpp"

#include "fixture.hpp"
#include "test_support.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <set>

using namespace coldspot;
using namespace coldspot::geo;
using coldspot::test::coldspots::square;

namespace {

constexpr int kGrid = 10;
constexpr double kCell = 1000;

int decile_at(int c, int r) {
    if (c >= 1 && c <= 3 && r >= 1 && r <= 3) return 1;
    if (c >= 6 && c <= 8 && r >= 6 && r <= 8) return 10;
    return (c + r) % 2 ? 4 : 6;
}
std::string area_code(int c, int r) { return "A" + std::to_string(c) + std::to_string(r); }
std::string district_of(int c) { return c <= 2 ? "D1" : c <= 6 ? "D2" : "D3"; }

struct PlantedSchool {
    std::int64_t urn;
    int c, r;
    double x, y, index;
};

std::vector<PlantedSchool> planted_schools() {
    std::vector<PlantedSchool> out;
    std::int64_t urn = 1000;
    for (int r = 0; r < kGrid; ++r)
        for (int c = 0; c < kGrid; ++c)
            out.push_back({urn++, c, r, c * kCell + kCell / 2, r * kCell + kCell / 2, 100.0 * (10 - decile_at(c, r)) / 9});
    out.push_back({urn, 5, 0, 5 * kCell + kCell / 2, kCell / 2, 100.0 * (10 - decile_at(5, 0)) / 9});
    return out;
}

void write_planted_workspace(const std::filesystem::path& path) {
    FeatureTable schools{"schools", "", GeometryType::Point, 27700, {}, {}};
    schools.fields = {{"urn", FieldType::Integer}, {"name", FieldType::String}, {"lsoa_code", FieldType::String},
                      {"lad_code", FieldType::String}, {"la_code", FieldType::String}};
    for (const auto& s : planted_schools())
        schools.features.push_back({s.urn, Point{s.x, s.y},
                                    {s.urn, "School " + std::to_string(s.urn), area_code(s.c, s.r), district_of(s.c), std::string("999")}});
    FeatureTable areas{"areas", "", GeometryType::MultiPolygon, 27700, {}, {}};
    areas.fields = {{"code", FieldType::String}, {"name", FieldType::String}, {"imd_decile", FieldType::Integer}};
    std::int64_t fid = 1;
    for (int r = 0; r < kGrid; ++r)
        for (int c = 0; c < kGrid; ++c)
            areas.features.push_back({fid++, square(c * kCell, r * kCell, (c + 1) * kCell, (r + 1) * kCell),
                                      {area_code(c, r), area_code(c, r), std::int64_t{decile_at(c, r)}}});
    FeatureTable districts{"local_authorities", "", GeometryType::MultiPolygon, 27700, {}, {}};
    districts.fields = {{"code", FieldType::String}, {"name", FieldType::String}};
    districts.features.push_back({1, square(0, 0, 3 * kCell, 10 * kCell), {std::string("D1"), std::string("West")}});
    districts.features.push_back({2, square(3 * kCell, 0, 7 * kCell, 10 * kCell), {std::string("D2"), std::string("Middle")}});
    districts.features.push_back({3, square(7 * kCell, 0, 10 * kCell, 10 * kCell), {std::string("D3"), std::string("East")}});
    WorkspaceWriter w(path);
    w.write(schools);
    w.write(areas);
    w.write(districts);
    w.commit();
}

// ---- the documented formulas, written out independently ----

/// Gi* with binary weights on neighbour lists (self added): docs/methodology.md §2.
struct Expected {
    std::vector<double> z, p, p_fdr;
    std::vector<int> bin;
    std::vector<int> cold;
};

Expected gi_star_binary(const std::vector<double>& x, const std::vector<std::vector<std::size_t>>& nb, double alpha) {
    const std::size_t n = x.size();
    const double mean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(n);
    double s2 = 0;
    for (double v : x) s2 += (v - mean) * (v - mean);
    s2 /= static_cast<double>(n);
    Expected e;
    for (std::size_t i = 0; i < n; ++i) {
        double lag = x[i];
        for (auto j : nb[i]) lag += x[j];
        const double w = static_cast<double>(nb[i].size() + 1); // W_i = S1_i for binary weights
        const double var = s2 * (static_cast<double>(n) * w - w * w) / static_cast<double>(n - 1);
        const double z = (lag - w * mean) / std::sqrt(var);
        e.z.push_back(z);
        e.p.push_back(std::erfc(std::fabs(z) / std::sqrt(2.0)));
    }
    // Benjamini-Hochberg over the m tested units: q_(i) = min over j >= i of p_(j) m / j. A unit
    // whose variance is 0 (every unit its neighbour) has no test: NaN, bin 0, not a cold spot.
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isnan(e.p[i])) order.push_back(i);
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return e.p[a] < e.p[b]; });
    const std::size_t m = order.size();
    e.p_fdr.assign(n, std::nan(""));
    double running = 1;
    for (std::size_t k = m; k-- > 0;) {
        running = std::min(running, e.p[order[k]] * static_cast<double>(m) / static_cast<double>(k + 1));
        e.p_fdr[order[k]] = running;
    }
    for (std::size_t i = 0; i < n; ++i) {
        const double q = e.p_fdr[i];
        const int level = std::isnan(q) ? 0 : q < 0.01 ? 3 : q < 0.05 ? 2 : q < 0.10 ? 1 : 0;
        e.bin.push_back(e.z[i] > 0 ? level : -level);
        e.cold.push_back(e.z[i] > 0 && q < alpha);
    }
    return e;
}

/// The k nearest other points plus every point tied with the k-th (docs/methodology.md §1).
std::vector<std::vector<std::size_t>> knn_with_ties(const std::vector<PlantedSchool>& s, std::size_t k) {
    std::vector<std::vector<std::size_t>> nb(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        std::vector<double> d;
        for (std::size_t j = 0; j < s.size(); ++j)
            if (j != i) d.push_back(std::hypot(s[i].x - s[j].x, s[i].y - s[j].y));
        std::sort(d.begin(), d.end());
        for (std::size_t j = 0; j < s.size(); ++j)
            if (j != i && std::hypot(s[i].x - s[j].x, s[i].y - s[j].y) <= d[k - 1]) nb[i].push_back(j);
    }
    return nb;
}

std::optional<double> number(const FeatureTable& t, const Feature& f, const std::string& field) {
    return as_number(f.values[t.require_field(field)]);
}

class PlantedClusters : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new test::TempDir;
        const auto ws = *dir_ / "planted.gpkg";
        write_planted_workspace(ws);
        // The defaults (k = 8 nearest, binary Gi*, FDR, alpha 0.05); smaller hexagons for more of them.
        coldspots::run_analysis(nlohmann::json::parse(R"({"hex": {"cell_area_km2": 4}})"), ws);
        const Workspace w(ws);
        schools_ = new FeatureTable(w.read("coldspots_schools"));
        areas_ = new FeatureTable(w.read("coldspots_areas"));
        hex_ = new FeatureTable(w.read("coldspots_hex"));
    }
    static void TearDownTestSuite() {
        delete schools_;
        delete areas_;
        delete hex_;
        delete dir_;
    }
    static inline test::TempDir* dir_ = nullptr;
    static inline FeatureTable *schools_ = nullptr, *areas_ = nullptr, *hex_ = nullptr;
};

void expect_unit(const FeatureTable& t, const Feature& f, const Expected& e, std::size_t i, const std::string& what) {
    if (std::isnan(e.z[i])) { // no test: the statistics are NULL
        for (const char* field : {"gi_z", "gi_p", "gi_p_fdr"}) EXPECT_FALSE(number(t, f, field).has_value()) << what << " " << field;
        EXPECT_EQ(*number(t, f, "gi_bin"), 0) << what;
        EXPECT_EQ(*number(t, f, "cold_spot"), 0) << what;
        return;
    }
    ASSERT_TRUE(number(t, f, "gi_z").has_value()) << what;
    EXPECT_NEAR(*number(t, f, "gi_z"), e.z[i], 1e-9) << what;
    EXPECT_NEAR(*number(t, f, "gi_p"), e.p[i], 1e-12 + 1e-9 * e.p[i]) << what;
    EXPECT_NEAR(*number(t, f, "gi_p_fdr"), e.p_fdr[i], 1e-12 + 1e-9 * e.p_fdr[i]) << what;
    EXPECT_EQ(*number(t, f, "gi_bin"), e.bin[i]) << what;
    EXPECT_EQ(*number(t, f, "cold_spot"), e.cold[i]) << what;
}

} // namespace

TEST_F(PlantedClusters, SchoolsMatchTheFormulaAndFindThePlantedClusters) {
    const auto planted = planted_schools();
    std::vector<double> x;
    for (const auto& s : planted) x.push_back(s.index);
    const auto nb = knn_with_ties(planted, 8);
    // The tie rule matters here: an interior school has 4 neighbours at 1 km and 4 at 1.41 km; the
    // two schools sharing a point have the other at 0 m, so the 8th place is a tie of two at 1.41 km.
    EXPECT_EQ(nb[5].size(), 9u);
    const Expected e = gi_star_binary(x, nb, 0.05);

    ASSERT_EQ(schools_->features.size(), planted.size());
    std::map<std::int64_t, const Feature*> by_urn;
    for (const auto& f : schools_->features) by_urn[static_cast<std::int64_t>(*number(*schools_, f, "urn"))] = &f;
    std::set<std::pair<int, int>> cold, hot;
    for (std::size_t i = 0; i < planted.size(); ++i) {
        const Feature& f = *by_urn.at(planted[i].urn);
        EXPECT_NEAR(*number(*schools_, f, "coldspot_index"), planted[i].index, 1e-9);
        expect_unit(*schools_, f, e, i, "school " + std::to_string(planted[i].urn));
        if (e.cold[i]) cold.insert({planted[i].c, planted[i].r});
        if (e.bin[i] <= -2) hot.insert({planted[i].c, planted[i].r});
    }
    // The formula finds what was planted: the cold block's centre and its edges are cold spots, the hot
    // block's centre is a significant hot spot, and nothing far from the cold block is flagged.
    EXPECT_TRUE(cold.count({2, 2}) && cold.count({1, 2}) && cold.count({2, 1})) << cold.size();
    EXPECT_TRUE(hot.count({7, 7}));
    for (const auto& [c, r] : cold) EXPECT_TRUE(c <= 4 && r <= 4) << c << "," << r;
    for (const auto& [c, r] : hot) EXPECT_TRUE(c >= 5 && r >= 5) << c << "," << r;
}

TEST_F(PlantedClusters, AreasAndDistrictsMatchTheFormulaAndTheSchoolCounts) {
    // Cold-spot flags per school, as the previous test checked them against the formula.
    std::map<std::string, std::pair<int, int>> per_lsoa, per_lad; // schools, cold-spot schools
    double lad_sum[3] = {0, 0, 0};
    for (const auto& f : schools_->features) {
        const int cold = static_cast<int>(*number(*schools_, f, "cold_spot"));
        auto& a = per_lsoa[as_text(f.values[schools_->require_field("lsoa_code")])];
        a.first++, a.second += cold;
        const std::string lad = as_text(f.values[schools_->require_field("lad_code")]);
        auto& d = per_lad[lad];
        d.first++, d.second += cold;
        lad_sum[lad[1] - '1'] += *number(*schools_, f, "coldspot_index");
    }
    // LSOAs: the mean index per square, queen contiguity of the squares (the 8 around it).
    std::vector<double> means;
    std::vector<std::vector<std::size_t>> nb;
    std::vector<std::string> codes;
    for (int r = 0; r < kGrid; ++r)
        for (int c = 0; c < kGrid; ++c) {
            codes.push_back(area_code(c, r));
            means.push_back(100.0 * (10 - decile_at(c, r)) / 9);
            nb.emplace_back();
            for (int dr = -1; dr <= 1; ++dr)
                for (int dc = -1; dc <= 1; ++dc)
                    if ((dr || dc) && c + dc >= 0 && c + dc < kGrid && r + dr >= 0 && r + dr < kGrid)
                        nb.back().push_back(static_cast<std::size_t>((r + dr) * kGrid + c + dc));
        }
    const Expected lsoa = gi_star_binary(means, nb, 0.05);
    std::size_t seen = 0;
    for (const auto& f : areas_->features) {
        if (as_text(f.values[areas_->require_field("level")]) != "lsoa") continue;
        const std::string code = as_text(f.values[areas_->require_field("code")]);
        const auto i = static_cast<std::size_t>(std::find(codes.begin(), codes.end(), code) - codes.begin());
        ASSERT_LT(i, codes.size()) << code;
        ++seen;
        EXPECT_NEAR(*number(*areas_, f, "mean_index"), means[i], 1e-9) << code;
        EXPECT_EQ(*number(*areas_, f, "schools"), per_lsoa[code].first) << code;
        EXPECT_EQ(*number(*areas_, f, "cold_spot_schools"), per_lsoa[code].second) << code;
        EXPECT_NEAR(*number(*areas_, f, "cold_spot_share"), double(per_lsoa[code].second) / per_lsoa[code].first, 1e-12) << code;
        expect_unit(*areas_, f, lsoa, i, "LSOA " + code);
    }
    EXPECT_EQ(seen, 100u);
    // The planted blocks show at area level too.
    EXPECT_EQ(lsoa.bin[2 * kGrid + 2], 3);
    EXPECT_EQ(lsoa.bin[7 * kGrid + 7], -3);

    // Districts: three strips, D1-D2 and D2-D3 touching.
    std::vector<double> lad_means;
    for (int d = 0; d < 3; ++d) lad_means.push_back(lad_sum[d] / per_lad["D" + std::to_string(d + 1)].first);
    // D2 touches both others: W = n = 3 makes its variance 0, so it has no test.
    const Expected lad = gi_star_binary(lad_means, {{1}, {0, 2}, {1}}, 0.05);
    EXPECT_TRUE(std::isnan(lad.z[1]));
    EXPECT_FALSE(std::isnan(lad.z[0]));
    seen = 0;
    for (const auto& f : areas_->features) {
        if (as_text(f.values[areas_->require_field("level")]) != "la") continue;
        const std::string code = as_text(f.values[areas_->require_field("code")]);
        const auto d = static_cast<std::size_t>(code[1] - '1');
        ++seen;
        EXPECT_EQ(*number(*areas_, f, "schools"), per_lad[code].first);
        EXPECT_EQ(*number(*areas_, f, "cold_spot_schools"), per_lad[code].second);
        EXPECT_NEAR(*number(*areas_, f, "cold_spot_share"), double(per_lad[code].second) / per_lad[code].first, 1e-12);
        EXPECT_NEAR(*number(*areas_, f, "mean_index"), lad_means[d], 1e-9);
        expect_unit(*areas_, f, lad, d, "district " + code);
    }
    EXPECT_EQ(seen, 3u);
}

TEST_F(PlantedClusters, HexagonsMatchTheFormula) {
    // Pointy-top hexagons of 4 km2 with side s: centre of axial (q, r) = (s sqrt3 (q + r/2), 1.5 s r);
    // a school belongs to the nearest centre; queen neighbours are the six axial neighbours.
    const double s = std::sqrt(2.0 * 4e6 / (3.0 * std::sqrt(3.0)));
    auto centre = [&](int q, int r) { return std::pair{s * std::sqrt(3.0) * (q + r / 2.0), 1.5 * s * r}; };
    const auto planted = planted_schools();
    std::vector<std::int64_t> cold_flag(planted.size());
    {
        std::map<std::int64_t, std::int64_t> by_urn;
        for (const auto& f : schools_->features)
            by_urn[static_cast<std::int64_t>(*number(*schools_, f, "urn"))] = static_cast<std::int64_t>(*number(*schools_, f, "cold_spot"));
        for (std::size_t i = 0; i < planted.size(); ++i) cold_flag[i] = by_urn.at(planted[i].urn);
    }
    struct Cell {
        int n = 0, cold = 0;
        double sum = 0, max = -1;
    };
    std::map<std::pair<int, int>, Cell> cells;
    for (std::size_t i = 0; i < planted.size(); ++i) {
        std::pair<int, int> best{0, 0};
        double best_d = 1e300;
        for (int r = -5; r <= 15; ++r)
            for (int q = -10; q <= 15; ++q) {
                const auto [cx, cy] = centre(q, r);
                const double d = std::hypot(planted[i].x - cx, planted[i].y - cy);
                if (d < best_d) best_d = d, best = {q, r};
            }
        auto& cell = cells[best];
        cell.n++, cell.sum += planted[i].index, cell.max = std::max(cell.max, planted[i].index), cell.cold += static_cast<int>(cold_flag[i]);
    }
    std::vector<std::pair<int, int>> keys;
    std::vector<double> means;
    for (const auto& [k, c] : cells) keys.push_back(k), means.push_back(c.sum / c.n);
    std::vector<std::vector<std::size_t>> nb(keys.size());
    const int dirs[6][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, -1}, {-1, 1}};
    for (std::size_t i = 0; i < keys.size(); ++i)
        for (const auto& d : dirs) {
            const auto it = std::find(keys.begin(), keys.end(), std::pair{keys[i].first + d[0], keys[i].second + d[1]});
            if (it != keys.end()) nb[i].push_back(static_cast<std::size_t>(it - keys.begin()));
        }
    const Expected e = gi_star_binary(means, nb, 0.05);

    ASSERT_EQ(hex_->features.size(), keys.size());
    for (const auto& f : hex_->features) {
        const std::pair<int, int> key{static_cast<int>(*number(*hex_, f, "q")), static_cast<int>(*number(*hex_, f, "r"))};
        const auto i = static_cast<std::size_t>(std::find(keys.begin(), keys.end(), key) - keys.begin());
        ASSERT_LT(i, keys.size()) << key.first << "," << key.second;
        const Cell& c = cells[key];
        const std::string what = "hexagon " + std::to_string(key.first) + "," + std::to_string(key.second);
        EXPECT_EQ(*number(*hex_, f, "schools"), c.n) << what;
        EXPECT_EQ(*number(*hex_, f, "cold_spot_schools"), c.cold) << what;
        EXPECT_NEAR(*number(*hex_, f, "cold_spot_share"), double(c.cold) / c.n, 1e-12) << what;
        EXPECT_NEAR(*number(*hex_, f, "mean_index"), means[i], 1e-9) << what;
        EXPECT_NEAR(*number(*hex_, f, "max_index"), c.max, 1e-9) << what;
        expect_unit(*hex_, f, e, i, what);
    }
    // The hexagon holding the cold block's centre school is a significant cold hexagon.
    const auto it = std::find_if(keys.begin(), keys.end(), [&](const auto& k) {
        const auto [cx, cy] = centre(k.first, k.second);
        return std::hypot(2500 - cx, 2500 - cy) <= s;
    });
    ASSERT_NE(it, keys.end());
    EXPECT_GT(e.z[static_cast<std::size_t>(it - keys.begin())], 0);
}
