// `coldspot tiles` as a user runs it, on a small workspace written with geo::WorkspaceWriter.
#include "tiles_test_support.hpp"

#include "coldspot/geo/workspace.hpp"

#include <fstream>

using namespace coldspot;
using namespace coldspot::tiles::test;

namespace {

std::filesystem::path small_workspace(const TempDir& dir) {
    geo::FeatureTable schools;
    schools.name = "schools";
    schools.geometry_type = geo::GeometryType::Point;
    schools.epsg = 27700;
    schools.fields = {{"urn", geo::FieldType::Integer}, {"name", geo::FieldType::String}};
    // Three Cambridge schools (BNG metres).
    schools.features.push_back({108886, geo::Point{548128, 256440}, {std::int64_t{108886}, std::string("Holme Court")}});
    schools.features.push_back({110001, geo::Point{545000, 258000}, {std::int64_t{110001}, std::string("B")}});
    schools.features.push_back({110002, geo::Point{546500, 257100}, {std::int64_t{110002}, std::string("C")}});
    const auto path = dir / "ws.gpkg";
    geo::WorkspaceWriter w(path);
    w.write(schools);
    w.commit();
    return path;
}

std::string head(const std::filesystem::path& p, std::size_t n) {
    std::ifstream in(p, std::ios::binary);
    std::string s(n, '\0');
    in.read(s.data(), static_cast<std::streamsize>(n));
    return s;
}

} // namespace

TEST(TilesCli, ListsExportsAndRejectsBadArguments) {
    // Every test target depends on the coldspot target (tests/CMakeLists.txt): the CLI is always there.
    ASSERT_TRUE(std::filesystem::exists(coldspot::test::cli())) << coldspot::test::cli();
    TempDir dir;
    const auto ws = small_workspace(dir).string();
    const auto list = coldspot::test::run_cli({"tiles", ws, "--list"});
    ASSERT_EQ(list.exit_code, 0) << list.output;
    EXPECT_NE(list.output.find("schools\tz0-14\tschools"), std::string::npos) << list.output;

    const auto bad = coldspot::test::run_cli({"tiles", ws, "--tileset", "nope", "-o", (dir / "x.pmtiles").string()});
    EXPECT_EQ(bad.exit_code, 2) << bad.output;
    EXPECT_NE(bad.output.find("no tileset 'nope'"), std::string::npos) << bad.output;
    const auto ext = coldspot::test::run_cli({"tiles", ws, "--tileset", "schools", "-o", (dir / "x.zip").string()});
    EXPECT_EQ(ext.exit_code, 2) << ext.output;
    const auto zoom = coldspot::test::run_cli({"tiles", ws, "--tileset", "schools", "--maxzoom", "15", "-o", (dir / "x.mbtiles").string()});
    EXPECT_EQ(zoom.exit_code, 2) << zoom.output;

    const auto pm = coldspot::test::run_cli({"tiles", ws, "--tileset", "schools", "--maxzoom", "10", "--quiet", "-o", (dir / "s.pmtiles").string()});
    ASSERT_EQ(pm.exit_code, 0) << pm.output;
    EXPECT_EQ(head(dir / "s.pmtiles", 8), std::string("PMTiles\x03", 8));
    // Three schools close together: one tile per zoom 0-10.
    EXPECT_NE(pm.output.find("wrote " + (dir / "s.pmtiles").string() + ": 11 tiles"), std::string::npos) << pm.output;

    const auto mb = coldspot::test::run_cli({"tiles", ws, "--tileset", "schools", "--maxzoom", "12", "--quiet", "-o", (dir / "s.mbtiles").string()});
    ASSERT_EQ(mb.exit_code, 0) << mb.output;
    const auto count = coldspot::test::run_command("sqlite3 " + coldspot::test::quote((dir / "s.mbtiles").string()) +
                                                   " 'SELECT count(*), min(zoom_level), max(zoom_level) FROM tiles'");
    EXPECT_EQ(count.output, "13|0|12\n");
}
