// Result-layer tilesets on the real analysis chain: `coldspot demo` -> `remits` -> `access` ->
// `coldspots` (as tools/demo runs them), then every result tileset's TileJSON and tiles are checked
// against the workspace layer as GDAL reads it (ogrinfo / ogr2ogr to GeoJSON in EPSG:3857), with
// tiles decoded by @mapbox/vector-tile. Nothing here goes through Coldspot's own readers.
#include "tiles_test_support.hpp"

#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using namespace coldspot;
using namespace coldspot::tiles;
using namespace coldspot::tiles::test;

namespace {

struct Expected {
    std::map<std::string, std::string> fields;       ///< name -> TileJSON type from ogrinfo's schema
    std::map<std::uint64_t, json> properties;        ///< MVT id -> GeoJSON properties
    std::map<std::uint64_t, std::array<double, 4>> envelopes; ///< MVT id -> x0, y0, x1, y1 in z world units (y down)
    bool points = false;
};

/// Schema through `ogrinfo -so`: "name: Type (w.p)" lines after the geometry column.
std::map<std::string, std::string> ogr_fields(const std::filesystem::path& ws, const std::string& layer) {
    const auto r = coldspot::test::run_command("ogrinfo -ro -so " + ws.string() + " " + layer);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::map<std::string, std::string> out;
    std::istringstream in(r.output);
    bool after_geometry = false;
    static const std::regex field(R"(^([A-Za-z_][A-Za-z0-9_]*): (String|Integer|Integer64|Real|Date|DateTime) \()");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("Geometry Column", 0) == 0) after_geometry = true;
        std::smatch m;
        if (after_geometry && std::regex_search(line, m, field)) out[m[1]] = m[2] == "String" ? "String" : "Number";
    }
    return out;
}

Expected expected_layer(const std::filesystem::path& ws, const std::string& layer, bool packed_code_ids,
                        std::uint32_t z, const TempDir& dir) {
    Expected e;
    e.fields = ogr_fields(ws, layer);
    const auto out = dir / (layer + ".geojson");
    const auto r = coldspot::test::run_command("ogr2ogr -f GeoJSON -t_srs EPSG:3857 -lco RFC7946=NO -lco WRITE_NAME=NO -preserve_fid " +
                                               out.string() + " " + ws.string() + " " + layer);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    std::ifstream in(out);
    const json fc = json::parse(in);
    const double world = 4096.0 * std::ldexp(1.0, static_cast<int>(z));
    const auto X = [&](double x) { return (x + kWebMercatorHalfWorld) / (2 * kWebMercatorHalfWorld) * world; };
    const auto Y = [&](double y) { return (kWebMercatorHalfWorld - y) / (2 * kWebMercatorHalfWorld) * world; };
    for (const auto& f : fc["features"]) {
        std::uint64_t id = f["id"].get<std::uint64_t>();
        // The documented rule: the packed GSS code, else the fid (hub-level rows have other codes).
        if (packed_code_ids) id = gss_code_to_id(f["properties"]["code"].get<std::string>()).value_or(id);
        EXPECT_FALSE(e.properties.count(id)) << layer << ": two features with MVT id " << id;
        e.properties[id] = f["properties"];
        std::array<double, 4> env{1e300, 1e300, -1e300, -1e300};
        const auto add = [&](const json& p) {
            env[0] = std::min(env[0], X(p[0].get<double>())), env[2] = std::max(env[2], X(p[0].get<double>()));
            env[1] = std::min(env[1], Y(p[1].get<double>())), env[3] = std::max(env[3], Y(p[1].get<double>()));
        };
        const json& g = f["geometry"];
        e.points = g["type"] == "Point";
        if (e.points) add(g["coordinates"]);
        else if (g["type"] == "MultiPolygon")
            for (const auto& poly : g["coordinates"])
                for (const auto& p : poly[0]) add(p);
        else if (g["type"] == "Polygon")
            for (const auto& p : g["coordinates"][0]) add(p);
        e.envelopes[id] = env;
    }
    return e;
}

/// Every decoded property equals GDAL's value; GDAL's NULLs are absent (MVT has no NULL).
void expect_same_properties(const std::string& layer, std::uint64_t id, const json& got, const json& want) {
    for (const auto& [k, v] : want.items()) {
        if (v.is_null()) {
            EXPECT_FALSE(got.contains(k)) << layer << " " << id << "." << k;
            continue;
        }
        ASSERT_TRUE(got.contains(k)) << layer << " " << id << " lacks " << k;
        if (v.is_number_float() || got[k].is_number_float())
            EXPECT_NEAR(got[k].get<double>(), v.get<double>(), 1e-9 * std::max(1.0, std::abs(v.get<double>())))
                << layer << " " << id << "." << k;
        else
            EXPECT_EQ(got[k], v) << layer << " " << id << "." << k;
    }
    for (const auto& [k, v] : got.items()) EXPECT_TRUE(want.contains(k)) << layer << " " << id << ": extra property " << k;
}

} // namespace

