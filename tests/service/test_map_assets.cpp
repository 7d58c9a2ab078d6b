// The map page's way in: content negotiation on /, the web assets under /map/ (types, ETag, no
// traversal), the palette and the MapLibre style built from it.
#include "fixture.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

namespace coldspot::test {
namespace {

using json = nlohmann::json;
using service::url_encode;

void write_file(const std::filesystem::path& p, const std::string& text) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

json palette_from_source() {
    std::ifstream in(std::filesystem::path(COLDSPOT_SOURCE_DIR) / "data" / "style" / "palette.json");
    return json::parse(in);
}

std::string palette_color(const json& palette, const std::string& theme, const json& value) {
    for (const auto& t : palette["themes"])
        if (t["id"] == theme)
            for (const auto& c : t["classes"])
                if (c["value"] == value) return c["color"];
    ADD_FAILURE() << "no class " << value << " in theme " << theme;
    return {};
}

/// The colour a ["match", input, v1, c1, ..., fallback] expression gives `value`.
std::string match_color(const json& expr, const json& value) {
    for (std::size_t i = 2; i + 1 < expr.size(); i += 2)
        if (expr[i] == value) return expr[i + 1];
    return expr.back();
}

const json* layer_by_id(const json& style, const std::string& id) {
    for (const auto& l : style["layers"])
        if (l["id"] == id) return &l;
    return nullptr;
}

class MapAssets : public ServerFixture {
protected:
    void SetUp() override {
        assets_ = dir_ / "web";
        write_file(assets_ / "index.html", "<!doctype html><title>map</title><script type=module src=./app.mjs></script>");
        write_file(assets_ / "app.mjs", "export const answer = 42;\n" + std::string(2000, ' ') + "\n");
        write_file(assets_ / "vendor" / "maplibre-gl.css", ".maplibregl-map{overflow:hidden}");
        write_file(assets_ / "glyphs" / "DejaVu Sans" / "0-255.pbf", std::string("\x0a\x00", 2));
        write_file(assets_ / "icon.png", "\x89PNG\r\n");
        write_file(assets_ / ".secret", "hidden");
        write_file(dir_ / "outside.txt", "must not be served");
        service::ServiceConfig c;
        c.assets = assets_;
        start(c);
    }
    std::filesystem::path assets_;
};

TEST_F(MapAssets, BrowserOnRootIsSentToTheMapWithItsQuery) {
    const auto r = get("/?hub=teaching-school-hub%3AEE1&z=9", {{"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}});
    EXPECT_EQ(r.status, 303);
    EXPECT_EQ(r.header("location"), base() + "/map/?hub=teaching-school-hub:EE1&z=9");
    // Asked for by name (the landing document's "alternate" link), the HTML landing page itself, with
    // the map among its links.
    const auto f = get("/?f=html");
    EXPECT_EQ(f.status, 200);
    EXPECT_EQ(f.header("content-type"), "text/html; charset=utf-8");
    EXPECT_NE(f.body.find("href=\"" + base() + "/map/"), std::string::npos) << f.body;
    // The page itself: the assets' index.html, byte for byte.
    const auto page = get("/map/");
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
    std::ifstream in(assets_ / "index.html");
    EXPECT_EQ(page.body, std::string(std::istreambuf_iterator<char>(in), {}));
    EXPECT_EQ(get("/map").status, 301);
    EXPECT_EQ(get("/map").header("location"), base() + "/map/");
}

TEST_F(MapAssets, OgcClientsStillGetTheLandingJson) {
    for (const auto& accept : std::vector<std::string>{"", "application/json", "application/json, text/html;q=0.5", "*/*"}) {
        std::vector<std::pair<std::string, std::string>> h;
        if (!accept.empty()) h.emplace_back("Accept", accept);
        const auto r = get("/", h);
        EXPECT_EQ(r.status, 200) << accept;
        EXPECT_EQ(r.header("content-type"), "application/json") << accept;
        const auto j = json::parse(r.body);
        EXPECT_EQ(j["synthetic"], false);
        EXPECT_EQ(j["workspace"]["name"], "ws");
        std::set<std::string> rels;
        for (const auto& l : j["links"]) rels.insert(l["rel"]);
        EXPECT_TRUE(rels.count("service-desc") && rels.count("stylesheet") && rels.count("search")) << r.body;
    }
    EXPECT_EQ(get("/?f=json").header("content-type"), "application/json");
}

TEST_F(MapAssets, FilesHaveTheirTypesAndRevalidate) {
    const std::vector<std::pair<std::string, std::string>> expected{
        {"/map/app.mjs", "text/javascript; charset=utf-8"},       {"/map/vendor/maplibre-gl.css", "text/css; charset=utf-8"},
        {"/map/glyphs/DejaVu%20Sans/0-255.pbf", "application/x-protobuf"}, {"/map/icon.png", "image/png"}};
    for (const auto& [path, type] : expected) {
        const auto r = get(path);
        EXPECT_EQ(r.status, 200) << path;
        EXPECT_EQ(r.header("content-type"), type) << path;
        EXPECT_EQ(r.header("x-content-type-options"), "nosniff");
        const auto etag = r.header("etag");
        ASSERT_FALSE(etag.empty());
        EXPECT_EQ(get(path, {{"If-None-Match", etag}}).status, 304) << path;
    }
    // Text assets are gzipped for a client that asks (the 2 KB module).
    const auto z = get("/map/app.mjs", {{"Accept-Encoding", "gzip"}});
    EXPECT_EQ(z.header("content-encoding"), "gzip");
    EXPECT_EQ(get("/map/icon.png", {{"Accept-Encoding", "gzip"}}).header("content-encoding"), "");
}

TEST_F(MapAssets, NoPathLeavesTheAssetsFolder) {
    for (const std::string path : {"/map/../outside.txt", "/map/%2e%2e/outside.txt", "/map/..%2foutside.txt", "/map/vendor/..%2F..%2Foutside.txt",
                                   "/map/.secret", "/map/%2esecret", "/map/nothing.js", "/map/app.mjs%00.png", "/map/vendor/%5c..%5c..%5coutside.txt"}) {
        const auto r = get(path);
        expect_problem(r, 404);
        EXPECT_EQ(r.body.find("must not be served"), std::string::npos) << path;
        EXPECT_EQ(r.body.find("hidden"), std::string::npos) << path;
    }
}

TEST_F(MapAssets, PaletteIsTheSourceFile) {
    const auto served = get_json("/styles/palette.json");
    EXPECT_EQ(served, palette_from_source());
    // Every class has words and a #rrggbb colour; values are unique within a theme.
    for (const auto& t : served["themes"]) {
        std::set<std::string> values;
        for (const auto& c : t["classes"]) {
            EXPECT_FALSE(c["label"].get<std::string>().empty());
            const std::string color = c["color"];
            EXPECT_EQ(color.size(), 7u) << color;
            EXPECT_EQ(color[0], '#');
            EXPECT_TRUE(values.insert(c["value"].dump()).second) << t["id"] << " repeats " << c["value"];
        }
    }
}

TEST_F(MapAssets, StyleIsBuiltFromThePaletteWithAbsoluteSources) {
    const json palette = palette_from_source();
    const auto r = get("/styles/coldspot.json");
    ASSERT_EQ(r.status, 200) << r.body;
    const auto style = json::parse(r.body);
    EXPECT_EQ(style["version"], 8);
    // The hand-made workspace has schools and areas: their tilesets are the sources.
    ASSERT_TRUE(style["sources"].contains("areas")) << style["sources"];
    EXPECT_EQ(style["sources"]["areas"]["url"], base() + "/tiles/areas.json");
    EXPECT_NE(style["sources"]["areas"]["attribution"].get<std::string>().find("Open Government Licence"), std::string::npos);
    for (const auto& [name, source] : style["sources"].items()) {
        const std::string url = source["url"];
        ASSERT_EQ(url.rfind(base(), 0), 0u) << url;
        EXPECT_EQ(get(url.substr(base().size())).status, 200) << url; // each TileJSON answers
    }
    // Every layer's source exists; colours are the palette's.
    for (const auto& l : style["layers"]) {
        if (l.contains("source")) {
            EXPECT_TRUE(style["sources"].contains(l["source"])) << l["id"];
        }
    }
    const json* deprivation = layer_by_id(style, "deprivation");
    ASSERT_NE(deprivation, nullptr);
    const auto& fill = (*deprivation)["paint"]["fill-color"];
    for (int decile = 1; decile <= 10; ++decile) EXPECT_EQ(match_color(fill, decile), palette_color(palette, "imd_decile", decile)) << decile;
    const json* schools = layer_by_id(style, "schools");
    ASSERT_NE(schools, nullptr);
    EXPECT_EQ((*schools)["paint"]["circle-color"], palette_color(palette, "school", 0));
    // Glyphs are offered because the assets hold the font stack; the legend names the layers in words.
    EXPECT_EQ(style["glyphs"], base() + "/map/glyphs/{fontstack}/{range}.pbf");
    bool legend_has_deprivation = false;
    for (const auto& entry : style["metadata"]["coldspot:legend"])
        if (entry["layer"] == "deprivation") {
            legend_has_deprivation = true;
            EXPECT_EQ(entry["items"].size(), 10u);
            EXPECT_EQ(entry["items"][0]["label"], "1: most deprived 10 %");
        }
    EXPECT_TRUE(legend_has_deprivation);
    // Another Host, other absolute URLs (a proxy's name, as the client addressed us).
    HttpClient client(port_);
    const auto raw = client.raw("GET /styles/coldspot.json HTTP/1.1\r\nHost: maps.example.org\r\nConnection: close\r\n\r\n");
    ASSERT_EQ(raw.status, 200) << raw.body;
    const auto other = json::parse(raw.body);
    EXPECT_EQ(other["sources"]["areas"]["url"], "http://maps.example.org/tiles/areas.json");
}

TEST(MapAssetsOff, NoAssetsKeepsTheLinkListAndExplainsMap) {
    struct Fixture : ServerFixture {
        void TestBody() override {}
        using ServerFixture::get;
        using ServerFixture::start;
        using ServerFixture::TearDown;
    } f;
    f.start();
    const auto html = f.get("/", {{"Accept", "text/html"}});
    EXPECT_EQ(html.status, 200);
    EXPECT_EQ(html.header("content-type"), "text/html; charset=utf-8");
    const auto r = f.get("/map/");
    expect_problem(r, 404);
    EXPECT_NE(r.body.find("--assets"), std::string::npos);
    f.TearDown();
}

} // namespace
} // namespace coldspot::test

namespace coldspot::test {
namespace {

using json = nlohmann::json;
using service::url_encode;

/// The hand-made workspace plus one hub whose name is markup, covering two schools.
void write_markup_workspace(const std::filesystem::path& path) {
    geo::FeatureTable hubs;
    hubs.name = "hubs";
    hubs.geometry_type = geo::GeometryType::MultiPolygon;
    hubs.fields = {{"hub_id", geo::FieldType::String}, {"hub_type", geo::FieldType::String}, {"name", geo::FieldType::String}};
    hubs.features.push_back({1, square(528000, 178000, 533000, 183000), {std::string("maths-hub:X1"), std::string("maths hub"), std::string("<script>alert(\"x\")</script> & Co Hub")}});
    geo::FeatureTable remits;
    remits.name = "school_remits";
    remits.epsg = 0;
    remits.fields = {{"urn", geo::FieldType::Integer}, {"hub_id", geo::FieldType::String}};
    remits.features.push_back({1, {}, {std::int64_t{100001}, std::string("maths-hub:X1")}});
    remits.features.push_back({2, {}, {std::int64_t{100006}, std::string("maths-hub:X1")}});
    geo::WorkspaceWriter w(path);
    w.write(schools_table());
    w.write(areas_table());
    w.write(hubs);
    w.write(remits);
    w.commit();
}

class MarkupWorkspace : public ServerFixture {
protected:
    void SetUp() override {
        write_markup_workspace(dir_ / "ws.gpkg");
        start();
    }
};

TEST_F(MarkupWorkspace, BriefingEscapesEveryValue) {
    const auto r = get("/briefings/hubs/maths-hub:X1");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body.find("<script"), std::string::npos);
    EXPECT_NE(r.body.find("<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co Hub</h1>"), std::string::npos);
    EXPECT_NE(r.header("content-security-policy").find("default-src 'none'"), std::string::npos);
    // Figures from the two schools the hub covers (pupils by hand: 210 + 40).
    EXPECT_NE(r.body.find("<th scope=\"row\">Pupils</th><td>250</td>"), std::string::npos);
}

TEST_F(MarkupWorkspace, SearchFindsNamesWithQuotesAndMarkup) {
    for (const std::string q : {"\"Quoted\"", "<Tagged>", "zeta quoted tagged", "ZETA"}) {
        const auto j = get_json("/search?q=" + url_encode(q));
        ASSERT_FALSE(j["results"].empty()) << q;
        EXPECT_EQ(j["results"][0]["id"], "100006") << q;
        EXPECT_EQ(j["results"][0]["name"], "Zeta \"Quoted\" & <Tagged> Nursery");
    }
    const auto hub = get_json("/search?q=co%20hub")["results"];
    ASSERT_FALSE(hub.empty());
    EXPECT_EQ(hub[0]["kind"], "hub");
    EXPECT_EQ(hub[0]["bbox"].size(), 4u);
}

} // namespace
} // namespace coldspot::test
