// MBTiles and PMTiles archives read back by independent readers: the protomaps `pmtiles` package
// under node, the sqlite3 shell and GDAL's MBTiles driver.
#include "real_data.hpp"

#include "coldspot/geo/atomic_file.hpp"
#include "coldspot/tiles/archive.hpp"

#include <sys/resource.h>

#include <csignal>

using namespace coldspot;
using namespace coldspot::tiles;
using namespace coldspot::tiles::test;

namespace {

std::uint32_t fnv1a32(std::string_view s) {
    std::uint32_t h = 0x811c9dc5u;
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x01000193u;
    }
    return h;
}

geo::FeatureTable districts() {
    return polygons_from_geojson(coldspot::test::shared_data() / "boundaries/lad24_buc/lad24_england_buc.geojson",
                                 "local_authorities", {{"ltla24_code", "code"}, {"ltla24_name", "name"}});
}

std::shared_ptr<TileService> overview_service(int maxzoom) {
    TilesetSpec s;
    s.name = "overview";
    s.maxzoom = maxzoom;
    s.layers = {TileLayerSpec{"local_authorities", "", 0, 22, FeatureIdSource::GssCode}, TileLayerSpec{"schools", "", 0, 22, FeatureIdSource::Fid}};
    TileServiceOptions o;
    o.prebuild_max_zoom = -1;
    return std::make_shared<TileService>(std::vector<geo::FeatureTable>{districts(), east_of_england_schools()},
                                         std::vector<TilesetSpec>{s}, o);
}

/// While alive, this process may write no file beyond `bytes` (as on a full disk, writes fail with
/// EFBIG; SIGXFSZ is ignored so that they fail instead of ending the process).
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes) {
        getrlimit(RLIMIT_FSIZE, &before_);
        previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit = before_;
        limit.rlim_cur = bytes;
        setrlimit(RLIMIT_FSIZE, &limit);
    }
    ~FileSizeLimit() {
        setrlimit(RLIMIT_FSIZE, &before_);
        std::signal(SIGXFSZ, previous_handler_);
    }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;

private:
    rlimit before_{};
    void (*previous_handler_)(int) = SIG_DFL;
};

std::vector<std::string> names_in(const std::filesystem::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
    return names;
}

} // namespace

TEST(PmTiles, HilbertTileIdsMatchTheSpec) {
    // Values from the PMTiles v3 specification's examples and reference implementation tests.
    EXPECT_EQ(pmtiles::zxy_to_tileid(0, 0, 0), 0u);
    EXPECT_EQ(pmtiles::zxy_to_tileid(1, 0, 0), 1u);
    EXPECT_EQ(pmtiles::zxy_to_tileid(1, 0, 1), 2u);
    EXPECT_EQ(pmtiles::zxy_to_tileid(1, 1, 1), 3u);
    EXPECT_EQ(pmtiles::zxy_to_tileid(1, 1, 0), 4u);
    EXPECT_EQ(pmtiles::zxy_to_tileid(2, 0, 0), 5u);
    // The last tile of zoom z is the one before the first of z+1.
    EXPECT_EQ(pmtiles::zxy_to_tileid(12, 4095, 0) + 1, ((std::uint64_t{1} << 26) - 1) / 3);
    EXPECT_EQ(pmtiles::zxy_to_tileid(3, 7, 0), 1u + 4 + 16 + 63);
}

