#pragma once
// Label points for the map's area names. A polygon labelled by MapLibre is labelled once per tile it
// crosses (each tile holds its own clipped piece), so a county spread over four tiles showed its name
// four times. One point per area, placed at its pole of inaccessibility, is labelled once.
#include "coldspot/geo/feature_table.hpp"

#include <optional>

namespace coldspot::geo::style {

/// The `area_labels` point layer: one feature per named upper-tier authority (kind "authority") and
/// district (kind "district"), with `name`, `kind` and `area_km2` (larger areas are labelled first).
/// Either input may be absent; nullopt when both are.
std::optional<FeatureTable> area_labels(const FeatureTable* upper_tier_authorities, const FeatureTable* districts);

} // namespace coldspot::geo::style
