// `coldspot serve` as a user runs it: a subprocess on a free port, used by curl and by GDAL's OGC
// API client, stopped with SIGTERM.
#include "fixture.hpp"

#include <csignal>
#include <fstream>
#include <regex>
#include <spawn.h>
#include <thread>
#include <sys/wait.h>

extern char** environ;

using namespace coldspot;
using namespace coldspot::test;
using nlohmann::json;

namespace {

/// `coldspot serve ARGS` with stdout on a pipe; reads until the "listening" line.
class ServeProcess {
public:
    explicit ServeProcess(std::vector<std::string> args) {
        int out[2];
        if (pipe(out) != 0) throw std::runtime_error("pipe");
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
        posix_spawn_file_actions_addclose(&actions, out[0]);
        args.insert(args.begin(), {cli().string(), "serve"});
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) throw std::runtime_error("spawn");
        posix_spawn_file_actions_destroy(&actions);
        close(out[1]);
        out_ = fdopen(out[0], "r");
        char line[1024];
        while (std::fgets(line, sizeof line, out_)) {
            output_ += line;
            std::smatch m;
            const std::string s = line;
            if (std::regex_search(s, m, std::regex("listening on http://[0-9.]+:([0-9]+)/"))) {
                port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
                break;
            }
        }
    }
    ~ServeProcess() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        if (out_) fclose(out_);
    }
    std::uint16_t port() const { return port_; }
    /// Sends the signal and returns the exit status; the rest of stdout is appended to output().
    int stop(int sig) {
        kill(pid_, sig);
        char line[1024];
        while (std::fgets(line, sizeof line, out_)) output_ += line;
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    const std::string& output() const { return output_; }

private:
    pid_t pid_ = -1;
    FILE* out_ = nullptr;
    std::uint16_t port_ = 0;
    std::string output_;
};

std::string curl(std::uint16_t port, const std::string& args) {
    return run_command("curl -s -S -i " + args + " http://127.0.0.1:" + std::to_string(port) + "/").output;
}

} // namespace

TEST(ServeCli, HelpDocumentsEveryOption) {
    const auto r = run_cli({"serve", "--help"});
    EXPECT_EQ(r.exit_code, 0);
    for (const char* opt : {"--bind", "--port", "--threads", "--token", "--config", "--max-limit", "--default-limit", "--access-log", "--no-tiles", "--public-url"})
        EXPECT_NE(r.output.find(opt), std::string::npos) << opt;
}

