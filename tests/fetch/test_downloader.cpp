// download_file against a loopback publisher (mirror_server.py): verification, provenance, the
// cache, resume, and every fault the issue names, each with its exact exception type.
#include "mirror.hpp"

#include "coldspot/geo/fetch/downloader.hpp"
#include "coldspot/geo/fetch/errors.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>

using namespace coldspot;
using namespace coldspot::geo::fetch;
using coldspot::test::MirrorServer;
using coldspot::test::TempDir;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& p, const std::string& content) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

/// SHA-256 by coreutils, an implementation independent of Coldspot's.
std::string sha256sum(const fs::path& p) {
    return test::run_command("sha256sum " + test::quote(p.string()) + " | cut -c1-64").output.substr(0, 64);
}

/// 300 kB of text that differs line by line, so a resumed or truncated copy cannot pass by chance.
std::string payload(char tag) {
    std::string s;
    for (int i = 0; s.size() < 300000; ++i) s += std::string(1, tag) + " line " + std::to_string(i) + "\n";
    return s;
}

SourceFile source(const std::string& path) {
    SourceFile s;
    s.id = "fixture";
    s.publisher = "Test publisher";
    s.licence = "OGL-UK-3.0";
    s.url = "https://publisher.test" + path;
    s.file = fs::path("data") / fs::path(path).filename();
    return s;
}

std::size_t count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
    return n;
}

struct FetchDownloader : ::testing::Test {
    TempDir root, out;
    std::unique_ptr<MirrorServer> server;
    DownloadOptions options;
    std::vector<std::string> lines;
    void SetUp() override {
        write_file(root / "a.csv", payload('a'));
        write_file(root / "b.csv", payload('b'));
        server = std::make_unique<MirrorServer>(root.path());
        options.attempts = 3;
        options.backoff_seconds = 0.05;
        options.timeouts.stall_seconds = 1;
        options.log = [this](const std::string& l) { lines.push_back(l); };
    }
    Downloaded get(const SourceFile& s, const std::string& path) { return download_file(s, server->url(path), out.path(), options); }
};

} // namespace

TEST_F(FetchDownloader, DownloadsVerifiesAndRecordsProvenance) {
    auto s = source("/a.csv");
    s.sha256 = sha256sum(root / "a.csv");
    s.size = fs::file_size(root / "a.csv");
    const auto d = get(s, "/a.csv");
    EXPECT_EQ(d.status, DownloadStatus::Downloaded);
    EXPECT_EQ(read_file(out / "data/a.csv"), payload('a'));
    const json p = json::parse(read_file(out / "data/a.csv.provenance.json"));
    EXPECT_EQ(p["url"], "https://publisher.test/a.csv");
    EXPECT_EQ(p["retrieved_from"], server->url("/a.csv"));
    EXPECT_EQ(p["sha256"], sha256sum(root / "a.csv"));
    EXPECT_EQ(p["size"], payload('a').size());
    EXPECT_EQ(p["licence"], "OGL-UK-3.0");
    EXPECT_EQ(p["retrieved_at"].get<std::string>().size(), 20u); // 2026-12-04T14:00:00Z
    EXPECT_FALSE(fs::exists(out / "data/a.csv.part"));
}

TEST_F(FetchDownloader, SecondRunTransfersNothingAndAChangedFileIsFetchedAgain) {
    const auto s = source("/a.csv");
    get(s, "/a.csv");
    server->reset();
    const auto again = get(s, "/a.csv");
    EXPECT_EQ(again.status, DownloadStatus::Unchanged);
    EXPECT_EQ(again.bytes_transferred, 0u);
    const json log = json::parse(server->log());
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0]["status"], 304);
    EXPECT_FALSE(log[0]["if_none_match"].is_null());

    write_file(root / "a.csv", payload('c')); // the publisher replaces the file
    const auto changed = get(s, "/a.csv");
    EXPECT_EQ(changed.status, DownloadStatus::Downloaded);
    EXPECT_EQ(read_file(out / "data/a.csv"), payload('c'));
    EXPECT_EQ(json::parse(read_file(out / "data/a.csv.provenance.json"))["sha256"], sha256sum(root / "a.csv"));
}

TEST_F(FetchDownloader, NotFoundIsAnHttpStatusErrorWithoutRetries) {
    try {
        get(source("/missing.csv"), "/missing.csv");
        FAIL() << "no exception";
    } catch (const HttpStatusError& e) {
        EXPECT_EQ(e.status(), 404);
        EXPECT_NE(std::string(e.what()).find("missing.csv"), std::string::npos);
    }
    EXPECT_EQ(json::parse(server->log()).size(), 1u);
    EXPECT_FALSE(fs::exists(out / "data/missing.csv"));
    EXPECT_FALSE(fs::exists(out / "data/missing.csv.provenance.json"));
}

TEST_F(FetchDownloader, ServerErrorsAreRetriedWithBackoff) {
    server->control(R"({"/a.csv": {"status": 503, "times": 2}})");
    const auto d = get(source("/a.csv"), "/a.csv");
    EXPECT_EQ(d.status, DownloadStatus::Downloaded);
    const json log = json::parse(server->log());
    ASSERT_EQ(log.size(), 3u);
    EXPECT_EQ(log[0]["status"], 503);
    EXPECT_EQ(log[2]["status"], 200);
    EXPECT_EQ(count(json(lines).dump(), "retry"), 2u);
}

