// Core geo pieces: WKB, CRS transforms against published coordinates, GEOS wrappers, workspace I/O.
#include "coldspot/geo/crs.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/geos.hpp"
#include "coldspot/geo/detail/wkb.hpp"
#include "coldspot/geo/workspace.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace coldspot;
using namespace coldspot::geo;

namespace {

MultiPolygon square(double x0, double y0, double size) {
    MultiPolygon mp;
    mp.resize(1);
    bg::append(mp[0].outer(), Point{x0, y0});
    bg::append(mp[0].outer(), Point{x0, y0 + size});
    bg::append(mp[0].outer(), Point{x0 + size, y0 + size});
    bg::append(mp[0].outer(), Point{x0 + size, y0});
    bg::append(mp[0].outer(), Point{x0, y0});
    return mp;
}

} // namespace

TEST(Wkb, RoundTripsEveryGeometryType) {
    MultiPolygon holed = square(0, 0, 10);
    Ring hole{{2, 2}, {8, 2}, {8, 8}, {2, 8}, {2, 2}}; // counter-clockwise, as Boost wants holes
    holed[0].inners().push_back(hole);
    MultiLineString lines{{{0, 0}, {1, 1}, {2, 0}}, {{5, 5}, {6, 6}}};
    for (const Geometry& g : {Geometry{Point{530000.5, 180000.25}}, Geometry{lines}, Geometry{holed}}) {
        const Geometry back = from_wkb(to_wkb(g));
        ASSERT_EQ(back.index(), g.index());
        EXPECT_TRUE(std::visit(
            [&](const auto& a) {
                using T = std::decay_t<decltype(a)>;
                if constexpr (std::is_same_v<T, std::monostate>) return true;
                else return bg::equals(a, std::get<T>(back));
            },
            g));
    }
    EXPECT_DOUBLE_EQ(bg::area(std::get<MultiPolygon>(from_wkb(to_wkb(holed)))), 100.0 - 36.0);
}

TEST(Wkb, TruncatedInputThrowsGeometryError) {
    auto wkb = to_wkb(Geometry{square(0, 0, 1)});
    wkb.resize(wkb.size() - 3);
    EXPECT_THROW(from_wkb(wkb), GeometryError);
    std::vector<std::uint8_t> bad_count{1, 6, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f};
    EXPECT_THROW(from_wkb(bad_count), GeometryError);
}

TEST(Crs, BritishNationalGridMatchesOrdnanceSurveyWorkedExample) {
    // OS "A guide to coordinate systems in Great Britain", Annex C: the Airy-1830 transverse Mercator
    // example. Using the published trig-point Caister Water Tower (TG 51409 13177):
    // ETRS89 1.716073973 E, 52.658007833 N -> OSGB36 NG 651409.903, 313177.270 via OSTN15. PROJ's
    // EPSG:27700 without the OSTN15 grid uses a 7-parameter Helmert (about 2-5 m error), so the
    // tolerance here is 6 m; the grid-based answer is within 0.1 m when proj-data has it.
    CrsTransform to_bng(kWgs84, kBritishNationalGrid);
    const Point p = to_bng(Point{1.716073973, 52.658007833});
    EXPECT_NEAR(p.x(), 651409.903, 6.0);
    EXPECT_NEAR(p.y(), 313177.270, 6.0);
    CrsTransform back(kBritishNationalGrid, kWgs84);
    const Point q = back(p);
    EXPECT_NEAR(q.x(), 1.716073973, 1e-7);
    EXPECT_NEAR(q.y(), 52.658007833, 1e-7);
}

TEST(Crs, WebMercatorOfLondonIsKnown) {
    // EPSG:3857 x = R * lon(rad), y = R * ln(tan(pi/4 + lat/2)), R = 6378137.
    CrsTransform t("OGC:CRS84", "EPSG:3857");
    const Point p = t(Point{-0.1275, 51.507222});
    EXPECT_NEAR(p.x(), 6378137.0 * (-0.1275) * M_PI / 180.0, 1e-6);
    EXPECT_NEAR(p.y(), 6378137.0 * std::log(std::tan(M_PI / 4 + 51.507222 * M_PI / 360.0)), 1e-6);
}

TEST(Crs, UnknownCrsThrowsCrsError) {
    EXPECT_THROW(CrsTransform("EPSG:999999", "EPSG:27700"), CrsError);
    EXPECT_THROW(validate_crs("not a crs"), CrsError);
}

TEST(Geos, UnionOfTwoOverlappingSquaresHasKnownArea) {
    const MultiPolygon u = union_all({square(0, 0, 10), square(5, 0, 10)});
    EXPECT_DOUBLE_EQ(bg::area(u), 150.0);
    EXPECT_DOUBLE_EQ(bg::area(intersection(square(0, 0, 10), square(5, 5, 10))), 25.0);
    EXPECT_DOUBLE_EQ(bg::area(difference(square(0, 0, 10), square(5, 0, 10))), 50.0);
}

