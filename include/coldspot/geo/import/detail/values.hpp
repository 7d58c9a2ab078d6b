#pragma once
// Parsing cell text into typed values the way DfE and ONS publish numbers ("24.4%", "£48,747",
// "1,234", "NA").
#include "coldspot/geo/feature_table.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coldspot::geo::import {

/// A number, ignoring surrounding blanks, a trailing '%', a leading '£' and thousands separators.
std::optional<double> parse_number(std::string_view text);
/// A whole number (also "12.0"); nullopt for anything else.
std::optional<std::int64_t> parse_integer(std::string_view text);

/// Converts a cell to a field's type. NULL for the null tokens; `ok` is false when non-null text
/// does not parse as the type (the caller reports it and stores NULL).
Value convert_cell(std::string_view text, FieldType type, const std::vector<std::string>& null_values, bool& ok);

} // namespace coldspot::geo::import
