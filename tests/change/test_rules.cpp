// The change rules on hand-made inputs with exact answers (docs/methodology.md, "Change over time").
#include "coldspot/geo/change/change.hpp"
#include "coldspot/geo/error.hpp"

#include "test_support.hpp"

#include <fstream>

namespace coldspot::geo::change {
namespace {

// A lookup with every ONS change type, IoD ranks among N = 100 areas (decile = ceil(rank / 10)):
//
//   OLD (2011)  rank decile      change   NEW (2021)
//   A              5      1  ---- U ---->  a
//   B             50      5  ---- S ---->  b1, b2
//   C             12      2  --+
//   D             31      4  ---- M ---->  c         mean rank 21.5 -> decile 3
//   E             90      9  --+-- X ---->  x1        mean rank 80   -> decile 8
//   F             70      7  --+   X ---->  x2 (E only: its published 90 / 9)
//   G        (not in OLD)    ---- U ---->  z         a parent missing: unknown
//                                          y         in no lookup row: unknown
const std::vector<LookupPair> kLookup = {{"A", "a", 'U'},  {"B", "b1", 'S'}, {"B", "b2", 'S'}, {"C", "c", 'M'}, {"D", "c", 'M'},
                                         {"E", "x1", 'X'}, {"F", "x1", 'X'}, {"E", "x2", 'X'}, {"G", "z", 'U'}};
const std::map<std::string, Deprivation> kOld = {{"A", {5, 1}},  {"B", {50, 5}}, {"C", {12, 2}},
                                                 {"D", {31, 4}}, {"E", {90, 9}}, {"F", {70, 7}}};

const CarriedArea& find(const std::vector<CarriedArea>& v, const std::string& code) {
    for (const auto& a : v)
        if (a.code == code) return a;
    throw std::runtime_error("no area " + code);
}

TEST(ChangeCarry, EveryChangeTypeGetsItsRuleAndExactValues) {
    const auto c = carry_deprivation({"a", "b1", "b2", "c", "x1", "x2", "z", "y"}, kLookup, kOld, 100);
    ASSERT_EQ(c.size(), 8u);
    const auto& a = find(c, "a");
    EXPECT_EQ(a.rule, CarryRule::Unchanged);
    EXPECT_EQ(a.parents, std::vector<std::string>{"A"});
    EXPECT_EQ(*a.old_value.rank, 5);
    EXPECT_EQ(*a.old_value.decile, 1);
    for (const char* b : {"b1", "b2"}) {
        const auto& s = find(c, b);
        EXPECT_EQ(s.rule, CarryRule::Split);
        EXPECT_EQ(*s.old_value.rank, 50);
        EXPECT_EQ(*s.old_value.decile, 5);
    }
    const auto& m = find(c, "c");
    EXPECT_EQ(m.rule, CarryRule::Merged);
    EXPECT_EQ(m.parents, (std::vector<std::string>{"C", "D"}));
    EXPECT_DOUBLE_EQ(*m.old_value.rank, 21.5);
    EXPECT_EQ(*m.old_value.decile, 3);
    const auto& x1 = find(c, "x1");
    EXPECT_EQ(x1.rule, CarryRule::Irregular);
    EXPECT_DOUBLE_EQ(*x1.old_value.rank, 80);
    EXPECT_EQ(*x1.old_value.decile, 8);
    const auto& x2 = find(c, "x2");
    EXPECT_EQ(x2.rule, CarryRule::Irregular);
    EXPECT_EQ(*x2.old_value.rank, 90);
    EXPECT_EQ(*x2.old_value.decile, 9);
    const auto& z = find(c, "z");
    EXPECT_EQ(z.rule, CarryRule::Unchanged);
    EXPECT_EQ(z.missing, std::vector<std::string>{"G"});
    EXPECT_FALSE(z.old_value.rank);
    EXPECT_FALSE(z.old_value.decile);
    const auto& y = find(c, "y");
    EXPECT_EQ(y.rule, CarryRule::NotInLookup);
    EXPECT_TRUE(y.parents.empty());
    EXPECT_FALSE(y.old_value.decile);
}

TEST(ChangeCarry, AMergedAreaWithOneParentMissingIsUnknownNotThePresentParentsValue) {
    const auto c = carry_deprivation({"c"}, {{"C", "c", 'M'}, {"Q", "c", 'M'}}, kOld, 100);
    EXPECT_EQ(c[0].rule, CarryRule::Merged);
    EXPECT_EQ(c[0].missing, std::vector<std::string>{"Q"});
    EXPECT_FALSE(c[0].old_value.rank);
}

TEST(ChangeCarry, WithoutALookupEveryAreaTakesItsOwnCode) {
    const auto c = carry_deprivation({"A", "Q"}, {}, kOld, 100);
    EXPECT_EQ(c[0].rule, CarryRule::SameCode);
    EXPECT_EQ(*c[0].old_value.decile, 1);
    EXPECT_EQ(c[1].rule, CarryRule::SameCode);
    EXPECT_EQ(c[1].missing, std::vector<std::string>{"Q"});
}

TEST(ChangeCarry, DecilesAreTheIoDCutOffs) {
    // IoD2019: 32,844 LSOAs; decile 1 ends at rank 3,284, decile 2 at 6,568 (checked on every row).
    EXPECT_EQ(decile_of_rank(3284, 32844), 1);
    EXPECT_EQ(decile_of_rank(3285, 32844), 2);
    EXPECT_EQ(decile_of_rank(6568, 32844), 2);
    EXPECT_EQ(decile_of_rank(6569, 32844), 3);
    EXPECT_EQ(decile_of_rank(32844, 32844), 10);
    EXPECT_EQ(decile_of_rank(1, 32844), 1);
    EXPECT_EQ(decile_of_rank(3284.5, 32844), 2);
}

TEST(ChangeRules, DeprivedTransitions) {
    EXPECT_EQ(deprived_transition(3, 2, 2), "entered");
    EXPECT_EQ(deprived_transition(2, 3, 2), "left");
    EXPECT_EQ(deprived_transition(1, 2, 2), "stayed_in");
    EXPECT_EQ(deprived_transition(9, 3, 2), "stayed_out");
    EXPECT_EQ(deprived_transition(std::nullopt, 1, 2), "unknown");
    EXPECT_EQ(deprived_transition(1, std::nullopt, 2), "unknown");
    EXPECT_EQ(deprived_transition(3, 3, 3), "stayed_in");
}

TEST(ChangeRules, ColdSpotCategories) {
    const ColdClass unknown{}, never{true, false, 0}, cold95{true, true, 2}, cold99{true, true, 3}, hot{true, false, -3};
    EXPECT_EQ(coldspot_change(never, cold95), "new");
    EXPECT_EQ(coldspot_change(cold95, cold95), "persistent");
    EXPECT_EQ(coldspot_change(cold95, cold99), "intensifying");
    EXPECT_EQ(coldspot_change(cold99, cold95), "diminishing");
    EXPECT_EQ(coldspot_change(cold99, never), "no_longer");
    EXPECT_EQ(coldspot_change(never, hot), "never");
    EXPECT_EQ(coldspot_change(unknown, cold95), "unknown");
    EXPECT_EQ(coldspot_change(cold95, unknown), "unknown");
}

TEST(ChangeRules, HubNamesMatchAcrossTables) {
    EXPECT_EQ(hub_name_key("Cambridgeshire & Peterborough Teaching School Hub"), hub_name_key("Cambridgeshire and Peterborough Teaching School Hub"));
    EXPECT_EQ(hub_name_key("The Julian Teaching School Hub"), hub_name_key("Julian Teaching School Hub"));
    EXPECT_NE(hub_name_key("Unity Teaching School Hub"), hub_name_key("(name not in source) - Colchester County High School for Girls hub"));
    EXPECT_EQ(hub_name_key("Theale Hub"), "thealehub"); // "the" only as a word
}

TEST(ChangeOptions, ParsedWithDefaultsAndUnknownKeysRefused) {
    const auto o = parse_change_options(nlohmann::json{{"deprived_deciles", 1}, {"old_hubs_complete", true}}, "p.json");
    EXPECT_EQ(o.deprived_deciles, 1);
    EXPECT_TRUE(o.old_hubs_complete);
    EXPECT_FALSE(o.new_hubs_complete);
    EXPECT_EQ(o.old_total_areas, 32844);
    EXPECT_EQ(o.new_total_areas, 33755);
    EXPECT_THROW(parse_change_options(nlohmann::json{{"deprived_decile", 1}}, "p.json"), ManifestError);
    EXPECT_THROW(parse_change_options(nlohmann::json{{"deprived_deciles", 0}}, "p.json"), ManifestError);
    EXPECT_THROW(parse_change_options(nlohmann::json{{"old_hubs_complete", "yes"}}, "p.json"), ManifestError);
    // The shipped parameters file is valid and equal to the defaults (but for its lookup path).
    std::ifstream in(test::source_dir() / "data/params/change.json");
    auto shipped = to_json(parse_change_options(nlohmann::json::parse(in), "change.json"));
    auto defaults = to_json(ChangeOptions{});
    shipped.erase("lsoa_lookup");
    defaults.erase("lsoa_lookup");
    EXPECT_EQ(shipped, defaults);
}

TEST(ChangeLookup, ReadsTheOnsColumnsAndNamesBadRows) {
    test::TempDir tmp;
    const auto path = tmp / "lookup.csv";
    std::ofstream(path) << "lsoa11_code,change_code,lsoa21_code\nA,U,a\nB,S,b1\nB,S,b2\nQ,U,elsewhere\n";
    ChangeOptions o;
    o.lsoa_lookup = path;
    const auto pairs = read_lsoa_lookup(o, {"a", "b1", "b2"});
    ASSERT_EQ(pairs.size(), 3u); // the row for an area outside the NEW workspace is skipped
    EXPECT_EQ(pairs[2].old_code, "B");
    EXPECT_EQ(pairs[2].new_code, "b2");
    EXPECT_EQ(pairs[2].change, 'S');
    std::ofstream(path) << "lsoa11_code,change_code,lsoa21_code\nA,Z,a\n";
    try {
        read_lsoa_lookup(o, {"a"});
        FAIL() << "a bad change code was accepted";
    } catch (const FormatError& e) {
        EXPECT_EQ(e.where().line, 2u);
        EXPECT_EQ(e.where().field, "change_code");
    }
    std::ofstream(path) << "old,new\nA,a\n";
    EXPECT_THROW(read_lsoa_lookup(o, {"a"}), MissingColumnError);
}

} // namespace
} // namespace coldspot::geo::change
