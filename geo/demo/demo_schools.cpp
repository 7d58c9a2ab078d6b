// Demoshire's schools: clustered around the towns in proportion to their populations, with rural
// primaries in the villages between them, and trusts, pupils and FSM that follow deprivation.
#include "demo_model.hpp"

#include "coldspot/geo/error.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace coldspot::geo::demo::detail {

namespace {

constexpr std::int64_t kFirstUrn = 900001; // real URNs are below 160000, so these can never clash
constexpr int kVillageSchools = 40;
constexpr int kMaxDraws = 10000;

const char* const kNamePrefixes[] = {
    "Oakfield",  "Meadowbank", "Riverside",  "Hillcrest",   "Brookside", "Elmwood",     "Ashgrove",  "Fairfield",
    "Greenacre", "Hawthorn",   "Kingsmead",  "Larkspur",    "Millfield", "Northgate",   "Orchard",   "Parkside",
    "Queensway", "Redbrook",   "Southfields", "Thornbury",  "Upton",     "Valley",      "Westfield", "Willowbrook",
    "Yewtree",   "Beechwood",  "Castle View", "Heathside",  "Longmeadow", "Stonebridge"};
const char* const kNameSuffixes[] = {"", " Park", " Lane", " Road", " Green"};
const char* const kVillageStarts[] = {"Ash",  "Bar",  "Brad",  "Chal", "Dun", "East", "Elm",    "Fox",  "Grim", "Hart",
                                      "Kings", "Lang", "Mar", "Nether", "Over", "Pen", "Rad", "Shep", "Thorn", "Wal"};
const char* const kVillageEnds[] = {"ley", "ton", "ford", "by", "well", "stead", "worth", "combe"};

struct Phase {
    const char* name;
    const char* academy_word;    // "Primary Academy"
    const char* maintained_word; // "Primary School"
};
const Phase kPrimary{"Primary", "Primary Academy", "Primary School"};
const Phase kSecondary{"Secondary", "Academy", "High School"};
const Phase kNursery{"Nursery", "Nursery", "Nursery School"};
const Phase kSixteen{"16 plus", "Sixth Form College", "Sixth Form College"};
const Phase kAllThrough{"All-through", "All-Through Academy", "All-Through School"};
const Phase kSpecial{"Not applicable", "Special Academy", "Special School"};
const Phase kMiddlePrimary{"Middle deemed primary", "Middle Academy", "Middle School"};
const Phase kMiddleSecondary{"Middle deemed secondary", "Middle Academy", "Middle School"};

struct Plan {
    const Phase* phase;
    int count;
    double academy_chance;
    double spread; // standard deviation of the distance from the town centre, in town radii
};

std::vector<Plan> plans_for(const Town& t, std::size_t town_index) {
    const auto per = [&](double people) { return static_cast<int>(std::lround(static_cast<double>(t.population) / people)); };
    std::vector<Plan> plans{
        {&kPrimary, per(2800), 0.4, 0.5},
        {&kSecondary, std::max(1, per(16000)), 0.8, 0.6},
        {&kNursery, per(60000), 0.0, 0.4},
        {&kSpecial, per(70000), 0.5, 0.5},
    };
    // A few kinds only some towns have: sixth-form colleges and all-through schools in the larger
    // towns, and a three-tier (middle school) system in Ashvale, as some English counties keep.
    if (town_index == 0) plans.push_back({&kSixteen, 2, 1.0, 0.3});
    if (town_index == 1) plans.push_back({&kSixteen, 1, 1.0, 0.3});
    if (town_index == 0 || town_index == 2) plans.push_back({&kAllThrough, 1, 1.0, 0.6});
    if (t.name == "Ashvale") {
        plans.push_back({&kMiddleSecondary, 2, 0.5, 0.5});
        plans.push_back({&kMiddlePrimary, 1, 0.5, 0.5});
    }
    return plans;
}

std::string type_of(const Phase& phase, bool academy, DemoRandom& random) {
    if (&phase == &kSixteen) return "Academy 16-19 converter";
    if (&phase == &kNursery) return "Local authority nursery school";
    if (&phase == &kSpecial) return academy ? "Academy special converter" : "Community special school";
    if (academy) return random.chance(0.75) ? "Academy converter" : "Academy sponsor led";
    const double u = random.uniform();
    if (&phase == &kPrimary) return u < 0.6 ? "Community school" : u < 0.85 ? "Voluntary aided school" : "Voluntary controlled school";
    return u < 0.7 ? "Community school" : "Foundation school";
}

std::int64_t pupils_of(const Phase& phase, bool village, DemoRandom& random) {
    auto draw = [&](double mean, double sd, double lo, double hi) {
        return static_cast<std::int64_t>(std::lround(std::clamp(random.normal(mean, sd), lo, hi)));
    };
    if (&phase == &kPrimary) return village ? draw(110, 40, 25, 250) : draw(300, 90, 60, 700);
    if (&phase == &kSecondary) return draw(1100, 250, 500, 2000);
    if (&phase == &kAllThrough) return draw(1500, 200, 1000, 2200);
    if (&phase == &kNursery) return draw(90, 20, 40, 150);
    if (&phase == &kSixteen) return draw(650, 150, 300, 1000);
    if (&phase == &kSpecial) return draw(140, 40, 50, 250);
    return draw(480, 60, 300, 650); // middle schools
}

} // namespace

