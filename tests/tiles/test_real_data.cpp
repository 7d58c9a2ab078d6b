// Property tests over the real East of England data: every school is in its tile (or counted in
// a cluster) at every zoom 0-14, and every LSOA polygon written is valid, wound the MVT way and
// present at every zoom. Tiles are decoded by @mapbox/vector-tile.
#include "real_data.hpp"

#include "coldspot/geo/geos.hpp"

#include <map>
#include <set>

using namespace coldspot;
using namespace coldspot::tiles;
using namespace coldspot::tiles::test;

namespace {

struct TileKey {
    std::uint32_t z, x, y;
    auto operator<=>(const TileKey&) const = default;
};

/// Renders the tiles, writes them, decodes them all with node; one decoded layer map per tile.
std::vector<json> render_and_decode(const TileService& svc, const std::string& tileset, const std::vector<TileId>& ids,
                                    const TempDir& dir, std::size_t* reduced = nullptr) {
    std::vector<std::filesystem::path> files;
    if (reduced) *reduced = 0;
    for (const auto& id : ids) {
        const auto p = dir / (std::to_string(id.z) + "-" + std::to_string(id.x) + "-" + std::to_string(id.y) + ".mvt.gz");
        const auto tile = svc.render(tileset, id);
        if (reduced) *reduced += tile.features_reduced;
        write_file(p, tile.gzip_body);
        files.push_back(p);
    }
    return decode_mvt_files(files);
}

} // namespace

TEST(TilesRealData, EverySchoolInItsTileOrClusterZ0To14) {
    COLDSPOT_REQUIRE_SHARED("schools/schools_open_east_of_england.geojson");
    COLDSPOT_REQUIRE_NODE();
    const auto schools = east_of_england_schools();
    ASSERT_EQ(schools.features.size(), 2694u); // PROVENANCE.md
    TileServiceOptions o;
    o.prebuild_max_zoom = -1;
    const TileService svc({schools}, {single("schools", 14)}, o);
    TempDir dir;
    const std::uint32_t extent = o.encode.extent;
    for (std::uint32_t z = 0; z <= 14; ++z) {
        // Expected: each school's tile and position from the Mercator formula, not from PROJ.
        std::map<TileKey, std::map<std::int64_t, std::pair<double, double>>> expected;
        for (const auto& f : schools.features) {
            const auto& ll = std::get<geo::Point>(f.geometry);
            const geo::Point m = lonlat_to_3857(ll.x(), ll.y());
            const double n = std::ldexp(1.0, static_cast<int>(z));
            const double fx = (m.x() + kWebMercatorHalfWorld) / (2 * kWebMercatorHalfWorld) * n;
            const double fy = (kWebMercatorHalfWorld - m.y()) / (2 * kWebMercatorHalfWorld) * n;
            const TileKey k{z, static_cast<std::uint32_t>(fx), static_cast<std::uint32_t>(fy)};
            expected[k][f.fid] = {(fx - k.x) * extent, (fy - k.y) * extent};
        }
        std::vector<TileId> ids;
        for (const auto& [k, members] : expected) ids.push_back(TileId{k.z, k.x, k.y});
        const auto decoded = render_and_decode(svc, "schools", ids, dir);
        std::size_t total = 0, clusters = 0;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const auto& want = expected[TileKey{ids[i].z, ids[i].x, ids[i].y}];
            ASSERT_TRUE(decoded[i].contains("schools")) << ids[i].to_string();
            std::size_t counted = 0;
            std::set<std::int64_t> seen;
            for (const auto& f : decoded[i]["schools"]["features"]) {
                const double x = f["geometry"][0][0][0], y = f["geometry"][0][0][1];
                if (x < 0 || y < 0 || x >= extent || y >= extent) continue; // buffer copy of a neighbour's school
                if (f["properties"].contains("point_count")) {
                    counted += f["properties"]["point_count"].get<std::size_t>();
                    ++clusters;
                    continue;
                }
                const auto urn = f["id"].get<std::int64_t>();
                ASSERT_TRUE(want.count(urn)) << "school " << urn << " in the wrong tile " << ids[i].to_string();
                EXPECT_TRUE(seen.insert(urn).second) << "school " << urn << " twice in " << ids[i].to_string();
                EXPECT_EQ(f["properties"]["urn"], urn);
                const auto [ex, ey] = want.at(urn);
                EXPECT_LE(std::abs(x - ex), 1.0) << urn;
                EXPECT_LE(std::abs(y - ey), 1.0) << urn;
                ++counted;
            }
            EXPECT_EQ(counted, want.size()) << "tile " << ids[i].to_string();
            if (static_cast<int>(z) > o.encode.cluster_max_zoom) {
                EXPECT_EQ(seen.size(), want.size());
            }
            total += counted;
        }
        EXPECT_EQ(total, schools.features.size()) << "zoom " << z;
        if (z <= 6) {
            EXPECT_GT(clusters, 0u) << "zoom " << z;
        }
    }
}

