// The map's API on the analysed synthetic demo workspace, checked against independent answers:
// the `coldspot` CLI's own outputs (target CSV/GeoJSON, --suggest, coldspots --add-venue) and SQL on
// the workspace through the sqlite3 shell.
#include "demo_workspace.hpp"

#include "coldspot/service/detail/map_index.hpp"
#include "coldspot/service/problem.hpp"
#include "coldspot/service/what_if_jobs.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

namespace coldspot::test {
namespace {

using json = nlohmann::json;
using service::url_encode;

const std::string kHub = "teaching-school-hub:DM1";

class MapApi : public DemoServer {
protected:
    std::filesystem::path served() const { return dir_ / "ws.gpkg"; }
    std::string cli_output(std::initializer_list<std::string> args) {
        const auto r = run_cli(args);
        EXPECT_EQ(r.exit_code, 0) << r.output;
        return r.output;
    }
};

TEST_F(MapApi, LandingSaysTheDataIsSynthetic) {
    const auto j = get_json("/?f=json");
    EXPECT_EQ(j["synthetic"], true);
    EXPECT_EQ(j["workspace"]["region"], "Demoshire (a fictional county)");
    EXPECT_FALSE(j["notice"].get<std::string>().empty());
}

TEST_F(MapApi, TargetCsvAndGeoJsonAreTheClisBytes) {
    for (const auto& [hub, top] : std::vector<std::pair<std::string, std::string>>{{kHub, ""}, {kHub, "5"}, {"maths-hub:MH2", "12"}}) {
        std::vector<std::string> args{"target", served().string(), "--hub", hub, "--csv", (dir_ / "t.csv").string(), "--geojson", (dir_ / "t.geojson").string()};
        if (!top.empty()) args.insert(args.end(), {"--top", top});
        std::string line = quote(cli().string());
        for (const auto& a : args) line += " " + quote(a);
        ASSERT_EQ(run_command(line).exit_code, 0);
        const std::string q = top.empty() ? "" : "&top=" + top;
        const auto csv = get("/hubs/" + hub + "/targets?f=csv" + q);
        ASSERT_EQ(csv.status, 200) << csv.body;
        EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
        EXPECT_NE(csv.header("content-disposition").find("attachment"), std::string::npos);
        EXPECT_EQ(csv.body, read_text(dir_ / "t.csv")) << hub << " top " << top;
        const auto geojson = get("/hubs/" + hub + "/targets?f=geojson" + q);
        EXPECT_EQ(geojson.body, read_text(dir_ / "t.geojson"));
        // JSON: the same rows, in the same order.
        const auto j = get_json("/hubs/" + hub + "/targets?f=json" + q);
        const auto fc = json::parse(read_text(dir_ / "t.geojson"));
        ASSERT_EQ(j["items"].size(), fc["features"].size());
        for (std::size_t i = 0; i < j["items"].size(); ++i) {
            EXPECT_EQ(j["items"][i]["urn"], fc["features"][i]["properties"]["urn"]);
            EXPECT_EQ(j["items"][i]["point"], fc["features"][i]["geometry"]["coordinates"]);
        }
    }
    // By hub name, as the CLI accepts it.
    EXPECT_EQ(get("/hubs/Castlebury%20and%20Wexmoor%20Teaching%20School%20Hub/targets?f=csv").body, get("/hubs/" + kHub + "/targets?f=csv").body);
    // An authority: the CLI's --la.
    cli_output({"target", served().string(), "--la", "E07999902", "--csv", (dir_ / "la.csv").string()});
    EXPECT_EQ(get("/authorities/E07999902/targets?f=csv").body, read_text(dir_ / "la.csv"));
}

TEST_F(MapApi, TargetErrorsAreProblems) {
    expect_problem(get("/hubs/no-such-hub/targets"), 404);
    expect_problem(get("/authorities/E99999999/targets"), 404);
    expect_problem(get("/hubs/" + kHub + "/targets?top=0"), 400);
    expect_problem(get("/hubs/" + kHub + "/targets?top=ten"), 400);
    expect_problem(get("/hubs/" + kHub + "/targets?f=xlsx"), 400);
    expect_problem(get("/hubs/" + kHub + "/targets?tpo=3"), 400);
}

TEST_F(MapApi, SchoolRecordListsTheVenuesOpenToTheSchool) {
    // A school that is not itself a venue, whose record used to list no venue at all.
    const std::string urn = sql_value(served(), "select urn from schools where urn not in (select urn from hub_venues where urn is not null) order by urn limit 1");
    const auto rec = get_json("/schools/" + urn);
    const auto expected = sql_rows(served(), "select role, hub_type, hub_id, venue, printf('%.6f', minutes), method from school_access where urn = " + urn +
                                                 " order by fid");
    ASSERT_FALSE(expected.empty());
    ASSERT_EQ(rec["hub_venues"].size(), expected.size()) << rec["hub_venues"];
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto& v = rec["hub_venues"][i];
        char minutes[32];
        std::snprintf(minutes, sizeof minutes, "%.6f", v["minutes"].get<double>());
        EXPECT_EQ(v["role"].get<std::string>() + "|" + v["hub_type"].get<std::string>() + "|" + v["hub_id"].get<std::string>() + "|" + v["venue"].get<std::string>() + "|" +
                      minutes + "|" + v["method"].get<std::string>(),
                  expected[i]);
        EXPECT_EQ(v["time_is_estimate"], v["method"] != "road");
        EXPECT_TRUE(v["venue_point"].is_array());
        EXPECT_NE(v["venue_urn"], json(std::stoll(urn)));
    }
    // One nearest venue per hub type.
    std::set<std::string> types;
    for (const auto& v : rec["hub_venues"]) {
        if (v["role"] == "nearest") {
            EXPECT_TRUE(types.insert(v["hub_type"]).second);
        }
    }
    EXPECT_EQ(types.size(), std::stoul(sql_value(served(), "select count(distinct hub_type) from hub_venues")));
}

TEST_F(MapApi, HubDashboardFiguresAgreeWithSql) {
    const auto j = get_json("/hubs/" + kHub);
    const auto& f = j["figures"];
    const std::string in_hub = "(select distinct urn from school_remits where hub_id = '" + kHub + "')";
    EXPECT_EQ(f["schools"].dump(), sql_value(served(), "select count(*) from " + in_hub));
    EXPECT_EQ(f["pupils"].dump(), sql_value(served(), "select coalesce(sum(pupils), 0) from schools where urn in " + in_hub));
    EXPECT_EQ(f["cold_spot_schools"].dump(), sql_value(served(), "select count(*) from coldspots_schools where cold_spot = 1 and urn in " + in_hub));
    EXPECT_EQ(f["deprived_schools"].dump(), sql_value(served(), "select count(*) from schools s join areas a on a.code = s.remit_lsoa_code where a.imd_decile <= 2 and s.urn in " + in_hub));
    // Median and worst by hand from the minutes SQL lists.
    std::vector<double> minutes;
    for (const auto& m : sql_rows(served(), "select minutes from school_access where role = 'nearest' and hub_type = 'teaching school hub' and method != 'none' and urn in " + in_hub))
        minutes.push_back(std::stod(m));
    ASSERT_FALSE(minutes.empty());
    std::sort(minutes.begin(), minutes.end());
    const double median = minutes.size() % 2 ? minutes[minutes.size() / 2] : (minutes[minutes.size() / 2 - 1] + minutes[minutes.size() / 2]) / 2;
    const auto& t = f["drive_times"]["teaching school hub"];
    EXPECT_NEAR(t["median_minutes"].get<double>(), median, 1e-9);
    EXPECT_NEAR(t["worst_minutes"].get<double>(), minutes.back(), 1e-9);
    const double estimated = std::stod(sql_value(served(), "select count(*) from school_access where role = 'nearest' and hub_type = 'teaching school hub' and method not in ('none', 'road') and urn in " + in_hub));
    EXPECT_NEAR(t["estimated_share"].get<double>(), estimated / static_cast<double>(minutes.size()), 1e-12);
    // The bbox holds every school of the hub.
    const auto& b = j["bbox"];
    ASSERT_EQ(b.size(), 4u);
    const auto hub_schools = get_json("/hubs/" + kHub + "/targets");
    for (const auto& s : hub_schools["items"]) {
        EXPECT_GE(s["point"][0].get<double>(), b[0].get<double>() - 1e-6);
        EXPECT_LE(s["point"][1].get<double>(), b[3].get<double>() + 1e-6);
    }
    expect_problem(get("/hubs/no-such-hub"), 404);
    // An authority's dashboard is keyed by its code (la_dashboard also has hub_id columns).
    const auto la = get_json("/authorities/E07999902");
    EXPECT_EQ(la["figures"]["schools"].dump(),
              sql_value(served(), "select count(*) from schools where 'E07999902' in (remit_lad_code, remit_utla_code, la_code)"));
    EXPECT_EQ(la["bbox"].size(), 4u);
}

TEST_F(MapApi, SearchFindsSchoolsHubsAuthoritiesAndPostcodes) {
    const auto first = [&](const std::string& q) {
        const auto j = get_json("/search?q=" + url_encode(q));
        EXPECT_FALSE(j["results"].empty()) << q;
        return j["results"].empty() ? json() : j["results"][0];
    };
    const auto row = sql_rows(served(), "select urn, name, postcode from schools where urn = 900107")[0];
    const std::string name = row.substr(7, row.find('|', 7) - 7), postcode = row.substr(row.rfind('|') + 1);
    EXPECT_EQ(first("900107")["id"], "900107");
    EXPECT_EQ(first("900107")["href"], base() + "/schools/900107");
    EXPECT_EQ(first(name)["id"], "900107");
    // Part of the name, any case: the school is among the results.
    const auto part = get_json("/search?q=" + url_encode(name.substr(0, 9)) + "&limit=50");
    EXPECT_TRUE(std::any_of(part["results"].begin(), part["results"].end(), [](const json& r) { return r["id"] == "900107"; })) << part;
    // A postcode without its space, lower case.
    std::string compact = postcode;
    std::erase(compact, ' ');
    std::transform(compact.begin(), compact.end(), compact.begin(), [](unsigned char c) { return std::tolower(c); });
    const auto pc = first(compact);
    EXPECT_EQ(pc["kind"], "postcode");
    EXPECT_EQ(pc["id"], postcode);
    // Hubs and authorities carry their extent to zoom to.
    const auto hub = first("castlebury and wexmoor teaching");
    EXPECT_EQ(hub["kind"], "hub");
    EXPECT_EQ(hub["id"], kHub);
    EXPECT_EQ(hub["bbox"].size(), 4u);
    const auto la = first("Demoton");
    EXPECT_EQ(la["kind"], "authority");
    EXPECT_EQ(la["id"], "E07999902");
    EXPECT_EQ(la["bbox"].size(), 4u);
    // Every result names something the API can open.
    for (const auto& r : get_json("/search?q=ash&limit=50")["results"]) {
        if (!r["href"].is_null()) {
            EXPECT_EQ(get(r["href"].get<std::string>().substr(base().size())).status, 200) << r;
        }
    }
}

TEST_F(MapApi, OddSearchTextGetsSensibleAnswers) {
    for (const std::string& q : std::vector<std::string>{"\"quoted\"", "<script>alert(1)</script>", "\xF0\x9F\x8F\xAB\xF0\x9F\x98\x80", "Ysgol Gŵyr", "'", "%", "   ", std::string(3000, 'a')}) {
        const auto r = get("/search?q=" + url_encode(q));
        ASSERT_EQ(r.status, 200) << q << r.body;
        EXPECT_EQ(r.header("content-type"), "application/json");
        const auto j = json::parse(r.body);
        EXPECT_TRUE(j["results"].is_array());
    }
    EXPECT_TRUE(get_json("/search?q=" + url_encode(std::string(3000, 'a')))["query_cut"].get<bool>());
    // 10 KB of text is past the URL limit: a 414 problem, not a crash.
    expect_problem(get("/search?q=" + std::string(10240, 'x')), 414);
    expect_problem(get("/search"), 400);
    expect_problem(get("/search?q=a&limit=0"), 400);
}

TEST(SearchFolding, AccentsApostrophesAndSymbolsFold) {
    using service::fold_for_search;
    EXPECT_EQ(fold_for_search("Ysgol Gŵyr"), "ysgol gwyr");
    EXPECT_EQ(fold_for_search("Ysgol Gymraeg Bro Ddyfi / Ffôr"), "ysgol gymraeg bro ddyfi ffor");
    EXPECT_EQ(fold_for_search("St Mary's C of E"), "st marys c of e");
    EXPECT_EQ(fold_for_search("St Mary\xE2\x80\x99s"), "st marys");
    EXPECT_EQ(fold_for_search("  <script>alert(1)</script> "), "script alert 1 script");
    EXPECT_EQ(fold_for_search("\xF0\x9F\x8F\xAB school"), "school");
    EXPECT_EQ(fold_for_search("Æthelred Ŷ Straße"), "aethelred y strasse");
    EXPECT_EQ(fold_for_search("bad \xFF\xFE utf8"), "bad utf8");
}

TEST_F(MapApi, PartnershipListsEverySchoolOnceWithTheLeadHub) {
    const auto list = get_json("/partnerships");
    std::set<std::string> ids;
    for (const auto& p : list["partnerships"]) ids.insert(p["id"]);
    EXPECT_EQ(ids, std::set<std::string>{"demoshire-tsh"}) << "East of England partnerships have no hubs here";
    const auto j = get_json("/partnerships/demoshire-tsh/targets");
    // The schools: every target covered by DM1 or DM2, once (SQL on the targets layer).
    const auto expected = sql_rows(served(), "select urn from targets where (';' || hub_ids || ';') like '%;teaching-school-hub:DM1;%' or "
                                             "(';' || hub_ids || ';') like '%;teaching-school-hub:DM2;%' order by rank");
    ASSERT_EQ(j["items"].size(), expected.size());
    std::set<std::int64_t> seen;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto& r = j["items"][i];
        EXPECT_EQ(r["urn"].dump(), expected[i]);
        EXPECT_EQ(r["rank"], i + 1);
        EXPECT_TRUE(seen.insert(r["urn"].get<std::int64_t>()).second);
        // The lead: its only partnership hub, or of two the shorter own-hub drive (SQL).
        const std::string urn = r["urn"].dump();
        const std::string ids_text = r["partnership_hub_ids"];
        if (ids_text.find(';') == std::string::npos) {
            EXPECT_EQ(r["lead_hub_id"], ids_text);
            EXPECT_NE(r["lead_reason"].get<std::string>().find("only partnership hub"), std::string::npos);
        } else {
            const auto best = sql_value(served(), "select hub_id from school_access where role = 'own_hub' and method != 'none' and urn = " + urn +
                                                      " and hub_id in ('teaching-school-hub:DM1', 'teaching-school-hub:DM2') order by minutes, hub_id limit 1");
            EXPECT_EQ(r["lead_hub_id"], best) << urn;
            EXPECT_NE(r["lead_reason"].get<std::string>().find("shortest drive"), std::string::npos) << r["lead_reason"];
        }
    }
    // Both hubs lead some schools; the shared district gives some schools two hubs.
    std::set<std::string> leads;
    bool shared = false;
    for (const auto& r : j["items"]) leads.insert(r["lead_hub_id"]), shared |= r["partnership_hub_ids"].get<std::string>().find(';') != std::string::npos;
    EXPECT_EQ(leads.size(), 2u);
    EXPECT_TRUE(shared);
    // Ad hoc: the same list for the same hubs, given by id.
    EXPECT_EQ(get("/partnerships/adhoc/targets?hubs=teaching-school-hub:DM2,teaching-school-hub:DM1&f=csv").body, get("/partnerships/demoshire-tsh/targets?f=csv").body);
    // Schools in trusts spread beyond the area: their own list (SQL: trust_non_local).
    const auto cut = get_json("/partnerships/demoshire-tsh/cut-off");
    EXPECT_EQ(std::to_string(cut["items"].size()), sql_value(served(), "select count(*) from schools where trust_non_local = 1 and urn in (select urn from targets where hub_ids like '%teaching-school-hub:DM%')"));
    expect_problem(get("/partnerships/nope/targets"), 404);
    expect_problem(get("/partnerships/adhoc/targets"), 400);
    expect_problem(get("/partnerships/adhoc/targets?hubs=no-such-hub"), 404);
}

