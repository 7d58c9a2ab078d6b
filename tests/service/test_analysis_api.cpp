// POST /analysis: authentication, validation against the published schema, the background job,
// and the atomic swap of results under concurrent readers.
#include "fixture.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/service/detail/analysis_schema.hpp"
#include "coldspot/service/problem.hpp"

#include <atomic>
#include <thread>

using namespace coldspot;
using namespace coldspot::test;
using nlohmann::json;

namespace {

/// A real analysis stand-in: writes a new workspace version whose two result layers both carry
/// the run number, in two separate writes, so a reader that saw one new and one old would notice.
service::AnalysisFunction rewriting_analysis(std::atomic<int>& runs, std::chrono::milliseconds pause = std::chrono::milliseconds(0)) {
    return [&runs, pause](const json& params, const std::filesystem::path& workspace, const service::ProgressCallback& progress) {
        const int run = ++runs;
        progress(0.1, "writing school_remits");
        geo::WorkspaceWriter w(workspace, workspace);
        w.write(run_table("school_remits", run));
        std::this_thread::sleep_for(pause);
        progress(0.6, "writing coldspots_schools");
        w.write(run_table("coldspots_schools", run));
        w.commit();
        progress(1.0, "done");
        return json{{"run", run}, {"permutations", params.value("/statistics/permutations"_json_pointer, -1)}};
    };
}

HttpResponse post_analysis(std::uint16_t port, const std::string& body, const std::string& token = "s3cret",
                           const std::string& type = "application/json") {
    HttpClient c(port);
    std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", type}};
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return c.request("POST", "/analysis", headers, body);
}

class AnalysisApi : public ServerFixture {
protected:
    std::atomic<int> runs{0};
    json wait_for_job(const std::string& location) {
        for (int i = 0; i < 600; ++i) {
            const auto j = get_json(location.substr(location.find("/analysis")));
            if (j["state"] != "queued" && j["state"] != "running") return j;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        ADD_FAILURE() << "job did not finish";
        return {};
    }
};

} // namespace

TEST(AnalysisSchema, ValidatesTypesRangesEnumsAndUnknownKeys) {
    const auto& schema = service::analysis_parameters_schema();
    EXPECT_TRUE(service::validate(json::object(), schema).empty());
    EXPECT_TRUE(service::validate(json{{"statistics", {{"weights", "distance_band"}, {"band_m", 5000}, {"permutations", 99}}}, {"hex", {{"cell_area_km2", 10}}}}, schema).empty());
    auto v = service::validate(json{{"statistics", {{"permutations", 10000}, {"k", 0}, {"kind", "x"}, {"weights", "queen"}, {"alpha", 0}, {"fdr", "yes"}}}}, schema);
    std::map<std::string, std::string> by_pointer;
    for (const auto& e : v) by_pointer[e.pointer] = e.message;
    EXPECT_EQ(by_pointer.size(), 6u);
    EXPECT_EQ(by_pointer["/statistics/permutations"], "must be at most 9999");
    EXPECT_EQ(by_pointer["/statistics/k"], "must be at least 1");
    EXPECT_EQ(by_pointer["/statistics/kind"], "is not a known parameter");
    EXPECT_EQ(by_pointer["/statistics/weights"], "must be one of [\"knn\",\"distance_band\"], got \"queen\"");
    EXPECT_EQ(by_pointer["/statistics/alpha"], "must be greater than 0");
    EXPECT_EQ(by_pointer["/statistics/fdr"], "expected boolean, got string");
    EXPECT_EQ(service::validate(json::array(), schema).at(0).message, "expected object, got array");
    EXPECT_EQ(service::validate(json{{"statistics", {{"seed", 1.5}}}}, schema).at(0).message, "expected integer, got number");
    EXPECT_EQ(service::validate(json{{"components", {{"access", {{"weight", -1}}}}}}, schema).at(0).pointer, "/components/access/weight");
    EXPECT_EQ(service::validate(json{{"colour", "red"}}, schema).at(0).pointer, "/colour");

    // Defaults from a schema fill absent members, recursively.
    const json small = json::parse(R"({"type": "object", "properties": {"a": {"type": "integer", "default": 3},
        "b": {"type": "object", "properties": {"c": {"type": "string", "default": "x"}}}}})");
    EXPECT_EQ(service::apply_defaults(json{{"a", 5}}, small), (json{{"a", 5}, {"b", {{"c", "x"}}}}));
    try {
        service::validated_analysis_parameters(json{{"statistics", {{"permutations", -1}}}});
        FAIL();
    } catch (const service::HttpProblem& p) {
        EXPECT_EQ(p.status(), 422);
        EXPECT_EQ(p.extensions()["errors"][0]["pointer"], "/statistics/permutations");
    }
}

TEST_F(AnalysisApi, WritesNeedTheBearerToken) {
    start({}, rewriting_analysis(runs));
    auto r = post_analysis(port_, "{}", "");
    expect_problem(r, 401);
    EXPECT_EQ(r.header("www-authenticate"), "Bearer realm=\"coldspot\"");
    r = post_analysis(port_, "{}", "wrong");
    expect_problem(r, 401);
    EXPECT_NE(r.header("www-authenticate").find("invalid_token"), std::string::npos);
    expect_problem(post_analysis(port_, "{}", "s3cre"), 401);
    expect_problem(post_analysis(port_, "{}", "s3cret", "text/plain"), 415);
    expect_problem(post_analysis(port_, "{\"statistics\": ", "s3cret"), 400);
    const auto bad = post_analysis(port_, R"({"statistics": {"permutations": 100000}, "colour": "red"})");
    expect_problem(bad, 422);
    EXPECT_EQ(json::parse(bad.body)["errors"].size(), 2u);
    expect_problem(post_analysis(port_, "{\"components\": {\"access\": {\"hub_types\": [\"" + std::string(70000, 'x') + "\"]}}}"), 413);
    EXPECT_EQ(runs.load(), 0);
    expect_problem(get("/analysis/000001-deadbeef"), 404);
    const auto schema = get_json("/analysis/schema");
    EXPECT_EQ(schema, service::analysis_parameters_schema());
}

