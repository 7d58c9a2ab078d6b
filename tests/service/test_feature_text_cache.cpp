// The per-snapshot cache of feature GeoJSON text: kept texts are returned as made, the byte budget
// holds across threads, and a page served from the cache is byte-identical to one written afresh.
#include "fixture.hpp"

#include "coldspot/service/feature_text_cache.hpp"
#include "coldspot/service/detail/geojson_writer.hpp"

#include <thread>

using namespace coldspot;
using namespace coldspot::service;

namespace {

TEST(FeatureTextCache, KeepsTheFirstTextAndMakesItOnlyOnce) {
    FeatureTextCache cache(3, std::make_shared<FeatureTextBudget>(1 << 20));
    std::string scratch;
    int made = 0;
    const auto make = [&](const char* text) { return [&made, text](std::string& out) { ++made, out += text; }; };
    EXPECT_EQ(cache.text(OutputCrs::Crs84, 1, scratch, make("one")), "one");
    EXPECT_EQ(cache.text(OutputCrs::Crs84, 1, scratch, make("changed")), "one"); // kept, not made again
    EXPECT_EQ(cache.text(OutputCrs::BritishNationalGrid, 1, scratch, make("bng")), "bng"); // per CRS
    EXPECT_EQ(made, 2);
}

TEST(FeatureTextCache, StopsKeepingAtTheBudgetButStillAnswers) {
    // Room for two texts of 100 bytes (each costs its size plus a std::string).
    auto budget = std::make_shared<FeatureTextBudget>(2 * (100 + sizeof(std::string)));
    FeatureTextCache a(2, budget), b(2, budget);
    std::string scratch;
    const std::string hundred(100, 'x');
    const auto make = [&](std::string& out) { out += hundred; };
    EXPECT_EQ(a.text(OutputCrs::Crs84, 0, scratch, make), hundred);
    EXPECT_EQ(b.text(OutputCrs::Crs84, 0, scratch, make), hundred);
    EXPECT_EQ(budget->used.load(), budget->limit);
    int made = 0;
    const auto counted = [&](std::string& out) { ++made, out += "over"; };
    EXPECT_EQ(a.text(OutputCrs::Crs84, 1, scratch, counted), "over"); // answered from scratch
    EXPECT_EQ(&a.text(OutputCrs::Crs84, 1, scratch, counted), &scratch); // and not kept
    EXPECT_EQ(made, 2);
    EXPECT_EQ(budget->used.load(), budget->limit);
}

TEST(FeatureTextCache, ManyThreadsAgreeOnOneTextPerSlot) {
    constexpr std::size_t n = 2000;
    auto budget = std::make_shared<FeatureTextBudget>(std::size_t{1} << 30);
    FeatureTextCache cache(n, budget);
    std::vector<std::vector<const std::string*>> seen(8, std::vector<const std::string*>(n));
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < seen.size(); ++t)
        threads.emplace_back([&, t] {
            std::string scratch;
            for (std::size_t i = 0; i < n; ++i)
                seen[t][i] = &cache.text(OutputCrs::WebMercator, i, scratch, [&](std::string& out) { out += std::to_string(i); });
        });
    for (auto& th : threads) th.join();
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t t = 0; t < seen.size(); ++t) {
            ASSERT_EQ(seen[t][i], seen[0][i]) << i; // the same kept string, whoever made it
            ASSERT_EQ(*seen[t][i], std::to_string(i));
        }
    std::size_t expected = 0;
    for (std::size_t i = 0; i < n; ++i) expected += std::to_string(i).size() + sizeof(std::string);
    EXPECT_EQ(budget->used.load(), expected); // losers of a race gave their bytes back
}

class CachedPages : public test::ServerFixture {
protected:
    void SetUp() override { start(); }
};

TEST_F(CachedPages, SecondPageIsByteIdenticalToAFreshlyWrittenOne) {
    for (const std::string crs : {"", "&crs=EPSG:27700", "&crs=EPSG:3857"}) {
        const auto first = get("/collections/schools/items?limit=6" + crs);
        const auto second = get("/collections/schools/items?limit=6" + crs);
        ASSERT_EQ(first.status, 200);
        // Only the timeStamp may differ between the two pages.
        auto a = nlohmann::json::parse(first.body), b = nlohmann::json::parse(second.body);
        a.erase("timeStamp"), b.erase("timeStamp");
        EXPECT_EQ(a, b) << crs;
        // And each cached feature is the text the writer makes for it.
        const auto snapshot = load_snapshot(workspace_, 1, false);
        const Collection& c = *snapshot->collection("schools");
        const auto out_crs = crs.empty() ? OutputCrs::Crs84 : *parse_crs(crs.substr(5));
        for (std::size_t i = 0; i < c.size(); ++i) {
            std::string fresh;
            append_feature(fresh, c, i, FeatureWriteOptions{out_crs, {}, true});
            EXPECT_NE(second.body.find(fresh), std::string::npos) << fresh;
        }
    }
}

} // namespace
