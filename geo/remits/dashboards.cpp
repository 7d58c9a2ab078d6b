#include "coldspot/geo/remits/dashboards.hpp"
#include "bounds.hpp"

#include "coldspot/geo/geos.hpp"
#include "coldspot/geo/remits/overlay.hpp"

#include <algorithm>
#include <numeric>

namespace coldspot::geo::remits {

std::size_t phase_group(std::string_view phase) noexcept {
    if (phase == "Primary" || phase == "Middle deemed primary") return 0;
    if (phase == "Secondary" || phase == "Middle deemed secondary") return 1;
    if (phase == "All-through") return 2;
    if (phase == "Nursery") return 3;
    if (phase == "16 plus") return 4;
    return 5;
}

Dashboards build_dashboards(const RemitInputs& in, const std::vector<SchoolAssignment>& assignments,
                            const RemitOptions& options) {
    options.validate();
    Dashboards out;
    out.hubs.resize(in.hubs.size());
    for (std::size_t h = 0; h < in.hubs.size(); ++h) {
        out.hubs[h].hub = h;
        out.hubs[h].area_km2 = area_km2(in.hubs[h].geometry);
    }

    // Schools: per hub, and per district for the authority table.
    std::vector<int> district_schools(in.districts.size(), 0);
    std::vector<std::vector<int>> district_hub_schools(in.districts.size(), std::vector<int>(in.hubs.size(), 0));
    for (std::size_t i = 0; i < in.schools.size(); ++i) {
        const School& s = in.schools[i];
        const auto& a = assignments.at(i);
        const Area* lsoa = a.lsoa ? &in.lsoas[a.lsoa->polygon] : nullptr;
        if (a.district) ++district_schools[a.district->polygon];
        for (const auto& m : a.hubs) {
            HubDashboard& d = out.hubs[m.hub];
            auto& phase = d.by_phase[phase_group(s.phase)];
            ++phase.schools;
            ++d.schools;
            if (s.pupils) {
                phase.pupils += *s.pupils;
                d.pupils += *s.pupils;
            }
            if (lsoa && lsoa->imd_decile) {
                ++d.schools_with_imd;
                if (*lsoa->imd_decile <= 2) ++d.deprived_schools;
            }
            if (lsoa && lsoa->rural) {
                ++d.schools_with_rurality;
                if (*lsoa->rural) ++d.rural_schools;
            }
            const bool shared = std::any_of(a.hubs.begin(), a.hubs.end(), [&](const HubMembership& o) {
                return o.hub != m.hub && in.hubs[o.hub].type == in.hubs[m.hub].type;
            });
            if (shared) ++d.shared_schools;
            if (a.district) ++district_hub_schools[a.district->polygon][m.hub];
        }
    }

    // Areas: intersect each hub with the districts its envelope meets.
    std::vector<double> district_km2(in.districts.size());
    std::vector<Box> district_box(in.districts.size());
    for (std::size_t d = 0; d < in.districts.size(); ++d) {
        district_km2[d] = area_km2(in.districts[d].geometry);
        district_box[d] = in.districts[d].geometry.empty() ? empty_box() : detail::bounds(in.districts[d].geometry);
    }
    std::vector<std::vector<AuthorityCover>> covers(in.districts.size());
    for (std::size_t h = 0; h < in.hubs.size(); ++h) {
        const auto& hub = in.hubs[h];
        if (hub.geometry.empty()) continue;
        const Box hub_box = detail::bounds(hub.geometry);
        for (std::size_t d = 0; d < in.districts.size(); ++d) {
            if (district_km2[d] <= 0 || !bg::intersects(hub_box, district_box[d])) continue;
            const double km2 = area_km2(intersection(hub.geometry, in.districts[d].geometry));
            const double share = km2 / district_km2[d];
            if (share < options.min_authority_share || km2 <= 0) continue;
            covers[d].push_back(AuthorityCover{d, hub.type, h, km2, share, district_schools[d], district_hub_schools[d][h]});
            out.hubs[h].districts.push_back(d);
        }
    }
    for (auto& d : out.hubs)
        std::sort(d.districts.begin(), d.districts.end(),
                  [&](std::size_t a, std::size_t b) { return in.districts[a].code < in.districts[b].code; });

    std::vector<std::size_t> order(in.districts.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return in.districts[a].code < in.districts[b].code; });
    const auto types = hub_types(in.hubs);
    for (std::size_t d : order) {
        for (const auto& type : types) {
            std::vector<AuthorityCover> rows;
            for (const auto& c : covers[d])
                if (c.hub_type == type) rows.push_back(c);
            if (rows.empty()) rows.push_back(AuthorityCover{d, type, std::nullopt, 0, 0, district_schools[d], 0});
            std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
                if (a.share != b.share) return a.share > b.share;
                return in.hubs[*a.hub].id < in.hubs[*b.hub].id;
            });
            out.authorities.insert(out.authorities.end(), rows.begin(), rows.end());
        }
    }
    return out;
}

} // namespace coldspot::geo::remits
