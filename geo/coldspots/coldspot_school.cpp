#include "coldspot/geo/coldspots/coldspot_school.hpp"

#include "coldspot/geo/coldspots/detail/values.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/model/minutes_field.hpp"

namespace coldspot::geo::coldspots {

namespace {

using detail::join;
using detail::real_or_null;

/// Calls col(name, type, value) for each column of the layer, in order. `value` is a callable giving
/// the row's value, so the schema (which never calls it) and the rows share this one list.
template <class Col>
void visit_columns(const ColdspotSchool& r, const std::vector<std::string>& hub_types, Col&& col) {
    const SchoolScore& s = *r.school;
    using T = FieldType;
    col(model::school::urn, T::Integer, [&] { return Value(s.urn); });
    col(model::school::name, T::String, [&] { return Value(s.name); });
    col(model::school::lsoa_code, T::String, [&] { return Value(s.lsoa_code); });
    col(model::school::lad_code, T::String, [&] { return Value(s.lad_code); });
    col(model::school::la_code, T::String, [&] { return Value(s.la_code); });
    col(model::coldspot::hub_ids, T::String, [&] { return Value(join(s.hub_ids, ";")); });
    col(model::coldspot::coldspot_index, T::Real, [&] { return real_or_null(s.index); });
    for (std::size_t c = 0; c < kComponentCount; ++c) {
        const std::string name(to_string(kComponents[c]));
        col("score_" + name, T::Real, [&] { return real_or_null(s.score[c]); });
        col("contrib_" + name, T::Real, [&] { return real_or_null(s.contribution[c]); });
    }
    for (const auto& t : hub_types)
        col(model::minutes_field(t), T::Real, [&] {
            const auto it = s.minutes.find(t);
            return it == s.minutes.end() ? Value() : real_or_null(it->second);
        });
    col("access_method", T::String, [&] { return Value(s.access_method); });
    col(model::coldspot::reasons, T::String, [&] { return Value(s.reasons); });
    const auto gi = [&](auto get) { return [&r, get] { return r.gi ? Value(get(*r.gi)) : Value(); }; };
    col("gi_star", T::Real, gi([](const LocalGi& g) { return real_or_null(g.statistic); }));
    col("gi_z", T::Real, gi([](const LocalGi& g) { return real_or_null(g.z); }));
    col("gi_p", T::Real, gi([](const LocalGi& g) { return real_or_null(g.p); }));
    col("gi_p_sim", T::Real, gi([](const LocalGi& g) { return real_or_null(g.p_sim); }));
    col("gi_p_fdr", T::Real, gi([](const LocalGi& g) { return real_or_null(g.p_fdr); }));
    col(model::coldspot::gi_bin, T::Integer, gi([](const LocalGi& g) { return Value(g.bin); }));
    col(model::coldspot::cold_spot, T::Integer, gi([](const LocalGi& g) { return Value(std::int64_t{g.cold_spot}); }));
    const auto moran = [&](auto get) { return [&r, get] { return r.moran ? Value(get(*r.moran)) : Value(); }; };
    col("moran_i", T::Real, moran([](const LocalMoran& m) { return real_or_null(m.statistic); }));
    col("moran_z", T::Real, moran([](const LocalMoran& m) { return real_or_null(m.z); }));
    col("moran_p", T::Real, moran([](const LocalMoran& m) { return real_or_null(m.p); }));
    col("moran_p_sim", T::Real, moran([](const LocalMoran& m) { return real_or_null(m.p_sim); }));
    col("moran_p_fdr", T::Real, moran([](const LocalMoran& m) { return real_or_null(m.p_fdr); }));
    col("moran_quadrant", T::String, moran([](const LocalMoran& m) { return Value(m.quadrant); }));
    col("moran_cluster", T::String, moran([](const LocalMoran& m) { return m.cluster ? Value(*m.cluster) : Value(); }));
    col("island", T::Integer, gi([&r](const LocalGi&) { return Value(std::int64_t{r.island}); }));
}

} // namespace

FeatureTable coldspots_schools_layer(const std::vector<std::string>& hub_types) {
    FeatureTable cs{model::layer::coldspots_schools,
                    "cold-spot index per school with components and Gi*/local Moran (docs/methodology.md)",
                    GeometryType::Point, 27700, {}, {}};
    const SchoolScore none{};
    visit_columns(ColdspotSchool{&none, {}, {}, false}, hub_types,
                  [&](const std::string& name, FieldType type, auto&&) { cs.fields.push_back({name, type}); });
    return cs;
}

Feature to_feature(const ColdspotSchool& row, const std::vector<std::string>& hub_types) {
    Feature f;
    f.fid = row.school->urn;
    f.geometry = row.school->at;
    visit_columns(row, hub_types, [&](const std::string&, FieldType, auto&& value) { f.values.push_back(value()); });
    return f;
}

} // namespace coldspot::geo::coldspots
