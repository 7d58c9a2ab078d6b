// Items as CSV, XLSX and FlatGeobuf (f=csv|xlsx|fgb) over a real server: the bytes a client gets,
// checked against the hand-made workspace (CRS84 coordinates from cs2cs). GDAL's own reading of
// XLSX and FlatGeobuf is tested in tests/clients/formats_test.py.
#include "fixture.hpp"

#include "coldspot/tiles/gzip.hpp"

using namespace coldspot;
using namespace coldspot::test;
using nlohmann::json;

namespace {

class OgcFormats : public ServerFixture {
protected:
    void SetUp() override {
        service::ServiceConfig c;
        c.items.default_limit = 4;
        c.items.max_limit = 5;
        c.items.xlsx_max_rows = 5;
        start(c);
    }
};

/// RFC 4180 records: fields split on commas, quotes doubled inside quoted fields, CRLF ends a row.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
    std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') rows.back().back() += '"', ++i;
            else if (c == '"') quoted = false;
            else rows.back().back() += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            rows.back().emplace_back();
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            ++i;
            if (i + 1 < text.size()) rows.emplace_back(1);
        } else {
            rows.back().back() += c;
        }
    }
    return rows;
}

} // namespace

TEST_F(OgcFormats, CsvHasAHeaderUnformattedNumbersAndXYColumns) {
    const auto r = get("/collections/schools/items?f=csv");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "text/csv; charset=utf-8; header=present");
    EXPECT_EQ(r.header("content-disposition"), "attachment; filename=\"schools.csv\"");
    EXPECT_EQ(r.header("content-crs"), "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>");
    const auto rows = parse_csv(r.body);
    // No limit: a download holds every feature, not a page of the default 4.
    ASSERT_EQ(rows.size(), 7u) << r.body;
    EXPECT_EQ(rows[0], (std::vector<std::string>{"id", "urn", "name", "phase", "pupils", "fsm_percent", "x", "y"}));
    EXPECT_EQ(rows[1], (std::vector<std::string>{"100001", "100001", "Alpha Primary", "Primary", "210", "10.5", "-0.1283539", "51.5039908"}));
    // Quotes, an ampersand and angle brackets survive; fsm 10.5 + 5 * 2.25 = 21.75.
    EXPECT_EQ(rows[6][2], "Zeta \"Quoted\" & <Tagged> Nursery");
    EXPECT_EQ(rows[6][5], "21.75");
    EXPECT_NE(r.body.find("\"Zeta \"\"Quoted\"\" & <Tagged> Nursery\""), std::string::npos);
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const auto& s = hand_schools()[i - 1];
        EXPECT_EQ(rows[i][1], std::to_string(s.urn));
        EXPECT_NEAR(std::stod(rows[i][6]), s.lon, 6e-8);
        EXPECT_NEAR(std::stod(rows[i][7]), s.lat, 6e-8);
    }
}

TEST_F(OgcFormats, CsvInBritishNationalGridAndPolygonsAsWkt) {
    const auto bng = parse_csv(get("/collections/schools/items?f=csv&crs=EPSG:27700&properties=name").body);
    ASSERT_EQ(bng.size(), 7u);
    EXPECT_EQ(bng[0], (std::vector<std::string>{"id", "name", "x", "y"}));
    EXPECT_EQ(bng[3], (std::vector<std::string>{"100003", "Gamma Primary", "400000", "300000"}));
    const auto areas = parse_csv(get("/collections/areas/items?f=csv&crs=EPSG:27700").body);
    ASSERT_EQ(areas.size(), 3u);
    EXPECT_EQ(areas[0], (std::vector<std::string>{"id", "code", "imd_decile", "wkt"}));
    EXPECT_EQ(areas[1][1], "E01000001");
    EXPECT_EQ(areas[1][3], "MULTIPOLYGON (((529000 179000, 529000 182000, 532000 182000, 532000 179000, 529000 179000)))");
    // A table without geometry has no geometry columns.
    const auto rows = parse_csv(get("/collections/school_remits/items?f=csv").body);
    EXPECT_EQ(rows[0], (std::vector<std::string>{"id", "urn", "hub_id", "run"}));
    EXPECT_EQ(rows.size(), 7u);
}

TEST_F(OgcFormats, DownloadsArePagesWhenALimitIsGiven) {
    const auto r = get("/collections/schools/items?f=csv&limit=2&offset=1");
    ASSERT_EQ(r.status, 200);
    const auto rows = parse_csv(r.body);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[1][0], "100002");
    EXPECT_EQ(r.header("ogc-numbermatched"), "6");
    EXPECT_NE(r.header("link").find("offset=3>; rel=\"next\""), std::string::npos) << r.header("link");
    EXPECT_NE(r.header("link").find("offset=0>; rel=\"prev\""), std::string::npos) << r.header("link");
}

