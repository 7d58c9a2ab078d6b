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

namespace {

/// Intersects each hub with the authorities its envelope meets, and counts schools per
/// authority and per (authority, hub).
void add_authority_covers(const RemitInputs& in, const std::vector<SchoolAssignment>& assignments,
                          const RemitOptions& options, AuthorityLevel level, Dashboards& out) {
    const bool districts = level == AuthorityLevel::District;
    const std::vector<Area>& areas = districts ? in.districts : in.upper_tier;
    std::vector<int> schools(areas.size(), 0);
    std::vector<std::vector<int>> hub_schools(areas.size(), std::vector<int>(in.hubs.size(), 0));
    for (const auto& a : assignments) {
        const auto& hit = districts ? a.district : a.upper_tier;
        if (!hit) continue;
        ++schools[hit->polygon];
        for (const auto& m : a.hubs) ++hub_schools[hit->polygon][m.hub];
    }
    std::vector<double> km2(areas.size());
    std::vector<Box> box(areas.size());
    for (std::size_t d = 0; d < areas.size(); ++d) {
        km2[d] = area_km2(areas[d].geometry);
        box[d] = areas[d].geometry.empty() ? empty_box() : detail::bounds(areas[d].geometry);
    }
    std::vector<std::vector<AuthorityCover>> covers(areas.size());
    for (std::size_t h = 0; h < in.hubs.size(); ++h) {
        const auto& hub = in.hubs[h];
        if (hub.geometry.empty()) continue;
        const Box hub_box = detail::bounds(hub.geometry);
        for (std::size_t d = 0; d < areas.size(); ++d) {
            if (km2[d] <= 0 || !bg::intersects(hub_box, box[d])) continue;
            const double covered = area_km2(intersection(hub.geometry, areas[d].geometry));
            const double share = covered / km2[d];
            if (share < options.min_authority_share || covered <= 0) continue;
            covers[d].push_back(AuthorityCover{level, d, hub.type, h, covered, share, schools[d], hub_schools[d][h]});
            if (districts) out.hubs[h].districts.push_back(d);
        }
    }
    if (districts)
        for (auto& d : out.hubs)
            std::sort(d.districts.begin(), d.districts.end(),
                      [&](std::size_t a, std::size_t b) { return areas[a].code < areas[b].code; });

    std::vector<std::size_t> order(areas.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return areas[a].code < areas[b].code; });
    for (std::size_t d : order) {
        for (const auto& type : hub_types(in.hubs)) {
            std::vector<AuthorityCover> rows;
            for (const auto& c : covers[d])
                if (c.hub_type == type) rows.push_back(c);
            if (rows.empty()) rows.push_back(AuthorityCover{level, d, type, std::nullopt, 0, 0, schools[d], 0});
            std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
                if (a.share != b.share) return a.share > b.share;
                return in.hubs[*a.hub].id < in.hubs[*b.hub].id;
            });
            out.authorities.insert(out.authorities.end(), rows.begin(), rows.end());
        }
    }
}

} // namespace

std::string_view to_string(AuthorityLevel level) noexcept {
    return level == AuthorityLevel::District ? "district" : "upper tier";
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

    for (std::size_t i = 0; i < in.schools.size(); ++i) {
        const School& s = in.schools[i];
        const auto& a = assignments.at(i);
        const Area* lsoa = a.lsoa ? &in.lsoas[a.lsoa->polygon] : nullptr;
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
        }
    }
    for (const auto level : {AuthorityLevel::District, AuthorityLevel::UpperTier})
        add_authority_covers(in, assignments, options, level, out);
    return out;
}

} // namespace coldspot::geo::remits
