#include "coldspot/geo/model/school_access.hpp"

#include "coldspot/geo/model/detail/columns.hpp"
#include "coldspot/geo/model/detail/layer_reader.hpp"
#include "coldspot/geo/model/layers.hpp"

#include <array>

namespace coldspot::geo::model {

namespace {

using detail::value_or_null;
using Column = detail::Column<SchoolAccess>;

/// The layer's columns in their stored order.
constexpr std::array<Column, 13> kColumns{{
    {access::urn, FieldType::Integer, [](const SchoolAccess& r) { return Value(r.urn.value()); }},
    {access::hub_type, FieldType::String, [](const SchoolAccess& r) { return Value(r.hub_type); }},
    {access::role, FieldType::String, [](const SchoolAccess& r) { return Value(r.role); }},
    {access::hub_id, FieldType::String, [](const SchoolAccess& r) { return value_or_null(r.hub_id); }},
    {access::venue, FieldType::String, [](const SchoolAccess& r) { return value_or_null(r.venue); }},
    {access::venue_fid, FieldType::Integer, [](const SchoolAccess& r) { return value_or_null(r.venue_fid); }},
    {access::minutes, FieldType::Real, [](const SchoolAccess& r) { return value_or_null(r.minutes); }},
    {access::metres, FieldType::Real, [](const SchoolAccess& r) { return value_or_null(r.metres); }},
    {access::method, FieldType::String, [](const SchoolAccess& r) { return Value(r.method); }},
    {access::snap_m, FieldType::Real, [](const SchoolAccess& r) { return value_or_null(r.snap_m); }},
    {access::snap_flag, FieldType::String, [](const SchoolAccess& r) { return Value(r.snap_flag); }},
    {access::nearest_minutes, FieldType::Real, [](const SchoolAccess& r) { return value_or_null(r.nearest_minutes); }},
    {access::own_hub_much_farther, FieldType::Integer,
     [](const SchoolAccess& r) {
         return r.own_hub_much_farther ? Value(std::int64_t{*r.own_hub_much_farther ? 1 : 0}) : Value();
     }},
}};

template <class Strong>
std::optional<Strong> strong(std::optional<double> v) {
    return v ? std::optional<Strong>(Strong(*v)) : std::nullopt;
}

} // namespace

FeatureTable school_access_layer() {
    FeatureTable t;
    t.name = layer::school_access;
    t.description = "drive times from schools to hub venues (see docs/routing.md)";
    t.geometry_type = GeometryType::Point;
    t.fields = detail::fields_of<SchoolAccess>(kColumns);
    return t;
}

Feature to_feature(const SchoolAccess& row, std::int64_t fid) {
    Feature f;
    f.fid = fid;
    f.geometry = row.location;
    f.values = detail::values_of<SchoolAccess>(kColumns, row);
    return f;
}

std::vector<SchoolAccess> read_school_access(const FeatureTable& t, const std::string& source) {
    const detail::LayerReader r(t, source);
    const int urn = r.required(access::urn), type = r.required(access::hub_type), role = r.required(access::role);
    const int minutes = r.required(access::minutes), method = r.required(access::method);
    const int hub = r.optional(access::hub_id), venue = r.optional(access::venue), fid = r.optional(access::venue_fid);
    const int metres = r.optional(access::metres), snap = r.optional(access::snap_m), flag = r.optional(access::snap_flag);
    const int nearest = r.optional(access::nearest_minutes), farther = r.optional(access::own_hub_much_farther);
    std::vector<SchoolAccess> out;
    out.reserve(t.features.size());
    for (const auto& f : t.features) {
        SchoolAccess a;
        a.urn = SchoolUrn(r.required_integer(f, urn, access::urn));
        a.hub_type = r.text(f, type);
        a.role = r.text(f, role);
        a.hub_id = r.nullable_text(f, hub);
        a.venue = r.nullable_text(f, venue);
        a.venue_fid = r.integer(f, fid, access::venue_fid);
        a.minutes = strong<Minutes>(r.real(f, minutes, access::minutes));
        a.metres = strong<Metres>(r.real(f, metres, access::metres));
        a.method = r.text(f, method);
        a.snap_m = strong<Metres>(r.real(f, snap, access::snap_m));
        a.snap_flag = r.text(f, flag);
        a.nearest_minutes = strong<Minutes>(r.real(f, nearest, access::nearest_minutes));
        if (const auto v = r.integer(f, farther, access::own_hub_much_farther)) a.own_hub_much_farther = *v != 0;
        if (const auto* p = std::get_if<Point>(&f.geometry)) a.location = *p;
        out.push_back(std::move(a));
    }
    return out;
}

} // namespace coldspot::geo::model