TEST_F(OgcFormats, XlsxIsAZipWorkbookAndFlatGeobufHasItsMagic) {
    const auto x = get("/collections/schools/items?f=xlsx&limit=5");
    ASSERT_EQ(x.status, 200) << x.body;
    EXPECT_EQ(x.header("content-type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    EXPECT_EQ(x.body.substr(0, 4), std::string("PK\x03\x04", 4));
    EXPECT_NE(x.body.find("xl/worksheets/sheet1.xml"), std::string::npos);
    EXPECT_FALSE(x.has("content-encoding")); // a zip is not compressed again
    const auto f = get("/collections/areas/items?f=fgb");
    ASSERT_EQ(f.status, 200) << f.body;
    EXPECT_EQ(f.header("content-type"), "application/flatgeobuf");
    EXPECT_EQ(f.body.substr(0, 4), std::string("fgb\x03", 4));
    EXPECT_NE(f.body.find("E01000002"), std::string::npos);
    // gzip for a client that asks: the same bytes once decompressed.
    const auto z = get("/collections/areas/items?f=fgb", {{"Accept-Encoding", "gzip"}});
    EXPECT_EQ(z.header("content-encoding"), "gzip");
    EXPECT_EQ(tiles::gzip_decompress(z.body), f.body);
}

TEST_F(OgcFormats, XlsxBeyondTheRowLimitIsAProblem) {
    // The limit is 5 here: the 6 schools are one too many, a page of 5 is fine.
    const auto all = get("/collections/schools/items?f=xlsx");
    expect_problem(all, 400);
    const auto j = json::parse(all.body);
    EXPECT_EQ(j["maxRows"], 5);
    EXPECT_EQ(j["rows"], 6);
    EXPECT_NE(j["detail"].get<std::string>().find("f=csv"), std::string::npos);
    EXPECT_EQ(get("/collections/schools/items?f=xlsx&limit=5").status, 200);
    EXPECT_EQ(get("/collections/schools/items?f=xlsx&filter=pupils%3E100").status, 200); // 4 rows
    const auto million = get("/collections/schools/items?f=xlsx&limit=1000000");
    expect_problem(million, 400);
    EXPECT_EQ(json::parse(million.body)["rows"], 1000000);
}

TEST_F(OgcFormats, UnknownFormatIsAProblemListingTheFormats) {
    const auto r = get("/collections/schools/items?f=shp");
    expect_problem(r, 400);
    const auto j = json::parse(r.body);
    EXPECT_EQ(j["parameter"], "f");
    EXPECT_EQ(j["allowed"], json({"json", "html", "csv", "xlsx", "fgb"}));
    expect_problem(get("/collections?f=csv"), 400);
}

TEST_F(OgcFormats, AlternateLinksAndOpenApiDeclareTheFormats) {
    const auto items = get_json("/collections/schools/items?limit=2");
    std::map<std::string, std::string> alternates;
    for (const auto& l : items["links"])
        if (l["rel"] == "alternate") alternates[l["type"]] = l["href"];
    EXPECT_EQ(alternates["text/csv"], base() + "/collections/schools/items?limit=2&f=csv");
    EXPECT_EQ(alternates["application/flatgeobuf"], base() + "/collections/schools/items?limit=2&f=fgb");
    EXPECT_EQ(alternates["text/html"], base() + "/collections/schools/items?limit=2&f=html");
    EXPECT_TRUE(alternates.count("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
    const auto collection = get_json("/collections/schools");
    std::set<std::string> item_types;
    for (const auto& l : collection["links"])
        if (l["rel"] == "items") item_types.insert(l["type"]);
    EXPECT_EQ(item_types, (std::set<std::string>{"application/geo+json", "text/html", "text/csv", "application/flatgeobuf",
                                                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}));
    const auto api = get_json("/api");
    const auto content = api["paths"]["/collections/{collectionId}/items"]["get"]["responses"]["200"]["content"];
    for (const char* type : {"application/geo+json", "text/html", "text/csv", "application/flatgeobuf", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
        EXPECT_TRUE(content.contains(type)) << type;
    EXPECT_EQ(api["components"]["parameters"]["f"]["schema"]["enum"], json({"json", "html", "csv", "xlsx", "fgb"}));
}

TEST_F(OgcFormats, LargeDownloadsAreStreamed) {
    restart_with_grid(20000);
    const auto f = get("/collections/grid/items?f=fgb");
    ASSERT_EQ(f.status, 200);
    EXPECT_TRUE(f.chunked);
    EXPECT_GT(f.body.size(), 4u << 20);
    const auto c = get("/collections/grid/items?f=csv");
    ASSERT_EQ(c.status, 200);
    EXPECT_TRUE(c.chunked);
    const auto rows = parse_csv(c.body);
    ASSERT_EQ(rows.size(), 20001u);
    EXPECT_EQ(rows[20000][0], "20000");
}