TEST(PmTiles, ArchiveReadBackByTheProtomapsReader) {
    COLDSPOT_REQUIRE_SHARED("boundaries/lad24_buc/lad24_england_buc.geojson");
    COLDSPOT_REQUIRE_SHARED("schools/schools_open_east_of_england.geojson");
    COLDSPOT_REQUIRE_NODE();
    const auto svc = overview_service(10);
    TempDir dir;
    const auto file = dir / "overview.pmtiles";
    const ArchiveStats stats = write_pmtiles(*svc, "overview", file);
    ASSERT_GT(stats.tiles, 100u);
    EXPECT_EQ(stats.features_dropped, 0u);
    EXPECT_LE(stats.max_tile_mvt_bytes, 500000u);
    // Every tile the service would serve, fetched through the reader.
    std::string cmd = coldspot::test::node_command() + " " + coldspot::test::quote((node_dir() / "decode.mjs").string()) + " pmtiles " +
                      coldspot::test::quote(file.string());
    std::map<std::string, EncodedTile> expected;
    for (std::uint32_t z = 0; z <= 10; ++z)
        for (const auto& id : svc->candidate_tiles("overview", z)) {
            auto t = svc->render("overview", id);
            if (t.empty) continue;
            cmd += " " + id.to_string();
            expected.emplace(id.to_string(), std::move(t));
        }
    cmd += " 10/0/0"; // far out in the Pacific: absent
    const auto r = coldspot::test::run_command(cmd);
    ASSERT_EQ(r.exit_code, 0) << r.output.substr(0, 2000);
    const json got = json::parse(r.output);
    const json& h = got["header"];
    EXPECT_EQ(h["specVersion"], 3);
    EXPECT_EQ(h["tileType"], 1);            // MVT
    EXPECT_EQ(h["tileCompression"], 2);     // gzip
    EXPECT_EQ(h["internalCompression"], 2); // gzip
    EXPECT_EQ(h["minZoom"], 0);
    EXPECT_EQ(h["maxZoom"], 10);
    EXPECT_EQ(h["numAddressedTiles"], stats.tiles);
    EXPECT_EQ(h["numTileContents"], stats.unique_tiles);
    EXPECT_EQ(h["clustered"], true);
    EXPECT_NEAR(h["minLon"].get<double>(), -6.4, 0.1); // England (Isles of Scilly)
    EXPECT_NEAR(h["maxLat"].get<double>(), 55.8, 0.1);
    EXPECT_EQ(got["metadata"]["vector_layers"].size(), 2u);
    EXPECT_EQ(expected.size(), stats.tiles);
    for (const auto& [zxy, tile] : expected) {
        const json& t = got["tiles"][zxy];
        ASSERT_FALSE(t.is_null()) << zxy << " missing";
        // The reader inflates tiles itself (header says gzip), so compare with the MVT bytes.
        EXPECT_EQ(t["length"], tile.mvt_bytes) << zxy;
        EXPECT_EQ(t["fnv1a32"], fnv1a32(gzip_decompress(tile.gzip_body))) << zxy;
        std::size_t features = 0;
        for (const auto& [name, layer] : t["layers"].items()) features += layer["features"].size();
        EXPECT_EQ(features, tile.feature_count) << zxy;
    }
    EXPECT_TRUE(got["tiles"]["10/0/0"].is_null());
}

TEST(PmTiles, ManyTilesSpillIntoLeafDirectories) {
    COLDSPOT_REQUIRE_SHARED("schools/schools_open_east_of_england.geojson");
    COLDSPOT_REQUIRE_NODE();
    TileServiceOptions o;
    o.prebuild_max_zoom = -1;
    const TileService svc({east_of_england_schools()}, {single("schools", 14)}, o);
    TempDir dir;
    const auto file = dir / "schools.pmtiles";
    ArchiveOptions ao;
    ao.pmtiles_root_bytes = 1024; // the real 16 KiB root holds these 3,000+ tiles; force leaves
    const ArchiveStats stats = write_pmtiles(svc, "schools", file, ao);
    ASSERT_GT(stats.tiles, 3000u);
    std::string cmd = coldspot::test::node_command() + " " + coldspot::test::quote((node_dir() / "decode.mjs").string()) + " pmtiles " +
                      coldspot::test::quote(file.string());
    // A sample spread over the whole Hilbert range, so several leaves are visited.
    std::vector<std::pair<std::string, EncodedTile>> sample;
    for (std::uint32_t z : {0u, 6u, 11u, 13u, 14u}) {
        const auto ids = svc.candidate_tiles("schools", z);
        for (std::size_t i = 0; i < ids.size(); i += std::max<std::size_t>(1, ids.size() / 40)) {
            auto t = svc.render("schools", ids[i]);
            if (t.empty) continue;
            cmd += " " + ids[i].to_string();
            sample.emplace_back(ids[i].to_string(), std::move(t));
        }
    }
    const auto r = coldspot::test::run_command(cmd);
    ASSERT_EQ(r.exit_code, 0) << r.output.substr(0, 2000);
    const json got = json::parse(r.output);
    EXPECT_GT(got["header"]["leafDirectoryLength"].get<std::size_t>(), 0u);
    EXPECT_LE(got["header"]["rootDirectoryLength"].get<std::size_t>(), 1024u - 127u);
    EXPECT_EQ(got["header"]["numAddressedTiles"], stats.tiles);
    for (const auto& [zxy, tile] : sample) {
        const json& t = got["tiles"][zxy];
        ASSERT_FALSE(t.is_null()) << zxy;
        EXPECT_EQ(t["fnv1a32"], fnv1a32(gzip_decompress(tile.gzip_body))) << zxy;
    }
}

