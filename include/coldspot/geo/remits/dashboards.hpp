#pragma once
// Per-hub and per-authority summaries of who a remit reaches.
#include "coldspot/geo/remits/assignment.hpp"
#include "coldspot/geo/remits/inputs.hpp"
#include "coldspot/geo/remits/options.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace coldspot::geo::remits {

/// Phases grouped the way hubs plan their offer; GIAS phases map as documented in docs/remits.md.
inline constexpr std::array<std::string_view, 6> kPhaseGroups{"primary", "secondary", "all_through",
                                                              "nursery", "post16",    "other"};
std::size_t phase_group(std::string_view gias_phase) noexcept;

struct PhaseTally {
    int schools = 0;
    std::int64_t pupils = 0;
};

struct HubDashboard {
    std::size_t hub = 0;
    std::array<PhaseTally, kPhaseGroups.size()> by_phase{};
    int schools = 0;
    std::int64_t pupils = 0;
    int schools_with_imd = 0;
    int deprived_schools = 0; ///< LSOA in IMD decile 1 or 2
    int schools_with_rurality = 0;
    int rural_schools = 0;
    int shared_schools = 0; ///< also under another hub of the same type
    double area_km2 = 0;
    std::vector<std::size_t> districts; ///< districts with at least min_authority_share covered, by code
};

enum class AuthorityLevel : std::uint8_t { District, UpperTier };
std::string_view to_string(AuthorityLevel level) noexcept;

/// How much of one authority one hub covers; `hub` unset means no hub of `hub_type` serves it.
struct AuthorityCover {
    AuthorityLevel level = AuthorityLevel::District;
    std::size_t authority = 0; ///< index into RemitInputs::districts or ::upper_tier, by level
    std::string hub_type;
    std::optional<std::size_t> hub;
    double covered_km2 = 0;
    double share = 0;        ///< covered area / authority area
    int schools = 0;         ///< schools assigned to the authority
    int schools_covered = 0; ///< of which under this hub
};

struct Dashboards {
    std::vector<HubDashboard> hubs;         ///< one per hub, in hub order
    /// Districts by code, then upper-tier authorities by code; within one, by hub type, then
    /// share descending.
    std::vector<AuthorityCover> authorities;
};

Dashboards build_dashboards(const RemitInputs& in, const std::vector<SchoolAssignment>& assignments,
                            const RemitOptions& options);

} // namespace coldspot::geo::remits
