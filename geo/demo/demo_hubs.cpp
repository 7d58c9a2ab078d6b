// Demoshire's hubs: two teaching school hubs that overlap in one district and leave another
// uncovered (the gap the remit analysis must find), and two maths hubs that split the city.
#include "demo_model.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/geos.hpp"

namespace coldspot::geo::demo::detail {

namespace {

/// The largest school of a phase in a district (ties to the lower URN), other than `except`.
const School* largest(const Model& m, std::size_t district, const std::string& phase, std::int64_t except = 0) {
    const School* best = nullptr;
    for (const auto& s : m.schools) {
        if (s.district != district || s.phase != phase || s.urn == except) continue;
        if (!best || s.pupils > best->pupils || (s.pupils == best->pupils && s.urn < best->urn)) best = &s;
    }
    return best;
}

} // namespace

void draw_hubs(Model& m) {
    // Districts: 0 Castlebury, 1 Wexmoor, 2 Demoton, 3 Ashvale, 4 Fennick.
    m.hubs = {
        {"teaching school hub", "DM1", "Castlebury and Wexmoor Teaching School Hub", {0, 1, 2}, {"whole", "whole", "west"}, {}, 0},
        {"teaching school hub", "DM2", "Demoton and Ashvale Teaching School Hub", {2, 3}, {"east", "whole"}, {}, 0},
        {"maths hub", "MH1", "North Demoshire Maths Hub", {1, 2, 0}, {"whole", "whole", "north"}, {}, 0},
        {"maths hub", "MH2", "South Demoshire Maths Hub", {0, 3, 4}, {"south", "whole", "whole"}, {}, 0},
    };
    for (std::size_t h = 0; h < m.hubs.size(); ++h) {
        Hub& hub = m.hubs[h];
        std::vector<MultiPolygon> parts;
        // As the importer does for a district only partly covered: the whole district goes into
        // the footprint, so the two hubs that share it overlap there.
        for (auto d : hub.districts) parts.push_back(m.districts[d].polygon);
        hub.footprint = union_all(parts);
        const School* lead = largest(m, hub.districts.front(), "Secondary");
        if (!lead) throw Error("demo: no secondary school to lead " + hub.name);
        hub.lead_urn = lead->urn;
        m.venues.push_back({h, lead->name, lead->urn, "lead school", lead->position});
        if (const School* second = largest(m, hub.districts.back(), "Secondary", lead->urn))
            m.venues.push_back({h, second->name, second->urn, "venue", second->position});
        if (hub.type == "maths hub") {
            // A venue that is not a school: a maths centre in the town of the hub's last district.
            for (const auto& t : m.towns) {
                if (t.district != hub.districts.back()) continue;
                m.venues.push_back({h, t.name + " Maths Centre", std::nullopt, "venue",
                                    Point{t.centre.x() + 250, t.centre.y() + 150}});
                break;
            }
        }
    }
}

} // namespace coldspot::geo::demo::detail
