// TileService behaviour the HTTP layer relies on: errors, cache, ETags, TileJSON, gzip.
#include "tiles_test_support.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/tiles/detail/tile_cache.hpp"

#include <set>
#include <thread>

using namespace coldspot;
using namespace coldspot::tiles;
using namespace coldspot::tiles::test;

namespace {

geo::FeatureTable two_areas() {
    auto t = table_3857("areas", geo::GeometryType::MultiPolygon,
                        {{"code", geo::FieldType::String}, {"imd_decile", geo::FieldType::Integer}, {"area_km2", geo::FieldType::Real}});
    const TileId t2{2, 1, 1};
    t.features.push_back({1, polygon_in_tile(t2, {{{100, 100}, {900, 100}, {900, 900}, {100, 900}}}),
                          {std::string("E01000001"), std::int64_t{3}, 1.5}});
    t.features.push_back({2, polygon_in_tile(t2, {{{2000, 2000}, {2500, 2000}, {2500, 2500}, {2000, 2500}}}),
                          {std::string("E01000002"), std::int64_t{7}, 0.25}});
    return t;
}

geo::FeatureTable three_schools() {
    auto t = table_3857("schools", geo::GeometryType::Point, {{"urn", geo::FieldType::Integer}, {"pupils", geo::FieldType::Integer}});
    const TileId t2{2, 1, 1};
    for (int i = 0; i < 3; ++i) t.features.push_back({100 + i, at(t2, 300.5 + 1000 * i, 300.5), {std::int64_t{100 + i}, std::int64_t{10}}});
    return t;
}

geo::FeatureTable districts() {
    auto t = two_areas();
    t.name = "local_authorities";
    return t;
}

} // namespace

TEST(TileService, ErrorsHaveTheirOwnTypes) {
    TileServiceOptions o;
    o.prebuild_max_zoom = -1;
    TileService svc({two_areas()}, {single("areas", 14)}, o);
    EXPECT_THROW(svc.get("nope", TileId{0, 0, 0}), NotFoundError);
    EXPECT_THROW(svc.tilejson("nope", "x"), NotFoundError);
    EXPECT_THROW(svc.get("areas", TileId{15, 0, 0}), NotFoundError); // beyond the tileset's maxzoom
    EXPECT_THROW(svc.get("areas", TileId{3, 8, 0}), InvalidArgumentError);
    EXPECT_THROW(svc.get("areas", TileId{3, 0, 8}), InvalidArgumentError);
    EXPECT_THROW(TileService({two_areas()}, {single("schools")}, o), InvalidArgumentError); // missing layer
    TilesetSpec bad = single("areas");
    bad.minzoom = 5;
    bad.maxzoom = 4;
    EXPECT_THROW(TileService({two_areas()}, {bad}, o), InvalidArgumentError);
    TileServiceOptions wide = o;
    wide.encode.buffer = 5000;
    EXPECT_THROW(TileService({two_areas()}, {single("areas")}, wide), InvalidArgumentError);
}

TEST(TileService, EmptyTileIsValidGzipOfNothing) {
    TileServiceOptions o;
    o.prebuild_max_zoom = -1;
    TileService svc({two_areas()}, {single("areas")}, o);
    const auto t = svc.get("areas", TileId{2, 3, 3});
    EXPECT_TRUE(t->empty);
    EXPECT_EQ(t->feature_count, 0u);
    EXPECT_EQ(gzip_decompress(t->gzip_body), "");
}

TEST(TileService, RenderMvtIsTheGzipBodyUncompressed) {
    TileServiceOptions o;
    o.prebuild_max_zoom = -1;
    TileService svc({two_areas()}, {single("areas")}, o);
    for (const TileId t : {TileId{2, 1, 1}, TileId{2, 3, 3}, TileId{0, 0, 0}}) {
        const EncodedTile full = svc.render("areas", t);
        EncodedTile stats;
        const std::string mvt = svc.render_mvt("areas", t, &stats);
        EXPECT_EQ(mvt, gzip_decompress(full.gzip_body)) << t.to_string();
        EXPECT_EQ(stats.mvt_bytes, mvt.size());
        EXPECT_EQ(stats.feature_count, full.feature_count);
        EXPECT_TRUE(stats.gzip_body.empty());
        EXPECT_TRUE(stats.etag.empty());
    }
    EXPECT_FALSE(svc.render_mvt("areas", TileId{2, 1, 1}).empty());
    EXPECT_THROW(svc.render_mvt("nope", TileId{0, 0, 0}), NotFoundError);
    EXPECT_THROW(svc.render_mvt("areas", TileId{3, 8, 0}), InvalidArgumentError);
    EXPECT_EQ(svc.cache_stats().misses, 0u); // neither touches the cache
}

