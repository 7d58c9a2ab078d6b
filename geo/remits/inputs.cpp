#include "coldspot/geo/remits/inputs.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/workspace.hpp"

#include <cctype>
#include <cmath>

namespace coldspot::geo::remits {

namespace {

/// Field lookups for one layer, with errors that name the workspace, layer, row and field.
class LayerReader {
public:
    LayerReader(const FeatureTable& t, const std::string& source) : t_(t), source_(source) {}

    int required(const char* field) const {
        const int i = t_.field_index(field);
        if (i < 0)
            throw MissingColumnError(InputLocation{source_ + ":" + t_.name, 0, field},
                                     "layer '" + t_.name + "' has no field '" + field + "'");
        return i;
    }
    int optional(const char* field) const { return t_.field_index(field); }

    [[noreturn]] void fail(const Feature& f, const std::string& field, const std::string& reason) const {
        throw InputError(InputLocation{source_ + ":" + t_.name, 0, field},
                         "feature fid " + std::to_string(f.fid) + ": " + reason);
    }
    std::string text(const Feature& f, int i) const { return i < 0 ? std::string() : as_text(f.values[i]); }
    std::string required_text(const Feature& f, int i, const char* field) const {
        std::string s = text(f, i);
        if (s.empty()) fail(f, field, "value is empty");
        return s;
    }
    std::optional<std::int64_t> integer(const Feature& f, int i, const char* field) const {
        if (i < 0 || is_null(f.values[i])) return std::nullopt;
        if (const auto* v = std::get_if<std::int64_t>(&f.values[i])) return *v;
        if (const auto* d = std::get_if<double>(&f.values[i])) {
            if (std::isfinite(*d) && std::floor(*d) == *d) return static_cast<std::int64_t>(*d);
            fail(f, field, "not an integer");
        }
        const std::string s = as_text(f.values[i]);
        if (s.empty()) return std::nullopt;
        try {
            std::size_t used = 0;
            const long long v = std::stoll(s, &used);
            if (used == s.size()) return v;
        } catch (const std::exception&) {
        }
        fail(f, field, "'" + s + "' is not an integer");
    }
    const MultiPolygon& polygon(const Feature& f) const {
        const auto* mp = std::get_if<MultiPolygon>(&f.geometry);
        if (!mp) fail(f, "geom", "geometry is not a polygon");
        return *mp;
    }

private:
    const FeatureTable& t_;
    const std::string& source_;
};

} // namespace

std::vector<School> read_schools(const FeatureTable& t, const std::string& source) {
    LayerReader r(t, source);
    const int urn = r.required(model::school::urn), name = r.optional(model::school::name), phase = r.optional(model::school::phase);
    const int pupils = r.optional(model::school::pupils), trust_uid = r.optional(model::school::trust_uid), trust_name = r.optional(model::school::trust_name);
    const int la_name = r.optional(model::school::la_name);
    std::vector<School> out;
    out.reserve(t.features.size());
    for (const auto& f : t.features) {
        const auto* p = std::get_if<Point>(&f.geometry);
        if (!p) {
            if (std::holds_alternative<std::monostate>(f.geometry)) continue; // not geocoded
            r.fail(f, "geom", "geometry is not a point");
        }
        if (!std::isfinite(p->x()) || !std::isfinite(p->y())) r.fail(f, "geom", "coordinates are not finite");
        School s;
        const auto u = r.integer(f, urn, model::school::urn);
        if (!u) r.fail(f, model::school::urn, "value is NULL");
        s.urn = *u;
        s.name = r.text(f, name);
        s.phase = r.text(f, phase);
        s.pupils = r.integer(f, pupils, model::school::pupils);
        if (s.pupils && *s.pupils < 0) r.fail(f, model::school::pupils, "negative number of pupils");
        s.trust_uid = r.integer(f, trust_uid, model::school::trust_uid);
        s.trust_name = r.text(f, trust_name);
        s.la_name = r.text(f, la_name);
        s.location = *p;
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<Area> read_areas(const FeatureTable& t, const std::string& source) {
    LayerReader r(t, source);
    const int code = r.required(model::area::code), name = r.optional(model::area::name), region = r.optional(model::authority::region);
    const int decile = r.optional(model::area::imd_decile), rural = r.optional(model::area::rural);
    std::vector<Area> out;
    out.reserve(t.features.size());
    for (const auto& f : t.features) {
        Area a;
        a.code = r.required_text(f, code, model::area::code);
        a.name = r.text(f, name);
        a.region = r.text(f, region);
        if (auto d = r.integer(f, decile, model::area::imd_decile)) {
            if (*d < 1 || *d > 10) r.fail(f, model::area::imd_decile, "decile " + std::to_string(*d) + " is outside 1..10");
            a.imd_decile = static_cast<int>(*d);
        }
        if (auto v = r.integer(f, rural, model::area::rural)) a.rural = *v != 0;
        a.geometry = r.polygon(f);
        out.push_back(std::move(a));
    }
    return out;
}

std::vector<Hub> read_hubs(const FeatureTable& t, const std::string& source) {
    LayerReader r(t, source);
    const int id = r.required(model::hub::hub_id), type = r.required(model::hub::hub_type), name = r.optional(model::hub::name);
    const int lead = r.optional(model::hub::lead_urn);
    std::vector<Hub> out;
    for (const auto& f : t.features) {
        Hub h;
        h.id = r.required_text(f, id, model::hub::hub_id);
        h.type = r.required_text(f, type, model::hub::hub_type);
        h.name = r.text(f, name);
        h.lead_urn = r.integer(f, lead, model::hub::lead_urn);
        h.geometry = r.polygon(f);
        for (const auto& other : out)
            if (other.id == h.id) r.fail(f, model::hub::hub_id, "duplicate hub_id '" + h.id + "'");
        out.push_back(std::move(h));
    }
    return out;
}

std::vector<Venue> read_venues(const FeatureTable& t, const std::string& source) {
    LayerReader r(t, source);
    const int hub = r.required(model::venue::hub_id), name = r.optional(model::venue::name), urn = r.optional(model::venue::urn), kind = r.optional(model::venue::kind);
    std::vector<Venue> out;
    for (const auto& f : t.features) {
        const auto* p = std::get_if<Point>(&f.geometry);
        if (!p) continue; // a venue without a location cannot be nearest to anything
        Venue v;
        v.hub_id = r.required_text(f, hub, model::venue::hub_id);
        v.name = r.text(f, name);
        v.urn = r.integer(f, urn, model::venue::urn);
        v.kind = r.text(f, kind);
        v.location = *p;
        out.push_back(std::move(v));
    }
    return out;
}

RemitInputs read_remit_inputs(const Workspace& ws) {
    const std::string source = ws.path().string();
    auto layer = [&](const char* name) {
        if (!ws.has_layer(name))
            throw WorkspaceError("workspace " + source + " has no layer '" + name +
                                 "', which remits needs (run `coldspot import` first)");
        return ws.read(name);
    };
    RemitInputs in;
    in.schools = read_schools(layer(model::layer::schools), source);
    in.lsoas = read_areas(layer(model::layer::areas), source);
    in.districts = read_areas(layer(model::layer::local_authorities), source);
    in.upper_tier = read_areas(layer(model::layer::upper_tier_authorities), source);
    in.hubs = read_hubs(layer(model::layer::hubs), source);
    if (ws.has_layer(model::layer::hub_venues)) in.venues = read_venues(ws.read(model::layer::hub_venues), source);
    return in;
}

std::string type_slug(const std::string& hub_type) {
    std::string out;
    for (unsigned char c : hub_type) {
        if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
        else if (!out.empty() && out.back() != '_') out += '_';
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    return out.empty() ? "hub" : out;
}

} // namespace coldspot::geo::remits
