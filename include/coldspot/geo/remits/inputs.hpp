#pragma once
// The workspace layers a remit analysis reads, as the model's typed records (see docs/workspace.md).
#include "coldspot/geo/model/records.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace coldspot::geo {
class Workspace;
}

namespace coldspot::geo::remits {

// The records are the workspace model's; remits reads them through the model's adapters.
using model::Area;
using model::Hub;
using model::School;
using model::Venue;
using model::read_areas;
using model::read_hubs;
using model::read_schools;
using model::read_venues;

struct RemitInputs {
    std::vector<School> schools;
    std::vector<Area> lsoas;
    std::vector<Area> districts;
    std::vector<Area> upper_tier;
    std::vector<Hub> hubs;
    std::vector<Venue> venues;
};

/// Reads every layer the analysis needs; throws WorkspaceError naming a missing layer.
/// `hub_venues` is optional.
RemitInputs read_remit_inputs(const Workspace& ws);

/// `teaching school hub` -> `teaching_school_hub`: a hub type as a column-name suffix.
std::string type_slug(const std::string& hub_type);

} // namespace coldspot::geo::remits
