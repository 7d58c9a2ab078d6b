// Golden tests: tiny hand-drawn layers with exact expected tiles, every tile decoded by
// @mapbox/vector-tile (node), never by our own code.
#include "tiles_test_support.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/geos.hpp"

using namespace coldspot;
using namespace coldspot::tiles;
using namespace coldspot::tiles::test;

namespace {

TileServiceOptions no_prebuild() {
    TileServiceOptions o;
    o.prebuild_max_zoom = -1;
    o.encode.cluster_max_zoom = -1; // clustering has its own tests
    return o;
}

/// Decoded ring as a list of (x, y) pairs.
std::vector<std::pair<int, int>> ring_of(const json& ring) {
    std::vector<std::pair<int, int>> out;
    for (const auto& p : ring) out.emplace_back(p[0].get<int>(), p[1].get<int>());
    return out;
}

/// Rotates a closed decoded ring so it starts at its smallest vertex, to compare with a golden ring.
std::vector<std::pair<int, int>> normalised(std::vector<std::pair<int, int>> r) {
    if (!r.empty() && r.front() == r.back()) r.pop_back();
    std::rotate(r.begin(), std::min_element(r.begin(), r.end()), r.end());
    return r;
}

/// The golden form of an axis-aligned rectangle: MVT exteriors run clockwise on screen (y down),
/// east along the top edge first, which is a positive shoelace sum.
std::vector<std::pair<int, int>> rect(int x0, int y0, int x1, int y1) { return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}; }

geo::MultiPolygon decoded_to_polygon(const json& rings) {
    // Exterior rings have positive shoelace in y-down units; negate y to get Boost's y-up frame.
    geo::MultiPolygon mp;
    for (const auto& ring : rings) {
        geo::Ring r;
        for (const auto& p : ring) r.emplace_back(p[0].get<double>(), -p[1].get<double>());
        if (shoelace2(ring) > 0) {
            mp.emplace_back();
            mp.back().outer() = r;
        } else {
            mp.back().inners().push_back(r);
        }
    }
    return mp;
}

} // namespace

TEST(TilesGolden, PointAttributesAndIdAtZ0) {
    COLDSPOT_REQUIRE_NODE();
    auto t = table_3857("schools", geo::GeometryType::Point,
                        {{"name", geo::FieldType::String}, {"pupils", geo::FieldType::Integer},
                         {"fsm_percent", geo::FieldType::Real}, {"trust_name", geo::FieldType::String}});
    const TileId z0{0, 0, 0};
    t.features.push_back({100001, at(z0, 1000.5, 2000.5), {std::string("A"), std::int64_t{250}, 12.5, std::monostate{}}});
    t.features.push_back({100002, at(z0, 3000.5, 10.5), {std::string("B"), std::int64_t{-3}, 12.5, std::string("T")}});
    TileService svc({t}, {single("schools")}, no_prebuild());
    const auto tile = svc.get("schools", z0);
    EXPECT_FALSE(tile->empty);
    EXPECT_EQ(tile->feature_count, 2u);
    const json layers = decode_tile(*tile);
    ASSERT_TRUE(layers.contains("schools"));
    const json& L = layers["schools"];
    EXPECT_EQ(L["extent"], 4096);
    EXPECT_EQ(L["version"], 2);
    // Shared key table: four field names once; values: "A", 250, 12.5, "B", -3, "T" (12.5 shared).
    EXPECT_EQ(L["keys"].size(), 4u);
    EXPECT_EQ(L["value_count"], 6);
    ASSERT_EQ(L["features"].size(), 2u);
    const json& a = L["features"][0];
    EXPECT_EQ(a["id"], 100001);
    EXPECT_EQ(a["type"], 1);
    EXPECT_EQ(a["geometry"], json::parse("[[[1000,2000]]]"));
    EXPECT_EQ(a["properties"], json::parse(R"({"name":"A","pupils":250,"fsm_percent":12.5})")); // NULL omitted
    const json& b = L["features"][1];
    EXPECT_EQ(b["id"], 100002);
    EXPECT_EQ(b["geometry"], json::parse("[[[3000,10]]]"));
    EXPECT_EQ(b["properties"]["pupils"], -3);
    EXPECT_EQ(b["properties"]["trust_name"], "T");
}

