// HTML views of the OGC resources (f=html or a browser's Accept) over a real server: what a reader
// sees (tables, maps, paging, links to the other formats) and that nothing from the data or the
// request reaches the page unescaped.
#include "fixture.hpp"

using namespace coldspot;
using namespace coldspot::test;
using nlohmann::json;

namespace {

constexpr const char* kBrowserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

class HtmlViews : public ServerFixture {
protected:
    void SetUp() override { start(); }
    std::string page(const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers = {}) {
        const auto r = get(target, headers);
        EXPECT_EQ(r.status, 200) << target << "\n" << r.body;
        EXPECT_EQ(r.header("content-type"), "text/html; charset=utf-8") << target;
        EXPECT_EQ(r.body.rfind("<!doctype html>", 0), 0u) << target;
        return r.body;
    }
};

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
    return n;
}

} // namespace

TEST_F(HtmlViews, CollectionsListEveryCollectionWithItsCount) {
    const auto html = page("/collections?f=html");
    EXPECT_NE(html.find("<a href=\"" + base() + "/collections/schools?f=html\">schools</a>"), std::string::npos) << html;
    EXPECT_NE(html.find("<td class=\"num\">6</td>"), std::string::npos);
    EXPECT_NE(html.find("<td class=\"num\">2</td>"), std::string::npos);
    EXPECT_NE(html.find("3 collections"), std::string::npos);
    // A browser gets the same page without asking for it by name; a JSON client still gets JSON.
    EXPECT_EQ(page("/collections", {{"Accept", kBrowserAccept}}), html);
    EXPECT_EQ(get("/collections", {{"Accept", "application/json"}}).header("content-type"), "application/json");
    const auto j = get_json("/collections");
    bool alternate = false;
    for (const auto& l : j["links"]) alternate = alternate || (l["rel"] == "alternate" && l["type"] == "text/html");
    EXPECT_TRUE(alternate);
}

TEST_F(HtmlViews, CollectionShowsItsExtentOnAMap) {
    const auto html = page("/collections/schools?f=html");
    EXPECT_NE(html.find("<svg class=\"map\""), std::string::npos);
    EXPECT_NE(html.find("Map of 6 features of schools, with the collection&#39;s extent dashed"), std::string::npos) << html;
    EXPECT_EQ(count(html, "<rect "), 1u);
    // The extent in words too: west, south, east, north to 5 decimals.
    EXPECT_NE(html.find("-2.30295, 51.50399, 0.94915, 53.49632"), std::string::npos);
    for (const char* f : {"f=csv", "f=xlsx", "f=fgb", "/queryables?f=html", "/tiles"}) EXPECT_NE(html.find(f), std::string::npos) << f;
    // Six points on one path: six "M x y h0" moves.
    EXPECT_EQ(count(html, "h0"), 6u);
    // The two LSOA squares: one path of two closed rings.
    const auto areas = page("/collections/areas?f=html");
    const auto d = areas.find(" d=\"M", areas.find("fill-rule"));
    ASSERT_NE(d, std::string::npos) << areas;
    EXPECT_EQ(count(areas.substr(d, areas.find('"', d + 4) - d), "Z"), 2u);
}

