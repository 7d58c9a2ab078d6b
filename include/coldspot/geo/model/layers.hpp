#pragma once
// The workspace model: every layer's name, said once, and (so far for `schools`) each field with its
// type, unit and meaning. Code names layers and fields through these constants rather than string
// literals; docs/workspace.md is checked against this file (tests/geo/test_model.cpp).
//
// The constants are character arrays, so they go wherever a literal did (std::string, string_view,
// comparisons) without a conversion.
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/geometry.hpp"

#include <span>
#include <string_view>
#include <vector>

namespace coldspot::geo::model {

/// Layer names.
namespace layer {
// Inputs (coldspot import, coldspot demo).
inline constexpr char schools[] = "schools";
inline constexpr char areas[] = "areas";
inline constexpr char local_authorities[] = "local_authorities";
inline constexpr char upper_tier_authorities[] = "upper_tier_authorities";
inline constexpr char hubs[] = "hubs";
inline constexpr char hub_districts[] = "hub_districts";
inline constexpr char hub_venues[] = "hub_venues";
inline constexpr char roads[] = "roads";
inline constexpr char provenance[] = "provenance";
inline constexpr char import_report[] = "import_report";
inline constexpr char towns[] = "towns"; ///< place names for map labels (the demo's own layer)
/// Derived for tiles only (never stored): one label point per authority and district
/// (geo/style/area_labels.cpp), so a name is drawn once, not once per tile the area crosses.
inline constexpr char area_labels[] = "area_labels";
// Results (coldspot remits, access, coldspots, target).
inline constexpr char school_remits[] = "school_remits";
inline constexpr char remit_zones[] = "remit_zones";
inline constexpr char remit_gaps[] = "remit_gaps";
inline constexpr char remit_overlaps[] = "remit_overlaps";
inline constexpr char hub_dashboard[] = "hub_dashboard";
inline constexpr char la_dashboard[] = "la_dashboard";
inline constexpr char school_access[] = "school_access";
inline constexpr char isochrones[] = "isochrones";
inline constexpr char coldspots_schools[] = "coldspots_schools";
inline constexpr char coldspots_areas[] = "coldspots_areas";
inline constexpr char coldspots_hex[] = "coldspots_hex";
inline constexpr char targets[] = "targets";
inline constexpr char analysis_runs[] = "analysis_runs";
inline constexpr char remit_slivers[] = "remit_slivers";
// Change over time (coldspot change).
inline constexpr char change_areas[] = "change_areas";
inline constexpr char change_remits[] = "change_remits";
inline constexpr char change_schools[] = "change_schools";
inline constexpr char change_coldspots[] = "change_coldspots";
inline constexpr char change_engagement[] = "change_engagement";
} // namespace layer

/// One field of a layer: its name, storage type, whether inputs may leave it NULL, its unit (empty
/// when it has none) and what it means.
struct FieldSpec {
    const char* name;
    FieldType type;
    bool optional;
    const char* unit;
    const char* description;
};

/// One layer: its name, geometry (None for an attribute table) and the fields every workspace has.
struct LayerSpec {
    const char* name;
    GeometryType geometry;
    const char* description;
    std::span<const FieldSpec> fields;
};

/// Fields of the `schools` layer (fid = URN). Imports add one column per mapped field of each
/// per-school table of the manifest after these.
namespace school {
inline constexpr char urn[] = "urn";
inline constexpr char name[] = "name";
inline constexpr char phase[] = "phase";
inline constexpr char status[] = "status";
inline constexpr char type[] = "type";
inline constexpr char la_code[] = "la_code";
inline constexpr char la_name[] = "la_name";
inline constexpr char lad_code[] = "lad_code";
inline constexpr char lsoa_code[] = "lsoa_code";
inline constexpr char postcode[] = "postcode";
inline constexpr char pupils[] = "pupils";
inline constexpr char fsm_percent[] = "fsm_percent";
inline constexpr char trust_name[] = "trust_name";
inline constexpr char trust_uid[] = "trust_uid";
inline constexpr char x[] = "x";
inline constexpr char y[] = "y";
inline constexpr char npq_pp50[] = "npq_pp50";
} // namespace school

/// Fields of the `areas` layer (LSOAs).
namespace area {
inline constexpr char code[] = "code"; ///< LSOA code
inline constexpr char name[] = "name";
using school::lad_code; ///< the district (LAD) code, as in schools
inline constexpr char imd_score[] = "imd_score";
inline constexpr char imd_rank[] = "imd_rank";
inline constexpr char imd_decile[] = "imd_decile";
inline constexpr char ruc_code[] = "ruc_code";
inline constexpr char ruc_class[] = "ruc_class";
inline constexpr char rural[] = "rural";
inline constexpr char area_km2[] = "area_km2";
} // namespace area

/// Fields of the `local_authorities` (districts) and `upper_tier_authorities` (counties and
/// unitaries) layers; `region` is the districts' only.
namespace authority {
inline constexpr char code[] = "code"; ///< GSS code
inline constexpr char name[] = "name";
inline constexpr char region[] = "region";
using area::area_km2;
} // namespace authority

/// Fields of the `hubs` layer. `hub_id`, `hub_type` and `lead_urn` mean the same in every layer that
/// has them (hub_districts, hub_venues and the result layers), which use these constants.
namespace hub {
inline constexpr char hub_id[] = "hub_id";     ///< <type-slug>:<area code or name>
inline constexpr char hub_type[] = "hub_type"; ///< free text from the manifest
inline constexpr char name[] = "name";
inline constexpr char area_code[] = "area_code";
inline constexpr char lead_urn[] = "lead_urn"; ///< the lead school's URN
inline constexpr char districts[] = "districts";
inline constexpr char partial_districts[] = "partial_districts";
using area::area_km2;
} // namespace hub

/// Fields of the `hub_districts` table.
namespace hub_district {
using hub::hub_id;
using hub::hub_type;
using school::lad_code;
inline constexpr char part[] = "part";
} // namespace hub_district

/// Fields of the `hub_venues` layer.
namespace venue {
using hub::hub_id;
using hub::hub_type;
inline constexpr char name[] = "name";
using school::urn; ///< the venue's URN when it is a school
inline constexpr char kind[] = "kind";
} // namespace venue

/// Fields of the `roads` layer.
namespace road {
inline constexpr char highway[] = "highway";
inline constexpr char oneway[] = "oneway";
inline constexpr char maxspeed_kph[] = "maxspeed_kph";
inline constexpr char length_m[] = "length_m";
} // namespace road

/// Fields of the `provenance` table.
namespace source {
inline constexpr char dataset[] = "dataset";
inline constexpr char path[] = "path";
inline constexpr char size_bytes[] = "size_bytes";
inline constexpr char sha256[] = "sha256";
inline constexpr char rows_read[] = "rows_read";
inline constexpr char rows_kept[] = "rows_kept";
inline constexpr char rows_rejected[] = "rows_rejected";
inline constexpr char vintage[] = "vintage";
inline constexpr char imported_at[] = "imported_at";
inline constexpr char coldspot_version[] = "coldspot_version";
} // namespace source

/// Fields of the `import_report` table.
namespace report {
using source::dataset;
inline constexpr char file[] = "file";
inline constexpr char line[] = "line";
inline constexpr char key[] = "key";
inline constexpr char field[] = "field";
inline constexpr char reason[] = "reason";
inline constexpr char action[] = "action";
} // namespace report

// Result layers: the fields that code outside the step writing them names (the steps declare the
// full schemas; docs/workspace.md describes them).

/// Fields of `school_remits` (one row per school and hub whose remit covers it).
namespace remit {
using school::urn;
using hub::hub_id;
using hub::hub_type;
inline constexpr char hub_name[] = "hub_name";
using hub::lead_urn;
/// Columns the remits step adds to `schools` in the workspace it writes.
inline constexpr char remit_lsoa_code[] = "remit_lsoa_code";
inline constexpr char remit_lad_code[] = "remit_lad_code";
inline constexpr char remit_utla_code[] = "remit_utla_code";
inline constexpr char trust_non_local[] = "trust_non_local";
} // namespace remit

/// Fields of `hub_dashboard` and `la_dashboard`.
namespace dashboard {
using hub::hub_id;
using hub::hub_type;
using school::la_code;
using school::la_name;
inline constexpr char schools[] = "schools"; ///< number of schools
} // namespace dashboard

/// Fields of `school_access` (one row per school and hub type, and per hub of the school's remits).
namespace access {
using school::urn;
using hub::hub_type;
inline constexpr char role[] = "role";
using hub::hub_id;
inline constexpr char venue[] = "venue";
inline constexpr char venue_fid[] = "venue_fid";
inline constexpr char minutes[] = "minutes";
inline constexpr char metres[] = "metres";
inline constexpr char method[] = "method";
inline constexpr char snap_m[] = "snap_m";
inline constexpr char snap_flag[] = "snap_flag";
inline constexpr char nearest_minutes[] = "nearest_minutes";
inline constexpr char own_hub_much_farther[] = "own_hub_much_farther";
} // namespace access

/// Fields of `coldspots_schools` and `targets`.
namespace coldspot {
using school::urn;
using school::name; ///< targets only: the school's name
using school::la_code;
using school::lad_code;
using school::lsoa_code;
inline constexpr char coldspot_index[] = "coldspot_index";
inline constexpr char cold_spot[] = "cold_spot";
inline constexpr char gi_bin[] = "gi_bin";
inline constexpr char rank[] = "rank"; ///< targets only
inline constexpr char hub_ids[] = "hub_ids"; ///< targets only: ;-separated
inline constexpr char reasons[] = "reasons"; ///< targets only
} // namespace coldspot

/// Fields of `coldspots_areas` and `coldspots_hex` that code names.
namespace coldspot_area {
using dashboard::schools;
inline constexpr char mean_index[] = "mean_index";
inline constexpr char max_index[] = "max_index";
} // namespace coldspot_area

/// Fields of `analysis_runs` (one row per run of an analysis step).
namespace run {
inline constexpr char run_id[] = "run_id";
inline constexpr char created_at[] = "created_at";
using source::coldspot_version;
inline constexpr char parameters[] = "parameters";
using dashboard::schools; ///< schools the run read
inline constexpr char scored[] = "scored";
inline constexpr char cold_spot_schools[] = "cold_spot_schools";
inline constexpr char notes[] = "notes";
} // namespace run

/// The input layers, in docs/workspace.md's order.
std::span<const LayerSpec> input_layers();
/// The result layers the analysis steps add (docs/workspace.md, "Result layers").
std::span<const char* const> result_layers();
/// The spec of a layer of input_layers(); throws NotFoundError for another name.
const LayerSpec& input_layer(std::string_view name);

/// A layer's fields as a FeatureTable schema, in order.
std::vector<Field> table_fields(const LayerSpec& layer);

} // namespace coldspot::geo::model