TEST(TilesGolden, SquareInsideTileKeepsExactRingAndWinding) {
    COLDSPOT_REQUIRE_NODE();
    const TileId t1{1, 0, 0};
    auto t = table_3857("areas", geo::GeometryType::MultiPolygon, {{"code", geo::FieldType::String}});
    t.features.push_back({7, polygon_in_tile(t1, {{{100, 100}, {300, 100}, {300, 400}, {100, 400}}}), {std::string("E01000001")}});
    TileService svc({t}, {single("areas", 22, FeatureIdSource::GssCode)}, no_prebuild());
    const json L = decode_tile(*svc.get("areas", t1))["areas"];
    ASSERT_EQ(L["features"].size(), 1u);
    const json& f = L["features"][0];
    EXPECT_EQ(f["id"], 501000001); // E=5, packed with the 8 digits
    EXPECT_EQ(f["type"], 3);
    ASSERT_EQ(f["geometry"].size(), 1u);
    EXPECT_GT(shoelace2(f["geometry"][0]), 0); // exterior: positive area in y-down units
    EXPECT_EQ(shoelace2(f["geometry"][0]), 2 * 200 * 300);
    EXPECT_EQ(normalised(ring_of(f["geometry"][0])),
              rect(100, 100, 300, 400));
}

TEST(TilesGolden, ClippingAtEastEdgeStopsAtBuffer) {
    COLDSPOT_REQUIRE_NODE();
    const TileId left{1, 0, 0}, right{1, 1, 0};
    auto t = table_3857("areas", geo::GeometryType::MultiPolygon, {});
    // 4000..4200 across the seam between 1/0/0 and 1/1/0, rows 1000..1100.
    t.features.push_back({1, polygon_in_tile(left, {{{4000, 1000}, {4200, 1000}, {4200, 1100}, {4000, 1100}}}), {}});
    TileService svc({t}, {single("areas")}, no_prebuild());
    const json a = decode_tile(*svc.get("areas", left))["areas"]["features"][0];
    EXPECT_EQ(normalised(ring_of(a["geometry"][0])),
              rect(4000, 1000, 4160, 1100));
    const json b = decode_tile(*svc.get("areas", right))["areas"]["features"][0];
    // In the right tile the square starts 96 units west of its edge and the buffer keeps 64 of them.
    EXPECT_EQ(normalised(ring_of(b["geometry"][0])),
              rect(-64, 1000, 104, 1100));
    EXPECT_GT(shoelace2(b["geometry"][0]), 0);
    EXPECT_EQ(a["id"], 1);
    EXPECT_EQ(b["id"], 1);
}

TEST(TilesGolden, HoleSurvivesClippingWithOppositeWinding) {
    COLDSPOT_REQUIRE_NODE();
    const TileId t2{2, 1, 1};
    auto t = table_3857("zones", geo::GeometryType::MultiPolygon, {});
    // Outer ring wider than the tile (clipped to the buffer), hole well inside.
    t.features.push_back({5, polygon_in_tile(t2, {{{-1000, -1000}, {5000, -1000}, {5000, 5000}, {-1000, 5000}},
                                                    {{1000, 1000}, {2000, 1000}, {2000, 3000}, {1000, 3000}}}),
                          {}});
    TileService svc({t}, {single("zones")}, no_prebuild());
    const json f = decode_tile(*svc.get("zones", t2))["zones"]["features"][0];
    ASSERT_EQ(f["geometry"].size(), 2u);
    EXPECT_EQ(normalised(ring_of(f["geometry"][0])),
              rect(-64, -64, 4160, 4160));
    EXPECT_EQ(shoelace2(f["geometry"][0]), 2LL * 4224 * 4224);
    EXPECT_EQ(shoelace2(f["geometry"][1]), -2LL * 1000 * 2000); // hole: negative
    EXPECT_EQ(geo::invalid_reason(decoded_to_polygon(f["geometry"])), "");
}

TEST(TilesGolden, HoleCutByTileEdgeBecomesANotch) {
    COLDSPOT_REQUIRE_NODE();
    const TileId t2{2, 1, 1};
    auto t = table_3857("zones", geo::GeometryType::MultiPolygon, {});
    // The hole straddles the west buffer edge, so after clipping it opens into the outer ring.
    t.features.push_back({5, polygon_in_tile(t2, {{{-1000, 0}, {1000, 0}, {1000, 1000}, {-1000, 1000}},
                                                    {{-500, 200}, {500, 200}, {500, 800}, {-500, 800}}}),
                          {}});
    TileService svc({t}, {single("zones")}, no_prebuild());
    const json f = decode_tile(*svc.get("zones", t2))["zones"]["features"][0];
    ASSERT_EQ(f["geometry"].size(), 1u);
    // Clipped area: [-64,1000]x[0,1000] minus [-64,500]x[200,800] = 1064000 - 338400.
    EXPECT_EQ(shoelace2(f["geometry"][0]), 2LL * (1064 * 1000 - 564 * 600));
    EXPECT_EQ(geo::invalid_reason(decoded_to_polygon(f["geometry"])), "");
}

