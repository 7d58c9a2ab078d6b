#pragma once
// A hand-drawn workspace for the cold-spot tests: six schools in two LSOAs 20 km apart, one hub
// type, and every optional input, so each school's index can be worked out by hand
// (test_school_index.cpp shows the arithmetic).
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/workspace.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace coldspot::test::coldspots {

using namespace coldspot::geo;

inline MultiPolygon square(double x0, double y0, double x1, double y1) {
    Polygon p;
    for (const auto& q : {Point{x0, y0}, Point{x0, y1}, Point{x1, y1}, Point{x1, y0}, Point{x0, y0}}) p.outer().push_back(q);
    return MultiPolygon{p};
}

struct Fixture {
    FeatureTable schools, areas, school_access, school_remits, engagement, authorities, hubs, hub_venues;
};

inline Fixture make_fixture() {
    Fixture fx;
    fx.schools = FeatureTable{"schools", "", GeometryType::Point, 27700, {}, {}};
    fx.schools.fields = {{"urn", FieldType::Integer},     {"name", FieldType::String},    {"lsoa_code", FieldType::String},
                         {"lad_code", FieldType::String}, {"la_code", FieldType::String}, {"trust_uid", FieldType::Integer},
                         {"fsm_percent", FieldType::Real}, {"npq_pp50", FieldType::Integer},
                         {"remit_utla_code", FieldType::String}}; // the engagement join key, as remits writes it
    struct S {
        std::int64_t urn;
        double x, y;
        const char *lsoa, *lad, *la;
        Value trust, fsm, npq;
    };
    const std::vector<S> rows{
        {1, 0, 0, "L1", "D1", "100", std::int64_t{7}, 25.0, std::int64_t{1}},
        {2, 1000, 0, "L1", "D1", "100", std::int64_t{7}, 0.0, Value()},
        {3, 0, 1000, "L1", "D1", "100", Value(), 50.0, Value()},
        {4, 20000, 0, "L2", "D2", "200", std::int64_t{7}, 10.0, Value()},
        {5, 21000, 0, "L2", "D2", "200", Value(), Value(), Value()},
        {6, 20000, 1000, "L2", "D2", "200", Value(), 60.0, Value()},
    };
    for (const auto& r : rows) {
        Feature f;
        f.fid = r.urn;
        f.geometry = Point{r.x, r.y};
        f.values = {r.urn, "School " + std::to_string(r.urn), std::string(r.lsoa), std::string(r.lad), std::string(r.la),
                    r.trust, r.fsm, r.npq, std::string(r.lad)};
        fx.schools.features.push_back(f);
    }
    fx.areas = FeatureTable{"areas", "", GeometryType::MultiPolygon, 27700, {}, {}};
    fx.areas.fields = {{"code", FieldType::String}, {"name", FieldType::String}, {"imd_decile", FieldType::Integer},
                       {"rural", FieldType::Integer}};
    fx.areas.features.push_back({1, square(-500, -500, 1500, 1500), {std::string("L1"), std::string("Town"), std::int64_t{1}, std::int64_t{0}}});
    fx.areas.features.push_back({2, square(19500, -500, 21500, 1500), {std::string("L2"), std::string("Village"), std::int64_t{10}, std::int64_t{1}}});

    fx.school_access = FeatureTable{"school_access", "", GeometryType::Point, 27700, {}, {}};
    fx.school_access.fields = {{"urn", FieldType::Integer}, {"hub_type", FieldType::String}, {"role", FieldType::String},
                               {"minutes", FieldType::Real}, {"method", FieldType::String},
                               {"venue_fid", FieldType::Integer}};
    const std::vector<std::pair<std::int64_t, Value>> minutes{{1, 10.0}, {2, 30.0}, {3, 45.0}, {4, 60.0}, {5, Value()}, {6, 20.0}};
    for (const auto& [urn, m] : minutes) {
        const auto& s = fx.schools.features[static_cast<std::size_t>(urn - 1)];
        fx.school_access.features.push_back(
            {urn, s.geometry, {urn, std::string("maths hub"), std::string("nearest"), m, std::string(is_null(m) ? "none" : "road"),
                    is_null(m) ? Value() : Value(std::int64_t{1})}});
        // An own-hub row that the index must ignore.
        fx.school_access.features.push_back(
            {urn + 100, s.geometry, {urn, std::string("maths hub"), std::string("own_hub"), 999.0, std::string("road"), std::int64_t{1}}});
    }
    fx.school_remits = FeatureTable{"school_remits", "", GeometryType::None, 0, {}, {}};
    fx.school_remits.fields = {{"urn", FieldType::Integer}, {"hub_id", FieldType::String}, {"hub_type", FieldType::String}};
    const std::vector<std::pair<std::int64_t, const char*>> remits{{1, "H1"}, {2, "H1"}, {2, "H2"}, {3, "H1"}, {5, "H2"}, {6, "H2"}};
    std::int64_t fid = 0;
    for (const auto& [urn, hub] : remits)
        fx.school_remits.features.push_back({++fid, {}, {urn, std::string(hub), std::string("maths hub")}});

    fx.engagement = FeatureTable{"ecf_participation", "", GeometryType::None, 0, {}, {}};
    fx.engagement.fields = {{"code", FieldType::String}, {"participation_rate", FieldType::Real}};
    fx.engagement.features.push_back({1, {}, {std::string("D1"), 80.0}});
    fx.engagement.features.push_back({2, {}, {std::string("D2"), 40.0}});

    fx.authorities = FeatureTable{"local_authorities", "", GeometryType::MultiPolygon, 27700, {}, {}};
    fx.authorities.fields = {{"code", FieldType::String}, {"name", FieldType::String}};
    fx.authorities.features.push_back({1, square(-5000, -5000, 10000, 10000), {std::string("D1"), std::string("Townshire")}});
    fx.authorities.features.push_back({2, square(10000, -5000, 30000, 10000), {std::string("D2"), std::string("Rural District")}});

    fx.hubs = FeatureTable{"hubs", "", GeometryType::MultiPolygon, 27700, {}, {}};
    fx.hubs.fields = {{"hub_id", FieldType::String}, {"hub_type", FieldType::String}, {"name", FieldType::String}};
    fx.hubs.features.push_back({1, square(-5000, -5000, 5000, 5000), {std::string("H1"), std::string("maths hub"), std::string("West Maths Hub")}});
    fx.hubs.features.push_back({2, square(0, -5000, 30000, 5000), {std::string("H2"), std::string("maths hub"), std::string("East Maths Hub")}});

    fx.hub_venues = FeatureTable{"hub_venues", "", GeometryType::Point, 27700, {}, {}};
    fx.hub_venues.fields = {{"hub_id", FieldType::String}, {"hub_type", FieldType::String}, {"name", FieldType::String}};
    fx.hub_venues.features.push_back({1, Point{0, 0}, {std::string("H1"), std::string("maths hub"), std::string("Venue West")}});
    return fx;
}

inline void write_workspace(const Fixture& fx, const std::filesystem::path& path, bool with_optional = true) {
    WorkspaceWriter w(path);
    w.write(fx.schools);
    if (with_optional) {
        for (const auto* t : {&fx.areas, &fx.school_access, &fx.school_remits, &fx.engagement, &fx.authorities, &fx.hubs,
                              &fx.hub_venues})
            w.write(*t);
    }
    w.commit();
}

} // namespace coldspot::test::coldspots
