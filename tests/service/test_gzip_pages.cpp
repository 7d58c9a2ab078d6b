// gzip items pages laid together from kept deflate fragments: the member is valid gzip whose
// content is exactly the plain page, checked with zlib's inflate (tiles::gzip_decompress) and
// independently with Python's gzip module, in every CRS, for first, later and empty pages, with
// chosen properties and filters, and while analysis results swap in.
#include "fixture.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/service/feature_text_cache.hpp"
#include "coldspot/service/gzip.hpp"
#include "coldspot/tiles/gzip.hpp"

#include <atomic>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

using namespace coldspot;
using namespace coldspot::test;
using nlohmann::json;

namespace {

struct CollectSink final : service::BodySink {
    std::string bytes;
    int writes = 0;
    void write(std::string_view b) override { bytes += b, ++writes; }
};

/// The page with its timeStamp (which has a one-second resolution and so may differ between the
/// plain and the gzip request) set to a fixed value; every other byte is compared.
std::string without_timestamp(const std::string& page) {
    static const std::regex stamp(R"re("timeStamp":"[0-9T:Z-]+")re");
    return std::regex_replace(page, stamp, R"("timeStamp":"-")", std::regex_constants::format_first_only);
}

/// Decompressed by Python's gzip module: a second implementation of RFC 1952 (it checks CRC-32
/// and ISIZE too), so a fault shared by our writer and zlib's reader would still show.
std::string python_gunzip(const TempDir& dir, const std::string& member) {
    const auto in = dir.path() / "page.gz";
    std::ofstream(in, std::ios::binary) << member;
    const auto r = run_command("python3 -c 'import gzip,sys; sys.stdout.buffer.write(gzip.decompress(open(sys.argv[1],\"rb\").read()))' " + quote(in.string()));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return r.output;
}

} // namespace

TEST(GzipMember, FragmentsLaidEndToEndInflateToTheirTexts) {
    const service::DeflateFragment a = service::deflate_fragment("{\"features\":[", "1"), b = service::deflate_fragment(",", "2222222222222222");
    EXPECT_EQ(a.length, 14u);
    EXPECT_EQ(b.length, 17u);
    // A full flush ends with an empty stored block: 00 00 ff ff, byte-aligned.
    EXPECT_EQ(b.bytes.substr(b.bytes.size() - 4), std::string("\x00\x00\xff\xff", 4));
    CollectSink sink;
    {
        service::GzipMemberWriter gz(sink);
        gz.fragment(a);
        gz.fragment(b);
        gz.fragment(b); // the same kept fragment twice: no back-reference can tie it to a position
        gz.text("", ",3");
        gz.finish("]}");
    }
    const std::string expected = "{\"features\":[1,2222222222222222,2222222222222222,3]}";
    EXPECT_EQ(tiles::gzip_decompress(sink.bytes), expected);
    EXPECT_EQ(sink.bytes.substr(0, 4), std::string("\x1f\x8b\x08\x00", 4));
    // ISIZE, little-endian, ends the member.
    EXPECT_EQ(static_cast<unsigned char>(sink.bytes[sink.bytes.size() - 4]), expected.size());
    // Laid in the other order, they inflate to the other text.
    CollectSink swapped;
    service::GzipMemberWriter gz(swapped);
    gz.fragment(b);
    gz.fragment(a);
    gz.finish("");
    EXPECT_EQ(tiles::gzip_decompress(swapped.bytes), ",2222222222222222{\"features\":[1");
}

TEST(GzipMember, EmptyMemberAndAWrongCrcAreCaught) {
    CollectSink empty;
    service::GzipMemberWriter(empty).finish("");
    EXPECT_EQ(tiles::gzip_decompress(empty.bytes), "");
    TempDir dir;
    EXPECT_EQ(python_gunzip(dir, empty.bytes), "");

    // A fragment whose CRC does not match its text makes a member that readers refuse: the
    // combined CRC really is checked against the content.
    service::DeflateFragment f = service::deflate_fragment("abc");
    f.crc ^= 1;
    CollectSink bad;
    service::GzipMemberWriter gz(bad);
    gz.fragment(f);
    gz.finish("");
    EXPECT_THROW(tiles::gzip_decompress(bad.bytes), FormatError);
}