TEST(TilesGolden, LineClippedAtBufferEdge) {
    COLDSPOT_REQUIRE_NODE();
    const TileId t3{3, 4, 2};
    auto t = table_3857("roads", geo::GeometryType::MultiLineString, {{"highway", geo::FieldType::String}});
    geo::LineString ls{at(t3, -500, 2048), at(t3, 2048, 2048), at(t3, 2048, 6000)};
    t.features.push_back({9, geo::MultiLineString{ls}, {std::string("primary")}});
    TileService svc({t}, {single("roads")}, no_prebuild());
    const json f = decode_tile(*svc.get("roads", t3))["roads"]["features"][0];
    EXPECT_EQ(f["type"], 2);
    EXPECT_EQ(f["geometry"], json::parse("[[[-64,2048],[2048,2048],[2048,4160]]]"));
    EXPECT_EQ(f["properties"]["highway"], "primary");
}

TEST(TilesGolden, Z22TileAtTheWorldCorner) {
    COLDSPOT_REQUIRE_NODE();
    const std::uint32_t last = (1u << 22) - 1;
    const TileId corner{22, last, last};
    auto t = table_3857("areas", geo::GeometryType::MultiPolygon, {});
    // A 2.3 mm unit at z22: a 100 x 50 unit rectangle in the south-east corner of the world.
    t.features.push_back({3, polygon_in_tile(corner, {{{3996, 4046}, {4096, 4046}, {4096, 4096}, {3996, 4096}}}), {}});
    TileService svc({t}, {single("areas")}, no_prebuild());
    const json f = decode_tile(*svc.get("areas", corner))["areas"]["features"][0];
    EXPECT_EQ(normalised(ring_of(f["geometry"][0])),
              rect(3996, 4046, 4096, 4096));
    EXPECT_THROW(svc.get("areas", TileId{22, last + 1, 0}), InvalidArgumentError);
    EXPECT_THROW(svc.get("areas", TileId{23, 0, 0}), InvalidArgumentError);
    EXPECT_THROW(svc.get("nope", TileId{0, 0, 0}), NotFoundError);
}

TEST(TilesGolden, Z0HoldsAWholeWorldPolygonClippedToTheBuffer) {
    COLDSPOT_REQUIRE_NODE();
    auto t = table_3857("areas", geo::GeometryType::MultiPolygon, {});
    const double h = kWebMercatorHalfWorld;
    geo::Polygon world;
    world.outer() = {{-h, -h}, {-h, h}, {h, h}, {h, -h}, {-h, -h}};
    t.features.push_back({1, geo::MultiPolygon{world}, {}});
    TileService svc({t}, {single("areas")}, no_prebuild());
    const json f = decode_tile(*svc.get("areas", TileId{0, 0, 0}))["areas"]["features"][0];
    EXPECT_EQ(normalised(ring_of(f["geometry"][0])),
              rect(0, 0, 4096, 4096));
}

TEST(TilesGolden, SubUnitPolygonBecomesOneUnitSquare) {
    COLDSPOT_REQUIRE_NODE();
    const TileId t5{5, 10, 12};
    auto t = table_3857("areas", geo::GeometryType::MultiPolygon, {{"code", geo::FieldType::String}});
    t.features.push_back({1, polygon_in_tile(t5, {{{700.1, 800.1}, {700.3, 800.1}, {700.3, 800.4}, {700.1, 800.4}}}),
                          {std::string("E01000002")}});
    TileServiceOptions o = no_prebuild();
    o.encode.tiny_polygon_area = 0; // every sub-unit polygon kept (TinyPolygonsAccumulate tests the default)
    TileService svc({t}, {single("areas", 22, FeatureIdSource::GssCode)}, o);
    const json f = decode_tile(*svc.get("areas", t5))["areas"]["features"][0];
    EXPECT_EQ(f["id"], 501000002);
    EXPECT_EQ(std::abs(shoelace2(f["geometry"][0])), 2);
    EXPECT_GT(shoelace2(f["geometry"][0]), 0);
    // The square sits on the unit containing the polygon's centre (700.2, 800.25 y-down).
    const auto r = normalised(ring_of(f["geometry"][0]));
    EXPECT_EQ(r.front(), (std::pair<int, int>{700, 800}));
}

