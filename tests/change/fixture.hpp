#pragma once
// Two tiny hand-made vintages whose every change is worked out by hand. The drawing is the input:
// four 1 km squares from x = 500,000 (EPSG:27700), districts L1 (west) and L2 (east), one upper-
// tier authority U1 over both.
//
//   x (km from 500)   0        1    1.5    2         3         4
//   OLD LSOA 2011     |   P    |    Q      |    R    |    S    |     ranks of N = 100: P 5, Q 15, R 30, S 95
//   NEW LSOA 2021     |   p    | q1 | q2   |        rs         |     ranks: p 40, q1 12, q2 25, rs 8
//   lookup            P -U-> p   Q -S-> q1, q2   R, S -M-> rs (mean 62.5, decile 7)
//   districts         |        L1          |        L2         |
//   OLD hubs          |  Alpha Hub (1001)  |   (not listed)    |     the 2021 table is partial
//   NEW hubs          | The Alpha Hub(1001)|   Beta Hub (2002) |
//   schools           11 at 0.5, 12 at 1.25, 15 at 1.75 (opened), 13 at 2.5, 14 at 3.5 (closed)
#include "coldspot/geo/detail/analysis_runs.hpp"
#include "coldspot/geo/workspace.hpp"

#include "test_support.hpp"

#include <fstream>