TEST_F(MapApi, ScenarioGivesTheClisNumbersAndLeavesResultsAlone) {
    // A new maths-hub venue in the south-east of Demoshire, by easting/northing as the CLI takes it.
    const std::string e = "470000", n = "255000";
    cli_output({"coldspots", served().string(), "--quiet", "--add-venue", "maths hub:What-if:" + e + ":" + n, "--output", (dir_ / "after.gpkg").string()});
    const auto before_version = get_json("/healthz")["snapshot_version"];
    const auto r = post_json("/scenarios", R"({"add_venues":[{"hub_type":"maths hub","name":"What-if","easting":)" + e + ",\"northing\":" + n + "}]}");
    ASSERT_EQ(r.status, 202) << r.body;
    const auto job = wait_job(r.header("location"));
    ASSERT_EQ(job["state"], "succeeded") << job;
    const auto& res = job["result"];
    for (const auto& [ws, when] : {std::pair{served(), "before"}, std::pair{dir_ / "after.gpkg", "after"}}) {
        for (const char* band : {"15", "30", "45"}) {
            const std::string where = "from school_access a join schools s on s.urn = a.urn where a.role = 'nearest' and a.hub_type = 'maths hub' and a.method != 'none' and a.minutes <= " + std::string(band);
            EXPECT_EQ(res["access"]["maths hub"][when][band]["schools"].dump(), sql_value(ws, "select count(*) " + where)) << when << " " << band;
            EXPECT_EQ(res["access"]["maths hub"][when][band]["pupils"].dump(), sql_value(ws, "select coalesce(sum(s.pupils), 0) " + where)) << when << " " << band;
        }
        EXPECT_EQ(res["cold_spot_schools"][when].dump(), sql_value(ws, "select count(*) from coldspots_schools where cold_spot = 1")) << when;
    }
    const auto changed = sql_rows(dir_ / "after.gpkg", "attach " + quote(served().string()) + " as b; select count(*) from coldspots_schools a join b.coldspots_schools o on o.urn = a.urn where a.cold_spot != o.cold_spot or a.gi_bin != o.gi_bin");
    EXPECT_EQ(res["changed_schools"]["count"].dump(), changed.at(0));
    EXPECT_GT(res["access"]["maths hub"]["after"]["30"]["schools"].get<int>(), res["access"]["maths hub"]["before"]["30"]["schools"].get<int>() - 1);
    // The served results did not move.
    EXPECT_EQ(get_json("/healthz")["snapshot_version"], before_version);
    EXPECT_EQ(get_json("/collections/hub_venues")["numberOfFeatures"].dump(), sql_value(served(), "select count(*) from hub_venues"));
}

