// QGIS styles, the project document and the layer_styles table, made from a test palette
// (tests/support/test_palette.hpp). QGIS itself reads the real ones in tests/clients/qgis_project_test.py;
// here the structure, the palette's colours and the escaping are checked.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/style/detail/layer_styles.hpp"
#include "coldspot/geo/style/qgis_project.hpp"
#include "coldspot/geo/style/qgz.hpp"
#include "coldspot/geo/workspace.hpp"

#include "test_palette.hpp"
#include "test_support.hpp"

#include <fstream>
#include <regex>

using namespace coldspot;
using namespace coldspot::geo;
using namespace coldspot::geo::style;

namespace {

Palette test_palette_parsed() { return Palette::from_json(test::test_palette()); }

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

} // namespace

TEST(Palette, ReadsThePaletteSchemaAndRefusesBadColours) {
    const Palette p = test_palette_parsed();
    const Theme& gi = p.theme("gi_bin");
    ASSERT_TRUE(gi.field);
    EXPECT_EQ(*gi.field, "gi_bin");
    ASSERT_EQ(gi.classes.size(), 7u);
    EXPECT_NE(gi.find(3), nullptr);
    EXPECT_EQ(Rgb::parse("#2166ac").qgis(), "33,102,172,255");
    EXPECT_EQ(Rgb::parse("#2166AC").hex(), "#2166ac");
    EXPECT_THROW(p.theme("nope"), NotFoundError);
    auto bad = nlohmann::json::parse(R"({"themes":[{"id":"t","title":"T","field":"f","classes":[{"value":1,"label":"x","color":"red"}]}]})");
    try {
        Palette::from_json(bad, "p.json");
        FAIL() << "accepted a bad colour";
    } catch (const ManifestError& e) {
        EXPECT_EQ(e.where().field, "/themes/0/classes/0/color");
        EXPECT_EQ(e.where().file, "p.json");
    }
}

TEST(QgisStyle, CategorisedRendererHasEveryClassInThePalettesColours) {
    const Palette p = test_palette_parsed();
    Symbolisation s;
    s.geometry = SymbolGeometry::Polygon;
    s.theme = &p.theme("gi_bin");
    const std::string xml = renderer_xml(s);
    EXPECT_NE(xml.find("type=\"categorizedSymbol\" attr=\"gi_bin\""), std::string::npos);
    EXPECT_EQ(count(xml, "<category "), 7u);
    for (const auto& c : s.theme->classes) {
        EXPECT_NE(xml.find("value=\"" + c.value.dump() + "\" label=\"" + xml_escape(c.label) + "\""), std::string::npos) << c.label;
        EXPECT_NE(xml.find(c.color.qgis()), std::string::npos) << c.label;
    }
    EXPECT_EQ(count(xml, "class=\"SimpleFill\""), 7u);
    // The same classes as SLD rules, with the filters and hex colours an SLD reader expects.
    const std::string sld = sld_document("coldspots_hex", s);
    EXPECT_EQ(count(sld, "<se:Rule>"), 7u);
    EXPECT_NE(sld.find("<ogc:PropertyName>gi_bin</ogc:PropertyName><ogc:Literal>3</ogc:Literal>"), std::string::npos);
    EXPECT_NE(sld.find("<se:SvgParameter name=\"fill\">#2166ac</se:SvgParameter>"), std::string::npos);
}

