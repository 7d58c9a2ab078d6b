#pragma once
// Assignment of schools to the polygons that contain them: LSOA, district, upper-tier authority,
// and every hub footprint of every hub type.
#include "coldspot/geo/remits/inputs.hpp"
#include "coldspot/geo/remits/options.hpp"
#include "coldspot/geo/remits/polygon_index.hpp"

#include <optional>
#include <string>
#include <vector>

namespace coldspot::geo::remits {

struct HubMembership {
    std::size_t hub = 0; ///< index into RemitInputs::hubs
    Placement placement = Placement::Interior;
    double distance_m = 0;
};

struct SchoolAssignment {
    std::optional<PolygonHit> lsoa;       ///< index into RemitInputs::lsoas
    std::optional<PolygonHit> district;   ///< index into RemitInputs::districts
    std::optional<PolygonHit> upper_tier; ///< index into RemitInputs::upper_tier
    std::vector<HubMembership> hubs;      ///< ascending hub index
};

/// Distinct hub types, sorted.
std::vector<std::string> hub_types(const std::vector<Hub>& hubs);

/// Indexes over the polygons of a RemitInputs; answers for any point.
class RemitLocator {
public:
    RemitLocator(const RemitInputs& in, const RemitOptions& options);
    SchoolAssignment assign(const Point& p) const;

private:
    RemitOptions options_;
    PolygonIndex lsoas_, districts_, upper_tier_;
    /// One index per hub type, so a boundary tie-break or a snap picks one hub of each type.
    std::vector<PolygonIndex> hub_indexes_;
    std::vector<std::vector<std::size_t>> hubs_of_type_; ///< local index -> RemitInputs::hubs index
};

/// One assignment per RemitInputs::schools entry.
std::vector<SchoolAssignment> assign_schools(const RemitInputs& in, const RemitOptions& options);

} // namespace coldspot::geo::remits
