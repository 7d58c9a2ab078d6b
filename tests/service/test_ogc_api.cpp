// OGC API - Features over a real server on a free port, checked as a client sees it.
#include "fixture.hpp"

#include "coldspot/service/output_crs.hpp"
#include "coldspot/tiles/gzip.hpp"

#include <set>

using namespace coldspot;
using namespace coldspot::test;
using nlohmann::json;

namespace {

class OgcApi : public ServerFixture {
protected:
    void SetUp() override {
        service::ServiceConfig c;
        c.items.default_limit = 4;
        c.items.max_limit = 5;
        start(c);
    }
};

std::string href(const json& links, const std::string& rel) {
    for (const auto& l : links)
        if (l.at("rel") == rel) return l.at("href");
    return {};
}

std::set<std::int64_t> ids(const json& fc) {
    std::set<std::int64_t> out;
    for (const auto& f : fc.at("features")) out.insert(f.at("id").get<std::int64_t>());
    return out;
}

/// The path and query of an absolute link, to request it again.
std::string target_of(const std::string& url) {
    const auto p = url.find('/', std::string("http://").size());
    return url.substr(p);
}

} // namespace

TEST_F(OgcApi, LandingPageLinksEveryRequiredResource) {
    const auto r = get("/");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "application/json");
    const auto j = json::parse(r.body);
    EXPECT_EQ(href(j["links"], "self"), base() + "/");
    EXPECT_EQ(href(j["links"], "service-desc"), base() + "/api");
    EXPECT_EQ(href(j["links"], "service-doc"), base() + "/api.html");
    EXPECT_EQ(href(j["links"], "conformance"), base() + "/conformance");
    EXPECT_EQ(href(j["links"], "data"), base() + "/collections");
    for (const auto& l : j["links"]) {
        if (l["rel"] == "service-desc") {
            EXPECT_EQ(l["type"], "application/vnd.oai.openapi+json;version=3.0");
        }
    }
}

