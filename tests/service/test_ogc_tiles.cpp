// OGC API - Tiles 1.0 over a real server: the WebMercatorQuad tile matrix set against the values
// the OGC Two Dimensional Tile Matrix Set standard publishes, per-collection tilesets whose limits
// are the hand-made schools' tiles (worked out with the slippy-map formulas), and tiles that are
// the same bytes as /tiles/{tileset}/{z}/{x}/{y}.mvt with row and column in OGC order.
#include "fixture.hpp"

#include <set>

using namespace coldspot;
using namespace coldspot::test;
using nlohmann::json;

namespace {

class OgcTiles : public ServerFixture {
protected:
    void SetUp() override { start(); }
};

json link_with_rel(const json& links, const std::string& rel) {
    for (const auto& l : links)
        if (l["rel"] == rel) return l;
    return nullptr;
}

} // namespace

TEST_F(OgcTiles, WebMercatorQuadHasThePublishedMatrices) {
    const auto list = get_json("/tileMatrixSets");
    ASSERT_EQ(list["tileMatrixSets"].size(), 1u);
    EXPECT_EQ(list["tileMatrixSets"][0]["id"], "WebMercatorQuad");
    EXPECT_EQ(list["tileMatrixSets"][0]["uri"], "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad");
    const auto tms = get_json("/tileMatrixSets/WebMercatorQuad");
    EXPECT_EQ(tms["crs"], "http://www.opengis.net/def/crs/EPSG/0/3857");
    const auto& m = tms["tileMatrices"];
    ASSERT_EQ(m.size(), 23u); // zooms 0-22, as the tile service serves
    // OGC 17-083r4 Annex D (WebMercatorQuad): level 0 scale 559082264.0287178, cell 156543.0339280410.
    EXPECT_NEAR(m[0]["scaleDenominator"].get<double>(), 559082264.0287178, 1e-6);
    EXPECT_NEAR(m[0]["cellSize"].get<double>(), 156543.0339280410, 1e-9);
    EXPECT_NEAR(m[18]["scaleDenominator"].get<double>(), 2132.729583849784, 1e-9);
    EXPECT_EQ(m[10]["matrixWidth"], 1024);
    EXPECT_EQ(m[10]["id"], "10");
    EXPECT_NEAR(m[0]["pointOfOrigin"][0].get<double>(), -20037508.3427892, 1e-6);
    EXPECT_NEAR(m[0]["pointOfOrigin"][1].get<double>(), 20037508.3427892, 1e-6);
    expect_problem(get("/tileMatrixSets/WorldCRS84Quad"), 404);
}

TEST_F(OgcTiles, CollectionTilesetListsAndTilesetLimits) {
    const auto list = get_json("/collections/schools/tiles");
    ASSERT_EQ(list["tilesets"].size(), 1u);
    const auto& ts = list["tilesets"][0];
    EXPECT_EQ(ts["dataType"], "vector");
    EXPECT_EQ(ts["tileMatrixSetURI"], "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad");
    EXPECT_EQ(link_with_rel(ts["links"], "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme")["href"], base() + "/tileMatrixSets/WebMercatorQuad");
    const auto item = link_with_rel(ts["links"], "item");
    EXPECT_EQ(item["href"], base() + "/collections/schools/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}");
    EXPECT_EQ(item["type"], "application/vnd.mapbox-vector-tile");
    const auto set = get_json("/collections/schools/tiles/WebMercatorQuad");
    EXPECT_EQ(set["layers"][0]["id"], "schools");
    EXPECT_EQ(set["layers"][0]["geometryDimension"], 0);
    // Zeta (-2.30, 53.50) is the north-west corner, Epsilon/Alpha (0.95, 51.50) the south-east:
    // at z6 columns 31-32 and rows 20-21, at z8 columns 126-128 and rows 82-85.
    std::map<std::string, json> limits;
    for (const auto& l : set["tileMatrixSetLimits"]) limits[l["tileMatrix"]] = l;
    EXPECT_EQ(limits["6"], json({{"tileMatrix", "6"}, {"minTileCol", 31}, {"maxTileCol", 32}, {"minTileRow", 20}, {"maxTileRow", 21}}));
    EXPECT_EQ(limits["8"], json({{"tileMatrix", "8"}, {"minTileCol", 126}, {"maxTileCol", 128}, {"minTileRow", 82}, {"maxTileRow", 85}}));
    EXPECT_EQ(limits["0"]["maxTileRow"], 0);
    // A table without geometry has no tiles; neither has an unknown tile matrix set.
    expect_problem(get("/collections/school_remits/tiles"), 404);
    expect_problem(get("/collections/nothing/tiles"), 404);
    expect_problem(get("/collections/schools/tiles/WorldCRS84Quad"), 404);
}

TEST_F(OgcTiles, TilesAreTheSameBytesWithRowAndColumnInOgcOrder) {
    // Alpha Primary (-0.128, 51.504) is in XYZ tile 10/511/340: OGC row 340, column 511.
    const auto ogc = get("/collections/schools/tiles/WebMercatorQuad/10/340/511");
    ASSERT_EQ(ogc.status, 200) << ogc.body;
    EXPECT_EQ(ogc.header("content-type"), "application/vnd.mapbox-vector-tile");
    const auto xyz = get("/tiles/schools/10/511/340.mvt");
    ASSERT_EQ(xyz.status, 200);
    EXPECT_EQ(ogc.body, xyz.body);
    EXPECT_EQ(ogc.header("etag"), xyz.header("etag"));
    EXPECT_NE(ogc.body.find("Alpha Primary"), std::string::npos);
    // Swapped, the numbers address XYZ tile 10/340/511 (60.5 W, near the equator): no schools, 204.
    EXPECT_EQ(get("/collections/schools/tiles/WebMercatorQuad/10/511/340").status, 204);
    EXPECT_EQ(get("/collections/schools/tiles/WebMercatorQuad/10/340/511", {{"If-None-Match", ogc.header("etag")}}).status, 304);
    expect_problem(get("/collections/schools/tiles/WebMercatorQuad/3/8/0"), 400);  // row 8 of 8
    expect_problem(get("/collections/schools/tiles/WebMercatorQuad/x/0/0"), 400);
    expect_problem(get("/collections/schools/tiles/WebMercatorQuad/30/0/0"), 400);
    expect_problem(get("/collections/schools/tiles/WebMercatorQuad/3/0/0?colour=red"), 400);
    // The tiles of /tiles keep working beside the new addresses.
    EXPECT_EQ(get("/tiles/schools.json").status, 200);
}

TEST_F(OgcTiles, ConformanceAndOpenApiDeclareTiles) {
    std::set<std::string> classes;
    const auto conformance = get_json("/conformance");
    for (const auto& c : conformance["conformsTo"]) classes.insert(c);
    for (const char* c : {"http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core", "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
                          "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list", "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
                          "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt"})
        EXPECT_TRUE(classes.count(c)) << c;
    const auto api = get_json("/api");
    for (const char* p : {"/tileMatrixSets", "/tileMatrixSets/{tileMatrixSetId}", "/collections/{collectionId}/tiles", "/collections/{collectionId}/tiles/{tileMatrixSetId}",
                          "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}"})
        EXPECT_TRUE(api["paths"].contains(p)) << p;
    const auto collection = get_json("/collections/schools");
    EXPECT_FALSE(link_with_rel(collection["links"], "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector").is_null());
}