TEST_F(FetchDownloader, TruncatedBodyIsResumedWithARangeRequest) {
    server->control(R"({"/a.csv": {"truncate_at": 100000, "times": 1}})");
    auto s = source("/a.csv");
    s.sha256 = sha256sum(root / "a.csv");
    const auto d = get(s, "/a.csv");
    EXPECT_EQ(read_file(out / "data/a.csv"), payload('a'));
    const json log = json::parse(server->log());
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0]["bytes"], 100000);
    EXPECT_EQ(log[1]["range"], "bytes=100000-");
    EXPECT_EQ(log[1]["status"], 206);
    EXPECT_EQ(d.bytes_transferred, payload('a').size());
}

TEST_F(FetchDownloader, CutEveryTimeKeepsThePartialForALaterResume) {
    server->control(R"({"/a.csv": {"truncate_at": 120000}})");
    options.attempts = 2;
    try {
        get(source("/a.csv"), "/a.csv");
        FAIL() << "no exception";
    } catch (const NetworkError& e) {
        EXPECT_NE(std::string(e.what()).find("kept for a resume"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(out / "data/a.csv")); // never in place, so never imported
    ASSERT_TRUE(fs::exists(out / "data/a.csv.part"));
    server->reset(); // the network is back
    get(source("/a.csv"), "/a.csv");
    EXPECT_EQ(read_file(out / "data/a.csv"), payload('a'));
    const json log = json::parse(server->log());
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0]["status"], 206);
    EXPECT_EQ(log[0]["range"], "bytes=" + std::to_string(fs::file_size(root / "a.csv") - log[0]["bytes"].get<std::size_t>()) + "-");
}

TEST_F(FetchDownloader, APartialOfAnOlderVersionIsNotGluedToTheNewOne) {
    server->control(R"({"/a.csv": {"truncate_at": 50000, "times": 1}})");
    options.attempts = 1;
    EXPECT_THROW(get(source("/a.csv"), "/a.csv"), NetworkError);
    write_file(root / "a.csv", payload('d')); // changed before the resume: If-Range no longer matches
    get(source("/a.csv"), "/a.csv");
    EXPECT_EQ(read_file(out / "data/a.csv"), payload('d'));
    const json log = json::parse(server->log());
    EXPECT_EQ(log.back()["status"], 200);
    EXPECT_FALSE(log.back()["if_range"].is_null());
}

TEST_F(FetchDownloader, WrongChecksumIsAVerificationErrorAndTheBytesAreDropped) {
    auto s = source("/a.csv");
    s.sha256 = std::string(64, '0');
    EXPECT_THROW(get(s, "/a.csv"), VerificationError);
    EXPECT_FALSE(fs::exists(out / "data/a.csv"));
    EXPECT_FALSE(fs::exists(out / "data/a.csv.part"));
    auto sized = source("/a.csv");
    sized.size = 12345;
    EXPECT_THROW(get(sized, "/a.csv"), VerificationError);
}

TEST_F(FetchDownloader, RedirectIsFollowedAndTheFinalUrlRecorded) {
    server->control(R"({"/old/a.csv": {"redirect": "/b.csv"}})");
    get(source("/old/a.csv"), "/old/a.csv");
    EXPECT_EQ(read_file(out / "data/a.csv"), payload('b'));
    EXPECT_EQ(json::parse(read_file(out / "data/a.csv.provenance.json"))["retrieved_from"], server->url("/b.csv"));
}

TEST_F(FetchDownloader, StallingServerIsAbandonedAfterTheStallTimeoutAndResumed) {
    server->control(R"({"/a.csv": {"stall_after": 70000, "seconds": 30, "times": 1}})");
    const auto t0 = std::chrono::steady_clock::now();
    get(source("/a.csv"), "/a.csv");
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_LT(secs, 15.0) << "a 1 s stall timeout must not wait for the server's 30 s";
    EXPECT_EQ(read_file(out / "data/a.csv"), payload('a'));
    const json log = json::parse(server->log());
    EXPECT_EQ(log.back()["range"], "bytes=70000-");
}

TEST_F(FetchDownloader, WithoutANetworkTheCachedCopyIsUsed) {
    const auto s = source("/a.csv");
    get(s, "/a.csv");
    const std::string dead = server->url("/a.csv");
    server.reset(); // the publisher is gone
    const auto offline = download_file(s, dead, out.path(), options);
    EXPECT_EQ(offline.status, DownloadStatus::CachedOffline);
    EXPECT_EQ(read_file(out / "data/a.csv"), payload('a'));
    EXPECT_NE(json(lines).dump().find("using the copy retrieved at"), std::string::npos);

    TempDir empty;
    try {
        download_file(s, dead, empty.path(), options);
        FAIL() << "no exception";
    } catch (const NetworkError& e) {
        EXPECT_NE(std::string(e.what()).find("is there a network"), std::string::npos) << e.what();
    }
}