TEST_F(HtmlViews, ItemsAreAPagedTableWithAMap) {
    const auto html = page("/collections/schools/items?f=html&limit=2");
    EXPECT_NE(html.find("Features 1&ndash;2 of 6 matched."), std::string::npos) << html;
    EXPECT_EQ(count(html, "<tr><th scope=\"row\">"), 2u);
    EXPECT_NE(html.find("<th scope=\"row\"><a href=\"" + base() + "/collections/schools/items/100001?f=html\">100001</a></th>"), std::string::npos);
    EXPECT_NE(html.find("<td>Alpha Primary</td>"), std::string::npos);
    EXPECT_NE(html.find("<td class=\"num\">10.5</td>"), std::string::npos);
    // Each feature on the map links to its own page.
    EXPECT_EQ(count(html, "<a href=\"" + base() + "/collections/schools/items/10000"), 4u); // 2 rows + 2 map features
    EXPECT_NE(html.find("items?f=html&amp;limit=2&amp;offset=2\">next page</a>"), std::string::npos);
    // Downloads of the whole selection drop limit and offset.
    EXPECT_NE(html.find("<a href=\"" + base() + "/collections/schools/items?f=csv\">CSV</a>"), std::string::npos);
    const auto p2 = page("/collections/schools/items?f=html&limit=2&offset=2", {{"Accept", kBrowserAccept}});
    EXPECT_NE(p2.find("Features 3&ndash;4 of 6 matched."), std::string::npos);
    EXPECT_NE(p2.find("previous page"), std::string::npos);
    // A browser opening the items URL gets the page.
    EXPECT_NE(page("/collections/schools/items", {{"Accept", kBrowserAccept}}).find("Features 1&ndash;6 of 6"), std::string::npos);
    // A filter narrows the table and stays in the form.
    const auto filtered = page("/collections/schools/items?f=html&filter=" + service::url_encode("phase = 'Nursery'"));
    EXPECT_NE(filtered.find("Features 1&ndash;1 of 1 matched."), std::string::npos);
    EXPECT_NE(filtered.find("value=\"phase = &#39;Nursery&#39;\""), std::string::npos) << filtered;
}

TEST_F(HtmlViews, OneItemConformanceAndQueryables) {
    const auto item = page("/collections/schools/items/100003?f=html");
    EXPECT_NE(item.find("<tr><th scope=\"row\">pupils</th><td>95</td></tr>"), std::string::npos) << item;
    EXPECT_NE(item.find("Map of 1 features of schools"), std::string::npos);
    EXPECT_EQ(page("/collections/schools/items/100003", {{"Accept", kBrowserAccept}}), item);
    const auto conf = page("/conformance?f=html");
    EXPECT_NE(conf.find(">http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core</a>"), std::string::npos);
    const auto q = page("/collections/schools/queryables?f=html");
    EXPECT_NE(q.find("<tr><th scope=\"row\">pupils</th><td>integer</td></tr>"), std::string::npos) << q;
    EXPECT_NE(q.find("<tr><th scope=\"row\">geometry</th><td>geometry-point</td></tr>"), std::string::npos);
    for (const char* t : {"/tileMatrixSets?f=html", "/collections/schools/tiles?f=html", "/collections/schools/tiles/WebMercatorQuad?f=html"})
        EXPECT_NE(page(t).find("<h2>Links</h2>"), std::string::npos) << t;
}

TEST_F(HtmlViews, DataAndRequestValuesAreEscaped) {
    const std::string zeta = "Zeta &quot;Quoted&quot; &amp; &lt;Tagged&gt; Nursery";
    const auto items = page("/collections/schools/items?f=html");
    EXPECT_NE(items.find("<td>" + zeta + "</td>"), std::string::npos);
    EXPECT_EQ(items.find("<Tagged>"), std::string::npos);
    EXPECT_NE(page("/collections/schools/items/100006?f=html").find(zeta), std::string::npos);
    // A Host header with markup in it, as a hostile client or a broken proxy might send.
    HttpClient c(port_);
    const auto r = c.raw("GET /collections/schools/items?f=html&filter=" + service::url_encode("name <> '</td><script>x</script>'") +
                         " HTTP/1.1\r\nHost: evil\"><script>alert(1)</script>\r\nConnection: close\r\n\r\n");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body.find("<script>"), std::string::npos) << r.body;
    EXPECT_NE(r.body.find("evil&quot;&gt;&lt;script&gt;"), std::string::npos);
    EXPECT_NE(r.body.find("&lt;/td&gt;&lt;script&gt;x&lt;/script&gt;"), std::string::npos);
}
