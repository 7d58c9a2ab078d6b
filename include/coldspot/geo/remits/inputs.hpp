#pragma once
// The workspace layers a remit analysis reads, as typed records (see docs/workspace.md).
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/geometry.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace coldspot::geo {
class Workspace;
}

namespace coldspot::geo::remits {

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

/// A polygon with a code: an LSOA, a district or an upper-tier authority.
struct Area {
    std::string code;
    std::string name;
    std::string region;                ///< districts only, may be empty
    std::optional<int> imd_decile;     ///< LSOAs only
    std::optional<bool> rural;         ///< LSOAs only
    MultiPolygon geometry;
};

struct Hub {
    std::string id;   ///< `teaching-school-hub:EE1`
    std::string type; ///< `teaching school hub`
    std::string name;
    std::optional<std::int64_t> lead_urn;
    MultiPolygon geometry;
};

struct Venue {
    std::string hub_id;
    std::string name;
    std::optional<std::int64_t> urn;
    std::string kind; ///< `lead school` or `venue`
    Point location;
};

struct RemitInputs {
    std::vector<School> schools;
    std::vector<Area> lsoas;
    std::vector<Area> districts;
    std::vector<Area> upper_tier;
    std::vector<Hub> hubs;
    std::vector<Venue> venues;
};

/// Readers from workspace layers. `source` names the workspace in error messages. A missing
/// required field throws MissingColumnError; a row whose geometry has the wrong type, or whose
/// required value is NULL, throws InputError naming the layer, fid and field. Schools without a
/// location are skipped (the importer keeps ungeocoded schools with an empty geometry).
std::vector<School> read_schools(const FeatureTable& t, const std::string& source);
std::vector<Area> read_areas(const FeatureTable& t, const std::string& source);
std::vector<Hub> read_hubs(const FeatureTable& t, const std::string& source);
std::vector<Venue> read_venues(const FeatureTable& t, const std::string& source);

/// Reads every layer the analysis needs; throws WorkspaceError naming a missing layer.
/// `hub_venues` is optional.
RemitInputs read_remit_inputs(const Workspace& ws);

/// `teaching school hub` -> `teaching_school_hub`: a hub type as a column-name suffix.
std::string type_slug(const std::string& hub_type);

} // namespace coldspot::geo::remits
