#include "coldspot/geo/routing/speed_profile.hpp"

#include "coldspot/geo/error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

namespace coldspot::geo::routing {

namespace {

constexpr double kMph = 1.609344;

std::string lower_trimmed(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::optional<double> parse_one_maxspeed(std::string_view raw) {
    std::string s = lower_trimmed(raw);
    if (s.empty()) return std::nullopt;
    // Country-implicit limits (UK national speed limits, in mph).
    for (std::string_view prefix : {"gb:", "uk:"}) {
        if (s.starts_with(prefix)) {
            const std::string rest = s.substr(prefix.size());
            if (rest == "nsl_single" || rest == "national") return 60 * kMph;
            if (rest == "nsl_dual" || rest == "motorway") return 70 * kMph;
            if (rest.starts_with("zone")) return parse_one_maxspeed(rest.substr(4) + " mph");
            return std::nullopt;
        }
    }
    double value = 0;
    const char* begin = s.data();
    const char* end = s.data() + s.size();
    auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc() || ptr == begin || !(value > 0) || value > 300) return std::nullopt;
    std::string unit = lower_trimmed(std::string_view(ptr, static_cast<std::size_t>(end - ptr)));
    if (unit.empty() || unit == "km/h" || unit == "kmh" || unit == "kph") return value;
    if (unit == "mph") return value * kMph;
    if (unit == "knots") return value * 1.852;
    return std::nullopt;
}

double require_positive(const nlohmann::json& j, const std::string& origin, const std::string& field) {
    if (!j.is_number() || !(j.get<double>() > 0))
        throw ManifestError({origin, 0, field}, "must be a positive number");
    return j.get<double>();
}

} // namespace

double SpeedProfile::speed_kph(std::string_view road_class, std::optional<double> maxspeed_kph) const {
    auto it = class_kph.find(road_class);
    if (it == class_kph.end())
        throw InvalidArgumentError("road class '" + std::string(road_class) + "' is not routable in profile " + name);
    if (maxspeed_kph && *maxspeed_kph > 0) return *maxspeed_kph * maxspeed_factor;
    return it->second;
}

SpeedProfile default_speed_profile() {
    SpeedProfile p;
    p.class_kph = {{"motorway", 90},       {"motorway_link", 45}, {"trunk", 85},         {"trunk_link", 40},
                   {"primary", 65},        {"primary_link", 30},  {"secondary", 55},     {"secondary_link", 25},
                   {"tertiary", 40},       {"tertiary_link", 20}, {"unclassified", 25},  {"residential", 25},
                   {"road", 25},           {"living_street", 10}, {"service", 15},       {"Motorway", 90},
                   {"A Road", 65},         {"B Road", 55},        {"Classified Unnumbered", 40},
                   {"Unclassified", 25},   {"Not Classified", 20}, {"Unknown", 20}};
    p.maxspeed_factor = 0.8;
    p.circuity_factor = 1.3;
    p.fallback_kph = 40;
    return p;
}

SpeedProfile parse_speed_profile(const std::string& json_text, const std::string& origin) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(json_text);
    } catch (const nlohmann::json::parse_error& e) {
        throw FormatError({origin, 0, ""}, std::string("not valid JSON: ") + e.what());
    }
    if (!j.is_object()) throw FormatError({origin, 0, ""}, "a speed profile must be a JSON object");
    SpeedProfile p;
    if (j.contains("name")) {
        if (!j["name"].is_string()) throw ManifestError({origin, 0, "name"}, "must be a string");
        p.name = j["name"].get<std::string>();
    }
    if (!j.contains("class_kph") || !j["class_kph"].is_object() || j["class_kph"].empty())
        throw ManifestError({origin, 0, "class_kph"}, "must be a non-empty object of road class -> km/h");
    for (const auto& [cls, v] : j["class_kph"].items()) p.class_kph[cls] = require_positive(v, origin, "class_kph." + cls);
    if (j.contains("maxspeed_factor")) p.maxspeed_factor = require_positive(j["maxspeed_factor"], origin, "maxspeed_factor");
    if (j.contains("fallback")) {
        const auto& f = j["fallback"];
        if (!f.is_object()) throw ManifestError({origin, 0, "fallback"}, "must be an object");
        if (f.contains("circuity_factor")) {
            p.circuity_factor = require_positive(f["circuity_factor"], origin, "fallback.circuity_factor");
            if (p.circuity_factor < 1)
                throw ManifestError({origin, 0, "fallback.circuity_factor"}, "must be at least 1 (roads are never shorter than a straight line)");
        }
        if (f.contains("kph")) p.fallback_kph = require_positive(f["kph"], origin, "fallback.kph");
    }
    return p;
}

SpeedProfile load_speed_profile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw FileNotFoundError({path.string(), 0, ""}, "cannot open speed profile");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_speed_profile(ss.str(), path.string());
}

std::string speed_profile_json(const SpeedProfile& profile) {
    nlohmann::json classes = nlohmann::json::object();
    for (const auto& [cls, kph] : profile.class_kph) classes[cls] = kph;
    return nlohmann::json{{"name", profile.name},
                          {"class_kph", std::move(classes)},
                          {"maxspeed_factor", profile.maxspeed_factor},
                          {"fallback", {{"circuity_factor", profile.circuity_factor}, {"kph", profile.fallback_kph}}}}
        .dump();
}

std::string profile_fingerprint(const SpeedProfile& profile) {
    std::ostringstream os;
    os.precision(17);
    os << profile.name << '|' << profile.maxspeed_factor;
    for (const auto& [cls, kph] : profile.class_kph) os << '|' << cls << '=' << kph;
    return os.str();
}

std::optional<double> parse_maxspeed(std::string_view text) {
    std::optional<double> lowest;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find(';', start);
        if (end == std::string_view::npos) end = text.size();
        if (auto v = parse_one_maxspeed(text.substr(start, end - start)); v && (!lowest || *v < *lowest)) lowest = v;
        start = end + 1;
    }
    return lowest;
}

std::string_view primary_class(std::string_view highway) {
    const auto semi = highway.find(';');
    std::string_view first = semi == std::string_view::npos ? highway : highway.substr(0, semi);
    while (!first.empty() && first.back() == ' ') first.remove_suffix(1);
    while (!first.empty() && first.front() == ' ') first.remove_prefix(1);
    return first;
}

} // namespace coldspot::geo::routing
