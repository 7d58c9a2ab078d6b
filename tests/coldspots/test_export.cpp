// `coldspot export --gpkg`: the standalone styled GeoPackage, checked table by table.
#include "coldspot/geo/coldspots/analysis.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/export/styled_geopackage.hpp"
#include "coldspot/geo/style/detail/layer_styles.hpp"

#include "fixture.hpp"
#include "test_palette.hpp"
#include "test_support.hpp"

#include <fstream>
#include <map>

using namespace coldspot;
using namespace coldspot::geo;
using nlohmann::json;

namespace {

style::Palette test_palette_parsed() { return style::Palette::from_json(test::test_palette()); }

std::filesystem::path analysed(const test::TempDir& dir) {
    const auto ws = dir / "ws.gpkg";
    test::coldspots::write_workspace(test::coldspots::make_fixture(), ws);
    coldspots::run_analysis(json::parse(R"({"statistics": {"weights": "distance_band", "band_m": 3000, "permutations": 0},
                                           "rank_stability": {"draws": 50}})"), ws);
    return ws;
}

} // namespace

TEST(Export, StyledGeoPackageHoldsLayersStylesAndParameters) {
    test::TempDir dir;
    const Workspace ws(analysed(dir));
    const auto palette = test_palette_parsed();
    const auto out = dir / "out.gpkg";
    const auto r = exporting::export_styled_geopackage(ws, out, palette, {});
    // Every styled layer the workspace has, nothing else among the data layers.
    EXPECT_EQ(r.layers, (std::vector<std::string>{"coldspots_schools", "targets", "schools", "hub_venues", "hubs", "coldspots_hex",
                                                   "coldspots_areas", "areas"}));
    EXPECT_EQ(r.tables, (std::vector<std::string>{"analysis_runs", "analysis_parameters"}));
    const Workspace exported(out);
    for (const auto& l : r.layers) EXPECT_EQ(exported.read(l).features.size(), ws.read(l).features.size()) << l;

    const auto styles = style::read_layer_styles(out);
    EXPECT_EQ(styles.size(), r.styles);
    std::map<std::string, int> defaults, all;
    for (const auto& s : styles) {
        ++all[s.table];
        defaults[s.table] += s.use_as_default;
        EXPECT_EQ(s.geometry_column, "geom");
        EXPECT_EQ(s.qml.rfind("<!DOCTYPE qgis", 0), 0u) << s.table;
        EXPECT_NE(s.sld.find("<StyledLayerDescriptor"), std::string::npos) << s.table;
    }
    for (const auto& l : r.layers) EXPECT_EQ(defaults[l], 1) << l; // exactly one default each
    EXPECT_EQ(all["coldspots_areas"], 3);                            // one style per level
    const auto& schools = *std::find_if(styles.begin(), styles.end(), [](auto& s) { return s.table == "coldspots_schools"; });
    EXPECT_NE(schools.qml.find("attr=\"cold_spot\""), std::string::npos);
    EXPECT_NE(schools.qml.find(palette.theme("school").classes[0].color.qgis()), std::string::npos);

    // The parameters of the last run, one row per leaf, as JSON text.
    const auto params = exported.read("analysis_parameters");
    std::map<std::string, std::string> by_pointer;
    for (const auto& f : params.features) by_pointer[as_text(f.values[2])] = as_text(f.values[3]);
    EXPECT_EQ(by_pointer["/statistics/band_m"], "3000");
    EXPECT_EQ(by_pointer["/statistics/inference"], "\"analytical\"");
    EXPECT_EQ(by_pointer["/rank_stability/draws"], "50");
    EXPECT_EQ(by_pointer["/components/need/fields"].front(), '[');
}

TEST(Export, UnknownLayersAreNamedAndNothingIsWritten) {
    test::TempDir dir;
    const Workspace ws(analysed(dir));
    const auto out = dir / "out.gpkg";
    try {
        exporting::export_styled_geopackage(ws, out, test_palette_parsed(), {"coldspots_hex", "nope", "also_not"});
        FAIL() << "exported unknown layers";
    } catch (const NotFoundError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("'nope', 'also_not'"), std::string::npos) << m;
        EXPECT_NE(m.find("coldspots_schools"), std::string::npos) << m; // what there is instead
    }
    EXPECT_FALSE(std::filesystem::exists(out));
    // A chosen subset, attribute tables allowed.
    const auto r = exporting::export_styled_geopackage(ws, out, test_palette_parsed(), {"coldspots_hex", "school_remits"});
    EXPECT_EQ(r.layers, (std::vector<std::string>{"coldspots_hex", "school_remits"}));
    EXPECT_EQ(style::read_layer_styles(out).size(), 1u);
    EXPECT_THROW(exporting::export_styled_geopackage(ws, ws.path(), test_palette_parsed(), {}), InvalidArgumentError);
}
