#pragma once
// Small value helpers the cold-spot layers share.
#include "coldspot/geo/feature_table.hpp"

#include <cmath>
#include <string>
#include <vector>

namespace coldspot::geo::coldspots::detail {

/// NULL for NaN and infinities (no input, no statistic), else the number.
inline Value real_or_null(double v) { return std::isfinite(v) ? Value(v) : Value(); }

inline std::string join(const std::vector<std::string>& parts, const char* sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
    return out;
}

} // namespace coldspot::geo::coldspots::detail