TEST(QgisStyle, FilteredLayersAreRuleBasedAndOtherValuesAreAnElseRule) {
    const Palette p = test_palette_parsed();
    Symbolisation s;
    s.geometry = SymbolGeometry::Polygon;
    s.theme = &p.theme("gi_bin");
    s.filter_field = "level";
    s.filter_value = "lsoa";
    const std::string xml = renderer_xml(s);
    EXPECT_NE(xml.find("type=\"RuleRenderer\""), std::string::npos);
    EXPECT_NE(xml.find("filter=\"(&quot;level&quot; = &apos;lsoa&apos;) AND &quot;gi_bin&quot; = 3\""), std::string::npos);
    EXPECT_NE(sld_document("a", s).find("<ogc:And>"), std::string::npos);

    Symbolisation hubs;
    hubs.geometry = SymbolGeometry::Point;
    hubs.theme = &p.theme("hub_type");
    const std::string cat = renderer_xml(hubs);
    EXPECT_NE(cat.find("<category symbol=\"2\" value=\"\" label=\"Other hub type\""), std::string::npos); // all other values
    // Text from the palette is escaped in attributes and expressions.
    EXPECT_NE(cat.find("value=\"O&apos;Neill&apos;s hub\" label=\"Quote&apos;s &lt;hub&gt; &amp; co\""), std::string::npos);
    EXPECT_NE(sld_document("hub_venues", hubs).find("<se:ElseFilter/>"), std::string::npos);
    hubs.filter_field = "kind";
    hubs.filter_value = "venue";
    EXPECT_NE(renderer_xml(hubs).find("filter=\"ELSE\""), std::string::npos);
}

