#include "coldspot/geo/import/detail/values.hpp"

#include <charconv>
#include <cmath>

namespace coldspot::geo::import {

namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}
} // namespace

std::optional<double> parse_number(std::string_view text) {
    text = trim(text);
    if (text.rfind("\xC2\xA3", 0) == 0) text.remove_prefix(2); // '£' in UTF-8
    if (!text.empty() && text.back() == '%') text.remove_suffix(1);
    if (text.empty()) return std::nullopt;
    std::string clean;
    clean.reserve(text.size());
    for (char c : text)
        if (c != ',') clean += c;
    double v = 0;
    const char* end = clean.data() + clean.size();
    auto [p, ec] = std::from_chars(clean.data(), end, v);
    if (ec != std::errc() || p != end || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
    const auto v = parse_number(text);
    if (!v || std::floor(*v) != *v || std::fabs(*v) > 9.0e15) return std::nullopt;
    return static_cast<std::int64_t>(*v);
}

Value convert_cell(std::string_view text, FieldType type, const std::vector<std::string>& null_values, bool& ok) {
    ok = true;
    const std::string_view t = trim(text);
    for (const auto& n : null_values)
        if (t == n) return Value{};
    switch (type) {
    case FieldType::String: return Value{std::string(t)};
    case FieldType::Integer:
        if (auto v = parse_integer(t)) return Value{*v};
        break;
    case FieldType::Real:
        if (auto v = parse_number(t)) return Value{*v};
        break;
    }
    ok = false;
    return Value{};
}

} // namespace coldspot::geo::import