TEST(MbTiles, ArchiveReadBackBySqliteAndGdal) {
    COLDSPOT_REQUIRE_SHARED("boundaries/lad24_buc/lad24_england_buc.geojson");
    COLDSPOT_REQUIRE_SHARED("schools/schools_open_east_of_england.geojson");
    const auto svc = overview_service(8);
    TempDir dir;
    const auto file = dir / "overview.mbtiles";
    const ArchiveStats stats = write_mbtiles(*svc, "overview", file);
    const auto sql = [&](const std::string& q) {
        const auto r = coldspot::test::run_command("sqlite3 " + coldspot::test::quote(file.string()) + " " + coldspot::test::quote(q));
        EXPECT_EQ(r.exit_code, 0) << r.output;
        std::string s = r.output;
        while (!s.empty() && s.back() == '\n') s.pop_back();
        return s;
    };
    EXPECT_EQ(sql("SELECT count(*) FROM tiles"), std::to_string(stats.tiles));
    EXPECT_EQ(sql("SELECT value FROM metadata WHERE name='format'"), "pbf");
    EXPECT_EQ(sql("SELECT value FROM metadata WHERE name='minzoom'"), "0");
    EXPECT_EQ(sql("SELECT value FROM metadata WHERE name='maxzoom'"), "8");
    const json meta = json::parse(sql("SELECT value FROM metadata WHERE name='json'"));
    ASSERT_EQ(meta["vector_layers"].size(), 2u);
    EXPECT_EQ(meta["vector_layers"][0]["id"], "local_authorities");
    EXPECT_EQ(meta["vector_layers"][0]["fields"]["code"], "String");
    // Cambridge (0.12 E, 52.2 N) is in XYZ tile 8/128/83, which MBTiles stores as TMS row 255-83.
    const auto cam = svc->render("overview", TileId{8, 128, 83});
    ASSERT_FALSE(cam.empty);
    EXPECT_EQ(sql("SELECT length(tile_data) FROM tiles WHERE zoom_level=8 AND tile_column=128 AND tile_row=172"),
              std::to_string(cam.gzip_body.size()));
    // GDAL's MBTiles driver (a separate MVT decoder) sees both layers with their fields.
    const auto info = coldspot::test::run_command("ogrinfo -ro -so " + coldspot::test::quote(file.string()) + " schools");
    ASSERT_EQ(info.exit_code, 0) << info.output;
    EXPECT_NE(info.output.find("Layer name: schools"), std::string::npos) << info.output;
    for (const char* field : {"urn:", "name:", "point_count:", "cluster:"})
        EXPECT_NE(info.output.find(field), std::string::npos) << field << "\n" << info.output;
    // GDAL reads the z8 tiles: single schools plus cluster counts give every school exactly once
    // (clusters take no buffer points).
    const auto ogr_number = [&](const std::string& sql) {
        const auto r = coldspot::test::run_command("ogrinfo -ro -q " + coldspot::test::quote(file.string()) + " -sql " +
                                                   coldspot::test::quote(sql));
        EXPECT_EQ(r.exit_code, 0) << r.output;
        const auto eq = r.output.find("= ");
        return eq == std::string::npos ? -1.0 : std::stod(r.output.substr(eq + 2));
    };
    const double singles = ogr_number("SELECT COUNT(*) FROM schools WHERE point_count IS NULL");
    const double clustered = ogr_number("SELECT SUM(point_count) FROM schools");
    EXPECT_EQ(singles + clustered, 2694.0) << singles << " + " << clustered;
    EXPECT_GT(clustered, 0.0);
}

// The MBTiles writer talks to SQLite, not GDAL: a write SQLite cannot make (here the file-size limit,
// as on a full disk) is an IoError naming the archive, and neither the archive nor a temporary file
// or SQLite journal is left behind.
TEST(MbTiles, SqliteWriteFailureIsAnIoErrorAndLeavesNothingBehind) {
    auto schools = table_3857("schools", geo::GeometryType::Point, {{"name", geo::FieldType::String}});
    schools.features.push_back({1, at(TileId{0, 0, 0}, 1000.5, 2000.5), {std::string("A")}});
    TileServiceOptions o;
    o.prebuild_max_zoom = -1;
    const TileService svc({schools}, {single("schools", 2)}, o);
    TempDir dir;
    const auto file = dir / "schools.mbtiles";
    {
        const FileSizeLimit no_room(0);
        EXPECT_THROW(write_mbtiles(svc, "schools", file), IoError);
        try {
            write_mbtiles(svc, "schools", file);
            ADD_FAILURE() << "no error";
        } catch (const IoError& e) {
            EXPECT_NE(std::string(e.what()).find("MBTiles"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("schools.mbtiles"), std::string::npos) << e.what();
        }
    }
    EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{});
    // The same call without the limit writes the archive.
    EXPECT_GT(write_mbtiles(svc, "schools", file).tiles, 0u);
    EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"schools.mbtiles"});
}