TEST(ServeCli, BadOptionsAndConfigurationFail) {
    TempDir d;
    write_hand_workspace(d / "ws.gpkg");
    auto r = run_cli({"serve", (d / "ws.gpkg").string(), "--port", "http"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("--port expects an integer"), std::string::npos) << r.output;
    r = run_cli({"serve", (d / "ws.gpkg").string(), "--port", "70000"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("'port' must be between 0 and 65535"), std::string::npos) << r.output;
    std::ofstream(d / "bad.json") << R"({"port": 0, "colour": "red"})";
    r = run_cli({"serve", (d / "ws.gpkg").string(), "--config", (d / "bad.json").string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("bad.json: unknown key 'colour'"), std::string::npos) << r.output;
    std::ofstream(d / "broken.json") << R"({"port": )";
    r = run_cli({"serve", (d / "ws.gpkg").string(), "--config", (d / "broken.json").string()});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.output.find("broken.json"), std::string::npos) << r.output;
    r = run_cli({"serve", (d / "missing.gpkg").string()});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.output.find("missing.gpkg"), std::string::npos) << r.output;
}

TEST(ServeCli, ServesCurlAndGdalThenStopsOnSigterm) {
    TempDir d;
    write_hand_workspace(d / "ws.gpkg");
    std::ofstream(d / "serve.json") << R"({"default-limit": 2, "max-limit": 3, "access-log": ")" + (d / "access.log").string() + R"("})";
    ServeProcess serve({(d / "ws.gpkg").string(), "--port", "0", "--config", (d / "serve.json").string(), "--threads", "2"});
    ASSERT_NE(serve.port(), 0) << serve.output();
    const auto port = serve.port();

    // curl sees the landing page, with CORS and JSON.
    const auto landing = curl(port, "");
    EXPECT_NE(landing.find("HTTP/1.1 200 OK"), std::string::npos) << landing;
    EXPECT_NE(landing.find("Access-Control-Allow-Origin: *"), std::string::npos) << landing;
    EXPECT_NE(landing.find("\"service-desc\""), std::string::npos);

    // GDAL's OGC API Features client lists the collections and pages through every feature with
    // the limit of 3 the config file set (so 2 pages of schools).
    const std::string url = "OAPIF:http://127.0.0.1:" + std::to_string(port);
    auto info = run_command("ogrinfo -ro -q " + quote(url));
    EXPECT_EQ(info.exit_code, 0) << info.output;
    for (const char* layer : {"schools", "areas", "school_remits"}) EXPECT_NE(info.output.find(layer), std::string::npos) << info.output;
    info = run_command("ogrinfo -ro -al -q " + quote(url) + " schools");
    EXPECT_EQ(info.exit_code, 0) << info.output;
    for (const auto& s : hand_schools()) EXPECT_NE(info.output.find("urn (Integer) = " + std::to_string(s.urn)), std::string::npos) << s.urn;
    info = run_command("ogrinfo -ro -so " + quote(url) + " schools");
    EXPECT_NE(info.output.find("Feature Count: 6"), std::string::npos) << info.output;
    // Alpha's coordinates as GDAL read them, in CRS84.
    EXPECT_NE(info.output.find("Extent: (-2.302945, 51.503991) - (0.949152, 53.496317)"), std::string::npos) << info.output;

    // GDAL 3.6's OAPIF driver has no CRS option, so the EPSG:27700 read goes through its GeoJSON
    // driver on the items URL with crs=: every feature, with British National Grid coordinates.
    const std::string bng = "http://127.0.0.1:" + std::to_string(port) +
                            "/collections/schools/items?limit=3&crs=http://www.opengis.net/def/crs/EPSG/0/27700&offset=";
    std::size_t features = 0;
    for (int offset : {0, 3}) {
        info = run_command("ogrinfo -ro -al " + quote(bng + std::to_string(offset)));
        EXPECT_EQ(info.exit_code, 0) << info.output;
        for (std::size_t p = info.output.find("POINT ("); p != std::string::npos; p = info.output.find("POINT (", p + 1)) ++features;
    }
    EXPECT_EQ(features, 6u);
    EXPECT_NE(info.output.find("POINT (380000 400000)"), std::string::npos) << info.output;

    const int code = serve.stop(SIGTERM);
    EXPECT_EQ(code, 0) << serve.output();
    EXPECT_NE(serve.output().find("SIGTERM, shutting down"), std::string::npos) << serve.output();
    EXPECT_NE(serve.output().find("stopped"), std::string::npos);
    // The request log has one line per request, the landing page first.
    std::ifstream log(d / "access.log");
    std::string first;
    std::getline(log, first);
    EXPECT_NE(first.find("\"GET /\" 200"), std::string::npos) << first;
}

TEST(ServeCli, StopsOnSigintToo) {
    TempDir d;
    write_hand_workspace(d / "ws.gpkg");
    ServeProcess serve({(d / "ws.gpkg").string(), "--port", "0", "--access-log", "", "--no-tiles"});
    ASSERT_NE(serve.port(), 0) << serve.output();
    EXPECT_NE(serve.output().find("tiles off"), std::string::npos);
    EXPECT_EQ(serve.stop(SIGINT), 0);
    EXPECT_NE(serve.output().find("SIGINT, shutting down"), std::string::npos) << serve.output();
}

TEST(ServeCli, RunsTheRealColdSpotAnalysisAndServesItsLayers) {
    // The synthetic demo region has every input the analysis needs.
    TempDir d;
    const auto demo = run_cli({"demo", "-o", (d / "demo.gpkg").string()});
    ASSERT_EQ(demo.exit_code, 0) << demo.output;
    ServeProcess serve({(d / "demo.gpkg").string(), "--port", "0", "--token", "t0k", "--access-log", ""});
    ASSERT_NE(serve.port(), 0) << serve.output();
    HttpClient c(serve.port());
    const std::vector<std::pair<std::string, std::string>> auth{{"Authorization", "Bearer t0k"}, {"Content-Type", "application/json"}};
    // The analysis's own parser refuses what the schema cannot express, before queueing.
    const auto refused = c.request("POST", "/analysis", auth, R"({"components": {"access": {"good_minutes": 50}}})");
    expect_problem(refused, 422);
    EXPECT_NE(json::parse(refused.body)["detail"].get<std::string>().find("poor_minutes"), std::string::npos) << refused.body;

    const auto accepted = c.request("POST", "/analysis", auth, R"({"statistics": {"permutations": 99, "seed": 7}})");
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    const std::string id = json::parse(accepted.body)["id"];
    json job;
    for (int i = 0; i < 600; ++i) {
        job = json::parse(c.request("GET", "/analysis/" + id).body);
        if (job["state"] != "queued" && job["state"] != "running") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_EQ(job["state"], "succeeded") << job.dump();
    EXPECT_GT(job["result"]["scored"].get<int>(), 0);
    EXPECT_EQ(job["result"]["snapshot_version"], 2);
    const auto cold = json::parse(c.request("GET", "/collections/coldspots_schools/items?limit=1").body);
    ASSERT_EQ(cold["features"].size(), 1u);
    const auto urn = cold["features"][0]["properties"]["urn"].get<std::int64_t>();
    const auto record = json::parse(c.request("GET", "/schools/" + std::to_string(urn)).body);
    ASSERT_EQ(record["coldspot"].size(), 1u) << record.dump();
    EXPECT_EQ(record["coldspot"][0]["urn"], urn);
    EXPECT_EQ(serve.stop(SIGTERM), 0);
}
