#pragma once
// The per-school "one-stop" record: everything that serves a school, and the flags a head would
// want to know about (no hub of a type, two hubs of one type, a trust run from far away).
#include "coldspot/geo/remits/assignment.hpp"
#include "coldspot/geo/remits/inputs.hpp"
#include "coldspot/geo/remits/options.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace coldspot::geo::remits {

/// How spread out a trust's schools are.
struct TrustLocality {
    std::int64_t trust_uid = 0;
    int schools = 0;            ///< located member schools
    int authorities = 0;        ///< distinct upper-tier authorities of those schools
    double median_km = 0;       ///< median straight-line distance over all pairs of member schools
    bool local = true;          ///< authorities <= max and median_km <= max
};

/// Trust locality for every trust_uid found on the schools.
std::map<std::int64_t, TrustLocality> trust_localities(const RemitInputs& in, const std::vector<SchoolAssignment>& assignments,
                                                       const RemitOptions& options);

struct HubService {
    std::size_t hub = 0;
    Placement placement = Placement::Interior;
    double distance_m = 0;
    std::optional<std::size_t> lead_school;   ///< index into RemitInputs::schools
    std::optional<std::size_t> nearest_venue; ///< index into RemitInputs::venues
    double nearest_venue_km = 0;
};

struct OneStopRecord {
    std::size_t school = 0;
    std::vector<HubService> hubs;               ///< by hub type, then hub id
    std::vector<std::string> outside_types;     ///< hub types with no hub covering the school
    std::vector<std::string> multi_hub_types;   ///< hub types with two or more hubs covering it
    std::optional<TrustLocality> trust;
};

std::vector<OneStopRecord> one_stop_records(const RemitInputs& in, const std::vector<SchoolAssignment>& assignments,
                                            const RemitOptions& options);

} // namespace coldspot::geo::remits