namespace coldspot::test::change {

using geo::Feature;
using geo::FeatureTable;
using geo::FieldType;
using geo::GeometryType;
using geo::Value;

inline constexpr double kX0 = 500000, kY0 = 200000;

inline geo::MultiPolygon square(double x0_km, double x1_km) {
    geo::Polygon p;
    const double a = kX0 + x0_km * 1000, b = kX0 + x1_km * 1000;
    p.outer() = {{a, kY0}, {a, kY0 + 1000}, {b, kY0 + 1000}, {b, kY0}, {a, kY0}};
    return geo::MultiPolygon{p};
}

inline geo::Point at(double x_km) { return geo::Point{kX0 + x_km * 1000, kY0 + 500}; }

struct Area {
    std::string code;
    double x0, x1;
    std::int64_t rank;
    std::string lad;
};

inline FeatureTable areas(const std::vector<Area>& list, int total) {
    FeatureTable t{"areas", "", GeometryType::MultiPolygon, 27700,
                   {{"code", FieldType::String}, {"name", FieldType::String}, {"lad_code", FieldType::String},
                    {"imd_rank", FieldType::Integer}, {"imd_decile", FieldType::Integer}}, {}};
    std::int64_t fid = 0;
    for (const auto& a : list)
        t.features.push_back(Feature{++fid, square(a.x0, a.x1), {a.code, a.code + " name", a.lad, a.rank, std::int64_t{(a.rank * 10 + total - 1) / total}}});
    return t;
}

inline FeatureTable polygons(const std::string& name, const std::vector<std::tuple<std::string, double, double>>& list) {
    FeatureTable t{name, "", GeometryType::MultiPolygon, 27700, {{"code", FieldType::String}, {"name", FieldType::String}}, {}};
    std::int64_t fid = 0;
    for (const auto& [code, x0, x1] : list) t.features.push_back(Feature{++fid, square(x0, x1), {code, code + " name"}});
    return t;
}

struct Hub {
    std::string id, name;
    std::int64_t lead;
    std::string lad;
    double x0, x1;
};

inline void write_hubs(geo::WorkspaceWriter& w, const std::vector<Hub>& list) {
    FeatureTable hubs{"hubs", "", GeometryType::MultiPolygon, 27700,
                      {{"hub_id", FieldType::String}, {"hub_type", FieldType::String}, {"name", FieldType::String},
                       {"area_code", FieldType::String}, {"lead_urn", FieldType::Integer}, {"districts", FieldType::String},
                       {"partial_districts", FieldType::String}, {"area_km2", FieldType::Real}}, {}};
    FeatureTable hd{"hub_districts", "", GeometryType::None, 0,
                    {{"hub_id", FieldType::String}, {"hub_type", FieldType::String}, {"lad_code", FieldType::String}, {"part", FieldType::String}}, {}};
    std::int64_t fid = 0;
    for (const auto& h : list) {
        ++fid;
        hubs.features.push_back(Feature{fid, square(h.x0, h.x1), {h.id, std::string("teaching school hub"), h.name, h.id, h.lead, h.lad, std::string(), 2.0}});
        hd.features.push_back(Feature{fid, {}, {h.id, std::string("teaching school hub"), h.lad, std::string("whole")}});
    }
    w.write(hubs);
    w.write(hd);
}

struct School {
    std::int64_t urn;
    double x;
    std::string phase, trust;
    std::int64_t cold, bin;
};

inline void write_schools(geo::WorkspaceWriter& w, const std::vector<School>& list) {
    FeatureTable s{"schools", "", GeometryType::Point, 27700,
                   {{"urn", FieldType::Integer}, {"name", FieldType::String}, {"phase", FieldType::String}, {"trust_name", FieldType::String}}, {}};
    FeatureTable c{"coldspots_schools", "", GeometryType::Point, 27700,
                   {{"urn", FieldType::Integer}, {"cold_spot", FieldType::Integer}, {"gi_bin", FieldType::Integer}}, {}};
    for (const auto& x : list) {
        s.features.push_back(Feature{x.urn, at(x.x), {x.urn, "School " + std::to_string(x.urn), x.phase, x.trust}});
        c.features.push_back(Feature{x.urn, at(x.x), {x.urn, x.cold, x.bin}});
    }
    w.write(s);
    w.write(c);
}

struct Unit {
    std::string level, code;
    double x0, x1;
    std::int64_t bin;
};

inline FeatureTable coldspot_areas(const std::vector<Unit>& list) {
    FeatureTable t{"coldspots_areas", "", GeometryType::MultiPolygon, 27700,
                   {{"level", FieldType::String}, {"code", FieldType::String}, {"name", FieldType::String},
                    {"cold_spot_share", FieldType::Real}, {"gi_bin", FieldType::Integer}}, {}};
    std::int64_t fid = 0;
    for (const auto& u : list) t.features.push_back(Feature{++fid, square(u.x0, u.x1), {u.level, u.code, u.code, 0.5, u.bin}});
    return t;
}

inline FeatureTable engagement(const std::vector<std::tuple<std::string, double, std::int64_t>>& rows) {
    FeatureTable t{"ecf_participation", "", GeometryType::None, 0,
                   {{"code", FieldType::String}, {"participation_rate", FieldType::Real}, {"ects_provider_led", FieldType::Integer}}, {}};
    std::int64_t fid = 0;
    for (const auto& [code, rate, n] : rows) t.features.push_back(Feature{++fid, {}, {code, rate, n}});
    return t;
}

inline FeatureTable provenance(const std::string& dataset, const std::string& sha) {
    FeatureTable t{"provenance", "", GeometryType::None, 0,
                   {{"dataset", FieldType::String}, {"sha256", FieldType::String}, {"vintage", FieldType::String}, {"rows_kept", FieldType::Integer}}, {}};
    t.features.push_back(Feature{1, {}, {dataset, sha, dataset, std::int64_t{4}}});
    return t;
}

inline FeatureTable runs(const std::string& coldspot_parameters) {
    FeatureTable t = geo::empty_analysis_runs();
    geo::append_analysis_run(t, "run", coldspot_parameters);
    return t;
}

/// Options of the drawing's vintages: N = 100 in both, and its lookup.
struct Vintages {
    std::filesystem::path old_ws, new_ws, lookup;
};

inline void write_lookup(const std::filesystem::path& path) {
    std::ofstream(path) << "lsoa11_code,change_code,lsoa21_code\nP,U,p\nQ,S,q1\nQ,S,q2\nR,M,rs\nS,M,rs\n";
}

inline void write_old(const std::filesystem::path& path, const std::string& coldspot_parameters = R"({"statistics":{"k":8}})") {
    geo::WorkspaceWriter w(path);
    w.write(areas({{"P", 0, 1, 5, "L1"}, {"Q", 1, 2, 15, "L1"}, {"R", 2, 3, 30, "L2"}, {"S", 3, 4, 95, "L2"}}, 100));
    w.write(polygons("local_authorities", {{"L1", 0, 2}, {"L2", 2, 4}}));
    w.write(polygons("upper_tier_authorities", {{"U1", 0, 4}}));
    write_hubs(w, {{"teaching-school-hub:Alpha Hub", "Alpha Hub", 1001, "L1", 0, 2}});
    write_schools(w, {{11, 0.5, "Primary", "T1", 0, 0}, {12, 1.25, "Primary", "T1", 1, 2}, {13, 2.5, "Secondary", "", 1, 3},
                      {14, 3.5, "Primary", "", 0, 1}});
    w.write(coldspot_areas({{"la", "L1", 0, 2, 0}, {"la", "L2", 2, 4, 3}, {"lsoa", "P", 0, 1, 0}, {"lsoa", "R", 2, 3, 2}, {"lsoa", "S", 3, 4, 3}}));
    w.write(engagement({{"U1", 40.0, 100}}));
    w.write(provenance("IoD2019", "aaa"));
    w.write(runs(coldspot_parameters));
    w.commit();
}

inline void write_new(const std::filesystem::path& path, const std::string& coldspot_parameters = R"({"statistics":{"k":8}})") {
    geo::WorkspaceWriter w(path);
    w.write(areas({{"p", 0, 1, 40, "L1"}, {"q1", 1, 1.5, 12, "L1"}, {"q2", 1.5, 2, 25, "L1"}, {"rs", 2, 4, 8, "L2"}}, 100));
    w.write(polygons("local_authorities", {{"L1", 0, 2}, {"L2", 2, 4}}));
    w.write(polygons("upper_tier_authorities", {{"U1", 0, 4}}));
    write_hubs(w, {{"teaching-school-hub:A", "The Alpha Hub", 1001, "L1", 0, 2}, {"teaching-school-hub:B", "Beta Hub", 2002, "L2", 2, 4}});
    write_schools(w, {{11, 0.5, "Primary", "T1", 1, 2}, {12, 1.25, "Middle deemed primary", "T2", 1, 3}, {13, 2.5, "Secondary", "", 0, 0},
                      {15, 1.75, "Primary", "", 0, 0}});
    w.write(coldspot_areas({{"la", "L1", 0, 2, 2}, {"la", "L2", 2, 4, 2}, {"lsoa", "p", 0, 1, 0}, {"lsoa", "rs", 2, 4, 3}}));
    w.write(engagement({{"U1", 55.0, 120}, {"U9", 10.0, 5}}));
    w.write(provenance("IoD2025", "bbb"));
    w.write(runs(coldspot_parameters));
    w.commit();
}

inline Vintages write_vintages(const TempDir& tmp) {
    Vintages v{tmp / "old.gpkg", tmp / "new.gpkg", tmp / "lookup.csv"};
    write_old(v.old_ws);
    write_new(v.new_ws);
    write_lookup(v.lookup);
    return v;
}

/// The row of `table` whose `field` is `value`.
inline const Feature& row(const FeatureTable& t, const std::string& field, const std::string& value) {
    const std::size_t i = t.require_field(field);
    for (const auto& f : t.features)
        if (geo::as_text(f.values[i]) == value) return f;
    throw std::runtime_error("no row with " + field + " = " + value + " in " + t.name);
}

inline std::string str(const FeatureTable& t, const Feature& f, const std::string& field) { return geo::as_text(f.values[t.require_field(field)]); }
inline std::optional<double> num(const FeatureTable& t, const Feature& f, const std::string& field) {
    return geo::as_number(f.values[t.require_field(field)]);
}

} // namespace coldspot::test::change
