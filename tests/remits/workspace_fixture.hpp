#pragma once
// The strip fixture (fixtures.hpp) as workspace layers in the schema of docs/workspace.md.
#include "fixtures.hpp"
#include "test_support.hpp"

#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/workspace.hpp"

namespace coldspot::test::remits {

using geo::Feature;
using geo::FeatureTable;
using geo::FieldType;
using geo::GeometryType;
using geo::Value;
using geo::remits::Area;

inline FeatureTable area_table(const std::string& name, const std::vector<Area>& areas, bool lsoa) {
    FeatureTable t{name, "", GeometryType::MultiPolygon, 27700, {{"code", FieldType::String}, {"name", FieldType::String}, {"region", FieldType::String}}, {}};
    if (lsoa) {
        t.fields.push_back({"imd_decile", FieldType::Integer});
        t.fields.push_back({"rural", FieldType::Integer});
    }
    std::int64_t fid = 0;
    for (const auto& a : areas) {
        Feature f{++fid, a.geometry, {a.code, a.name, a.region}};
        if (lsoa) {
            f.values.push_back(a.imd_decile ? Value(std::int64_t{*a.imd_decile}) : Value());
            f.values.push_back(a.rural ? Value(std::int64_t{*a.rural ? 1 : 0}) : Value());
        }
        t.features.push_back(std::move(f));
    }
    return t;
}

/// The strip fixture as workspace layers, in the schema of docs/workspace.md.
inline std::vector<FeatureTable> fixture_layers() {
    const auto in = strip_fixture();
    std::vector<FeatureTable> out;
    FeatureTable schools{"schools", "", GeometryType::Point, 27700,
                         {{"urn", FieldType::Integer}, {"name", FieldType::String}, {"phase", FieldType::String},
                          {"pupils", FieldType::Integer}, {"trust_uid", FieldType::Integer}},
                         {}};
    for (const auto& s : in.schools)
        schools.features.push_back(Feature{s.urn, s.location,
                                           {s.urn, s.name, s.phase, s.pupils ? Value(*s.pupils) : Value(),
                                            s.trust_uid ? Value(*s.trust_uid) : Value()}});
    // An ungeocoded school: kept in the layer, skipped by the analysis.
    schools.features.push_back(Feature{1007, std::monostate{}, {std::int64_t{1007}, std::string("Nowhere"), std::string("Primary"), Value(), Value()}});
    out.push_back(schools);
    out.push_back(area_table("areas", in.lsoas, true));
    out.push_back(area_table("local_authorities", in.districts, false));
    out.push_back(area_table("upper_tier_authorities", in.upper_tier, false));
    FeatureTable hubs{"hubs", "", GeometryType::MultiPolygon, 27700,
                      {{"hub_id", FieldType::String}, {"hub_type", FieldType::String}, {"name", FieldType::String}, {"lead_urn", FieldType::Integer}},
                      {}};
    std::int64_t fid = 0;
    for (const auto& h : in.hubs)
        hubs.features.push_back(Feature{++fid, h.geometry, {h.id, h.type, h.name, h.lead_urn ? Value(*h.lead_urn) : Value()}});
    out.push_back(hubs);
    FeatureTable venues{"hub_venues", "", GeometryType::Point, 27700,
                        {{"hub_id", FieldType::String}, {"hub_type", FieldType::String}, {"name", FieldType::String}, {"urn", FieldType::Integer}, {"kind", FieldType::String}},
                        {}};
    fid = 0;
    for (const auto& v : in.venues)
        venues.features.push_back(Feature{++fid, v.location, {v.hub_id, std::string("maths"), v.name, Value(), v.kind}});
    out.push_back(venues);
    return out;
}

inline std::filesystem::path write_workspace(const TempDir& tmp, const std::vector<FeatureTable>& layers) {
    const auto path = tmp / "ws.gpkg";
    geo::WorkspaceWriter w(path);
    for (const auto& l : layers) w.write(l);
    w.commit();
    return path;
}

} // namespace coldspot::test::remits