TEST_F(MapApi, ScenarioInputIsChecked) {
    expect_problem(post_json("/scenarios", "{}"), 422);
    expect_problem(post_json("/scenarios", "not json"), 400);
    expect_problem(post_json("/scenarios", R"({"add_venues":[{"hub_type":"circus","lon":-1.2,"lat":52.3}]})"), 422);
    expect_problem(post_json("/scenarios", R"({"add_venues":[{"hub_type":"maths hub","lon":40,"lat":52.3}]})"), 422);
    expect_problem(post_json("/scenarios", R"({"remove_venues":["Nowhere Academy"]})"), 422);
    expect_problem(post_json("/scenarios", R"({"add_venues":[],"colour":"red"})"), 422);
    HttpClient c(port_);
    expect_problem(c.request("POST", "/scenarios", {{"Content-Type", "text/plain"}}, "{}"), 415);
    expect_problem(get("/scenarios/999"), 404);
    expect_problem(get("/scenarios"), 405);
}

TEST_F(MapApi, SuggestionsAreTheClisPicks) {
    const auto out = cli_output({"target", served().string(), "--suggest", "3", "--hub-type", "maths hub"});
    std::vector<std::string> urns; // "  1. URN 900123 Name: +0.5"
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
        if (const auto at = line.find(". URN "); at != std::string::npos) urns.push_back(line.substr(at + 6, line.find(' ', at + 6) - at - 6));
    ASSERT_FALSE(urns.empty()) << out;
    const auto r = post_json("/suggestions", R"({"k":3,"hub_type":"maths hub"})");
    ASSERT_EQ(r.status, 202) << r.body;
    const auto job = wait_job(r.header("location"));
    ASSERT_EQ(job["state"], "succeeded") << job;
    std::vector<std::string> got;
    for (const auto& p : job["result"]["picks"]) got.push_back(p["urn"].dump());
    EXPECT_EQ(got, urns);
    const auto csv = get(r.header("location").substr(base().size()) + "?f=csv");
    EXPECT_EQ(csv.status, 200);
    EXPECT_EQ(csv.body.substr(0, csv.body.find('\n')), "order,urn,name,gain,hub_type,easting,northing");
    // How times were measured, said without the server's file names (the CLI's method line has them).
    // The CLI: "coverage: road graph (...); ...; 84 of 269 schools are beyond road coverage (over 2 km ...".
    const auto beyond = out.find(" schools are beyond road coverage");
    ASSERT_NE(beyond, std::string::npos) << out;
    const auto of = out.rfind("; ", beyond) + 2;
    const std::string counts = out.substr(of, beyond - of); // "84 of 269"
    EXPECT_EQ(job["result"]["method"], "road graph; " + counts + " schools beyond road coverage by straight-line estimate") << job;
    EXPECT_EQ(job["result"]["by_road"], true);
    EXPECT_EQ(std::to_string(job["result"]["estimated_schools"].get<int>()) + " of " + std::to_string(job["result"]["schools"].get<int>()), counts);
    EXPECT_EQ(job.dump().find(served().parent_path().string()), std::string::npos) << job;
    // Candidates anywhere: the picks come from the points given.
    const auto pts = post_json("/suggestions", R"({"k":1,"hub_type":"maths hub","candidates":[[-1.05,52.40],[-1.30,52.55]]})");
    ASSERT_EQ(pts.status, 202) << pts.body;
    const auto pj = wait_job(pts.header("location"));
    ASSERT_EQ(pj["state"], "succeeded") << pj;
    ASSERT_EQ(pj["result"]["picks"].size(), 1u);
    const auto& p = pj["result"]["picks"][0]["point"];
    EXPECT_TRUE((std::abs(p[0].get<double>() + 1.05) < 1e-6 && std::abs(p[1].get<double>() - 52.40) < 1e-6) ||
                (std::abs(p[0].get<double>() + 1.30) < 1e-6 && std::abs(p[1].get<double>() - 52.55) < 1e-6)) << p;
    expect_problem(post_json("/suggestions", R"({"k":0,"hub_type":"maths hub"})"), 422);
}