TEST(TilesGolden, RoundingThatWouldPinchARingStaysValid) {
    COLDSPOT_REQUIRE_NODE();
    const TileId t{4, 3, 5};
    auto tab = table_3857("areas", geo::GeometryType::MultiPolygon, {});
    // An hourglass whose waist is 0.2 units wide: rounding both waist vertices to the same grid
    // point would make the ring touch itself.
    tab.features.push_back({1, polygon_in_tile(t, {{{100, 100}, {200, 100}, {150.4, 150}, {200, 200}, {100, 200}, {149.6, 150}}}), {}});
    // A sliver 0.3 units thin along a longer edge: collapses on the grid.
    tab.features.push_back({2, polygon_in_tile(t, {{{300, 300}, {900, 300}, {900, 300.3}, {300, 300.3}}}), {}});
    TileService svc({tab}, {single("areas")}, no_prebuild());
    const json L = decode_tile(*svc.get("areas", t))["areas"];
    ASSERT_EQ(L["features"].size(), 2u); // nothing silently vanished
    for (const auto& f : L["features"]) {
        for (const auto& ring : f["geometry"]) EXPECT_GE(ring.size(), 4u);
        EXPECT_EQ(geo::invalid_reason(decoded_to_polygon(f["geometry"])), "") << f.dump();
    }
    // The hourglass keeps its two lobes' area (2 x 50 x 100 / 2 each).
    long long area2 = 0;
    for (const auto& ring : L["features"][0]["geometry"]) area2 += shoelace2(ring);
    EXPECT_NEAR(static_cast<double>(area2) / 2, 5000, 60);
}

TEST(TilesGolden, SimplificationKeepsCornersAndDropsWiggles) {
    COLDSPOT_REQUIRE_NODE();
    const TileId t{6, 20, 30};
    auto tab = table_3857("areas", geo::GeometryType::MultiPolygon, {});
    std::vector<std::pair<double, double>> ring;
    for (int i = 0; i <= 100; ++i) ring.emplace_back(1000 + 10 * i, 1000 + ((i % 2) ? 0.4 : 0.0)); // wiggly top edge
    ring.emplace_back(2000, 2000);
    ring.emplace_back(1000, 2000);
    tab.features.push_back({1, polygon_in_tile(t, {ring}), {}});
    TileService svc({tab}, {single("areas")}, no_prebuild());
    const json f = decode_tile(*svc.get("areas", t))["areas"]["features"][0];
    EXPECT_EQ(normalised(ring_of(f["geometry"][0])),
              rect(1000, 1000, 2000, 2000));
}

TEST(TilesGolden, PointsClusterWithCountsAndSums) {
    COLDSPOT_REQUIRE_NODE();
    const TileId t{5, 15, 10};
    auto tab = table_3857("schools", geo::GeometryType::Point,
                          {{"urn", geo::FieldType::Integer}, {"pupils", geo::FieldType::Integer}, {"fsm_percent", geo::FieldType::Real}});
    // Three in the cell [128,192)x[64,128), one alone in another cell.
    tab.features.push_back({11, at(t, 130.5, 70.5), {std::int64_t{11}, std::int64_t{100}, 10.0}});
    tab.features.push_back({12, at(t, 150.5, 90.5), {std::int64_t{12}, std::int64_t{200}, 20.0}});
    tab.features.push_back({13, at(t, 170.5, 110.5), {std::int64_t{13}, std::monostate{}, 30.5}});
    tab.features.push_back({14, at(t, 1000.5, 1000.5), {std::int64_t{14}, std::int64_t{50}, 5.0}});
    TileServiceOptions o;
    o.prebuild_max_zoom = -1;
    o.encode.cluster_max_zoom = 10;
    TileService svc({tab}, {single("schools")}, o);
    const json L = decode_tile(*svc.get("schools", t))["schools"];
    ASSERT_EQ(L["features"].size(), 2u);
    json cluster, single_point;
    for (const auto& f : L["features"]) (f["properties"].contains("cluster") ? cluster : single_point) = f;
    EXPECT_EQ(cluster["properties"]["point_count"], 3);
    EXPECT_EQ(cluster["properties"]["cluster"], true);
    EXPECT_EQ(cluster["properties"]["pupils_sum"], 300);
    EXPECT_DOUBLE_EQ(cluster["properties"]["fsm_percent_sum"].get<double>(), 60.5);
    EXPECT_FALSE(cluster["properties"].contains("urn_sum")); // identifiers are not summed
    EXPECT_EQ(cluster["geometry"], json::parse("[[[150,90]]]")); // mean of members
    EXPECT_GE(cluster["id"].get<double>(), std::ldexp(1.0, 62));
    EXPECT_EQ(single_point["id"], 14);
    EXPECT_EQ(single_point["geometry"], json::parse("[[[1000,1000]]]"));
    // Above cluster_max_zoom every point is its own feature.
    const TileId child{11, 15 * 64 + 2, 10 * 64 + 1};
    const auto deeper = svc.get("schools", child);
    EXPECT_EQ(deeper->feature_count, 3u);
}