TEST(TileService, CacheHitsReturnTheSameTileAndEtagsAreStrongAndStable) {
    TileServiceOptions o;
    o.prebuild_max_zoom = -1;
    TileService a({two_areas()}, {single("areas")}, o);
    const auto first = a.get("areas", TileId{2, 1, 1});
    const auto again = a.get("areas", TileId{2, 1, 1});
    EXPECT_EQ(first.get(), again.get());
    EXPECT_EQ(a.cache_stats().hits, 1u);
    EXPECT_EQ(a.cache_stats().misses, 1u);
    ASSERT_GE(first->etag.size(), 3u);
    EXPECT_EQ(first->etag.front(), '"'); // strong: quoted, no W/ prefix
    EXPECT_EQ(first->etag.back(), '"');
    // The same data in a new snapshot gives byte-identical bodies, so the same ETag.
    TileService b({two_areas()}, {single("areas")}, o);
    EXPECT_EQ(b.get("areas", TileId{2, 1, 1})->etag, first->etag);
    EXPECT_EQ(b.get("areas", TileId{2, 1, 1})->gzip_body, first->gzip_body);
    // Changed data: new ETag.
    auto changed = two_areas();
    changed.features[1].values[1] = std::int64_t{8};
    TileService c({changed}, {single("areas")}, o);
    EXPECT_NE(c.get("areas", TileId{2, 1, 1})->etag, first->etag);
    // The body really is gzip (magic bytes) and inflates to the MVT the encoder reported.
    EXPECT_EQ(static_cast<unsigned char>(first->gzip_body[0]), 0x1f);
    EXPECT_EQ(static_cast<unsigned char>(first->gzip_body[1]), 0x8b);
    EXPECT_EQ(gzip_decompress(first->gzip_body).size(), first->mvt_bytes);
}

TEST(TileService, LowZoomsArePrebuiltOutsideTheLru) {
    TileServiceOptions o;
    o.prebuild_max_zoom = 2;
    TileService svc({two_areas()}, {single("areas")}, o);
    // One candidate tile per zoom 0, 1, 2 (the features sit in 2/1/1).
    EXPECT_EQ(svc.cache_stats().prebuilt, 3u);
    svc.get("areas", TileId{1, 0, 0});
    svc.get("areas", TileId{2, 1, 1});
    EXPECT_EQ(svc.cache_stats().misses, 0u);
    EXPECT_EQ(svc.cache_stats().entries, 0u);
}

TEST(TileCache, EvictsLeastRecentlyUsedWithinTheByteBudget) {
    const auto make = [](std::size_t n) {
        auto t = std::make_shared<EncodedTile>();
        t->gzip_body.assign(n, 'x');
        t->etag = "\"e\"";
        return std::shared_ptr<const EncodedTile>(t);
    };
    const std::size_t one = TileCache::cost("a/0/0/0", *make(1000));
    TileCache cache(3 * one); // room for three
    cache.put("a/0/0/0", make(1000));
    cache.put("a/1/0/0", make(1000));
    cache.put("a/1/1/0", make(1000));
    EXPECT_NE(cache.find("a/0/0/0"), nullptr); // now most recent
    cache.put("a/1/0/1", make(1000));          // evicts a/1/0/0, the least recent
    EXPECT_EQ(cache.find("a/1/0/0"), nullptr);
    EXPECT_NE(cache.find("a/0/0/0"), nullptr);
    EXPECT_NE(cache.find("a/1/1/0"), nullptr);
    EXPECT_NE(cache.find("a/1/0/1"), nullptr);
    EXPECT_EQ(cache.stats().evictions, 1u);
    EXPECT_LE(cache.stats().bytes, 3 * one);
    cache.put("a/2/0/0", make(10 * one)); // bigger than the budget: not kept, nothing evicted
    EXPECT_EQ(cache.find("a/2/0/0"), nullptr);
    EXPECT_EQ(cache.stats().entries, 3u);
}