TEST(Geos, MakeValidRepairsABowTie) {
    MultiPolygon bow;
    bow.resize(1);
    bow[0].outer() = Ring{{0, 0}, {10, 10}, {10, 0}, {0, 10}, {0, 0}};
    EXPECT_NE(invalid_reason(bow), "");
    const MultiPolygon fixed = make_valid(bow);
    EXPECT_EQ(invalid_reason(fixed), "");
    EXPECT_DOUBLE_EQ(bg::area(fixed), 50.0); // two triangles of 25
}

TEST(Geos, PreparedPolygonBoundaryAndDistance) {
    PreparedPolygon p(square(0, 0, 10));
    EXPECT_TRUE(p.covers(Point{5, 5}));
    EXPECT_TRUE(p.covers(Point{0, 5}));    // on the edge
    EXPECT_FALSE(p.contains(Point{0, 5})); // not in the interior
    EXPECT_TRUE(p.covers(Point{10, 10}));  // on a vertex
    EXPECT_FALSE(p.covers(Point{13, 14}));
    EXPECT_DOUBLE_EQ(p.distance(Point{13, 14}), 5.0);
}

TEST(Workspace, WritesAndReadsLayersWithTypesFidsAndCrs) {
    test::TempDir dir;
    const auto path = dir / "w.gpkg";
    FeatureTable schools;
    schools.name = "schools";
    schools.description = "test schools";
    schools.geometry_type = GeometryType::Point;
    schools.fields = {{"name", FieldType::String}, {"pupils", FieldType::Integer}, {"fsm", FieldType::Real}};
    schools.features.push_back({100000, Point{533498, 181201}, {std::string("Aldgate"), std::int64_t{244}, 21.7}});
    schools.features.push_back({100001, Point{532301, 181746}, {std::string("Girls"), Value{}, Value{}}});
    FeatureTable prov;
    prov.name = "provenance";
    prov.epsg = 0;
    prov.fields = {{"path", FieldType::String}};
    prov.features.push_back({0, {}, {std::string("a.csv")}});
    {
        WorkspaceWriter w(path);
        w.write(schools);
        w.write(prov);
        EXPECT_FALSE(std::filesystem::exists(path)); // nothing visible before commit
        w.commit();
    }
    Workspace ws(path);
    const auto layers = ws.layers();
    ASSERT_EQ(layers.size(), 2u);
    const FeatureTable back = ws.read("schools");
    EXPECT_EQ(back.description, "test schools");
    EXPECT_EQ(back.epsg, 27700);
    ASSERT_EQ(back.features.size(), 2u);
    EXPECT_EQ(back.features[0].fid, 100000);
    EXPECT_EQ(std::get<std::string>(back.features[0].values[0]), "Aldgate");
    EXPECT_EQ(std::get<std::int64_t>(back.features[0].values[1]), 244);
    EXPECT_DOUBLE_EQ(std::get<double>(back.features[0].values[2]), 21.7);
    EXPECT_TRUE(is_null(back.features[1].values[1]));
    EXPECT_TRUE(bg::equals(std::get<Point>(back.features[1].geometry), Point{532301, 181746}));
    EXPECT_EQ(ws.read("provenance").features.size(), 1u);
    EXPECT_THROW(ws.read("nope"), NotFoundError);
}

TEST(Workspace, UncommittedWriterLeavesOldVersionAndNoTemporaryFiles) {
    test::TempDir dir;
    const auto path = dir / "w.gpkg";
    FeatureTable t;
    t.name = "areas";
    t.geometry_type = GeometryType::MultiPolygon;
    t.fields = {{"code", FieldType::String}};
    t.features.push_back({1, square(0, 0, 100), {std::string("A")}});
    {
        WorkspaceWriter w(path);
        w.write(t);
        w.commit();
    }
    {
        WorkspaceWriter w(path, path);
        t.features.push_back({2, square(100, 0, 100), {std::string("B")}});
        w.write(t);
        // destroyed without commit: simulates a failure half-way
    }
    EXPECT_EQ(Workspace(path).read("areas").features.size(), 1u);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++files;
    EXPECT_EQ(files, 1u);
    {
        WorkspaceWriter w(path, path);
        w.write(t);
        w.commit();
    }
    EXPECT_EQ(Workspace(path).read("areas").features.size(), 2u);
}

TEST(Workspace, MissingOrForeignFileIsAWorkspaceError) {
    test::TempDir dir;
    EXPECT_THROW(Workspace(dir / "missing.gpkg"), WorkspaceError);
    std::ofstream(dir / "text.gpkg") << "hello";
    EXPECT_THROW(Workspace(dir / "text.gpkg"), WorkspaceError);
}
