// Targeting lists, exports and venue suggestion on the analysed fixture workspace, through the
// library and through the `coldspot target` / `coldspot coldspots` verbs.
#include "coldspot/geo/coldspots/analysis.hpp"
#include "coldspot/geo/coldspots/targets.hpp"
#include "coldspot/geo/error.hpp"

#include "fixture.hpp"
#include "test_support.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

using namespace coldspot;
using namespace coldspot::geo;
using namespace coldspot::geo::coldspots;
using nlohmann::json;

namespace {

struct Analysed {
    test::TempDir dir;
    std::filesystem::path ws = dir / "ws.gpkg";
    Analysed() {
        test::coldspots::write_workspace(test::coldspots::make_fixture(), ws);
        run_analysis(json::parse(R"({"statistics": {"weights": "distance_band", "band_m": 3000, "permutations": 0}})"), ws);
    }
};

std::vector<std::int64_t> urns(const FeatureTable& t) {
    std::vector<std::int64_t> out;
    const auto f = t.require_field("urn");
    for (const auto& row : t.features) out.push_back(std::get<std::int64_t>(row.values[f]));
    return out;
}

} // namespace

TEST(Targets, SelectByHubNameOrIdAuthorityAndArea) {
    Analysed a;
    const Workspace ws(a.ws);
    // East Maths Hub = H2 covers schools 2, 5, 6; indexes 47.5, 50, 28.3 (no cold spots at n = 6),
    // so ranked by index: 5, 2, 6.
    const auto by_name = select_targets(ws, TargetQuery{std::string("East Maths Hub"), {}, {}, 0});
    EXPECT_EQ(urns(by_name), (std::vector<std::int64_t>{5, 2, 6}));
    const auto by_id = select_targets(ws, TargetQuery{std::string("H2"), {}, {}, 2});
    EXPECT_EQ(urns(by_id), (std::vector<std::int64_t>{5, 2}));
    EXPECT_EQ(std::get<std::int64_t>(by_id.features[1].values[by_id.require_field("rank")]), 2);
    const auto la = select_targets(ws, TargetQuery{{}, std::string("100"), {}, 0});
    EXPECT_EQ(urns(la), (std::vector<std::int64_t>{3, 2, 1}));
    const auto area = select_targets(ws, TargetQuery{{}, {}, std::string("L2"), 1});
    EXPECT_EQ(urns(area), (std::vector<std::int64_t>{4}));
    // Contributions travel with the list.
    EXPECT_NEAR(*as_number(la.features[0].values[la.require_field("contrib_access")]), 35.0, 1e-9);
    EXPECT_THROW(select_targets(ws, TargetQuery{std::string("Nowhere Hub"), {}, {}, 0}), NotFoundError);
}

TEST(Targets, UnanalysedWorkspaceIsAClearError) {
    test::TempDir dir;
    test::coldspots::write_workspace(test::coldspots::make_fixture(), dir / "ws.gpkg");
    EXPECT_THROW(select_targets(Workspace(dir / "ws.gpkg"), TargetQuery{}), WorkspaceError);
}

TEST(Targets, CsvAndGeoJsonExports) {
    Analysed a;
    const auto t = select_targets(Workspace(a.ws), TargetQuery{std::string("H1"), {}, {}, 0});
    std::ostringstream csv;
    write_csv(t, csv);
    std::istringstream lines(csv.str());
    std::string header, first;
    std::getline(lines, header);
    std::getline(lines, first);
    EXPECT_EQ(header.rfind("rank,urn,name,coldspot_index,", 0), 0u);
    EXPECT_NE(header.find(",contrib_access,"), std::string::npos);
    EXPECT_NE(header.find(",easting,northing"), std::string::npos);
    EXPECT_EQ(first.rfind("1,3,School 3,67.5,", 0), 0u);
    // The reasons contain ';' and ',' is absent, but a quote-free cell must stay unquoted.
    EXPECT_NE(first.find("access +35.0 (45 min to nearest maths hub venue)"), std::string::npos);
    EXPECT_NE(first.find(",0.0,1000.0"), std::string::npos);

    std::ostringstream gj;
    write_geojson(t, gj);
    const auto j = json::parse(gj.str());
    ASSERT_EQ(j["features"].size(), 3u);
    const auto& f = j["features"][0];
    EXPECT_EQ(f["properties"]["urn"], 3);
    // Easting 0, northing 1000 of the British National Grid lies off the Scillies: lon -7.557,
    // lat 49.775 (the false origin is at 49N 2W shifted -400 km east, +100 km north).
    EXPECT_NEAR(f["geometry"]["coordinates"][0].get<double>(), -7.557, 0.01);
    EXPECT_NEAR(f["geometry"]["coordinates"][1].get<double>(), 49.775, 0.01);
}