void draw_schools(Model& m, DemoRandom& random) {
    m.trusts = {
        {"Castlebury Learning Trust", 990001, 0},
        {"Demoton Academies Partnership", 990002, 1},
        {"Wexmoor Multi-Academy Trust", 990003, 2},
        {"Two Rivers Education Trust", 990004, 3},
        {"Demoshire Diocesan Academy Trust", 990005, m.towns.size()}, // county-wide, and the villages'
    };
    const std::size_t diocesan = m.trusts.size() - 1;
    auto trust_for_town = [&](std::size_t town) -> std::size_t {
        for (std::size_t k = 0; k < m.trusts.size(); ++k)
            if (m.trusts[k].home_town == town) return random.chance(0.7) ? k : diocesan;
        return diocesan;
    };
    std::int64_t urn = kFirstUrn;

    auto place = [&](School& s, auto&& draw_point) {
        for (int attempt = 0; attempt < kMaxDraws; ++attempt) {
            const Point p = draw_point();
            if (!bg::covered_by(p, m.bounds)) continue;
            if (auto area = m.area_strictly_containing(p)) {
                s.position = p;
                s.area = *area;
                s.district = m.areas[*area].district;
                return;
            }
        }
        throw Error("demo: could not place school " + s.name + " inside one area");
    };
    auto finish = [&](School& s, const Phase& phase, bool academy) {
        s.urn = urn++;
        s.phase = phase.name;
        s.type = type_of(phase, academy, random);
        s.pupils = pupils_of(phase, s.village, random);
        const double imd = m.areas[s.area].imd_score;
        const double fsm = std::clamp(3.0 + 0.6 * imd + random.normal(0.0, 4.0), 0.5, 75.0);
        // Census FSM figures are not published for 16-19 institutions.
        if (&phase != &kSixteen) s.fsm_percent = std::round(fsm * 10.0) / 10.0;
        const char letter1 = static_cast<char>('A' + random.index(26));
        const char letter2 = static_cast<char>('A' + random.index(26));
        // "DM" is not a real postcode area, so these cannot be looked up by mistake.
        s.postcode = "DM" + std::to_string(s.district + 1) + " " + std::to_string(s.area % 10) + letter1 + letter2;
    };

    for (std::size_t t = 0; t < m.towns.size(); ++t) {
        const Town& town = m.towns[t];
        int named = 0;
        for (const auto& plan : plans_for(town, t)) {
            for (int k = 0; k < plan.count; ++k, ++named) {
                School s;
                const bool academy = random.chance(plan.academy_chance);
                if (academy) s.trust = trust_for_town(t);
                const std::size_t prefix = (static_cast<std::size_t>(named) + 7 * t) % std::size(kNamePrefixes);
                const std::size_t suffix = static_cast<std::size_t>(named) / std::size(kNamePrefixes) % std::size(kNameSuffixes);
                s.name = std::string(kNamePrefixes[prefix]) + kNameSuffixes[suffix] + " " +
                         (academy ? plan.phase->academy_word : plan.phase->maintained_word);
                const double sd = plan.spread * town.radius_m;
                place(s, [&] {
                    Point p{random.normal(town.centre.x(), sd), random.normal(town.centre.y(), sd)};
                    // Keep town schools in or near the town itself.
                    const double d = std::hypot(p.x() - town.centre.x(), p.y() - town.centre.y());
                    return d <= 1.2 * town.radius_m ? p : Point{-1, -1};
                });
                finish(s, *plan.phase, academy);
                m.schools.push_back(std::move(s));
            }
        }
    }
    for (int k = 0; k < kVillageSchools; ++k) {
        School s;
        s.village = true;
        const std::size_t kk = static_cast<std::size_t>(k);
        const std::string village = std::string(kVillageStarts[kk % std::size(kVillageStarts)]) +
                                    kVillageEnds[(3 * kk) % std::size(kVillageEnds)];
        const bool church = k % 2 == 0;
        const bool academy = random.chance(0.35);
        if (academy) s.trust = diocesan;
        s.name = village + (church ? " Church of England" : "") + (academy ? " Primary Academy" : " Primary School");
        place(s, [&] {
            Point p{random.uniform(bg::get<0>(m.bounds.min_corner()), bg::get<0>(m.bounds.max_corner())),
                    random.uniform(bg::get<1>(m.bounds.min_corner()), bg::get<1>(m.bounds.max_corner()))};
            return m.nearest_town_edge(p).first > 1500 ? p : Point{-1, -1};
        });
        finish(s, kPrimary, academy);
        m.schools.push_back(std::move(s));
    }
    m.rejected_urn = urn;
}

} // namespace coldspot::geo::demo::detail
