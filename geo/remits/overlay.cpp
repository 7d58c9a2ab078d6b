#include "coldspot/geo/remits/overlay.hpp"
#include "bounds.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/geos.hpp"
#include "coldspot/geo/model/layers.hpp"

#include <algorithm>
#include <map>

namespace coldspot::geo::remits {

double area_km2(const MultiPolygon& g) { return std::abs(bg::area(g)) / 1e6; }

std::string hub_set_key(const std::vector<Hub>& hubs, const std::vector<std::size_t>& set) {
    if (set.empty()) return "(none)";
    std::string out;
    for (std::size_t i : set) {
        if (!out.empty()) out += ';';
        out += hubs.at(i).id;
    }
    return out;
}

std::vector<bool> study_districts(const std::vector<Area>& districts, const std::optional<std::string>& region) {
    std::vector<bool> in(districts.size(), !region.has_value());
    if (!region) return in;
    bool any = false;
    for (std::size_t i = 0; i < districts.size(); ++i)
        if (districts[i].region == *region) in[i] = any = true;
    if (!any) throw InvalidArgumentError("region '" + *region + "' matches no district in local_authorities");
    return in;
}

namespace {

struct WorkZone {
    std::vector<std::size_t> hubs;
    MultiPolygon geometry;
    Box box;
};

bool has_area(const MultiPolygon& g) { return !g.empty() && std::abs(bg::area(g)) > 0; }

void report_slivers(const MultiPolygon& g, const std::string& layer, const std::string& key, double threshold,
                    std::vector<Sliver>& out) {
    for (const auto& part : g) {
        const double a = std::abs(bg::area(part));
        if (a < threshold) out.push_back(Sliver{layer, key, MultiPolygon{part}, a});
    }
}

/// Hub indexes of one type within a hub set.
std::vector<std::size_t> of_type(const std::vector<Hub>& hubs, const std::vector<std::size_t>& set, const std::string& type) {
    std::vector<std::size_t> out;
    for (std::size_t i : set)
        if (hubs[i].type == type) out.push_back(i);
    return out;
}

} // namespace

RemitOverlay overlay_remits(const std::vector<Hub>& hubs, const MultiPolygon& study_area, const RemitOptions& options) {
    options.validate();
    RemitOverlay out;
    out.study_area = study_area;
    out.study_area_km2 = area_km2(study_area);

    // Zones are disjoint at every step: adding hub h splits each zone it meets into the part
    // inside h (hub set + h) and the part outside (unchanged), and the rest of h becomes {h}.
    // Each hub set therefore has exactly one zone, which is maximal by construction.
    std::vector<WorkZone> zones;
    for (std::size_t h = 0; h < hubs.size(); ++h) {
        const MultiPolygon& hub = hubs[h].geometry;
        if (hub.empty()) continue;
        const Box hub_box = detail::bounds(hub);
        MultiPolygon rest = hub;
        const std::size_t existing = zones.size();
        for (std::size_t z = 0; z < existing; ++z) {
            if (!bg::intersects(zones[z].box, hub_box)) continue;
            MultiPolygon inside = intersection(zones[z].geometry, hub);
            if (!has_area(inside)) continue;
            zones[z].geometry = difference(zones[z].geometry, hub);
            if (has_area(zones[z].geometry)) zones[z].box = detail::bounds(zones[z].geometry);
            rest = difference(rest, inside);
            WorkZone split{zones[z].hubs, std::move(inside), {}};
            split.hubs.push_back(h);
            split.box = detail::bounds(split.geometry);
            zones.push_back(std::move(split));
        }
        if (has_area(rest)) zones.push_back(WorkZone{{h}, rest, detail::bounds(rest)});
        std::erase_if(zones, [](const WorkZone& z) { return !has_area(z.geometry); });
    }

    // Clip to the study area, and add the land no hub covers.
    std::vector<MultiPolygon> covered;
    const Box study_box = study_area.empty() ? empty_box() : detail::bounds(study_area);
    for (auto& z : zones) {
        if (!bg::intersects(z.box, study_box)) continue;
        MultiPolygon clipped = intersection(z.geometry, study_area);
        if (!has_area(clipped)) continue;
        covered.push_back(clipped);
        out.zones.push_back(RemitZone{z.hubs, std::move(clipped), 0, {}});
    }
    MultiPolygon uncovered = difference(study_area, union_all(covered));
    if (has_area(uncovered)) out.zones.push_back(RemitZone{{}, std::move(uncovered), 0, {}});
    std::sort(out.zones.begin(), out.zones.end(), [](const auto& a, const auto& b) { return a.hubs < b.hubs; });
    for (auto& z : out.zones) {
        z.area_km2 = area_km2(z.geometry);
        report_slivers(z.geometry, model::layer::remit_zones, hub_set_key(hubs, z.hubs), options.sliver_area_m2, out.slivers);
    }

    // Gaps and overlaps per type are unions of zones, so they agree with the zones exactly.
    for (const auto& type : hub_types(hubs)) {
        std::vector<MultiPolygon> gap_parts;
        std::map<std::vector<std::size_t>, std::vector<MultiPolygon>> overlap_parts;
        for (const auto& z : out.zones) {
            const auto mine = of_type(hubs, z.hubs, type);
            if (mine.empty()) gap_parts.push_back(z.geometry);
            else if (mine.size() >= 2) overlap_parts[mine].push_back(z.geometry);
        }
        if (!gap_parts.empty()) {
            RemitGap gap{type, union_all(gap_parts), 0, {}};
            gap.area_km2 = area_km2(gap.geometry);
            report_slivers(gap.geometry, model::layer::remit_gaps, type, options.sliver_area_m2, out.slivers);
            out.gaps.push_back(std::move(gap));
        }
        for (auto& [set, parts] : overlap_parts) {
            RemitOverlap o{type, set, union_all(parts), 0, {}};
            o.area_km2 = area_km2(o.geometry);
            report_slivers(o.geometry, model::layer::remit_overlaps, type + ": " + hub_set_key(hubs, set), options.sliver_area_m2,
                           out.slivers);
            out.overlaps.push_back(std::move(o));
        }
    }
    return out;
}

void tally_schools(RemitOverlay& overlay, const RemitInputs& in, const std::vector<SchoolAssignment>& assignments,
                   const std::vector<bool>& in_study_area) {
    std::map<std::vector<std::size_t>, RemitZone*> zone_of;
    for (auto& z : overlay.zones) {
        z.tally = {};
        zone_of[z.hubs] = &z;
    }
    for (auto& g : overlay.gaps) g.tally = {};
    for (auto& o : overlay.overlaps) o.tally = {};
    overlay.schools_outside_study_area = overlay.schools_without_zone = 0;

    auto add = [](SchoolTally& t, const School& s, bool deprived) {
        ++t.schools;
        if (s.pupils) {
            t.pupils += *s.pupils;
            ++t.schools_with_pupils;
        }
        if (deprived) ++t.deprived_schools;
    };
    for (std::size_t i = 0; i < in.schools.size(); ++i) {
        const auto& a = assignments.at(i);
        if (!a.district || !in_study_area.at(a.district->polygon)) {
            ++overlay.schools_outside_study_area;
            continue;
        }
        const School& s = in.schools[i];
        const bool deprived = a.lsoa && in.lsoas[a.lsoa->polygon].imd_decile && *in.lsoas[a.lsoa->polygon].imd_decile <= 2;
        std::vector<std::size_t> set;
        for (const auto& m : a.hubs) set.push_back(m.hub);
        if (auto it = zone_of.find(set); it != zone_of.end()) add(it->second->tally, s, deprived);
        else ++overlay.schools_without_zone;
        for (auto& g : overlay.gaps)
            if (of_type(in.hubs, set, g.hub_type).empty()) add(g.tally, s, deprived);
        for (auto& o : overlay.overlaps)
            if (of_type(in.hubs, set, o.hub_type) == o.hubs) add(o.tally, s, deprived);
    }
}

} // namespace coldspot::geo::remits
