#include "coldspot/geo/remits/assignment.hpp"

#include <algorithm>
#include <set>

namespace coldspot::geo::remits {

namespace {

PolygonIndex index_of(const std::vector<Area>& areas) {
    std::vector<MultiPolygon> polygons;
    std::vector<std::string> keys;
    polygons.reserve(areas.size());
    keys.reserve(areas.size());
    for (const auto& a : areas) {
        polygons.push_back(a.geometry);
        keys.push_back(a.code);
    }
    return PolygonIndex(std::move(polygons), std::move(keys));
}

} // namespace

std::vector<std::string> hub_types(const std::vector<Hub>& hubs) {
    std::set<std::string> types;
    for (const auto& h : hubs) types.insert(h.type);
    return {types.begin(), types.end()};
}

RemitLocator::RemitLocator(const RemitInputs& in, const RemitOptions& options)
    : options_(options), lsoas_(index_of(in.lsoas)), districts_(index_of(in.districts)),
      upper_tier_(index_of(in.upper_tier)) {
    options_.validate();
    for (const auto& type : hub_types(in.hubs)) {
        std::vector<MultiPolygon> polygons;
        std::vector<std::string> keys;
        std::vector<std::size_t> members;
        for (std::size_t i = 0; i < in.hubs.size(); ++i) {
            if (in.hubs[i].type != type) continue;
            polygons.push_back(in.hubs[i].geometry);
            keys.push_back(in.hubs[i].id);
            members.push_back(i);
        }
        hub_indexes_.emplace_back(std::move(polygons), std::move(keys));
        hubs_of_type_.push_back(std::move(members));
    }
}

SchoolAssignment RemitLocator::assign(const Point& p) const {
    SchoolAssignment a;
    const Metres snap = options_.snap_distance_m;
    a.lsoa = lsoas_.locate(p, snap);
    a.district = districts_.locate(p, snap);
    a.upper_tier = upper_tier_.locate(p, snap);
    // Snapping repairs points that generalised, clipped coastlines leave in the sea. A point on
    // land (inside a district) is never snapped to a hub: that would hide real gaps, such as a
    // hole in a footprint, narrower than twice the snap distance.
    const Metres hub_snap = a.district && a.district->placement == Placement::Snapped ? snap : Metres(0.0);
    for (std::size_t t = 0; t < hub_indexes_.size(); ++t)
        for (const auto& hit : hub_indexes_[t].locate_all(p, hub_snap))
            a.hubs.push_back({hubs_of_type_[t][hit.polygon], hit.placement, hit.distance_m});
    std::sort(a.hubs.begin(), a.hubs.end(), [](const auto& x, const auto& y) { return x.hub < y.hub; });
    return a;
}

std::vector<SchoolAssignment> assign_schools(const RemitInputs& in, const RemitOptions& options) {
    const RemitLocator locator(in, options);
    std::vector<SchoolAssignment> out;
    out.reserve(in.schools.size());
    for (const auto& s : in.schools) out.push_back(locator.assign(s.location));
    return out;
}

} // namespace coldspot::geo::remits