TEST_F(MapApi, BriefingIsAPrintablePageWithTheHubsFigures) {
    const auto r = get("/briefings/hubs/" + kHub);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("content-type"), "text/html; charset=utf-8");
    const auto& html = r.body;
    EXPECT_NE(html.find("<h1>Castlebury and Wexmoor Teaching School Hub</h1>"), std::string::npos);
    EXPECT_NE(html.find("@page { size: A4"), std::string::npos);
    EXPECT_NE(html.find("<svg class=\"map\""), std::string::npos);
    EXPECT_NE(html.find("Synthetic demonstration data"), std::string::npos);
    const auto f = get_json("/hubs/" + kHub)["figures"];
    EXPECT_NE(html.find("<th scope=\"row\">Schools</th><td>" + f["schools"].dump() + "</td>"), std::string::npos);
    EXPECT_NE(html.find("<th scope=\"row\">Schools in significant cold spots</th><td>" + f["cold_spot_schools"].dump() + "</td>"), std::string::npos);
    // The top targets, in the CLI's order.
    const auto top = get_json("/hubs/" + kHub + "/targets?top=10")["items"];
    std::size_t at = 0;
    for (const auto& t : top) {
        const auto found = html.find(t["name"].get<std::string>(), at);
        EXPECT_NE(found, std::string::npos) << t["name"];
        at = found == std::string::npos ? at : found;
    }
    EXPECT_EQ(get("/briefings/authorities/E07999902").status, 200);
    expect_problem(get("/briefings/hubs/no-such-hub"), 404);
    expect_problem(get("/briefings/authorities/E99999999"), 404);
}

} // namespace
} // namespace coldspot::test

