#pragma once
// Which districts a fetch is for: a region, some local authorities (district or upper-tier, by
// name or ONS code), or all of England, resolved against the ONS lookups. Names are matched
// without regard to case, punctuation or "&"/"and"; a name that matches nothing throws
// UnknownAreaError with the nearest known names.
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace coldspot::geo::fetch {

struct District {
    std::string code, name;           ///< LAD (ONS), e.g. E07000098 Hertsmere
    std::string region;               ///< e.g. East of England
    std::string upper_tier_code, upper_tier_name; ///< e.g. E10000015 Hertfordshire (itself for unitaries)
};

struct AreaLookup {
    std::vector<District> districts;
    std::vector<std::string> regions() const;
};

struct Selection {
    std::string label;                 ///< "East of England", "Hertsmere, Rutland", "England"
    bool england = false;
    std::set<std::string> districts;   ///< LAD codes
    std::set<std::string> upper_tier;  ///< upper-tier codes of those districts
    std::set<std::string> regions;
};

Selection select_region(const AreaLookup& lookup, const std::string& name);
/// Each name or code may be a district or an upper-tier authority (all its districts).
Selection select_authorities(const AreaLookup& lookup, const std::vector<std::string>& names);
Selection select_england(const AreaLookup& lookup);

/// Lower-case, punctuation dropped, "&" -> "and", single spaces: the form names are compared in.
std::string normalise_name(const std::string& name);
/// Up to `n` of `candidates` nearest to `name` (edit distance on normalised names; ties keep order).
std::vector<std::string> nearest_names(const std::string& name, const std::vector<std::string>& candidates, std::size_t n = 3);

} // namespace coldspot::geo::fetch