TEST(TileService, ConcurrentGetsAgree) {
    TileServiceOptions o;
    o.prebuild_max_zoom = -1;
    o.cache_bytes = 4096; // tiny: forces evictions while threads race
    TileService svc({districts(), three_schools()}, TileService::default_tilesets({districts(), three_schools()}), o);
    std::vector<std::thread> pool;
    std::atomic<int> mismatches{0};
    const std::string expected = svc.render("overview", TileId{2, 1, 1}).etag;
    for (int t = 0; t < 4; ++t)
        pool.emplace_back([&] {
            for (int i = 0; i < 200; ++i) {
                const TileId id{static_cast<std::uint32_t>(i % 3 + 2), 0, 0};
                svc.get("overview", id);
                if (svc.get("overview", TileId{2, 1, 1})->etag != expected) ++mismatches;
            }
        });
    for (auto& th : pool) th.join();
    EXPECT_EQ(mismatches, 0);
}

TEST(TileService, TileJsonDescribesLayersFieldsBoundsAndAttribution) {
    TileServiceOptions o;
    o.prebuild_max_zoom = -1;
    std::vector<geo::FeatureTable> layers{districts(), three_schools()};
    const auto specs = TileService::default_tilesets(layers);
    std::vector<std::string> names;
    for (const auto& s : specs) names.push_back(s.name);
    EXPECT_EQ(names, (std::vector<std::string>{"schools", "local_authorities", "overview"}));
    TileService svc(layers, specs, o);
    EXPECT_EQ(svc.names(), (std::vector<std::string>{"local_authorities", "overview", "schools"}));
    const json tj = svc.tilejson("overview", "http://h/tiles/overview/{z}/{x}/{y}.mvt");
    EXPECT_EQ(tj["tilejson"], "3.0.0");
    EXPECT_EQ(tj["tiles"][0], "http://h/tiles/overview/{z}/{x}/{y}.mvt");
    EXPECT_EQ(tj["minzoom"], 0);
    EXPECT_EQ(tj["maxzoom"], 14);
    EXPECT_NE(tj["attribution"].get<std::string>().find("Open Government Licence"), std::string::npos);
    ASSERT_EQ(tj["vector_layers"].size(), 2u);
    const json& areas = tj["vector_layers"][0];
    EXPECT_EQ(areas["id"], "local_authorities");
    EXPECT_EQ(areas["fields"], json::parse(R"({"code":"String","imd_decile":"Number","area_km2":"Number"})"));
    const json& schools = tj["vector_layers"][1];
    EXPECT_EQ(schools["fields"]["point_count"], "Number");
    EXPECT_EQ(schools["fields"]["pupils_sum"], "Number");
    EXPECT_FALSE(schools["fields"].contains("urn_sum"));
    // Bounds: tile 2/1/1 spans lon -90..0 and lat 0..66.51; the features sit inside its NW part.
    const auto& b = tj["bounds"];
    EXPECT_GT(b[0].get<double>(), -90);
    EXPECT_LT(b[2].get<double>(), 0);
    EXPECT_GT(b[1].get<double>(), 0);
    EXPECT_LT(b[3].get<double>(), 66.52);
    EXPECT_LT(b[0].get<double>(), b[2].get<double>());
    // Feature (100,100)-(900,900) of 2/1/1: west edge lon = -90 + 100/4096*90.
    EXPECT_NEAR(b[0].get<double>(), -90 + 100.0 / 4096 * 90, 1e-6);
    EXPECT_EQ(tj["center"].size(), 3u);
    // Roads bring the ODbL.
    auto roads = table_3857("roads", geo::GeometryType::MultiLineString, {});
    roads.features.push_back({1, geo::MultiLineString{geo::LineString{{0, 0}, {1000, 1000}}}, {}});
    TileService r({roads}, TileService::default_tilesets({roads}), o);
    EXPECT_NE(r.tilejson("roads", "u")["attribution"].get<std::string>().find("ODbL"), std::string::npos);
}

TEST(TileService, LayerZoomRangesApplyWithinATileset) {
    TileServiceOptions o;
    o.prebuild_max_zoom = -1;
    o.encode.cluster_max_zoom = -1;
    TilesetSpec s;
    s.name = "mix";
    s.layers = {TileLayerSpec{"areas", "", 0, 14, FeatureIdSource::GssCode}, TileLayerSpec{"schools", "pts", 3, 14, FeatureIdSource::Fid}};
    TileService svc({two_areas(), three_schools()}, {s}, o);
    EXPECT_EQ(svc.render("mix", TileId{2, 1, 1}).feature_count, 2u);     // schools hidden below z3
    // In 3/2/2 (the NW child of 2/1/1) both areas reach in; schools sit at z3 units 601, 2601 and
    // 4601, the last beyond the 64-unit buffer.
    EXPECT_EQ(svc.render("mix", TileId{3, 2, 2}).feature_count, 2u + 2u);
    EXPECT_EQ(svc.tilejson("mix", "u")["vector_layers"][1]["id"], "pts");
}

