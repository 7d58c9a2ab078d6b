#include "coldspot/geo/model/records.hpp"

#include "coldspot/geo/model/detail/layer_reader.hpp"
#include "coldspot/geo/model/layers.hpp"

namespace coldspot::geo::model {

using detail::LayerReader;

std::vector<School> read_schools(const FeatureTable& t, const std::string& source) {
    const LayerReader r(t, source);
    const int urn = r.required(school::urn), name = r.optional(school::name), phase = r.optional(school::phase);
    const int pupils = r.optional(school::pupils), trust_uid = r.optional(school::trust_uid), trust_name = r.optional(school::trust_name);
    const int la_name = r.optional(school::la_name);
    std::vector<School> out;
    out.reserve(t.features.size());
    for (const auto& f : t.features) {
        const Point* p = r.point(f);
        if (!p) continue; // not geocoded
        School s;
        s.urn = r.required_integer(f, urn, school::urn);
        s.name = r.text(f, name);
        s.phase = r.text(f, phase);
        s.pupils = r.integer(f, pupils, school::pupils);
        if (s.pupils && *s.pupils < 0) r.fail(f, school::pupils, "negative number of pupils");
        s.trust_uid = r.integer(f, trust_uid, school::trust_uid);
        s.trust_name = r.text(f, trust_name);
        s.la_name = r.text(f, la_name);
        s.location = *p;
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<Area> read_areas(const FeatureTable& t, const std::string& source) {
    const LayerReader r(t, source);
    const int code = r.required(area::code), name = r.optional(area::name), region = r.optional(authority::region);
    const int decile = r.optional(area::imd_decile), rural = r.optional(area::rural);
    std::vector<Area> out;
    out.reserve(t.features.size());
    for (const auto& f : t.features) {
        Area a;
        a.code = r.required_text(f, code, area::code);
        a.name = r.text(f, name);
        a.region = r.text(f, region);
        if (auto d = r.integer(f, decile, area::imd_decile)) {
            if (*d < 1 || *d > 10) r.fail(f, area::imd_decile, "decile " + std::to_string(*d) + " is outside 1..10");
            a.imd_decile = static_cast<int>(*d);
        }
        if (auto v = r.integer(f, rural, area::rural)) a.rural = *v != 0;
        a.geometry = r.polygon(f);
        out.push_back(std::move(a));
    }
    return out;
}

std::vector<Hub> read_hubs(const FeatureTable& t, const std::string& source) {
    const LayerReader r(t, source);
    const int id = r.required(hub::hub_id), type = r.required(hub::hub_type), name = r.optional(hub::name);
    const int lead = r.optional(hub::lead_urn);
    std::vector<Hub> out;
    for (const auto& f : t.features) {
        Hub h;
        h.id = r.required_text(f, id, hub::hub_id);
        h.type = r.required_text(f, type, hub::hub_type);
        h.name = r.text(f, name);
        h.lead_urn = r.integer(f, lead, hub::lead_urn);
        h.geometry = r.polygon(f);
        for (const auto& other : out)
            if (other.id == h.id) r.fail(f, hub::hub_id, "duplicate hub_id '" + h.id + "'");
        out.push_back(std::move(h));
    }
    return out;
}

std::vector<Venue> read_venues(const FeatureTable& t, const std::string& source) {
    const LayerReader r(t, source);
    const int hub = r.required(venue::hub_id), type = r.optional(venue::hub_type), name = r.optional(venue::name);
    const int urn = r.optional(venue::urn), kind = r.optional(venue::kind);
    std::vector<Venue> out;
    for (const auto& f : t.features) {
        const auto* p = std::get_if<Point>(&f.geometry);
        if (!p) continue; // a venue without a location cannot be nearest to anything
        Venue v;
        v.fid = f.fid;
        v.hub_id = r.required_text(f, hub, venue::hub_id);
        v.hub_type = r.text(f, type);
        v.name = r.text(f, name);
        v.urn = r.integer(f, urn, venue::urn);
        v.kind = r.text(f, kind);
        v.location = *p;
        out.push_back(std::move(v));
    }
    return out;
}

} // namespace coldspot::geo::model
