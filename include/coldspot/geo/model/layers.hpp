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

/// The input layers, in docs/workspace.md's order.
std::span<const LayerSpec> input_layers();
/// The result layers the analysis steps add (docs/workspace.md, "Result layers").
std::span<const char* const> result_layers();
/// The spec of a layer of input_layers(); throws NotFoundError for another name.
const LayerSpec& input_layer(std::string_view name);

/// A layer's fields as a FeatureTable schema, in order.
std::vector<Field> table_fields(const LayerSpec& layer);

} // namespace coldspot::geo::model
