#pragma once
// The per-hub-type travel-time fields of `coldspots_schools`: one field `minutes_<type>` for every hub
// type of the workspace, so their names come from the data. Written by the analysis
// (geo/coldspots/analysis.cpp) and read by targeting (geo/coldspots/targets.cpp): one spelling for both.
#include <cctype>
#include <string>
#include <string_view>

namespace coldspot::geo::model {

/// "Maths Hub" -> "minutes_maths_hub": every character other than a letter or digit becomes '_',
/// letters lower case.
inline std::string minutes_field(std::string_view hub_type) {
    std::string out = "minutes_";
    for (unsigned char c : hub_type) out += std::isalnum(c) ? static_cast<char>(std::tolower(c)) : '_';
    return out;
}

} // namespace coldspot::geo::model
