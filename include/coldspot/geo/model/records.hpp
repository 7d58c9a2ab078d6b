#pragma once
// Typed records for the workspace's input layers, and their readers: the one adapter from each
// layer's feature table to its record (see docs/workspace.md for the layers).
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/geometry.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace coldspot::geo::model {

/// A row of `schools` with a location.
struct School {
    std::int64_t urn = 0;
    std::string name;
    std::string phase;
    std::optional<std::int64_t> pupils;
    std::optional<std::int64_t> trust_uid;
    std::string trust_name;
    std::string la_name; ///< as the source gives it
    Point location;
};

/// A polygon with a code: a row of `areas` (an LSOA), `local_authorities` or `upper_tier_authorities`.
struct Area {
    std::string code;
    std::string name;
    std::string region;            ///< districts only, may be empty
    std::optional<int> imd_decile; ///< LSOAs only
    std::optional<bool> rural;     ///< LSOAs only
    MultiPolygon geometry;
};

/// A row of `hubs`: one hub and its footprint.
struct Hub {
    std::string id;   ///< `teaching-school-hub:EE1`
    std::string type; ///< `teaching school hub`
    std::string name;
    std::optional<std::int64_t> lead_urn;
    MultiPolygon geometry;
};

/// A row of `hub_venues` with a location.
struct Venue {
    std::string hub_id;
    std::string name;
    std::optional<std::int64_t> urn;
    std::string kind; ///< `lead school` or `venue`
    Point location;
    std::int64_t fid = 0; ///< the row's fid, which `school_access.venue_fid` refers to
    std::string hub_type{}; ///< empty when the layer has no hub_type field
};

/// Readers from workspace layers. `source` names the workspace in error messages. A missing
/// required field throws MissingColumnError; a row whose geometry has the wrong type, or whose
/// required value is NULL, throws InputError naming the layer, fid and field. Schools and venues
/// without a location are skipped (the importer keeps ungeocoded schools with an empty geometry).
std::vector<School> read_schools(const FeatureTable& t, const std::string& source);
std::vector<Area> read_areas(const FeatureTable& t, const std::string& source);
std::vector<Hub> read_hubs(const FeatureTable& t, const std::string& source);
std::vector<Venue> read_venues(const FeatureTable& t, const std::string& source);

} // namespace coldspot::geo::model