TEST(TilesGolden, TileOverByteLimitSimplifiesThenDropsAndCounts) {
    const TileId t{8, 100, 100};
    auto tab = table_3857("areas", geo::GeometryType::MultiPolygon, {});
    // 400 detailed circles.
    for (int i = 0; i < 400; ++i) {
        std::vector<std::pair<double, double>> ring;
        const double cx = 100 + (i % 20) * 200, cy = 100 + (i / 20) * 200, r = 20 + i % 7;
        for (int k = 0; k < 64; ++k) ring.emplace_back(cx + r * std::cos(k * M_PI / 32), cy + r * std::sin(k * M_PI / 32));
        tab.features.push_back({i, polygon_in_tile(t, {ring}), {}});
    }
    TileServiceOptions o = no_prebuild();
    const TileService roomy({tab}, {single("areas")}, o);
    const auto full = roomy.render("areas", t);
    EXPECT_EQ(full.feature_count, 400u);
    EXPECT_EQ(full.features_dropped, 0u);
    EXPECT_EQ(full.simplification_level, 0);
    EXPECT_EQ(full.encode_passes, 1);
    // The 4x coarser generalisation (the z6 geometry, 4-unit grid) alone gets under this.
    o.encode.max_tile_bytes = full.mvt_bytes * 3 / 4;
    const TileService tighter({tab}, {single("areas")}, o);
    const auto simplified = tighter.render("areas", t);
    EXPECT_EQ(simplified.feature_count, 400u);
    EXPECT_LE(simplified.mvt_bytes, o.encode.max_tile_bytes);
    EXPECT_EQ(simplified.simplification_level, 1); // the z6 generalisation, 4 units
    EXPECT_EQ(simplified.encode_passes, 1);         // chosen from the size estimate, encoded once
    o.encode.max_tile_bytes = 3000; // needs dropping
    const TileService tiny({tab}, {single("areas")}, o);
    const auto dropped = tiny.render("areas", t);
    EXPECT_LE(dropped.mvt_bytes, 3000u);
    EXPECT_GT(dropped.features_dropped, 0u);
    EXPECT_EQ(dropped.feature_count + dropped.features_dropped, 400u);
    EXPECT_EQ(dropped.simplification_level, 2);
    EXPECT_EQ(dropped.encode_passes, 1);
    // What is left out is the smallest: every circle kept is at least as large as any dropped
    // (radius 20 + i % 7, so the kept ones are the larger radii).
    const json L = decode_tile(dropped)["areas"];
    std::set<int> kept_radii;
    for (const auto& f : L["features"]) kept_radii.insert(20 + f["id"].get<int>() % 7);
    ASSERT_FALSE(kept_radii.empty());
    for (int i = 0; i < 400; ++i)
        if (20 + i % 7 > *kept_radii.rbegin()) ADD_FAILURE() << "a larger circle was dropped: " << i;
}

