#include "coldspot/geo/remits/one_stop.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

namespace coldspot::geo::remits {

std::map<std::int64_t, TrustLocality> trust_localities(const RemitInputs& in, const std::vector<SchoolAssignment>& assignments,
                                                       const RemitOptions& options) {
    options.validate();
    std::map<std::int64_t, std::vector<std::size_t>> members;
    for (std::size_t i = 0; i < in.schools.size(); ++i)
        if (in.schools[i].trust_uid) members[*in.schools[i].trust_uid].push_back(i);
    std::map<std::int64_t, TrustLocality> out;
    for (const auto& [uid, schools] : members) {
        TrustLocality t;
        t.trust_uid = uid;
        t.schools = static_cast<int>(schools.size());
        std::set<std::size_t> authorities;
        for (std::size_t i : schools)
            if (assignments.at(i).upper_tier) authorities.insert(assignments[i].upper_tier->polygon);
        t.authorities = static_cast<int>(authorities.size());
        // Pairwise rather than distance to a centre: a trust of two clusters far apart has a large
        // median even though each school is close to half of its peers.
        std::vector<double> d;
        d.reserve(schools.size() * (schools.size() - 1) / 2);
        for (std::size_t a = 0; a < schools.size(); ++a)
            for (std::size_t b = a + 1; b < schools.size(); ++b)
                d.push_back(bg::distance(in.schools[schools[a]].location, in.schools[schools[b]].location) / 1000.0);
        if (!d.empty()) {
            std::sort(d.begin(), d.end());
            const std::size_t n = d.size();
            t.median_km = n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
        }
        t.local = t.authorities <= options.trust_max_authorities && t.median_km <= options.trust_max_median_km;
        out.emplace(uid, t);
    }
    return out;
}

std::vector<OneStopRecord> one_stop_records(const RemitInputs& in, const std::vector<SchoolAssignment>& assignments,
                                            const RemitOptions& options) {
    const auto trusts = trust_localities(in, assignments, options);
    std::unordered_map<std::int64_t, std::size_t> school_by_urn;
    for (std::size_t i = 0; i < in.schools.size(); ++i) school_by_urn.emplace(in.schools[i].urn, i);
    std::unordered_map<std::string, std::vector<std::size_t>> venues_of;
    for (std::size_t v = 0; v < in.venues.size(); ++v) venues_of[in.venues[v].hub_id].push_back(v);
    const auto types = hub_types(in.hubs);

    std::vector<OneStopRecord> out;
    out.reserve(in.schools.size());
    for (std::size_t i = 0; i < in.schools.size(); ++i) {
        const School& s = in.schools[i];
        OneStopRecord r;
        r.school = i;
        for (const auto& m : assignments.at(i).hubs) {
            const Hub& hub = in.hubs[m.hub];
            HubService svc{m.hub, m.placement, m.distance_m, std::nullopt, std::nullopt, 0};
            if (hub.lead_urn)
                if (auto it = school_by_urn.find(*hub.lead_urn); it != school_by_urn.end()) svc.lead_school = it->second;
            if (auto it = venues_of.find(hub.id); it != venues_of.end()) {
                for (std::size_t v : it->second) {
                    const double km = bg::distance(s.location, in.venues[v].location) / 1000.0;
                    if (!svc.nearest_venue || km < svc.nearest_venue_km) {
                        svc.nearest_venue = v;
                        svc.nearest_venue_km = km;
                    }
                }
            }
            r.hubs.push_back(svc);
        }
        std::sort(r.hubs.begin(), r.hubs.end(), [&](const HubService& a, const HubService& b) {
            const Hub &ha = in.hubs[a.hub], &hb = in.hubs[b.hub];
            return ha.type != hb.type ? ha.type < hb.type : ha.id < hb.id;
        });
        for (const auto& type : types) {
            const auto n = std::count_if(r.hubs.begin(), r.hubs.end(), [&](const HubService& h) { return in.hubs[h.hub].type == type; });
            if (n == 0) r.outside_types.push_back(type);
            else if (n >= 2) r.multi_hub_types.push_back(type);
        }
        if (s.trust_uid)
            if (auto it = trusts.find(*s.trust_uid); it != trusts.end()) r.trust = it->second;
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace coldspot::geo::remits