TEST_F(OgcApi, LandingPageIsHtmlForBrowsers) {
    const auto r = get("/", {{"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "text/html; charset=utf-8");
    EXPECT_NE(r.body.find("<a href=\"" + base() + "/collections/schools/items\">schools</a> (6 features)"), std::string::npos) << r.body;
    // A client that asks for JSON first gets JSON, whatever else it accepts.
    EXPECT_EQ(get("/", {{"Accept", "application/json, text/html;q=0.5"}}).header("content-type"), "application/json");
    EXPECT_EQ(get("/?f=html").header("content-type"), "text/html; charset=utf-8");
    expect_problem(get("/?f=xml"), 400);
}

TEST_F(OgcApi, ConformanceDeclaresCoreGeoJsonOpenApiAndCrs) {
    const auto j = get_json("/conformance");
    std::set<std::string> classes;
    for (const auto& c : j["conformsTo"]) classes.insert(c);
    for (const char* c : {"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core", "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
                          "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30", "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"})
        EXPECT_TRUE(classes.count(c)) << c;
}

TEST_F(OgcApi, OpenApiStatesTheConfiguredLimitDefaultAndMaximum) {
    const auto r = get("/api");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "application/vnd.oai.openapi+json;version=3.0");
    const auto j = json::parse(r.body);
    EXPECT_EQ(j["openapi"], "3.0.3");
    const auto& limit = j["components"]["parameters"]["limit"]["schema"];
    EXPECT_EQ(limit["default"], 4);
    EXPECT_EQ(limit["maximum"], 5);
    EXPECT_EQ(limit["minimum"], 1);
    EXPECT_TRUE(j["paths"].contains("/collections/{collectionId}/items"));
    EXPECT_TRUE(j["paths"].contains("/tiles/{tileset}/{z}/{x}/{y}.mvt"));
    EXPECT_EQ(j["components"]["schemas"]["AnalysisParameters"]["properties"]["statistics"]["properties"]["permutations"]["maximum"], 9999);
    // Every $ref points at something that exists.
    std::function<void(const json&)> check_refs = [&](const json& node) {
        if (node.is_object()) {
            if (node.contains("$ref")) {
                const std::string ref = node["$ref"];
                ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
                EXPECT_NO_THROW((void)j.at(json::json_pointer(ref.substr(1)))) << ref;
            }
            for (const auto& [k, v] : node.items()) check_refs(v);
        } else if (node.is_array()) {
            for (const auto& v : node) check_refs(v);
        }
    };
    check_refs(j);
    const auto html = get("/api.html");
    EXPECT_EQ(html.status, 200);
    EXPECT_NE(html.body.find("<code>/collections/{collectionId}/items</code>"), std::string::npos);
}

TEST_F(OgcApi, CollectionsHaveOneGeometryTypeExtentAndCrsList) {
    const auto j = get_json("/collections");
    std::map<std::string, json> by_id;
    for (const auto& c : j["collections"]) by_id[c["id"]] = c;
    ASSERT_EQ(by_id.size(), 3u); // schools, areas, school_remits
    const auto& s = by_id["schools"];
    EXPECT_EQ(s["geometryType"], "Point");
    EXPECT_EQ(s["itemType"], "feature");
    EXPECT_EQ(s["storageCrs"], "http://www.opengis.net/def/crs/EPSG/0/27700");
    EXPECT_EQ(s["crs"], json(service::supported_crs_uris()));
    // Extent: the hand-made schools' CRS84 corners (west Zeta, east Epsilon, south Alpha, north Zeta).
    const auto bbox = s["extent"]["spatial"]["bbox"][0];
    EXPECT_NEAR(bbox[0].get<double>(), -2.302945407, 1e-8);
    EXPECT_NEAR(bbox[1].get<double>(), 51.503990828, 1e-8);
    EXPECT_NEAR(bbox[2].get<double>(), 0.949152044, 1e-8);
    EXPECT_NEAR(bbox[3].get<double>(), 53.496317196, 1e-8);
    EXPECT_EQ(by_id["areas"]["geometryType"], "MultiPolygon");
    EXPECT_EQ(by_id["school_remits"]["geometryType"], "None");
    const auto one = get_json("/collections/schools");
    EXPECT_EQ(one["id"], "schools");
    EXPECT_EQ(href(one["links"], "items"), base() + "/collections/schools/items");
    const auto q = get_json("/collections/schools/queryables");
    EXPECT_EQ(q["properties"]["pupils"]["type"], "integer");
    EXPECT_EQ(q["properties"]["fsm_percent"]["type"], "number");
    EXPECT_EQ(q["properties"]["phase"]["type"], "string");
}

TEST_F(OgcApi, ItemsPageWithLimitOffsetNextAndPrev) {
    auto r = get("/collections/schools/items");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "application/geo+json");
    EXPECT_EQ(r.header("content-crs"), "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>");
    EXPECT_FALSE(r.chunked); // a small page goes out in one piece with a Content-Length
    auto page = json::parse(r.body);
    EXPECT_EQ(page["type"], "FeatureCollection");
    EXPECT_EQ(page["numberMatched"], 6);
    EXPECT_EQ(page["numberReturned"], 4); // the configured default
    EXPECT_EQ(ids(page), (std::set<std::int64_t>{100001, 100002, 100003, 100004}));
    EXPECT_EQ(href(page["links"], "prev"), "");
    const std::string next = href(page["links"], "next");
    ASSERT_FALSE(next.empty());
    page = get_json(target_of(next));
    EXPECT_EQ(page["numberReturned"], 2);
    EXPECT_EQ(ids(page), (std::set<std::int64_t>{100005, 100006}));
    EXPECT_EQ(href(page["links"], "next"), "");
    EXPECT_EQ(get_json(target_of(href(page["links"], "prev")))["features"][0]["id"], 100001);
    // A limit above the maximum is lowered to it, not refused.
    EXPECT_EQ(get_json("/collections/schools/items?limit=1000")["numberReturned"], 5);
    EXPECT_EQ(get_json("/collections/schools/items?limit=2&offset=5")["numberReturned"], 1);
    EXPECT_EQ(get_json("/collections/schools/items?offset=60")["numberReturned"], 0);
}

TEST_F(OgcApi, FeaturesCarryGeometryInEachCrs) {
    const auto& alpha = hand_schools()[0];
    auto f = get_json("/collections/schools/items/100001");
    EXPECT_EQ(f["type"], "Feature");
    EXPECT_EQ(f["id"], 100001);
    EXPECT_EQ(f["properties"]["name"], "Alpha Primary");
    EXPECT_EQ(f["properties"]["fsm_percent"], 10.5);
    EXPECT_NEAR(f["geometry"]["coordinates"][0].get<double>(), alpha.lon, 1e-7);
    EXPECT_NEAR(f["geometry"]["coordinates"][1].get<double>(), alpha.lat, 1e-7);

    const auto r = get("/collections/schools/items/100001?crs=http://www.opengis.net/def/crs/EPSG/0/27700");
    EXPECT_EQ(r.header("content-crs"), "<http://www.opengis.net/def/crs/EPSG/0/27700>");
    f = json::parse(r.body);
    EXPECT_EQ(f["geometry"]["coordinates"], json::array({530000, 180000}));

    // EPSG:3857 against PROJ's cs2cs (the same point: `cs2cs -d 3 EPSG:27700 EPSG:3857` gives
    // -14288.295 6710932.763).
    f = get_json("/collections/schools/items/100001?crs=EPSG:3857");
    EXPECT_NEAR(f["geometry"]["coordinates"][0].get<double>(), -14288.295, 0.01);
    EXPECT_NEAR(f["geometry"]["coordinates"][1].get<double>(), 6710932.763, 0.01);

    // Polygons: RFC 7946 exterior rings are counter-clockwise; the square's ring is closed.
    const auto a = get_json("/collections/areas/items/1?crs=EPSG:27700");
    const auto ring = a["geometry"]["coordinates"][0][0];
    ASSERT_EQ(ring.size(), 5u);
    EXPECT_EQ(ring[0], ring[4]);
    double area2 = 0;
    for (std::size_t i = 0; i + 1 < ring.size(); ++i)
        area2 += ring[i][0].get<double>() * ring[i + 1][1].get<double>() - ring[i + 1][0].get<double>() * ring[i][1].get<double>();
    EXPECT_DOUBLE_EQ(area2 / 2, 3000.0 * 3000.0); // positive: counter-clockwise
}

TEST_F(OgcApi, BboxSelectsInEveryBboxCrs) {
    // Around London only: Alpha and Beta.
    EXPECT_EQ(ids(get_json("/collections/schools/items?bbox=-0.2,51.4,0.0,51.6")), (std::set<std::int64_t>{100001, 100002}));
    EXPECT_EQ(ids(get_json("/collections/schools/items?bbox=529500,179500,530500,180500&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/27700")),
              (std::set<std::int64_t>{100001}));
    // The same box as Web Mercator metres (cs2cs of the CRS84 corners).
    const auto sw = service::crs84_to_web_mercator({-0.2, 51.4});
    const auto ne = service::crs84_to_web_mercator({0.0, 51.6});
    const std::string box = std::to_string(sw.x()) + "," + std::to_string(sw.y()) + "," + std::to_string(ne.x()) + "," + std::to_string(ne.y());
    EXPECT_EQ(ids(get_json("/collections/schools/items?bbox=" + box + "&bbox-crs=EPSG:3857")), (std::set<std::int64_t>{100001, 100002}));
    // Polygons intersect a box that only overlaps their edge region.
    EXPECT_EQ(ids(get_json("/collections/areas/items?bbox=531900,181900,540000,190000&bbox-crs=EPSG:27700")), (std::set<std::int64_t>{1}));
    const auto page = get_json("/collections/schools/items?bbox=-3,50,1,54&limit=2");
    EXPECT_EQ(page["numberMatched"], 6);
    EXPECT_EQ(page["numberReturned"], 2);
}

TEST_F(OgcApi, PropertyFiltersAndPropertySelection) {
    auto page = get_json("/collections/schools/items?phase=Primary");
    EXPECT_EQ(page["numberMatched"], 3);
    EXPECT_EQ(ids(page), (std::set<std::int64_t>{100001, 100003, 100005}));
    EXPECT_EQ(ids(get_json("/collections/schools/items?phase=Primary&pupils=95")), (std::set<std::int64_t>{100003}));
    EXPECT_EQ(get_json("/collections/schools/items?phase=Special")["numberMatched"], 0);
    page = get_json("/collections/schools/items?properties=name,pupils&limit=1");
    const auto props = page["features"][0]["properties"];
    EXPECT_EQ(props.size(), 2u);
    EXPECT_EQ(props["name"], "Alpha Primary");
    EXPECT_EQ(props["pupils"], 210);
    // Text that needs escaping survives the hand-written GeoJSON writer.
    EXPECT_EQ(get_json("/collections/schools/items/100006")["properties"]["name"], "Zeta \"Quoted\" & <Tagged> Nursery");
    // URL-encoded values are decoded.
    EXPECT_EQ(get_json("/collections/schools/items?name=Alpha%20Primary")["numberMatched"], 1);
}

TEST_F(OgcApi, BadRequestsGetProblemDetails) {
    expect_problem(get("/collections/schools/items?limit=abc"), 400);
    expect_problem(get("/collections/schools/items?limit=0"), 400);
    expect_problem(get("/collections/schools/items?offset=-1"), 400);
    expect_problem(get("/collections/schools/items?bbox=1,2,3"), 400);
    expect_problem(get("/collections/schools/items?bbox=1,2,x,4"), 400);
    expect_problem(get("/collections/schools/items?bbox=3,2,1,4"), 400);
    expect_problem(get("/collections/schools/items?crs=EPSG:4277"), 400);
    expect_problem(get("/collections/schools/items?bbox-crs=EPSG:27700"), 400); // without bbox
    expect_problem(get("/collections/schools/items?properties=nope"), 400);
    expect_problem(get("/collections/schools/items?pupils=many"), 400);
    const auto unknown = get("/collections/schools/items?colour=red");
    expect_problem(unknown, 400);
    EXPECT_NE(json::parse(unknown.body)["detail"].get<std::string>().find("colour"), std::string::npos);
    expect_problem(get("/collections/nothing"), 404);
    expect_problem(get("/collections/nothing/items"), 404);
    expect_problem(get("/collections/schools/items/999"), 404);
    expect_problem(get("/collections/schools/items/abc"), 404);
    expect_problem(get("/no/such/thing"), 404);
    expect_problem(get("/collections/schools/items?limit=%zz"), 400);
    std::string many = "/collections/schools/items?";
    for (int i = 0; i < 40; ++i) many += "p" + std::to_string(i) + "=1&";
    expect_problem(get(many), 400);
    expect_problem(get("/collections?" + std::string(5000, 'a') + "=1"), 414);
    HttpClient c(port_);
    const auto post = c.request("POST", "/collections", {}, "{}");
    expect_problem(post, 405);
    EXPECT_EQ(post.header("allow"), "GET, HEAD, OPTIONS");
    const auto get_analysis = c.request("GET", "/analysis");
    expect_problem(get_analysis, 405);
    EXPECT_EQ(get_analysis.header("allow"), "POST, OPTIONS");
}

TEST_F(OgcApi, HeadAnswersEveryGetWithHeadersOnly) {
    for (const std::string target : {"/", "/api", "/conformance", "/collections", "/collections/schools", "/collections/schools/items",
                                     "/collections/schools/items/100001", "/healthz", "/metrics", "/tiles"}) {
        HttpClient c(port_);
        const auto g = c.request("GET", target);
        const auto h = c.request("HEAD", target);
        EXPECT_EQ(h.status, g.status) << target;
        EXPECT_EQ(h.header("content-type"), g.header("content-type")) << target;
        EXPECT_TRUE(h.body.empty()) << target;
    }
    HttpClient c(port_);
    expect_problem(c.request("GET", "/collections/nothing"), 404);
    EXPECT_EQ(c.request("HEAD", "/collections/nothing").status, 404);
}

TEST_F(OgcApi, CorsOnEveryResponseAndPreflight) {
    EXPECT_EQ(get("/collections", {{"Origin", "https://maps.example"}}).header("access-control-allow-origin"), "*");
    EXPECT_EQ(get("/nothing", {{"Origin", "https://maps.example"}}).header("access-control-allow-origin"), "*");
    HttpClient c(port_);
    const auto pre = c.request("OPTIONS", "/collections/schools/items",
                               {{"Origin", "https://maps.example"}, {"Access-Control-Request-Method", "GET"}, {"Access-Control-Request-Headers", "If-None-Match"}});
    EXPECT_EQ(pre.status, 204);
    EXPECT_EQ(pre.header("access-control-allow-origin"), "*");
    EXPECT_EQ(pre.header("access-control-allow-methods"), "GET, HEAD, OPTIONS");
    EXPECT_NE(pre.header("access-control-allow-headers").find("If-None-Match"), std::string::npos);
    const auto pre_post = c.request("OPTIONS", "/analysis", {{"Origin", "https://maps.example"}, {"Access-Control-Request-Method", "POST"}});
    EXPECT_EQ(pre_post.header("access-control-allow-methods"), "POST, OPTIONS");
    EXPECT_NE(pre_post.header("access-control-allow-headers").find("Authorization"), std::string::npos);
}

TEST_F(OgcApi, GzipWhenAskedForDocumentsAndStreamedItems) {
    for (const std::string target : {"/api", "/collections/schools/items?limit=5"}) {
        const auto plain = get(target);
        const auto zipped = get(target, {{"Accept-Encoding", "gzip, deflate"}});
        EXPECT_EQ(zipped.header("content-encoding"), "gzip") << target;
        EXPECT_EQ(plain.header("content-encoding"), "") << target;
        EXPECT_NE(zipped.header("vary").find("Accept-Encoding"), std::string::npos);
        auto a = json::parse(plain.body);
        auto b = json::parse(tiles::gzip_decompress(zipped.body));
        a.erase("timeStamp");
        b.erase("timeStamp");
        EXPECT_EQ(a, b) << target;
    }
    EXPECT_EQ(get("/api", {{"Accept-Encoding", "gzip;q=0"}}).header("content-encoding"), "");
}

TEST_F(OgcApi, KeepAliveServesManyRequestsOnOneConnection) {
    HttpClient c(port_);
    for (int i = 0; i < 20; ++i) {
        const auto r = c.request("GET", i % 2 ? "/collections/schools/items?limit=2" : "/healthz", {}, {}, true);
        ASSERT_EQ(r.status, 200) << i;
        EXPECT_EQ(r.header("connection"), "Keep-Alive");
    }
}

TEST_F(OgcApi, StreamsLargePagesInPieces) {
    // 20,000 features through the items route: the body arrives chunked and parses whole.
    restart_with_grid(20000);
    const auto r = get("/collections/grid/items?limit=20000");
    ASSERT_EQ(r.status, 200);
    EXPECT_TRUE(r.chunked);
    EXPECT_GT(r.body.size(), 4u << 20); // more than Pistache's whole-response buffer
    const auto j = json::parse(r.body);
    EXPECT_EQ(j["numberReturned"], 20000);
    EXPECT_EQ(j["features"][19999]["id"], 20000);
}