TEST(TilesRealData, LsoaPolygonsValidWoundAndNeverLost) {
    COLDSPOT_REQUIRE_SHARED("boundaries/lsoa21_bsc/lsoa21_east_of_england_bsc.geojson");
    COLDSPOT_REQUIRE_NODE();
    const auto areas = lsoa_areas(coldspot::test::shared_data() / "boundaries/lsoa21_bsc/lsoa21_east_of_england_bsc.geojson");
    ASSERT_EQ(areas.features.size(), 3758u);
    std::set<std::uint64_t> all_ids;
    for (const auto& f : areas.features) all_ids.insert(*gss_code_to_id(std::get<std::string>(f.values[0])));
    TileServiceOptions o;
    o.prebuild_max_zoom = -1;
    const TileService svc({areas}, {single("areas", 14, FeatureIdSource::GssCode)}, o);
    TempDir dir;
    for (std::uint32_t z : {4u, 7u, 10u, 12u}) {
        const auto ids = svc.candidate_tiles("areas", z);
        std::size_t reduced = 0;
        const auto decoded = render_and_decode(svc, "areas", ids, dir, &reduced);
        std::set<std::uint64_t> seen;
        std::size_t polygons = 0, invalid = 0;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (!decoded[i].contains("areas")) continue;
            for (const auto& f : decoded[i]["areas"]["features"]) {
                seen.insert(f["id"].get<std::uint64_t>());
                ASSERT_EQ(f["type"], 3);
                ASSERT_GT(shoelace2(f["geometry"][0]), 0) << "first ring must be an exterior";
                geo::MultiPolygon mp;
                for (const auto& ring : f["geometry"]) {
                    ASSERT_GE(ring.size(), 4u); // three distinct points plus the closing one
                    geo::Ring r;
                    for (const auto& p : ring) r.emplace_back(p[0].get<double>(), -p[1].get<double>());
                    if (shoelace2(ring) > 0) {
                        mp.emplace_back();
                        mp.back().outer() = r;
                    } else {
                        ASSERT_LT(shoelace2(ring), 0) << "zero-area ring";
                        mp.back().inners().push_back(r);
                    }
                }
                ++polygons;
                const auto why = geo::invalid_reason(mp);
                if (!why.empty()) {
                    ++invalid;
                    ADD_FAILURE() << "invalid polygon " << f["id"] << " in " << ids[i].to_string() << ": " << why;
                }
            }
        }
        EXPECT_EQ(invalid, 0u) << "zoom " << z << " of " << polygons;
        // Tiny-polygon reduction: an LSOA under one unit^2 at this zoom is either written (as a
        // one-unit square, when the tile's accumulated tiny area reaches a unit) or counted.
        EXPECT_TRUE(std::includes(all_ids.begin(), all_ids.end(), seen.begin(), seen.end())) << "zoom " << z;
        EXPECT_EQ(seen.size() + reduced, all_ids.size()) << "zoom " << z << ": every LSOA written once or counted";
        if (z == 4) {
            EXPECT_GT(reduced, 0u); // urban LSOAs are below 0.37 km^2, one unit at z4
        }
        if (z >= 10) {
            EXPECT_EQ(seen, all_ids) << "zoom " << z << ": every LSOA appears in some tile";
        }
    }
}

