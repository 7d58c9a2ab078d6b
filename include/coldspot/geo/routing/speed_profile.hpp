#pragma once
// The speed profile: which road classes a car may use and how fast it goes on each when the road
// has no usable maxspeed tag, plus the straight-line fallback used where no road reaches a school.
// Loaded from an editable JSON file (data/profiles/car.json).
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace coldspot::geo::routing {

struct SpeedProfile {
    std::string name = "car";
    /// Road class (OSM `highway` value or OS Open Roads `road_classification`) -> free-flow km/h.
    /// A class absent here is not routable.
    std::map<std::string, double, std::less<>> class_kph;
    /// Fraction of a tagged maxspeed actually driven (1 = drive at the limit).
    double maxspeed_factor = 1.0;
    /// Straight-line fallback: network distance ~ circuity x crow-fly distance, driven at this speed.
    double circuity_factor = 1.3;
    double fallback_kph = 40.0;

    bool routable(std::string_view road_class) const { return class_kph.find(road_class) != class_kph.end(); }
    /// km/h for a road: its maxspeed (x maxspeed_factor) when known, else the class default.
    /// Throws InvalidArgumentError for a class that is not routable.
    double speed_kph(std::string_view road_class, std::optional<double> maxspeed_kph) const;
};

/// The built-in car profile (the same values as data/profiles/car.json).
SpeedProfile default_speed_profile();
/// Throws FileNotFoundError, FormatError (not JSON) or ManifestError (bad field) naming the file.
SpeedProfile load_speed_profile(const std::filesystem::path& path);
SpeedProfile parse_speed_profile(const std::string& json_text, const std::string& origin);
/// The profile as JSON text in the file format parse_speed_profile reads (round-trips exactly),
/// so a run can store the profile itself rather than a path to a file that may change.
std::string speed_profile_json(const SpeedProfile& profile);
/// A stable fingerprint of the profile's contents, part of the graph cache key.
std::string profile_fingerprint(const SpeedProfile& profile);

/// Parses an OSM `maxspeed` value into km/h: "50", "30 mph", "20mph", "50 km/h", "GB:nsl_single"
/// (60 mph), "GB:nsl_dual" and "GB:motorway" (70 mph), "UK:..." likewise; "a;b" lists take the
/// lowest value. Returns nullopt for "none", "signals", "variable", "walk" and anything unparsable.
std::optional<double> parse_maxspeed(std::string_view text);

/// The first class of an OSM list value ("unclassified;residential" -> "unclassified").
std::string_view primary_class(std::string_view highway);

} // namespace coldspot::geo::routing