namespace coldspot::test {
namespace {

TEST(WhatIfJobs, BeyondTheLimitIs429AndALongJobTimesOut) {
    service::WhatIfJobs jobs(1, std::chrono::seconds(1));
    std::atomic<bool> release{false};
    const auto first = jobs.submit("scenario", {}, [&](const service::WhatIfJobs::Deadline& d) {
        while (!release) {
            d.check(); // stops it at the time limit
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return nlohmann::json{{"done", true}};
    });
    try {
        jobs.submit("scenario", {}, [](const service::WhatIfJobs::Deadline&) { return nlohmann::json(); });
        FAIL() << "a second job was accepted beyond the limit of one";
    } catch (const service::HttpProblem& p) {
        EXPECT_EQ(p.status(), 429);
        ASSERT_EQ(p.headers.size(), 1u);
        EXPECT_EQ(p.headers[0].first, "Retry-After");
    }
    for (int i = 0; i < 300 && jobs.active(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const auto j = *jobs.describe(first);
    EXPECT_EQ(j["state"], "timed_out") << j;
    EXPECT_FALSE(j.contains("result"));
    // Room again once it stopped.
    const auto second = jobs.submit("scenario", {}, [](const service::WhatIfJobs::Deadline&) { return nlohmann::json{{"ok", 1}}; });
    for (int i = 0; i < 300 && jobs.active(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ((*jobs.describe(second))["result"]["ok"], 1);
    service::WhatIfJobs off(0, std::chrono::seconds(1));
    try {
        off.submit("scenario", {}, [](const service::WhatIfJobs::Deadline&) { return nlohmann::json(); });
        FAIL();
    } catch (const service::HttpProblem& p) {
        EXPECT_EQ(p.status(), 503);
    }
}

} // namespace
} // namespace coldspot::test
