// Vector tile routes, the school record and the dashboards, health and metrics.
#include "fixture.hpp"

#include "coldspot/service/output_crs.hpp"
#include "coldspot/tiles/gzip.hpp"
#include "coldspot/tiles/tile_id.hpp"

#include <fstream>

using namespace coldspot;
using namespace coldspot::test;
using nlohmann::json;

namespace {

class TilesAndRecords : public ServerFixture {
protected:
    void SetUp() override { start(); }
    /// The tile holding a school at zoom z.
    tiles::TileId tile_of(const HandSchool& s, std::uint32_t z) { return tiles::tile_containing(service::crs84_to_web_mercator({s.lon, s.lat}), z); }
    std::string tile_path(const std::string& tileset, const tiles::TileId& t, const char* ext = ".mvt") {
        return "/tiles/" + tileset + "/" + std::to_string(t.z) + "/" + std::to_string(t.x) + "/" + std::to_string(t.y) + ext;
    }
    std::string schools_tileset() {
        const auto list = get_json("/tiles"); // kept alive: the loop reads into it
        for (const auto& ts : list["tilesets"])
            for (const auto& l : ts["layers"])
                if (l == "schools") return ts["name"];
        ADD_FAILURE() << get("/tiles").body;
        return {};
    }
};

} // namespace

TEST_F(TilesAndRecords, TileJsonDescribesTheTileset) {
    const std::string ts = schools_tileset();
    ASSERT_FALSE(ts.empty());
    const auto r = get("/tiles/" + ts + ".json");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto j = json::parse(r.body);
    EXPECT_EQ(j["tilejson"], "3.0.0");
    EXPECT_EQ(j["tiles"][0], base() + "/tiles/" + ts + "/{z}/{x}/{y}.mvt");
    EXPECT_NE(r.header("cache-control").find("max-age="), std::string::npos);
    expect_problem(get("/tiles/nope.json"), 404);
}