TEST(QgisStyle, ExpressionsAndXmlAreEscaped) {
    EXPECT_EQ(equals_expression("gi_bin", 3), "\"gi_bin\" = 3");
    EXPECT_EQ(equals_expression("na\"me", "O'Brien"), "\"na\"\"me\" = 'O''Brien'");
    EXPECT_EQ(xml_escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;");
}

TEST(QgisStyle, ScaleVisibilityAndLabels) {
    const Palette p = test_palette_parsed();
    Symbolisation s;
    s.geometry = SymbolGeometry::Point;
    s.theme = &p.theme("school");
    s.min_scale = 300000;
    s.label_field = "name";
    s.label_max_scale = 25000;
    const std::string qml = qml_document(s);
    EXPECT_NE(qml.find("hasScaleBasedVisibilityFlag=\"1\" minScale=\"300000\" maxScale=\"0\" labelsEnabled=\"1\""), std::string::npos);
    EXPECT_NE(qml.find("<text-style fieldName=\"name\""), std::string::npos);
    EXPECT_NE(qml.find("scaleVisibility=\"1\" scaleMin=\"0\" scaleMax=\"25000\""), std::string::npos);
    EXPECT_NE(sld_document("schools", s).find("<se:MaxScaleDenominator>300000</se:MaxScaleDenominator>"), std::string::npos);
}

TEST(QgisProject, LayersFollowWhatTheServerOffersAndUrlsAreEscaped) {
    const Palette p = test_palette_parsed();
    const auto catalogue = coldspot_catalogue(p);
    ProjectSource src;
    src.base_url = "http://example.org:8080";
    src.collections = {"coldspots_schools", "hub_venues", "coldspots_hex", "coldspots_areas", "remit_gaps"};
    src.tile_maxzoom = {{"coldspots_hex", 14}, {"coldspots_areas", 12}};
    src.extent = Box{Point{500000, 200000}, Point{600000, 300000}};
    const std::string qgs = qgis_project_xml(src, catalogue);
    EXPECT_NE(qgs.find("<projectCrs><spatialrefsys><srsid>2437</srsid><authid>EPSG:27700</authid>"), std::string::npos);
    EXPECT_NE(qgs.find("<layer-tree-group name=\"Cold spots\""), std::string::npos);
    EXPECT_NE(qgs.find("<layer-tree-group name=\"Schools and venues\""), std::string::npos);
    EXPECT_NE(qgs.find("<layer-tree-group name=\"Remits\""), std::string::npos);
    EXPECT_EQ(qgs.find("<layer-tree-group name=\"Deprivation\""), std::string::npos); // no `areas` offered
    EXPECT_NE(qgs.find("<datasource>url=&apos;http://example.org:8080&apos; typename=&apos;coldspots_schools&apos;"),
              std::string::npos);
    EXPECT_NE(qgs.find("<datasource>type=xyz&amp;url=http://example.org:8080/tiles/coldspots_hex/{z}/{x}/{y}.mvt&amp;zmin=0&amp;zmax=14"),
              std::string::npos);
    EXPECT_NE(qgs.find("/tiles/coldspots_areas/{z}/{x}/{y}.mvt&amp;zmin=0&amp;zmax=12"), std::string::npos);
    EXPECT_EQ(count(qgs, "<maplayer "), 7u); // schools, venues, gaps, hexagons, areas x 3 levels
    EXPECT_NE(qgs.find("<xmin>500000</xmin>"), std::string::npos);
    // Text that reaches the document is escaped, whatever it holds.
    src.title = "Cold\"spot <&>'";
    const std::string odd = qgis_project_xml(src, catalogue);
    EXPECT_NE(odd.find("projectname=\"Cold&quot;spot &lt;&amp;&gt;&apos;\""), std::string::npos);
    EXPECT_EQ(odd.find("<&>"), std::string::npos);
}

TEST(QgisProject, QgzIsAZipHoldingTheProject) {
    const std::string qgs = "<qgis/>\n";
    const std::string zip = qgz_archive("coldspot.qgs", qgs);
    ASSERT_GE(zip.size(), 22u);
    EXPECT_EQ(zip.substr(0, 4), std::string("PK\x03\x04", 4));
    test::TempDir dir;
    std::ofstream(dir / "p.qgz", std::ios::binary) << zip;
    const auto listed = test::run_command("unzip -p " + test::quote((dir / "p.qgz").string()) + " coldspot.qgs");
    ASSERT_EQ(listed.exit_code, 0) << listed.output;
    EXPECT_EQ(listed.output, qgs);
}

TEST(LayerStyles, WrittenWithQgisColumnsAndReadBack) {
    test::TempDir dir;
    const auto path = dir / "s.gpkg";
    {
        WorkspaceWriter w(path);
        FeatureTable t{"pts", "", GeometryType::Point, 27700, {{"gi_bin", FieldType::Integer}}, {}};
        t.features.push_back(Feature{1, Point{1, 2}, {std::int64_t{3}}});
        w.write(t);
        w.commit();
    }
    write_layer_styles(path, {{"pts", "geom", "default", "<qgis/>", "<sld/>", true, "d"},
                              {"pts", "geom", "other", "<qgis a=\"1\"/>", "<sld/>", false, ""}});
    const auto back = read_layer_styles(path);
    ASSERT_EQ(back.size(), 2u);
    EXPECT_EQ(back[0].table, "pts");
    EXPECT_EQ(back[0].geometry_column, "geom");
    EXPECT_TRUE(back[0].use_as_default);
    EXPECT_FALSE(back[1].use_as_default);
    EXPECT_EQ(back[1].qml, "<qgis a=\"1\"/>");
    // The table as QGIS creates it: same columns and declared types, registered as attributes.
    const auto schema = test::run_command("sqlite3 " + test::quote(path.string()) +
                                          " \"select name || ' ' || type from pragma_table_info('layer_styles')\"");
    ASSERT_EQ(schema.exit_code, 0) << schema.output;
    EXPECT_EQ(schema.output,
              "id INTEGER\nf_table_catalog TEXT(256)\nf_table_schema TEXT(256)\nf_table_name TEXT(256)\n"
              "f_geometry_column TEXT(256)\nstyleName TEXT(30)\nstyleQML TEXT\nstyleSLD TEXT\nuseAsDefault BOOLEAN\n"
              "description TEXT\nowner TEXT(30)\nui TEXT(30)\nupdate_time DATETIME\n");
    const auto contents = test::run_command("sqlite3 " + test::quote(path.string()) +
                                            " \"select data_type from gpkg_contents where table_name = 'layer_styles'\"");
    EXPECT_EQ(contents.output, "attributes\n");
}
