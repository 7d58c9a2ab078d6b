// CQL2 text filters (OGC API Features Part 3) on the hand-made schools, whose expected selections
// are read off the table in fixture.hpp:
//
//   urn     name            phase      pupils  fsm    lon        lat       x (27700)  y
//   100001  Alpha Primary   Primary    210     10.5   -0.12835   51.50399  530000     180000
//   100002  Beta Secondary  Secondary  1020    12.75  -0.11358   51.51275  531000     181000
//   100003  Gamma Primary   Primary    95      15     -2.00143   52.59779  400000     300000
//   100004  Delta Academy   Secondary  840     17.25  -1.27073   52.14603  450000     250000
//   100005  Epsilon Infant  Primary    180     19.5    0.94915   52.56106  600000     300000
//   100006  Zeta "Quoted".. Nursery    40      21.75  -2.30295   53.49632  380000     400000
//
// and the two LSOA squares 529000-532000 x 179000-182000 and 399000-401000 x 299000-301000.
#include "fixture.hpp"

#include "coldspot/service/cql2.hpp"

#include <set>

using namespace coldspot;
using namespace coldspot::test;
using nlohmann::json;

namespace {

class Cql2Filter : public ServerFixture {
protected:
    void SetUp() override { start(); }
    /// The fids the server selects for `filter` (and any extra parameters).
    std::set<std::int64_t> select(const std::string& collection, const std::string& filter, const std::string& extra = "") {
        const auto r = get("/collections/" + collection + "/items?limit=100&filter=" + service::url_encode(filter) + extra);
        EXPECT_EQ(r.status, 200) << filter << "\n" << r.body;
        std::set<std::int64_t> out;
        if (r.status != 200) return out;
        const auto page = json::parse(r.body);
        EXPECT_EQ(page["numberReturned"], page["numberMatched"]) << r.body.substr(0, 400);
        for (const auto& f : page["features"]) out.insert(f["id"].get<std::int64_t>());
        return out;
    }
    /// The problem for a refused filter; checks it names the position.
    json refused(const std::string& filter, std::size_t position, const std::string& collection = "schools") {
        const auto r = get("/collections/" + collection + "/items?filter=" + service::url_encode(filter));
        expect_problem(r, 400);
        const auto j = json::parse(r.body);
        EXPECT_EQ(j.value("parameter", ""), "filter") << filter;
        EXPECT_EQ(j.value("position", std::size_t{999}), position) << filter << ": " << j.value("detail", "");
        EXPECT_NE(j.value("detail", "").find("at position " + std::to_string(position)), std::string::npos) << j.value("detail", "");
        return j;
    }
};

std::set<std::int64_t> urns(std::initializer_list<int> last_digits) {
    std::set<std::int64_t> out;
    for (int d : last_digits) out.insert(100000 + d);
    return out;
}

} // namespace

