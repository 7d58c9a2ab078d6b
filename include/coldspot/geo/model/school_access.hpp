#pragma once
// The `school_access` result layer as a typed record, with its one adapter each way: the layer's
// schema and a row's feature from the record, and records from the stored layer (docs/routing.md).
#include "coldspot/geo/alias.hpp"
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/geometry.hpp"

#include <optional>
#include <string>
#include <vector>

namespace coldspot::geo::model {

/// One school's drive to a venue of one hub type: the nearest venue of any hub (`role` nearest),
/// or the nearest venue of a hub whose remit holds the school (`own_hub`).
struct SchoolAccess {
    SchoolUrn urn{0};
    std::string hub_type;
    std::string role;                     ///< `nearest` or `own_hub`
    std::optional<std::string> hub_id;    ///< the venue's hub; none when no venue was found
    std::optional<std::string> venue;     ///< the venue's name
    std::optional<std::int64_t> venue_fid;
    std::optional<Minutes> minutes;
    std::optional<Metres> metres;
    std::string method;                   ///< an access_method value
    std::optional<Metres> snap_m;         ///< school to its road snap point
    std::string snap_flag;                ///< `ok`, `far` or `no_road`
    std::optional<Minutes> nearest_minutes;   ///< own_hub rows: the nearest venue's time
    std::optional<bool> own_hub_much_farther; ///< own_hub rows; none when not comparable
    Point location;                       ///< the school's
};

/// Values of `SchoolAccess::role`.
namespace access_role {
inline constexpr char nearest[] = "nearest";
inline constexpr char own_hub[] = "own_hub";
} // namespace access_role

/// Values of `SchoolAccess::method`.
namespace access_method {
inline constexpr char road[] = "road";
inline constexpr char straight_line[] = "straight_line"; ///< an estimate: straight line x detour at a set speed
inline constexpr char none[] = "none";                   ///< no venue of the type found
} // namespace access_method

/// The empty `school_access` layer: name, description, geometry type and fields.
FeatureTable school_access_layer();

/// The record as a row of that layer.
Feature to_feature(const SchoolAccess& row, std::int64_t fid);

/// Records from a stored `school_access` layer. urn, hub_type, role, minutes and method are
/// required fields (MissingColumnError); a NULL urn is an InputError naming the row.
std::vector<SchoolAccess> read_school_access(const FeatureTable& t, const std::string& source);

} // namespace coldspot::geo::model