TEST(GzipMember, LargeTextsAndEveryLevel) {
    // Past one deflate block and past the output estimate: a text of 300 kB of varied digits.
    std::string big;
    for (int i = 0; i < 60000; ++i) big += std::to_string(i * 7919 % 100003) + ",";
    for (int level : {0, 1, 6, 9, -1}) {
        CollectSink sink;
        service::GzipMemberWriter gz(sink);
        gz.fragment(service::deflate_fragment(big, "x", level));
        gz.text(big, {}, level);
        gz.finish(big);
        EXPECT_EQ(tiles::gzip_decompress(sink.bytes), big + "x" + big + big) << level;
    }
}

TEST(FeatureTextCache, KeepsOneFragmentPerFeatureWithinTheBudget) {
    auto budget = std::make_shared<service::FeatureTextBudget>(1 << 20);
    service::FeatureTextCache cache(2, budget);
    std::string scratch;
    service::DeflateFragment scratch_fragment;
    int made = 0;
    const auto make = [&](std::string& out) { ++made, out += "{\"id\":1}"; };
    const auto& f = cache.separated_fragment(service::OutputCrs::Crs84, 0, scratch, scratch_fragment, make);
    EXPECT_EQ(&cache.separated_fragment(service::OutputCrs::Crs84, 0, scratch, scratch_fragment, make), &f); // kept
    EXPECT_EQ(made, 1); // the text was made once, for both the text and the fragment
    EXPECT_EQ(f.length, 9u);
    EXPECT_EQ(budget->used.load(), (8 + sizeof(std::string)) + (f.bytes.size() + sizeof(service::DeflateFragment)));
    CollectSink sink;
    service::GzipMemberWriter gz(sink);
    gz.fragment(f);
    gz.finish("");
    EXPECT_EQ(tiles::gzip_decompress(sink.bytes), ",{\"id\":1}");

    // Past the budget a fragment is still made (in scratch), just not kept.
    auto tight = std::make_shared<service::FeatureTextBudget>(8 + sizeof(std::string));
    service::FeatureTextCache small(1, tight);
    const auto& g = small.separated_fragment(service::OutputCrs::WebMercator, 0, scratch, scratch_fragment, make);
    EXPECT_EQ(&g, &scratch_fragment);
    EXPECT_EQ(tight->used.load(), tight->limit); // the text took it all
    CollectSink again;
    service::GzipMemberWriter gz2(again);
    gz2.fragment(g);
    gz2.finish("");
    EXPECT_EQ(tiles::gzip_decompress(again.bytes), ",{\"id\":1}");
}

TEST(FeatureTextCache, BlockFragmentsHoldConsecutiveFeaturesAndShareTheirTexts) {
    constexpr std::size_t block = service::FeatureTextCache::kBlockFeatures;
    auto budget = std::make_shared<service::FeatureTextBudget>(1 << 22);
    service::FeatureTextCache cache(3 * block + 5, budget);
    std::string scratch;
    service::DeflateFragment scratch_fragment;
    int made = 0;
    const auto make_at = [&](std::size_t p, std::string& out) { ++made, out += "{\"id\":" + std::to_string(p) + ",\"name\":\"school\"}"; };
    const auto& b1 = cache.separated_block(service::OutputCrs::Crs84, 1, scratch, scratch_fragment, make_at);
    EXPECT_EQ(&cache.separated_block(service::OutputCrs::Crs84, 1, scratch, scratch_fragment, make_at), &b1); // kept
    EXPECT_EQ(made, static_cast<int>(block));
    // The block's texts are the per-feature texts: asking for one makes nothing new.
    EXPECT_EQ(cache.text(service::OutputCrs::Crs84, block + 3, scratch, [&](std::string& out) { make_at(999, out); }), "{\"id\":67,\"name\":\"school\"}");
    std::string expected = "[0";
    for (std::size_t p = block; p < 2 * block; ++p) expected += ",{\"id\":" + std::to_string(p) + ",\"name\":\"school\"}";
    CollectSink sink;
    service::GzipMemberWriter gz(sink);
    gz.text("[0");
    gz.fragment(b1);
    gz.finish("]");
    EXPECT_EQ(tiles::gzip_decompress(sink.bytes), expected + "]");
    // Compressed together, 64 similar features take far less than 64 fragments of one.
    std::size_t separate = 0;
    for (std::size_t p = block; p < 2 * block; ++p)
        separate += cache.separated_fragment(service::OutputCrs::Crs84, p, scratch, scratch_fragment, [&](std::string& out) { make_at(p, out); }).bytes.size();
    EXPECT_LT(b1.bytes.size() * 4, separate);
}

