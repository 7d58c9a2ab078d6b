// The service's small pieces without a socket: collections from layers, query parsing helpers,
// GeoJSON text, gzip negotiation, configuration.
#include "fixture.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/service/detail/geojson_writer.hpp"
#include "coldspot/service/gzip.hpp"
#include "coldspot/service/problem.hpp"
#include "coldspot/service/service_config.hpp"
#include "coldspot/tiles/gzip.hpp"

using namespace coldspot;
using namespace coldspot::test;
using nlohmann::json;

TEST(Collections, MixedGeometryLayerIsSplitByType) {
    auto t = std::make_shared<geo::FeatureTable>();
    t->name = "venues";
    t->geometry_type = geo::GeometryType::Point;
    t->fields = {{"kind", geo::FieldType::String}};
    t->features.push_back({1, geo::Point(400000, 300000), {std::string("a")}});
    t->features.push_back({2, square(400000, 300000, 401000, 301000), {std::string("b")}});
    t->features.push_back({3, {}, {std::string("no geometry")}});
    t->features.push_back({4, geo::Point(401000, 301000), {std::string("c")}});
    std::map<std::string, std::shared_ptr<const geo::FeatureTable>> layers{{"venues", t}};
    const auto cs = service::build_collections(layers);
    ASSERT_EQ(cs.size(), 2u);
    EXPECT_EQ(cs[0].id, "venues_point");
    EXPECT_EQ(cs[0].geometry_type, geo::GeometryType::Point);
    EXPECT_EQ(cs[0].rows, (std::vector<std::size_t>{0, 2, 3})); // the null geometry stays with the declared type
    EXPECT_EQ(cs[1].id, "venues_multipolygon");
    EXPECT_EQ(cs[1].rows, (std::vector<std::size_t>{1}));
    EXPECT_EQ(cs[0].row_of_fid.at(4), 2u);
    // A single-type layer keeps its name.
    auto s = std::make_shared<geo::FeatureTable>(schools_table());
    const auto one = service::build_collections({{"schools", s}});
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0].id, "schools");
    EXPECT_EQ(one[0].index.size(), 6u);
}

TEST(HttpMessage, QueryDecoding) {
    const auto q = service::parse_query("a=1&b=x%20y+z&&c=&d&e=%2C");
    ASSERT_EQ(q.size(), 5u);
    EXPECT_EQ(q[1].second, "x y z");
    EXPECT_EQ(q[2].second, "");
    EXPECT_EQ(q[3].first, "d");
    EXPECT_EQ(q[4].second, ",");
    EXPECT_THROW(service::url_decode("%4", false), service::HttpProblem);
    EXPECT_THROW(service::url_decode("%g0", false), service::HttpProblem);
    EXPECT_EQ(service::url_decode("a+b", false), "a+b");
    EXPECT_EQ(service::url_encode("hub:a b/é"), "hub:a%20b%2F%C3%A9");
}

TEST(GeoJsonText, StringsNumbersAndBrokenUtf8) {
    std::string s;
    service::append_json_string(s, "a\"b\\c\n\x01 \xC3\xA9 \xFF end");
    EXPECT_EQ(s, "\"a\\\"b\\\\c\\n\\u0001 \xC3\xA9 \xEF\xBF\xBD end\"");
    json parsed;
    EXPECT_NO_THROW(parsed = json::parse(s));
    s.clear();
    service::append_json_number(s, -0.12835394012, 7);
    EXPECT_EQ(s, "-0.1283539");
    s.clear();
    service::append_json_number(s, 530000.004, 2);
    EXPECT_EQ(s, "530000");
    s.clear();
    service::append_json_number(s, std::nan(""));
    EXPECT_EQ(s, "null");
    s.clear();
    service::append_json_number(s, -0.0000001, 2);
    EXPECT_EQ(s, "0");
}

// Real property values keep a decimal point so schema-inferring clients (GDAL's GeoJSON reader,
// hence QGIS's OAPIF provider) type the column Real even when a page's first values are whole.
TEST(GeoJsonText, RealPropertiesKeepTheirType) {
    const std::pair<geo::Value, std::string> cases[] = {
        {geo::Value{0.0}, "0.0"},           {geo::Value{-3.0}, "-3.0"},
        {geo::Value{2.5}, "2.5"},           {geo::Value{1e21}, "1e+21"},
        {geo::Value{std::int64_t{7}}, "7"}, {geo::Value{std::nan("")}, "null"},
    };
    for (const auto& [value, text] : cases) {
        std::string s;
        service::append_json_value(s, value);
        EXPECT_EQ(s, text);
    }
}

TEST(Gzip, NegotiationAndStreamingMatchesWholeBuffer) {
    EXPECT_TRUE(service::accepts_gzip("gzip"));
    EXPECT_TRUE(service::accepts_gzip("deflate, gzip;q=0.5"));
    EXPECT_TRUE(service::accepts_gzip("br, GZIP"));
    EXPECT_FALSE(service::accepts_gzip("gzip;q=0"));
    EXPECT_FALSE(service::accepts_gzip("deflate, br"));
    EXPECT_FALSE(service::accepts_gzip(""));
    struct Collect : service::BodySink {
        std::string bytes;
        void write(std::string_view b) override { bytes += b; }
    } collect;
    std::string text;
    for (int i = 0; i < 100000; ++i) text += std::to_string(i) + ",";
    {
        service::GzipSink zip(collect);
        for (std::size_t at = 0; at < text.size(); at += 1000) zip.write(std::string_view(text).substr(at, 1000));
        zip.finish();
    }
    EXPECT_LT(collect.bytes.size(), text.size() / 2);
    EXPECT_EQ(tiles::gzip_decompress(collect.bytes), text);
}

TEST(Config, JsonKeysAreCheckedByName) {
    service::ServiceConfig c;
    service::apply_config_json(c, json{{"port", 0}, {"max-limit", 50}, {"default-limit", 10}, {"tiles", false}, {"public-url", "https://x.example/cs/"}}, "test");
    EXPECT_EQ(c.port, 0);
    EXPECT_EQ(c.items.max_limit, 50u);
    EXPECT_FALSE(c.tiles);
    EXPECT_EQ(c.public_url, "https://x.example/cs");
    EXPECT_THROW(service::apply_config_json(c, json{{"prot", 1}}, "test"), InvalidArgumentError);
    EXPECT_THROW(service::apply_config_json(c, json{{"port", "80"}}, "test"), InvalidArgumentError);
    EXPECT_THROW(service::apply_config_json(c, json{{"threads", 0}}, "test"), InvalidArgumentError);
    EXPECT_THROW(service::apply_config_json(c, json{{"default-limit", 100}, {"max-limit", 10}}, "test"), InvalidArgumentError);
    EXPECT_THROW(service::apply_config_file(c, "/nonexistent/serve.json"), FileNotFoundError);
}

TEST(Problem, BodyFollowsRfc9457) {
    const auto j = service::Problem{404, {}, "no such thing", "/x", {{"layer", "hubs"}}}.to_json();
    EXPECT_EQ(j, (json{{"type", "about:blank"}, {"status", 404}, {"title", "Not Found"}, {"detail", "no such thing"}, {"instance", "/x"}, {"layer", "hubs"}}));
}