TEST_F(TilesAndRecords, TilesAreGzippedWithEtagsAnd304And204) {
    const std::string ts = schools_tileset();
    ASSERT_FALSE(ts.empty());
    const auto t = tile_of(hand_schools()[0], 10);
    const auto r = get(tile_path(ts, t), {{"Accept-Encoding", "gzip"}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/vnd.mapbox-vector-tile");
    EXPECT_EQ(r.header("content-encoding"), "gzip");
    EXPECT_NE(r.header("cache-control").find("public"), std::string::npos);
    const std::string etag = r.header("etag");
    ASSERT_FALSE(etag.empty());
    EXPECT_EQ(etag.front(), '"');
    // .pbf is the same tile.
    EXPECT_EQ(get(tile_path(ts, t, ".pbf"), {{"Accept-Encoding", "gzip"}}).body, r.body);
    // Without gzip the client gets the identity bytes.
    const auto plain = get(tile_path(ts, t));
    EXPECT_EQ(plain.header("content-encoding"), "");
    EXPECT_EQ(plain.body, tiles::gzip_decompress(r.body));
    // Revalidation.
    const auto again = get(tile_path(ts, t), {{"If-None-Match", etag}});
    EXPECT_EQ(again.status, 304);
    EXPECT_EQ(again.header("etag"), etag);
    EXPECT_TRUE(again.body.empty());
    EXPECT_EQ(get(tile_path(ts, t), {{"If-None-Match", "\"other\", " + etag}}).status, 304);
    EXPECT_EQ(get(tile_path(ts, t), {{"If-None-Match", "\"other\""}}).status, 200);
    // The middle of the North Sea at zoom 10 has no school.
    const auto sea = tiles::tile_containing(service::crs84_to_web_mercator({3.0, 55.0}), 10);
    EXPECT_EQ(get(tile_path(ts, sea)).status, 204);

    // GDAL's MVT driver decodes the tile: one school point, with its attributes.
    TempDir d;
    const auto file = d.path() / std::to_string(t.z) / std::to_string(t.x) / (std::to_string(t.y) + ".pbf");
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << plain.body;
    const auto info = run_command("ogrinfo -ro -al " + quote(file.string()));
    EXPECT_EQ(info.exit_code, 0) << info.output;
    EXPECT_NE(info.output.find("Layer name: schools"), std::string::npos) << info.output;
    EXPECT_NE(info.output.find("Alpha Primary"), std::string::npos) << info.output;
}

TEST_F(TilesAndRecords, ImpossibleTilesAre400AndUnknownOnes404) {
    const std::string ts = schools_tileset();
    ASSERT_FALSE(ts.empty());
    expect_problem(get("/tiles/" + ts + "/3/8/0.mvt"), 400);   // x >= 2^z
    expect_problem(get("/tiles/" + ts + "/3/0/8.mvt"), 400);   // y >= 2^z
    expect_problem(get("/tiles/" + ts + "/23/0/0.mvt"), 400);  // beyond z22
    expect_problem(get("/tiles/" + ts + "/a/0/0.mvt"), 400);
    expect_problem(get("/tiles/" + ts + "/1/-1/0.mvt"), 400);
    expect_problem(get("/tiles/" + ts + "/1/0/0.png"), 404);
    expect_problem(get("/tiles/nope/1/0/0.mvt"), 404);
}

TEST_F(TilesAndRecords, SchoolRecordJoinsTheResultLayersPresent) {
    const auto j = get_json("/schools/100004");
    EXPECT_EQ(j["urn"], 100004);
    EXPECT_EQ(j["school"]["name"], "Delta Academy");
    EXPECT_EQ(j["school"]["phase"], "Secondary");
    EXPECT_NEAR(j["geometry"]["coordinates"][0].get<double>(), -1.270726151, 1e-7);
    ASSERT_EQ(j["remits"].size(), 1u);
    EXPECT_EQ(j["remits"][0]["hub_id"], "maths-hub:H" + std::to_string(100004 % 3));
    EXPECT_FALSE(j.contains("coldspot"));
    EXPECT_EQ(j["missing_layers"], json::array({"school_access", "coldspots_schools", "targets"}));
    EXPECT_EQ(j["hub_venues"], json::array()); // the venues open to it come from school_access
    expect_problem(get("/schools/999999"), 404);
    expect_problem(get("/schools/abc"), 400);
    expect_problem(get("/schools/-5"), 400);
}

TEST_F(TilesAndRecords, DashboardsAre404UntilTheirLayerExistsThenServeRows) {
    const auto missing = get("/hubs");
    expect_problem(missing, 404);
    EXPECT_EQ(json::parse(missing.body)["layer"], "hub_dashboard");
    expect_problem(get("/authorities/E06000001"), 404);

    TearDown();
    {
        geo::FeatureTable hubs;
        hubs.name = "hub_dashboard";
        hubs.epsg = 0;
        hubs.fields = {{"hub_id", geo::FieldType::String}, {"schools", geo::FieldType::Integer}, {"mean_drive_min", geo::FieldType::Real}};
        hubs.features = {{1, {}, {std::string("maths-hub:H1"), std::int64_t{2}, 12.5}}, {2, {}, {std::string("maths-hub:H2"), std::int64_t{3}, 30.25}}};
        geo::FeatureTable las;
        las.name = "la_dashboard";
        las.epsg = 0;
        las.fields = {{"la_code", geo::FieldType::String}, {"schools", geo::FieldType::Integer}};
        las.features = {{1, {}, {std::string("E06000001"), std::int64_t{6}}}};
        geo::WorkspaceWriter w(workspace_, workspace_);
        w.write(hubs);
        w.write(las);
        w.commit();
    }
    start();
    const auto list = get_json("/hubs");
    EXPECT_EQ(list["count"], 2);
    EXPECT_EQ(list["items"][1]["href"], base() + "/hubs/maths-hub:H2");
    const auto h2 = get_json("/hubs/maths-hub:H2");
    EXPECT_EQ(h2["schools"], 3);
    EXPECT_EQ(h2["mean_drive_min"], 30.25);
    EXPECT_EQ(get_json("/hubs/maths-hub%3AH1")["schools"], 2);
    EXPECT_EQ(get_json("/authorities/E06000001")["schools"], 6);
    expect_problem(get("/hubs/maths-hub:H9"), 404);
}

TEST_F(TilesAndRecords, HealthAndPrometheusMetrics) {
    const auto h = get_json("/healthz");
    EXPECT_EQ(h["status"], "ok");
    EXPECT_EQ(h["snapshot_version"], 1);
    get("/collections/schools/items");
    get("/collections/schools/items");
    get("/nothing");
    const auto m = get("/metrics");
    EXPECT_EQ(m.status, 200);
    EXPECT_EQ(m.header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_NE(m.body.find("coldspot_http_requests_total{route=\"/collections/{id}/items\",method=\"GET\",status=\"200\"} 2\n"), std::string::npos) << m.body;
    EXPECT_NE(m.body.find("coldspot_http_requests_total{route=\"(unknown)\",method=\"GET\",status=\"404\"} 1\n"), std::string::npos);
    EXPECT_NE(m.body.find("coldspot_http_request_duration_seconds_count{route=\"/collections/{id}/items\"} 2\n"), std::string::npos);
    EXPECT_NE(m.body.find("coldspot_http_request_duration_seconds_bucket{route=\"/collections/{id}/items\",le=\"+Inf\"} 2\n"), std::string::npos);
    EXPECT_NE(m.body.find("coldspot_tile_cache_hits_total "), std::string::npos);
    EXPECT_NE(m.body.find("coldspot_snapshot_version 1\n"), std::string::npos);
}