TEST(Gzip, RoundTripsAndRejectsGarbage) {
    const std::string text(10000, 'a');
    const auto z = gzip_compress(text);
    EXPECT_LT(z.size(), 200u);
    EXPECT_EQ(gzip_decompress(z), text);
    EXPECT_EQ(gzip_compress(text), z); // deterministic
    EXPECT_THROW(gzip_decompress("not gzip at all"), FormatError);
    EXPECT_THROW(gzip_decompress(z.substr(0, z.size() / 2)), FormatError);
}

TEST(GssIds, PackLosslesslyAndRejectOtherText) {
    EXPECT_EQ(gss_code_to_id("E01000001"), 501000001u);
    EXPECT_EQ(gss_code_to_id("W01001958"), 2301001958u);
    EXPECT_EQ(gss_code_to_id("E06000001"), 506000001u);
    EXPECT_EQ(gss_code_to_id("e01000001"), std::nullopt);
    EXPECT_EQ(gss_code_to_id("E0100000"), std::nullopt);
    EXPECT_EQ(gss_code_to_id("E0100000X"), std::nullopt);
}

TEST(Gzip, ReusedStreamsGiveTheSameBytesAsFreshOnes) {
    // gzip_compress keeps one zlib stream per thread and level; a reset stream must give exactly
    // what a fresh one gives (strong ETags depend on it), and zcat must read it.
    const std::string a = "tile A " + std::string(5000, 'x'), b(70000, 'b');
    const std::string first = gzip_compress(a);
    EXPECT_NE(gzip_compress(b), first);
    EXPECT_EQ(gzip_compress(a), first);
    std::string other_thread;
    std::thread([&] { other_thread = gzip_compress(a); }).join();
    EXPECT_EQ(other_thread, first);
    EXPECT_EQ(gzip_decompress(gzip_compress(b, 1)), b);
    TempDir dir;
    write_file(dir / "a.gz", first);
    const auto r = coldspot::test::run_command("zcat " + (dir / "a.gz").string());
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.output, a);
    EXPECT_THROW(gzip_compress(a, 10), InvalidArgumentError);
}

TEST(TileService, AreaLabelsAreDerivedOncePerAreaAndNeverClustered) {
    // Two named authorities whose label points fall in one 64-unit cluster cell of tile 2/1/1: as
    // schools they would become one nameless cluster; as labels both keep their names.
    auto counties = table_3857("upper_tier_authorities", geo::GeometryType::MultiPolygon,
                               {{"code", geo::FieldType::String}, {"name", geo::FieldType::String}});
    const TileId t2{2, 1, 1};
    counties.features.push_back({1, polygon_in_tile(t2, {{{66, 66}, {86, 66}, {86, 86}, {66, 86}}}), {std::string("E10000001"), std::string("Westshire")}});
    counties.features.push_back({2, polygon_in_tile(t2, {{{90, 66}, {110, 66}, {110, 86}, {90, 86}}}), {std::string("E10000002"), std::string("Eastshire")}});
    std::vector<geo::FeatureTable> layers{counties, districts(), three_schools()};
    TileService::add_derived_layers(layers);
    ASSERT_EQ(layers.size(), 4u);
    EXPECT_EQ(layers.back().name, "area_labels");
    TileService::add_derived_layers(layers); // idempotent: a second call adds nothing
    EXPECT_EQ(layers.size(), 4u);
    const auto specs = TileService::default_tilesets(layers);
    const auto overview = std::find_if(specs.begin(), specs.end(), [](const TilesetSpec& s) { return s.name == "overview"; });
    ASSERT_NE(overview, specs.end());
    TileServiceOptions o;
    o.prebuild_max_zoom = -1;
    TileService svc(layers, specs, o);
    EXPECT_FALSE(svc.tilejson("overview", "u")["vector_layers"][4]["fields"].contains("cluster"));
    const json tile = decode_tile(svc.render("overview", t2));
    const auto& labels = tile["area_labels"]["features"];
    std::set<std::string> names;
    for (const auto& f : labels) {
        EXPECT_FALSE(f["properties"].contains("cluster"));
        names.insert(f["properties"]["name"].get<std::string>());
    }
    // The districts' two areas are unnamed in this fixture (no `name` field): only the counties.
    EXPECT_EQ(names, (std::set<std::string>{"Westshire", "Eastshire"}));
    EXPECT_EQ(labels.size(), 2u);
}
