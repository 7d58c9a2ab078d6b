#pragma once
// The analysed synthetic demo workspace (demo, remits, access on its roads, coldspots: about 1.5 s),
// made once by the `coldspot` CLI per CLI build and shared read-only by the map API tests (each
// test runs in its own process), and a server over it.
#include "fixture.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <fstream>

namespace coldspot::test {

/// Path of the analysed demo workspace; made under a lock when missing or older than the CLI.
inline std::filesystem::path analysed_demo_workspace() {
    const auto dir = cli().parent_path().parent_path() / "tests" / "map_demo";
    std::filesystem::create_directories(dir);
    const int lock = ::open((dir / "lock").c_str(), O_CREAT | O_RDWR, 0644);
    ::flock(lock, LOCK_EX);
    const auto stamp = std::to_string(std::filesystem::last_write_time(cli()).time_since_epoch().count());
    const auto ws = dir / "demo.gpkg";
    std::string have;
    std::ifstream(dir / "stamp") >> have;
    if (have != stamp || !std::filesystem::exists(ws)) {
        std::filesystem::remove(dir / "stamp");
        for (const auto& args : std::vector<std::vector<std::string>>{{"demo", "-o", ws.string()},
                                                                      {"remits", ws.string()},
                                                                      {"access", ws.string(), "--roads", (dir / "demo.osm.pbf").string()},
                                                                      {"coldspots", ws.string(), "--quiet"}}) {
            std::string line = quote(cli().string());
            for (const auto& a : args) line += " " + quote(a);
            const auto r = run_command(line);
            if (r.exit_code != 0) {
                ::close(lock);
                throw std::runtime_error("making the demo workspace failed: " + line + "\n" + r.output);
            }
        }
        std::ofstream(dir / "stamp") << stamp;
    }
    ::close(lock); // releases the lock
    return ws;
}

/// One line of output per row of an SQL query on a workspace (sqlite3 shell, `|` separated).
inline std::vector<std::string> sql_rows(const std::filesystem::path& ws, const std::string& query) {
    const auto r = run_command("sqlite3 " + quote(ws.string()) + " " + quote(query));
    if (r.exit_code != 0) throw std::runtime_error("sqlite3 failed: " + query + "\n" + r.output);
    std::vector<std::string> rows;
    std::string line;
    std::istringstream in(r.output);
    while (std::getline(in, line)) rows.push_back(line);
    return rows;
}

inline std::string sql_value(const std::filesystem::path& ws, const std::string& query) {
    const auto rows = sql_rows(ws, query);
    return rows.empty() ? std::string() : rows.front();
}

inline std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

class DemoServer : public ServerFixture {
protected:
    void SetUp() override {
        ws_ = analysed_demo_workspace();
        std::filesystem::copy_file(ws_, dir_ / "ws.gpkg");
        service::ServiceConfig c;
        c.partnerships = std::filesystem::path(COLDSPOT_SOURCE_DIR) / "data" / "partnerships.json";
        configure(c);
        start(c);
    }
    virtual void configure(service::ServiceConfig&) {}
    HttpResponse post_json(const std::string& target, const std::string& body) {
        HttpClient c(port_);
        return c.request("POST", target, {{"Content-Type", "application/json"}}, body);
    }
    /// Polls a what-if job until it is no longer running.
    nlohmann::json wait_job(const std::string& href) {
        for (int i = 0; i < 600; ++i) {
            const auto j = get_json(href.substr(base().size()));
            if (j["state"] != "running") return j;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        ADD_FAILURE() << "job did not finish: " << href;
        return {};
    }
    std::filesystem::path ws_;
};

} // namespace coldspot::test
