// Candidate venue sites from a lead's CSV (`coldspot target --candidates`, the map's picked places).
#include "coldspot/geo/coldspots/candidate_points.hpp"
#include "coldspot/geo/error.hpp"

#include "test_support.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace coldspot;
using coldspot::geo::coldspots::read_candidate_points;

namespace {

std::filesystem::path write(const coldspot::test::TempDir& dir, const std::string& text) {
    const auto path = dir / "sites.csv";
    std::ofstream(path) << text;
    return path;
}

} // namespace

TEST(CandidatePoints, GridColumnsAreTakenAsTheyAre) {
    coldspot::test::TempDir dir;
    const auto sites = read_candidate_points(write(dir, "name,easting,northing\nlibrary,530000.5,180000\nhall,651409.792,313177.448\n"));
    ASSERT_EQ(sites.size(), 2u);
    EXPECT_DOUBLE_EQ(sites[0].x(), 530000.5);
    EXPECT_DOUBLE_EQ(sites[1].y(), 313177.448);
}

TEST(CandidatePoints, DegreesAreProjectedToTheNationalGrid) {
    // Ordnance Survey's worked example (Caister water tower, "A guide to coordinate systems in Great
    // Britain"): ETRS89 52°39'28.8282"N 1°42'57.8663"E is E 651409.792, N 313177.448. PROJ without the
    // OSTN15 grid uses a Helmert shift good to a few metres.
    coldspot::test::TempDir dir;
    const auto sites = read_candidate_points(write(dir, "lat,lon\n52.6580078333,1.7160739722\n"));
    ASSERT_EQ(sites.size(), 1u);
    EXPECT_NEAR(sites[0].x(), 651409.792, 5.0);
    EXPECT_NEAR(sites[0].y(), 313177.448, 5.0);
}

TEST(CandidatePoints, BadFilesNameFileLineAndField) {
    coldspot::test::TempDir dir;
    EXPECT_THROW(read_candidate_points(dir / "missing.csv"), FileNotFoundError);
    EXPECT_THROW(read_candidate_points(write(dir, "name,x,y\na,1,2\n")), MissingColumnError);
    EXPECT_THROW(read_candidate_points(write(dir, "lon,lat\n")), EmptyInputError);
    EXPECT_THROW(read_candidate_points(write(dir, "lon,lat\n0.1,52\n2.5,60.5\n12,52\n")), FormatError);
    try {
        read_candidate_points(write(dir, "lon,lat\n0.1,52\n0.2,fifty\n"));
        FAIL() << "a word for a latitude was taken";
    } catch (const FormatError& e) {
        EXPECT_EQ(e.where().line, 3u);
        EXPECT_EQ(e.where().field, "lat");
        EXPECT_NE(std::string(e.what()).find("sites.csv"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("fifty"), std::string::npos) << e.what();
    }
    try {
        read_candidate_points(write(dir, "easting,northing\n530000,180000\n9000000,180000\n"));
        FAIL() << "a site off the grid was taken";
    } catch (const FormatError& e) {
        EXPECT_EQ(e.where().line, 3u);
    }
}
