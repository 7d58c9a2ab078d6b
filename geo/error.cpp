#include "coldspot/geo/error.hpp"

namespace coldspot {

std::string InputLocation::to_string() const {
    std::string s = file.empty() ? std::string("<input>") : file;
    if (line > 0) s += ":" + std::to_string(line);
    if (!field.empty()) s += ": field '" + field + "'";
    return s;
}

InputError::InputError(InputLocation where, const std::string& reason)
    : Error(where.to_string() + ": " + reason), where_(std::move(where)), reason_(reason) {}

} // namespace coldspot