namespace {

class GzipPages : public ServerFixture {
protected:
    void SetUp() override { start(); }

    /// Fetches `target` plain and with gzip, and checks the gzip body inflates (with zlib and with
    /// Python) to the plain body. Returns the gzip response.
    HttpResponse expect_same_page(const std::string& target, bool with_python = true) {
        const auto plain = get(target);
        const auto zipped = get(target, {{"Accept-Encoding", "gzip"}});
        EXPECT_EQ(plain.status, 200) << target << plain.body;
        EXPECT_EQ(zipped.status, 200) << target;
        EXPECT_EQ(zipped.header("content-encoding"), "gzip") << target;
        EXPECT_EQ(zipped.header("content-type"), plain.header("content-type"));
        EXPECT_EQ(zipped.header("content-crs"), plain.header("content-crs"));
        EXPECT_EQ(without_timestamp(tiles::gzip_decompress(zipped.body)), without_timestamp(plain.body)) << target;
        if (with_python) {
            EXPECT_EQ(without_timestamp(python_gunzip(dir_, zipped.body)), without_timestamp(plain.body)) << target;
        }
        return zipped;
    }
    static bool from_fragments(const HttpResponse& r) {
        // Our member writer marks the OS as unknown (255); zlib's streaming compressor writes 3.
        return r.body.size() > 10 && static_cast<unsigned char>(r.body[9]) == 0xff;
    }
};

} // namespace

TEST_F(GzipPages, EveryCrsFirstAndLaterPagesInflateToThePlainPage) {
    for (const std::string crs : {"", "&crs=EPSG:27700", "&crs=EPSG:3857", "&crs=http://www.opengis.net/def/crs/OGC/1.3/CRS84"}) {
        for (const std::string collection : {"schools", "areas"}) {
            for (const std::string paging : {"limit=3", "limit=3&offset=3", "limit=1&offset=1", "limit=100"}) {
                // Twice: the first request makes and keeps the fragments, the second lays them (and
                // is the one also checked with Python, a process start being slow).
                for (int pass = 0; pass < 2; ++pass) {
                    const auto r = expect_same_page("/collections/" + collection + "/items?" + paging + crs, pass == 1);
                    EXPECT_TRUE(from_fragments(r)) << collection << paging << crs;
                }
            }
        }
    }
}

TEST_F(GzipPages, FiltersBboxAndChosenPropertiesToo) {
    for (const std::string crs : {"", "&crs=EPSG:27700", "&crs=EPSG:3857"}) {
        // A filter leaves the whole-feature text, so the page is laid from fragments.
        EXPECT_TRUE(from_fragments(expect_same_page("/collections/schools/items?phase=Primary" + crs)));
        EXPECT_TRUE(from_fragments(expect_same_page("/collections/schools/items?phase=Primary&limit=1&offset=1" + crs)));
        EXPECT_TRUE(from_fragments(expect_same_page("/collections/schools/items?bbox=-0.2,51.4,0,51.6" + crs)));
        // Chosen properties are written afresh and go through the streaming compressor.
        EXPECT_FALSE(from_fragments(expect_same_page("/collections/schools/items?properties=name,urn" + crs)));
        EXPECT_FALSE(from_fragments(expect_same_page("/collections/schools/items?properties=" + crs)));
    }
    // The quoted name survives both paths.
    const auto r = get("/collections/schools/items?phase=Nursery", {{"Accept-Encoding", "gzip"}});
    EXPECT_EQ(json::parse(tiles::gzip_decompress(r.body))["features"][0]["properties"]["name"], "Zeta \"Quoted\" & <Tagged> Nursery");
}

