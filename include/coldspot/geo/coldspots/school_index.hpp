#pragma once
// The cold-spot index of each school: a weighted combination of component scores in 0..1
// (access, deprivation, need, rurality, remit flags, engagement), scaled to 0..100 where 100 is
// worst served. Every component's contribution is kept so that each score can be explained; the
// rules for missing inputs are in docs/methodology.md.
#include "coldspot/geo/coldspots/parameters.hpp"
#include "coldspot/geo/feature_table.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace coldspot::geo::coldspots {

enum class Component : std::uint8_t { Access, Deprivation, Need, Rurality, Remit, Engagement };
inline constexpr std::size_t kComponentCount = 6;
inline constexpr std::array<Component, kComponentCount> kComponents{Component::Access,   Component::Deprivation,
                                                                    Component::Need,     Component::Rurality,
                                                                    Component::Remit,    Component::Engagement};
std::string_view to_string(Component c) noexcept;

/// Workspace layers the index reads; any but `schools` may be null (docs/methodology.md says what
/// happens then).
struct IndexInputs {
    const FeatureTable* schools = nullptr;
    const FeatureTable* areas = nullptr;
    const FeatureTable* school_access = nullptr;
    const FeatureTable* hub_venues = nullptr;
    const FeatureTable* school_remits = nullptr;
    const FeatureTable* engagement = nullptr;
};

struct SchoolScore {
    std::int64_t urn = 0;
    std::string name;
    Point at;
    std::string lsoa_code, lad_code, la_code;
    std::vector<std::string> hub_ids; ///< hubs whose remit covers the school
    std::array<double, kComponentCount> score{};        ///< 0..1, NaN when the input is missing
    std::array<double, kComponentCount> contribution{}; ///< index points (sum = index), NaN when missing
    double index = 0;                                   ///< 0..100; NaN when no component has input
    std::map<std::string, double> minutes;              ///< hub type -> minutes to nearest venue
    std::string access_method;                          ///< "road", "straight_line", "mixed", or ""
    std::string reasons;                                ///< the largest contributions, in words
};

struct IndexResult {
    std::vector<SchoolScore> schools;
    std::vector<std::string> hub_types;
    std::vector<std::string> notes; ///< which inputs were missing and which rule applied
};

/// Throws WorkspaceError when `schools` is missing, NotFoundError when a required field is
/// (MissingColumnError for one of `school_access`, which is read through the model).
IndexResult compute_index(const IndexInputs& inputs, const Parameters& parameters);

/// 0 at good, 1 at poor, linear between, clamped.
double ramp(double value, double good, double poor) noexcept;

} // namespace coldspot::geo::coldspots