TEST(Targets, VenueSuggestionCoversTheUnservedGroup) {
    Analysed a;
    // Cutoff 30 min: schools 1, 2, 6 are within it of an existing venue; 3 (45), 4 (60) and 5 (none)
    // are not. A venue at any school reaches 30/60*30 km/1.3 = 11.5 km, i.e. its own group only.
    // Group L2 holds two uncovered schools (4: .615, 5: .50) against L1's one (3: .675), so the
    // first pick is in L2 and the second in L1.
    const auto s = suggest_venues(Workspace(a.ws), TargetQuery{}, "maths hub", 2, Minutes(30.0));
    EXPECT_EQ(s.schools, 6u);
    ASSERT_EQ(s.urns.size(), 2u);
    EXPECT_TRUE(s.urns[0] >= 4 && s.urns[0] <= 6);
    EXPECT_TRUE(s.urns[1] >= 1 && s.urns[1] <= 3);
    EXPECT_NEAR(s.choice.gain[0], 0.615 + 0.50, 1e-9);
    EXPECT_NEAR(s.choice.gain[1], 0.675, 1e-9);
    EXPECT_NEAR(s.choice.covered_after, s.choice.total, 1e-9);
    EXPECT_THROW(suggest_venues(Workspace(a.ws), TargetQuery{}, "science hub", 1, Minutes(30.0)), InvalidArgumentError);
}

TEST(TargetsCli, CommandLineRunsEndToEnd) {
    ASSERT_TRUE(std::filesystem::exists(test::cli())) << test::cli();  // test targets depend on coldspot
    test::TempDir dir;
    const auto ws = dir / "ws.gpkg";
    test::coldspots::write_workspace(test::coldspots::make_fixture(), ws);
    std::ofstream(dir / "p.json") << R"({"statistics": {"weights": "distance_band"}})";
    auto r = test::run_cli({"coldspots", ws.string(), "--params", (dir / "p.json").string(), "--band", "3000",
                            "--permutations", "99", "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("6 of 6 schools scored"), std::string::npos) << r.output;
    r = test::run_cli({"target", ws.string(), "--hub", "East Maths Hub", "--top", "2", "--csv", (dir / "t.csv").string(),
                       "--geojson", (dir / "t.geojson").string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::ifstream csv(dir / "t.csv");
    std::string line;
    int rows = 0;
    while (std::getline(csv, line)) ++rows;
    EXPECT_EQ(rows, 3); // header + top 2
    std::ifstream gj(dir / "t.geojson");
    EXPECT_EQ(json::parse(gj)["features"].size(), 2u);
    r = test::run_cli({"target", ws.string(), "--hub", "Nowhere"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("no hub with id or name 'Nowhere'"), std::string::npos) << r.output;
    r = test::run_cli({"target", ws.string(), "--top", "zero"});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    r = test::run_cli({"coldspots", ws.string(), "--params", (dir / "p.json").string(), "--band", "3000", "--quiet",
                       "--add-venue", "maths hub:Venue East:20000:0", "--output", (dir / "s.gpkg").string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("add maths hub venue 'Venue East' at 20000 0"), std::string::npos) << r.output;
    EXPECT_EQ(Workspace(dir / "s.gpkg").read("hub_venues").features.size(), 2u);
    r = test::run_cli({"coldspots", ws.string(), "--add-venue", "maths hub:x:1"});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    r = test::run_cli({"coldspots", (dir / "missing.gpkg").string()});
    EXPECT_NE(r.exit_code, 0);
}

namespace {

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::set<std::string> names_in(const std::filesystem::path& dir) {
    std::set<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir)) names.insert(e.path().filename().string());
    return names;
}

/// The id of a process that has ended (a child that exited at once, reaped).
pid_t dead_pid() {
    const pid_t child = fork();
    if (child == 0) _exit(0);
    int status = 0;
    waitpid(child, &status, 0);
    return child;
}

} // namespace

// --csv and --geojson are written through the atomic-file helper: each file is whole (the CSV is what
// the verb prints without --csv), nothing else is left beside them (the leftover of a killed writer is
// removed and reported), and a file that cannot be written is an I/O error naming it, leaving nothing.
TEST(TargetsCli, FilesAreWrittenWholeAndAtomically) {
    Analysed a;
    const auto printed = test::run_cli({"target", a.ws.string(), "--hub", "East Maths Hub"});
    ASSERT_EQ(printed.exit_code, 0) << printed.output;
    test::TempDir out;
    const std::string leftover = ".t.csv.tmp-" + std::to_string(dead_pid()) + "-0-1";
    std::ofstream(out / leftover) << "urn,half a row";
    auto r = test::run_cli({"target", a.ws.string(), "--hub", "East Maths Hub", "--csv", (out / "t.csv").string(), "--geojson",
                            (out / "t.geojson").string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("removed " + (out / leftover).string()), std::string::npos) << r.output;
    const std::string csv = read_file(out / "t.csv");
    EXPECT_EQ(csv, printed.output);
    const auto rows = static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n'));
    ASSERT_GT(rows, 1u);
    EXPECT_EQ(json::parse(read_file(out / "t.geojson"))["features"].size(), rows - 1); // the CSV has a header
    EXPECT_EQ(names_in(out.path()), (std::set<std::string>{"t.csv", "t.geojson"}));

    r = test::run_cli({"target", a.ws.string(), "--csv", (out / "missing" / "t.csv").string()});
    EXPECT_EQ(r.exit_code, 1) << r.output; // an I/O error, not a usage error (2)
    EXPECT_NE(r.output.find("cannot write " + (out / "missing" / "t.csv").string()), std::string::npos) << r.output;
    EXPECT_EQ(names_in(out.path()), (std::set<std::string>{"t.csv", "t.geojson"}));
}