TEST(TilesGolden, WhollyInsidePolygonsAreTranslatedCrossingOnesClipped) {
    COLDSPOT_REQUIRE_NODE();
    const TileId t{10, 500, 400}, east{10, 501, 400};
    auto tab = table_3857("areas", geo::GeometryType::MultiPolygon, {});
    tab.features.push_back({1, polygon_in_tile(t, {{{100, 100}, {300, 100}, {300, 300}, {100, 300}}}), {}});     // inside
    tab.features.push_back({2, polygon_in_tile(t, {{{4000, 1000}, {4300, 1000}, {4300, 1200}, {4000, 1200}}}), {}}); // crosses
    tab.features.push_back({3, polygon_in_tile(t, {{{4100, 2000}, {4150, 2000}, {4150, 2100}, {4100, 2100}}}), {}}); // in the buffer
    const TileService svc({tab}, {single("areas")}, no_prebuild());
    const auto tile = svc.render("areas", t);
    EXPECT_EQ(tile.polygons_inside, 2u);  // 1 and 3: no clipping, no validity check
    EXPECT_EQ(tile.polygons_clipped, 1u); // 2
    const json L = decode_tile(tile)["areas"];
    ASSERT_EQ(L["features"].size(), 3u);
    EXPECT_EQ(normalised(ring_of(L["features"][0]["geometry"][0])), rect(100, 100, 300, 300));
    EXPECT_EQ(normalised(ring_of(L["features"][1]["geometry"][0])), rect(4000, 1000, 4160, 1200));
    EXPECT_EQ(normalised(ring_of(L["features"][2]["geometry"][0])), rect(4100, 2000, 4150, 2100));
    for (const auto& f : L["features"]) EXPECT_GT(shoelace2(f["geometry"][0]), 0);
    // The east neighbour: 2 crosses its west buffered edge (-96 -> -64), 3 lies wholly inside it.
    const auto e = svc.render("areas", east);
    EXPECT_EQ(e.polygons_inside, 1u);
    EXPECT_EQ(e.polygons_clipped, 1u);
    const json E = decode_tile(e)["areas"];
    ASSERT_EQ(E["features"].size(), 2u);
    EXPECT_EQ(E["features"][0]["id"], 2);
    EXPECT_EQ(normalised(ring_of(E["features"][0]["geometry"][0])), rect(-64, 1000, 204, 1200));
    EXPECT_EQ(normalised(ring_of(E["features"][1]["geometry"][0])), rect(4, 2000, 54, 2100));
}

TEST(TilesGolden, TinyPolygonsAccumulateIntoOneUnitSquares) {
    COLDSPOT_REQUIRE_NODE();
    const TileId t5{5, 10, 12};
    auto tab = table_3857("areas", geo::GeometryType::MultiPolygon, {{"name", geo::FieldType::String}});
    // Ten squares of 0.6 x 0.6 units (0.36 units^2 each) at z5. Tippecanoe's rule with a one-unit
    // threshold: the running area goes 0.36, 0.72, 1.08 -> the third is written (as a one-unit
    // square, with its own id and attributes) and 1 is taken off: 0.08, 0.44, 0.80, 1.16 -> the
    // sixth; 0.16, 0.52, 0.88, 1.24 -> the ninth; 0.24, 0.60 -> the tenth is left out.
    for (int i = 1; i <= 10; ++i) {
        const double x = 100 + 10 * i;
        tab.features.push_back({i, polygon_in_tile(t5, {{{x, 100}, {x + 0.6, 100}, {x + 0.6, 100.6}, {x, 100.6}}}),
                                {std::string("tiny ") + std::to_string(i)}});
    }
    const TileService svc({tab}, {single("areas")}, no_prebuild());
    const auto tile = svc.render("areas", t5);
    EXPECT_EQ(tile.feature_count, 3u);
    EXPECT_EQ(tile.features_reduced, 7u);
    EXPECT_EQ(tile.features_dropped, 0u);
    const json L = decode_tile(tile)["areas"];
    ASSERT_EQ(L["features"].size(), 3u);
    for (std::size_t k = 0; k < 3; ++k) {
        const json& f = L["features"][k];
        const int id = 3 * static_cast<int>(k + 1);
        EXPECT_EQ(f["id"], id);
        EXPECT_EQ(f["properties"]["name"], "tiny " + std::to_string(id));
        EXPECT_EQ(normalised(ring_of(f["geometry"][0])), rect(100 + 10 * id, 100, 101 + 10 * id, 101));
    }
    // Five zooms deeper each is 0.6 * 32 = 19.2 units wide: all ten written, nothing reduced.
    std::size_t written = 0, reduced = 0;
    for (const auto& id : svc.candidate_tiles("areas", 10)) {
        const auto deeper = svc.render("areas", id);
        written += deeper.feature_count;
        reduced += deeper.features_reduced;
    }
    EXPECT_EQ(written, 10u);
    EXPECT_EQ(reduced, 0u);
}