TEST_F(GzipPages, EmptyPagesAreValidMembers) {
    for (const std::string target : {"/collections/schools/items?offset=6", "/collections/schools/items?phase=Sixth%20form",
                                     "/collections/schools/items?bbox=10,10,11,11&crs=EPSG:3857", "/collections/schools/items?offset=600&limit=1"}) {
        const auto r = expect_same_page(target);
        EXPECT_TRUE(from_fragments(r)) << target;
        const auto page = json::parse(tiles::gzip_decompress(r.body));
        EXPECT_EQ(page["numberReturned"], 0) << target;
        EXPECT_EQ(page["features"], json::array()) << target;
    }
}

TEST_F(GzipPages, HeadAndRefusedGzipStayPlain) {
    const auto plain = get("/collections/schools/items", {{"Accept-Encoding", "gzip;q=0"}});
    EXPECT_EQ(plain.header("content-encoding"), "");
    EXPECT_EQ(json::parse(plain.body)["numberReturned"], 6);
    HttpClient c(port_);
    const auto head = c.request("HEAD", "/collections/schools/items", {{"Accept-Encoding", "gzip"}});
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.header("content-encoding"), "");
}

namespace {

/// Rewrites the schools layer with every name carrying the run number, so a gzip page whose
/// features came from two snapshots (or from fragments of another snapshot) would show it.
service::AnalysisFunction renaming_analysis(std::atomic<int>& runs) {
    return [&runs](const json&, const std::filesystem::path& workspace, const service::ProgressCallback& progress) {
        const int run = ++runs;
        geo::FeatureTable t = schools_table();
        for (auto& f : t.features) f.values[1] = std::string("run ") + std::to_string(run);
        geo::WorkspaceWriter w(workspace, workspace);
        w.write(t);
        w.commit();
        progress(1.0, "done");
        return json{{"run", run}};
    };
}

class GzipPagesDuringSwaps : public ServerFixture {};

/// A workspace with 300 schools (so pages span several aligned blocks of kept fragments), names
/// with escapes and accents to make texts vary in length.
class GzipBlockPages : public GzipPages {
protected:
    void SetUp() override {
        geo::FeatureTable t = schools_table();
        t.features.clear();
        for (std::int64_t i = 0; i < 300; ++i)
            t.features.push_back({i + 1, geo::Point(400000 + 97.0 * i, 200000 + 131.0 * (i % 17)),
                                  {i + 1, "School \"" + std::to_string(i * i) + "\" caf\xc3\xa9", std::string(i % 3 ? "Primary" : "Secondary"), i * 7, 0.5 * i}});
        geo::WorkspaceWriter w(dir_ / "ws.gpkg");
        w.write(t);
        w.commit();
        start();
    }
};

} // namespace

TEST_F(GzipBlockPages, PagesOverSeveralBlocksInflateToThePlainPage) {
    for (const std::string crs : {"", "&crs=EPSG:27700", "&crs=EPSG:3857"}) {
        // Whole blocks at 64 and 128 (offset 0 puts feature 0 with the head), blocks from 128 with
        // feature 127 before them, a page that ends inside a block, and the whole collection.
        for (const std::string paging : {"limit=200", "limit=150&offset=127", "limit=64&offset=64", "limit=100&offset=250", "limit=1000"}) {
            for (int pass = 0; pass < 2; ++pass) expect_same_page("/collections/schools/items?" + paging + crs, pass == 1);
        }
        // Gaps: a filter keeps every third school, so no block is whole.
        expect_same_page("/collections/schools/items?phase=Secondary&limit=1000" + crs);
    }
    // The whole collection gzipped from blocks stays within 3x of one deflate of the page (2.8x on
    // this tiny, very repetitive fixture, where 107 of the 300 features, 1-63 and 256-299, go alone).
    const auto plain = get("/collections/schools/items?limit=1000");
    const auto zipped = get("/collections/schools/items?limit=1000", {{"Accept-Encoding", "gzip"}});
    EXPECT_LT(zipped.body.size(), tiles::gzip_compress(plain.body, 6).size() * 3);
}