TEST(TilesResults, ResultTilesetsOnTheDemoChainMatchTheWorkspaceThroughGdal) {
    COLDSPOT_REQUIRE_NODE();
    TempDir dir;
    const auto ws = dir / "demo.gpkg";
    const auto pbf = dir / "demo.osm.pbf";
    for (const auto& step : std::vector<std::vector<std::string>>{{"demo", "-o", ws.string()},
                                                                 {"remits", ws.string()},
                                                                 {"access", ws.string(), "--roads", pbf.string()},
                                                                 {"coldspots", ws.string()},
                                                                 {"target", ws.string(), "--top", "5"}}) {
        std::string line = coldspot::test::quote(coldspot::test::cli().string());
        for (const auto& a : step) line += " " + coldspot::test::quote(a);
        const auto r = coldspot::test::run_command(line);
        ASSERT_EQ(r.exit_code, 0) << line << "\n" << r.output;
    }
    TileServiceOptions o;
    o.prebuild_max_zoom = -1;
    const auto svc = open_tile_service(ws.string(), o);

    // The tilesets the defaults must offer once the analysis has run.
    struct Result {
        std::string tileset;
        bool packed_code_ids;
    };
    const std::vector<Result> results{{"coldspots_schools", false}, {"coldspots_areas", true}, {"coldspots_hex", false},
                                      {"targets", false},           {"remit_zones", false},    {"remit_gaps", false},
                                      {"remit_overlaps", false},    {"remit_slivers", false},  {"school_access", false},
                                      {"isochrones", false}};
    const auto names = svc->names();
    for (const auto& r : results)
        EXPECT_TRUE(std::count(names.begin(), names.end(), r.tileset)) << r.tileset << " is not a default tileset";
    for (const auto* combined : {"coldspots", "remits"})
        EXPECT_TRUE(std::count(names.begin(), names.end(), combined)) << combined;

    // z12: above clustering (every point is its own feature) and far above tiny-polygon reduction
    // for the demo's areas and hexagons, so every feature must be present with its attributes.
    const std::uint32_t z = 12;
    std::size_t checked_features = 0;
    for (const auto& r : results) {
        if (!svc->has(r.tileset)) continue;
        SCOPED_TRACE(r.tileset);
        const Expected want = expected_layer(ws, r.tileset, r.packed_code_ids, z, dir);
        // The demo's generalised districts leave no detached slivers; every other layer has rows.
        if (r.tileset != "remit_slivers") {
            ASSERT_FALSE(want.properties.empty()) << "the chain wrote no " << r.tileset;
        }

        const json tj = svc->tilejson(r.tileset, "http://example.invalid/" + r.tileset + "/{z}/{x}/{y}.mvt");
        ASSERT_EQ(tj["vector_layers"].size(), 1u);
        const json& vl = tj["vector_layers"][0];
        EXPECT_EQ(vl["id"], r.tileset);
        std::map<std::string, std::string> fields;
        for (const auto& [k, v] : vl["fields"].items()) fields[k] = v.get<std::string>();
        std::map<std::string, std::string> want_fields = want.fields;
        if (want.points) { // clusters add these at z <= 10
            want_fields["cluster"] = "Boolean";
            want_fields["point_count"] = "Number";
            for (const auto& [k, v] : fields)
                if (k.size() > 4 && k.compare(k.size() - 4, 4, "_sum") == 0) want_fields[k] = "Number";
        }
        EXPECT_EQ(fields, want_fields);

        const auto ids = svc->candidate_tiles(r.tileset, z);
        std::vector<std::filesystem::path> files;
        for (const auto& id : ids) {
            const auto p = dir / (r.tileset + "-" + std::to_string(id.x) + "-" + std::to_string(id.y) + ".mvt.gz");
            write_file(p, svc->render(r.tileset, id).gzip_body);
            files.push_back(p);
        }
        const auto decoded = decode_mvt_files(files);
        std::map<std::uint64_t, std::array<double, 4>> got_env;
        std::map<std::uint64_t, json> got_props;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (!decoded[i].contains(r.tileset)) continue;
            for (const auto& f : decoded[i][r.tileset]["features"]) {
                const auto id = f["id"].get<std::uint64_t>();
                if (got_props.count(id)) {
                    EXPECT_EQ(got_props[id], f["properties"]) << "feature " << id << " differs between tiles";
                }
                got_props[id] = f["properties"];
                auto& env = got_env.try_emplace(id, std::array<double, 4>{1e300, 1e300, -1e300, -1e300}).first->second;
                for (const auto& part : f["geometry"])
                    for (const auto& p : part) {
                        const double x = ids[i].x * 4096.0 + p[0].get<double>(), y = ids[i].y * 4096.0 + p[1].get<double>();
                        env[0] = std::min(env[0], x), env[1] = std::min(env[1], y);
                        env[2] = std::max(env[2], x), env[3] = std::max(env[3], y);
                    }
            }
        }
        std::set<std::uint64_t> want_ids, got_ids;
        for (const auto& [id, p] : want.properties) want_ids.insert(id);
        for (const auto& [id, p] : got_props) got_ids.insert(id);
        EXPECT_EQ(got_ids, want_ids);
        for (const auto& [id, props] : want.properties) {
            if (!got_props.count(id)) continue;
            expect_same_properties(r.tileset, id, got_props[id], props);
            // Position: points within one unit (floor to the grid); polygons' outlines within two
            // (rounding plus the one-unit simplification tolerance).
            const double tol = want.points ? 1.0 : 2.0;
            const auto& a = got_env[id];
            const auto& b = want.envelopes.at(id);
            for (int k = 0; k < 4; ++k) EXPECT_NEAR(a[k], b[k], tol) << r.tileset << " " << id << " envelope " << k;
            ++checked_features;
        }
    }
    EXPECT_GT(checked_features, 300u);
}
