#include "coldspot/geo/remits/inputs.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/workspace.hpp"

#include <cctype>

namespace coldspot::geo::remits {

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