TEST_F(GzipPagesDuringSwaps, EveryPageComesWholeFromOneSnapshot) {
    std::atomic<int> runs{0};
    start({}, renaming_analysis(runs));
    std::atomic<bool> stop{false};
    std::atomic<int> errors{0}, torn{0}, pages{0}, regressed{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 4; ++t) {
        readers.emplace_back([&, t] {
            HttpClient c(port_);
            int last = -1;
            const std::string crs = t % 2 ? "&crs=EPSG:27700" : "";
            while (!stop) {
                try {
                    const auto r = c.request("GET", "/collections/schools/items?limit=5&offset=1" + crs, {{"Accept-Encoding", "gzip"}}, {}, true);
                    if (r.status != 200 || r.header("content-encoding") != "gzip") {
                        ++errors;
                        continue;
                    }
                    const auto page = json::parse(tiles::gzip_decompress(r.body));
                    // The snapshot each feature comes from: 0 for the hand-drawn names (before the first
                    // run), N for "run N". A whole page has one; a page mixing two is torn, including a
                    // mix of hand-drawn names and the first run's.
                    std::set<int> snapshots;
                    for (const auto& f : page["features"]) {
                        const auto name = f["properties"]["name"].get<std::string>();
                        snapshots.insert(name.rfind("run ", 0) == 0 ? std::stoi(name.substr(4)) : 0);
                    }
                    if (page["features"].size() != 5) ++errors;
                    if (snapshots.size() != 1) {
                        ++torn;
                        continue;
                    }
                    const int run = *snapshots.begin();
                    if (run < last) ++regressed;
                    last = run;
                    ++pages;
                } catch (const std::exception&) {
                    ++errors;
                }
            }
        });
    }
    // The readers stop and join however the test ends (an ASSERT below returns early).
    struct JoinReaders {
        std::atomic<bool>& stop;
        std::vector<std::thread>& threads;
        ~JoinReaders() {
            stop = true;
            for (auto& t : threads)
                if (t.joinable()) t.join();
        }
    } join_readers{stop, readers};
    for (int i = 0; i < 4; ++i) {
        HttpClient c(port_);
        const auto r = c.request("POST", "/analysis", {{"Content-Type", "application/json"}, {"Authorization", "Bearer s3cret"}}, "{}");
        ASSERT_EQ(r.status, 202);
        const std::string location = r.header("location");
        // Wait for the run to finish; a run that never does is a failure, not a silent end of the wait.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
        std::string state = "queued";
        while (state == "queued" || state == "running") {
            ASSERT_TRUE(std::chrono::steady_clock::now() < deadline) << "analysis run " << i + 1 << " still " << state << " after 120 s";
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            state = get_json(location.substr(location.find("/analysis")))["state"].get<std::string>();
        }
        EXPECT_EQ(state, "succeeded") << "analysis run " << i + 1;
    }
    stop = true;
    for (auto& t : readers) t.join();
    EXPECT_EQ(errors.load(), 0);
    EXPECT_EQ(torn.load(), 0);
    EXPECT_EQ(regressed.load(), 0);
    EXPECT_GT(pages.load(), 10);
    // After the last swap a gzip page is still exactly the plain one.
    const auto plain = get("/collections/schools/items?crs=EPSG:3857");
    const auto zipped = get("/collections/schools/items?crs=EPSG:3857", {{"Accept-Encoding", "gzip"}});
    EXPECT_EQ(without_timestamp(tiles::gzip_decompress(zipped.body)), without_timestamp(plain.body));
    EXPECT_NE(plain.body.find("\"run 4\""), std::string::npos);
}