TEST_F(Cql2Filter, ComparisonsAndBooleanLogic) {
    EXPECT_EQ(select("schools", "phase = 'Primary'"), urns({1, 3, 5}));
    EXPECT_EQ(select("schools", "phase = 'Primary' AND pupils > 100"), urns({1, 5}));
    EXPECT_EQ(select("schools", "pupils < 100 OR phase = 'Secondary'"), urns({2, 3, 4, 6}));
    EXPECT_EQ(select("schools", "NOT (phase = 'Primary')"), urns({2, 4, 6}));
    EXPECT_EQ(select("schools", "phase = 'Primary' and not pupils > 200"), urns({3, 5})); // keywords in any case
    EXPECT_EQ(select("schools", "phase = 'Primary' AND (pupils < 100 OR pupils > 200)"), urns({1, 3}));
    EXPECT_EQ(select("schools", "fsm_percent >= 17.25"), urns({4, 5, 6}));
    EXPECT_EQ(select("schools", "fsm_percent = 12.75 OR urn = 100006"), urns({2, 6}));
    EXPECT_EQ(select("schools", "100 < pupils"), urns({1, 2, 4, 5}));          // a literal on the left
    EXPECT_EQ(select("schools", "\"pupils\" <> 95 AND pupils <= 180"), urns({5, 6})); // a quoted name
    EXPECT_EQ(select("schools", "name = 'Zeta \"Quoted\" & <Tagged> Nursery'"), urns({6}));
    EXPECT_EQ(select("schools", "TRUE"), urns({1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(select("schools", "FALSE OR urn = 100003"), urns({3}));
}

TEST_F(Cql2Filter, InBetweenLikeAndIsNull) {
    EXPECT_EQ(select("schools", "phase IN ('Nursery', 'Secondary')"), urns({2, 4, 6}));
    EXPECT_EQ(select("schools", "phase NOT IN ('Primary')"), urns({2, 4, 6}));
    EXPECT_EQ(select("schools", "pupils BETWEEN 180 AND 840"), urns({1, 4, 5}));
    EXPECT_EQ(select("schools", "pupils NOT BETWEEN 180 AND 840"), urns({2, 3, 6}));
    EXPECT_EQ(select("schools", "name LIKE '%Primary'"), urns({1, 3}));
    EXPECT_EQ(select("schools", "name LIKE '_eta%'"), urns({2, 6}));
    EXPECT_EQ(select("schools", "name NOT LIKE '%y'"), urns({5}));
    EXPECT_EQ(select("schools", "name LIKE 'Alpha\\_Primary' OR name LIKE 'Alpha_Primary'"), urns({1})); // \_ is a literal _
    EXPECT_EQ(select("schools", "name IS NULL"), urns({}));
    EXPECT_EQ(select("schools", "name IS NOT NULL AND urn IN (100001, 100004)"), urns({1, 4}));
}

TEST_F(Cql2Filter, SpatialIntersectsWithBoxesAndGeometriesInEachCrs) {
    EXPECT_EQ(select("schools", "S_INTERSECTS(geometry, BBOX(-0.2, 51.4, 0.0, 51.6))"), urns({1, 2}));
    EXPECT_EQ(select("schools", "S_INTERSECTS(geometry, POLYGON((-3 52, 0 52, 0 54, -3 54, -3 52)))"), urns({3, 4, 6}));
    EXPECT_EQ(select("schools", "S_INTERSECTS(geometry, BBOX(399999, 299999, 450001, 300001))", "&filter-crs=EPSG:27700"), urns({3}));
    // Web Mercator x of Alpha is -14,288 m, of Beta -12,644 m (spherical formula).
    EXPECT_EQ(select("schools", "S_INTERSECTS(geometry, BBOX(-13000, 6700000, 0, 6720000))", "&filter-crs=http://www.opengis.net/def/crs/EPSG/0/3857"), urns({2}));
    EXPECT_EQ(select("schools", "phase = 'Primary' AND NOT S_INTERSECTS(geometry, BBOX(-1, 50, 2, 53))"), urns({3}));
    EXPECT_EQ(select("areas", "S_INTERSECTS(geometry, POINT(530000 180000))", "&filter-crs=EPSG:27700"), (std::set<std::int64_t>{1}));
    EXPECT_EQ(select("areas", "S_INTERSECTS(geometry, LINESTRING(398000 298000, 399500 299500))", "&filter-crs=EPSG:27700"), (std::set<std::int64_t>{2}));
    EXPECT_EQ(select("areas", "S_INTERSECTS(geometry, MULTIPOINT((530000 180000), (400000 300000)))", "&filter-crs=EPSG:27700"), (std::set<std::int64_t>{1, 2}));
    EXPECT_EQ(select("areas", "S_INTERSECTS(geometry, BBOX(535000, 185000, 536000, 186000))", "&filter-crs=EPSG:27700"), (std::set<std::int64_t>{}));
}

TEST_F(Cql2Filter, FiltersCombineWithBboxPagingAndEqualityFilters) {
    const auto j = get_json("/collections/schools/items?limit=1&filter=" + service::url_encode("phase = 'Primary'") + "&pupils=95");
    EXPECT_EQ(j["numberMatched"], 1);
    EXPECT_EQ(j["features"][0]["id"], 100003);
    const auto page = get_json("/collections/schools/items?limit=2&filter=" + service::url_encode("pupils > 100"));
    EXPECT_EQ(page["numberMatched"], 4);
    std::string next;
    for (const auto& l : page["links"])
        if (l["rel"] == "next") next = l["href"];
    const auto p2 = get_json(next.substr(next.find("/collections")));
    EXPECT_EQ(p2["features"][0]["id"], 100004);
    EXPECT_EQ(p2["features"][1]["id"], 100005);
    EXPECT_EQ(select("schools", "phase <> 'Nursery'", "&bbox=-1,51,1,53"), urns({1, 2, 5}));
}

TEST_F(Cql2Filter, MalformedFiltersNameThePositionWhereParsingStopped) {
    refused("pupils >", 8);                        // nothing after the operator
    refused("pupils > 'many'", 9);                 // text compared with a number
    refused("phase = 'Primary", 8);                // the string is not closed
    refused("(phase = 'Primary'", 18);             // ')' missing
    refused("phase = 'Primary' AND", 21);          // a dangling AND
    refused("pupils BETWEEN 1 OR 5", 17);          // BETWEEN without AND
    refused("pupils = 1; DROP TABLE schools", 10); // no second statement, no SQL at all
    refused("name LIKE 5", 10);
    refused("pupils LIKE '9%'", 0);
    refused("phase IN ('a', 'b'", 18);
    refused("S_INTERSECTS(geometry, BBOX(1, 2, 3))", 23);
    refused("S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1)))", 31); // an open ring of 3 positions
    refused("S_INTERSECTS(urn, BBOX(0, 0, 1, 1))", 13);
    refused("geometry = 1", 0);
    refused("name = 'Ünïcode' AND", 20); // positions count characters, not bytes
    refused("urn = DATE('2024-01-01')", 6);
    refused("", 0);
    // Nesting deeper than kMaxDepth is refused where it passes the limit, not a stack overflow.
    refused(std::string(100, '(') + "TRUE" + std::string(100, ')'), service::cql2::kMaxDepth);
    std::string nots;
    for (int i = 0; i < 100; ++i) nots += "NOT ";
    refused(nots + "TRUE", 4 * service::cql2::kMaxDepth);
    // Filters are checked against the collection they are sent to.
    refused("imd_decile > 3 AND phase = 'Primary'", 19, "areas");
}

TEST_F(Cql2Filter, UnknownPropertyNamesTheQueryables) {
    const auto j = refused("colour = 'red'", 0);
    EXPECT_NE(j["detail"].get<std::string>().find("'colour' is not a queryable of collection 'schools'"), std::string::npos) << j["detail"];
    EXPECT_EQ(j["queryables"], "/collections/schools/queryables");
    expect_problem(get("/collections/schools/items?filter-lang=cql2-json&filter=TRUE"), 400);
    expect_problem(get("/collections/schools/items?filter-crs=EPSG:27700"), 400);
    expect_problem(get("/collections/schools/items?filter=TRUE&filter-crs=EPSG:4277"), 400);
    // The queryables list the geometry for S_INTERSECTS, and conformance declares Part 3 and CQL2.
    const auto q = get_json("/collections/schools/queryables");
    EXPECT_EQ(q["properties"]["geometry"]["format"], "geometry-point");
    std::set<std::string> classes;
    const auto conformance = get_json("/conformance");
    for (const auto& c : conformance["conformsTo"]) classes.insert(c);
    for (const char* c : {"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter", "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
                          "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text", "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
                          "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators", "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions"})
        EXPECT_TRUE(classes.count(c)) << c;
}