TEST_F(AnalysisApi, ServerWithoutTokenRefusesWritesAndServerWithoutAnalysisSays501) {
    service::ServiceConfig c;
    c.token = "t";
    start(c); // no analysis function
    expect_problem(post_analysis(port_, "{}", "t"), 501);
}

TEST_F(AnalysisApi, JobRunsInTheBackgroundAndSwapsResultsIn) {
    start({}, rewriting_analysis(runs));
    EXPECT_EQ(get_json("/collections/school_remits/items?limit=1")["features"][0]["properties"]["run"], 0);
    expect_problem(get("/collections/coldspots_schools"), 404);
    const auto r = post_analysis(port_, R"({"statistics": {"permutations": 99, "weights": "knn", "k": 4}})");
    ASSERT_EQ(r.status, 202) << r.body;
    const auto location = r.header("location");
    ASSERT_EQ(location.rfind(base() + "/analysis/", 0), 0u) << location;
    const auto accepted = json::parse(r.body);
    EXPECT_TRUE(accepted["state"] == "queued" || accepted["state"] == "running");
    EXPECT_EQ(accepted["parameters"]["statistics"]["k"], 4);
    const auto done = wait_for_job(location);
    EXPECT_EQ(done["state"], "succeeded") << done.dump();
    EXPECT_EQ(done["progress"], 1.0);
    EXPECT_EQ(done["result"]["run"], 1);
    EXPECT_EQ(done["result"]["permutations"], 99);
    EXPECT_EQ(done["result"]["snapshot_version"], 2);
    // The new layers are served, and the school record joins them.
    EXPECT_EQ(get_json("/collections/school_remits/items?limit=1")["features"][0]["properties"]["run"], 1);
    EXPECT_EQ(get_json("/collections/coldspots_schools/items")["numberMatched"], 6);
    const auto record = get_json("/schools/100003");
    EXPECT_EQ(record["coldspot"][0]["run"], 1);
    EXPECT_EQ(record["snapshot_version"], 2);
    EXPECT_EQ(get_json("/healthz")["snapshot_version"], 2);
    EXPECT_NE(get("/metrics").body.find("coldspot_snapshot_swaps_total 1\n"), std::string::npos);
}

TEST_F(AnalysisApi, FailedAnalysisLeavesTheServedResultsAlone) {
    start({}, [](const json&, const std::filesystem::path& workspace, const service::ProgressCallback& progress) -> json {
        geo::WorkspaceWriter w(workspace, workspace);
        w.write(run_table("school_remits", 99));
        progress(0.5, "about to fail");
        throw InvalidArgumentError("hub table has no rows");
    });
    const auto r = post_analysis(port_, "{}");
    ASSERT_EQ(r.status, 202);
    const auto done = wait_for_job(r.header("location"));
    EXPECT_EQ(done["state"], "failed");
    EXPECT_EQ(done["error"], "hub table has no rows");
    EXPECT_EQ(get_json("/collections/school_remits/items?limit=1")["features"][0]["properties"]["run"], 0);
    EXPECT_EQ(get_json("/healthz")["snapshot_version"], 1);
}

TEST_F(AnalysisApi, ConcurrentReadersNeverSeeTornResults) {
    start({}, rewriting_analysis(runs, std::chrono::milliseconds(30)));
    // First run so both layers exist.
    ASSERT_EQ(wait_for_job(post_analysis(port_, "{}").header("location"))["state"], "succeeded");

    std::atomic<bool> stop{false};
    std::atomic<int> errors{0}, torn{0}, requests{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 6; ++t) {
        readers.emplace_back([&, t] {
            int last_run = 0;
            HttpClient c(port_);
            while (!stop) {
                try {
                    // A record joins both result layers: they must come from the same run.
                    const auto r = c.request("GET", t % 2 ? "/schools/100002" : "/collections/school_remits/items", {}, {}, true);
                    ++requests;
                    if (r.status != 200) {
                        ++errors;
                        continue;
                    }
                    const auto j = json::parse(r.body);
                    std::set<int> seen;
                    if (t % 2) {
                        seen.insert(j["remits"][0]["run"].get<int>());
                        seen.insert(j["coldspot"][0]["run"].get<int>());
                    } else {
                        for (const auto& f : j["features"]) seen.insert(f["properties"]["run"].get<int>());
                    }
                    if (seen.size() != 1) ++torn;
                    if (*seen.begin() < last_run) ++torn; // never back to an older run
                    last_run = *seen.begin();
                } catch (const std::exception&) {
                    ++errors;
                }
            }
        });
    }
    std::vector<std::string> jobs;
    for (int i = 0; i < 4; ++i) {
        const auto r = post_analysis(port_, "{}");
        ASSERT_EQ(r.status, 202);
        jobs.push_back(r.header("location"));
    }
    for (const auto& j : jobs) EXPECT_EQ(wait_for_job(j)["state"], "succeeded");
    stop = true;
    for (auto& t : readers) t.join();
    EXPECT_EQ(errors.load(), 0);
    EXPECT_EQ(torn.load(), 0);
    EXPECT_GT(requests.load(), 20);
    EXPECT_EQ(get_json("/schools/100001")["remits"][0]["run"], 5);
}