TEST(TilesRealData, PreparedPolygonsAgreeWithDirectClippingPerTile) {
    // Two implementations of the same tile: per-zoom prepared geometry (simplify, round, repair
    // once; translate or clip per tile) and the direct path (clip the source, then simplify and
    // round per tile). They differ only in where the tile edge cuts a simplified ring, so each
    // tile must hold the same features and each feature nearly the same area.
    COLDSPOT_REQUIRE_SHARED("boundaries/lsoa21_bsc/lsoa21_east_of_england_bsc.geojson");
    COLDSPOT_REQUIRE_NODE();
    const auto areas = lsoa_areas(coldspot::test::shared_data() / "boundaries/lsoa21_bsc/lsoa21_east_of_england_bsc.geojson");
    TileServiceOptions o;
    o.prebuild_max_zoom = -1;
    o.encode.tiny_polygon_area = 0; // the direct path has no tiny-polygon reduction
    const TileService prepared({areas}, {single("areas", 14, FeatureIdSource::GssCode)}, o);
    o.encode.prepared_max_zoom = -1;
    const TileService direct({areas}, {single("areas", 14, FeatureIdSource::GssCode)}, o);
    TempDir dir_a, dir_b;
    std::size_t inside = 0, clipped = 0, compared = 0;
    for (std::uint32_t z : {8u, 11u, 13u}) {
        const auto all = prepared.candidate_tiles("areas", z);
        std::vector<TileId> ids; // 40 spread over the region: edges and interiors
        for (std::size_t j = 0; j < 40 && j < all.size(); ++j) ids.push_back(all[j * all.size() / std::min<std::size_t>(40, all.size())]);
        for (const auto& id : ids) {
            const auto t = prepared.render("areas", id);
            inside += t.polygons_inside;
            clipped += t.polygons_clipped;
        }
        const auto a = render_and_decode(prepared, "areas", ids, dir_a);
        const auto b = render_and_decode(direct, "areas", ids, dir_b);
        for (std::size_t i = 0; i < ids.size(); ++i) {
            std::map<std::uint64_t, double> area_a, area_b;
            const auto collect = [](const json& tile, std::map<std::uint64_t, double>& out) {
                if (!tile.contains("areas")) return;
                for (const auto& f : tile["areas"]["features"]) {
                    double a2 = 0;
                    for (const auto& ring : f["geometry"]) a2 += static_cast<double>(shoelace2(ring));
                    out[f["id"].get<std::uint64_t>()] = a2 / 2;
                }
            };
            collect(a[i], area_a);
            collect(b[i], area_b);
            std::set<std::uint64_t> ka, kb;
            for (const auto& [k, v] : area_a) ka.insert(k);
            for (const auto& [k, v] : area_b) kb.insert(k);
            // A polygon grazing the buffered edge by under a unit may round away on one path only.
            std::vector<std::uint64_t> only;
            std::set_symmetric_difference(ka.begin(), ka.end(), kb.begin(), kb.end(), std::back_inserter(only));
            EXPECT_LE(only.size(), 2u) << ids[i].to_string();
            for (const auto& [k, va] : area_a) {
                const auto it = area_b.find(k);
                if (it == area_b.end()) continue;
                ++compared;
                // Both are within about a unit of the true outline: allow the perimeter-scale difference.
                EXPECT_NEAR(va, it->second, 0.03 * std::max(va, it->second) + 40) << "feature " << k << " in " << ids[i].to_string();
            }
        }
    }
    EXPECT_GT(compared, 1000u);
    EXPECT_GT(inside, 0u);
    EXPECT_GT(clipped, 0u);
}
