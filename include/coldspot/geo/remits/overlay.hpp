#pragma once
// The remit overlay: the study area partitioned into zones covered by the same set of hubs, and
// the gaps and same-type overlaps derived from those zones.
#include "coldspot/geo/remits/assignment.hpp"
#include "coldspot/geo/remits/inputs.hpp"
#include "coldspot/geo/remits/options.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace coldspot::geo::remits {

/// Schools counted inside a zone, gap or overlap.
struct SchoolTally {
    int schools = 0;
    std::int64_t pupils = 0;
    int schools_with_pupils = 0; ///< schools whose number on roll is known
    int deprived_schools = 0;    ///< schools in an LSOA of IMD decile 1 or 2
};

/// Land covered by exactly this set of hubs (across all types); empty set = no hub at all.
struct RemitZone {
    std::vector<std::size_t> hubs; ///< ascending indexes into RemitInputs::hubs
    MultiPolygon geometry;
    double area_km2 = 0;
    SchoolTally tally;
};

/// Land inside the study area covered by no hub of `hub_type`.
struct RemitGap {
    std::string hub_type;
    MultiPolygon geometry;
    double area_km2 = 0;
    SchoolTally tally;
};

/// Land covered by exactly these (two or more) hubs of one type.
struct RemitOverlap {
    std::string hub_type;
    std::vector<std::size_t> hubs;
    MultiPolygon geometry;
    double area_km2 = 0;
    SchoolTally tally;
};

/// A connected part of a zone, gap or overlap smaller than RemitOptions::sliver_area_m2: kept in
/// its layer and listed here so that nobody mistakes boundary noise for a real remit.
struct Sliver {
    std::string layer; ///< `remit_zones`, `remit_gaps` or `remit_overlaps`
    std::string key;   ///< the zone's hub ids, the gap's hub type, the overlap's type and hub ids
    MultiPolygon geometry;
    double area_m2 = 0;
};

struct RemitOverlay {
    MultiPolygon study_area;
    double study_area_km2 = 0;
    std::vector<RemitZone> zones; ///< ordered by hub set (the empty set first)
    std::vector<RemitGap> gaps;   ///< one per hub type with any gap, in type order
    std::vector<RemitOverlap> overlaps;
    std::vector<Sliver> slivers;
    int schools_outside_study_area = 0;
    int schools_without_zone = 0; ///< inside the study area, but their hub set has no zone (boundary cases)
};

/// Which districts form the study area: all, or those whose region equals `region`. Throws
/// InvalidArgumentError when the region matches no district.
std::vector<bool> study_districts(const std::vector<Area>& districts, const std::optional<std::string>& region);

/// Geometric overlay of hub footprints within the study area (GEOS overlay operations).
RemitOverlay overlay_remits(const std::vector<Hub>& hubs, const MultiPolygon& study_area, const RemitOptions& options);

/// Fills the SchoolTally of zones, gaps and overlaps from the school assignments. A school counts
/// when its district is in the study area; it joins the zone with exactly its hub set.
void tally_schools(RemitOverlay& overlay, const RemitInputs& in, const std::vector<SchoolAssignment>& assignments,
                   const std::vector<bool>& in_study_area);

/// `a;b;c` of hub ids, `(none)` for the empty set.
std::string hub_set_key(const std::vector<Hub>& hubs, const std::vector<std::size_t>& set);

/// Area of a polygon in km2 (planar: the workspace is in metres).
double area_km2(const MultiPolygon& g);

} // namespace coldspot::geo::remits
