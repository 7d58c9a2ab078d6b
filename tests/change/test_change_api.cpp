// The change comparison from the API as a client runs it: `coldspot serve NEW --baseline OLD`, then
// POST /analysis {"kind": "change"} with curl, and the change layers served as collections, tiles
// (TileJSON) and dashboard "since" figures once the job has swapped the new version in.
#include "fixture.hpp"
#include "serve_process.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

namespace coldspot::test::change {
namespace {

using nlohmann::json;

std::string get(std::uint16_t port, const std::string& path) {
    return run_command("curl -s -S 'http://127.0.0.1:" + std::to_string(port) + path + "'").output;
}

std::string post(std::uint16_t port, const std::string& body) {
    return run_command("curl -s -S -w '\\n%{http_code}' -H 'Authorization: Bearer secret' -H 'Content-Type: application/json' -d " + quote(body) +
                       " http://127.0.0.1:" + std::to_string(port) + "/analysis")
        .output;
}

TEST(ChangeApi, AChangeJobServesTheChangeLayersTilesAndSinceFigures) {
    TempDir tmp;
    const auto v = write_vintages(tmp);
    {
        geo::FeatureTable hd{"hub_dashboard", "", geo::GeometryType::None, 0, {{"hub_id", geo::FieldType::String}}, {}};
        hd.features = {{1, {}, {std::string("teaching-school-hub:B")}}};
        geo::WorkspaceWriter w(v.new_ws, v.new_ws);
        w.write(hd);
        w.commit();
    }
    ServeProcess serve({v.new_ws.string(), "--port", "0", "--access-log", "", "--token", "secret", "--baseline", v.old_ws.string(),
                        "--lsoa-lookup", v.lookup.string()});
    ASSERT_NE(serve.port(), 0) << serve.output();
    EXPECT_NE(get(serve.port(), "/collections/change_areas").find("\"status\":404"), std::string::npos);

    // Refused before queueing: an unknown change key, a lookup path from the request.
    EXPECT_NE(post(serve.port(), R"({"kind":"change","change":{"deprived":2}})").find("\n422"), std::string::npos);
    EXPECT_NE(post(serve.port(), R"({"kind":"change","change":{"lsoa_lookup":"/etc/passwd"}})").find("\n422"), std::string::npos);
    EXPECT_NE(post(serve.port(), R"({"kind":"trend"})").find("\n422"), std::string::npos);

    const std::string accepted = post(serve.port(), R"({"kind":"change","change":{"old_total_areas":100,"new_total_areas":100}})");
    ASSERT_NE(accepted.find("\n202"), std::string::npos) << accepted;
    const std::string id = json::parse(accepted.substr(0, accepted.rfind('\n')))["id"];
    json job;
    for (int i = 0; i < 200; ++i) {
        job = json::parse(get(serve.port(), "/analysis/" + id));
        if (job["state"] != "queued" && job["state"] != "running") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(job["state"], "succeeded") << job.dump(2);
    EXPECT_EQ(job["result"]["kind"], "change");
    EXPECT_EQ(job["result"]["counts"]["areas_entered"], 1);

    const auto items = json::parse(get(serve.port(), "/collections/change_areas/items?limit=10"));
    ASSERT_EQ(items["features"].size(), 4u);
    const auto tilejson = json::parse(get(serve.port(), "/tiles/change.json"));
    std::vector<std::string> layers;
    for (const auto& l : tilejson["vector_layers"]) layers.push_back(l["id"]);
    EXPECT_EQ(layers, (std::vector<std::string>{"change_areas", "change_remits", "change_coldspots", "change_schools"}));
    EXPECT_NE(tilejson["tiles"][0].get<std::string>().find("/tiles/change/{z}/{x}/{y}"), std::string::npos);
    const auto hub = json::parse(get(serve.port(), "/hubs/teaching-school-hub:B"));
    EXPECT_EQ(hub["since"]["areas_entered"], 1);
    EXPECT_EQ(hub["since"]["since"], "since 2019/2021");

    // The map style draws the change layers in the palette's colours, each class in the legend.
    const auto style = json::parse(get(serve.port(), "/styles/coldspot.json"));
    const auto palette = json::parse(get(serve.port(), "/styles/palette.json"));
    const std::map<std::string, std::pair<std::string, std::string>> drawn{{"change-coldspots", {"change_coldspots", "coldspot_change"}},
                                                                          {"change-deprived", {"change_areas", "deprived_change"}},
                                                                          {"change-remits", {"change_remits", "remit_change"}}};
    for (const auto& [id, source_theme] : drawn) {
        const auto layer = std::find_if(style["layers"].begin(), style["layers"].end(), [&](const json& l) { return l["id"] == id; });
        ASSERT_NE(layer, style["layers"].end()) << id;
        EXPECT_EQ((*layer)["source-layer"], source_theme.first);
        EXPECT_EQ((*layer)["layout"]["visibility"], "none") << id;
        const auto theme = std::find_if(palette["themes"].begin(), palette["themes"].end(), [&](const json& t) { return t["id"] == source_theme.second; });
        ASSERT_NE(theme, palette["themes"].end()) << source_theme.second;
        const json& match = (*layer)["paint"]["fill-color"];
        for (const auto& c : (*theme)["classes"]) {
            const auto at = std::find(match.begin() + 2, match.end() - 1, c["value"]);
            ASSERT_NE(at, match.end() - 1) << id << " has no colour for " << c["value"];
            EXPECT_EQ(*(at + 1), c["color"]) << id << " " << c["value"];
        }
        const auto legend = std::find_if(style["metadata"]["coldspot:legend"].begin(), style["metadata"]["coldspot:legend"].end(), [&](const json& l) { return l["layer"] == id; });
        ASSERT_NE(legend, style["metadata"]["coldspot:legend"].end()) << id;
        EXPECT_EQ((*legend)["title"], (*theme)["title"]);
        EXPECT_EQ((*legend)["items"].size(), (*theme)["classes"].size());
    }
}

TEST(ChangeApi, AServerWithoutABaselineRefusesAChangeJob) {
    TempDir tmp;
    const auto v = write_vintages(tmp);
    ServeProcess serve({v.new_ws.string(), "--port", "0", "--access-log", "", "--token", "secret", "--no-tiles"});
    const std::string r = post(serve.port(), R"({"kind":"change"})");
    EXPECT_NE(r.find("\n422"), std::string::npos) << r;
    EXPECT_NE(r.find("--baseline"), std::string::npos) << r;
}

} // namespace
} // namespace coldspot::test::change
