#include "coldspot/geo/model/catalogue.hpp"

#include "coldspot/geo/model/layers.hpp"

#include <algorithm>
#include <array>

namespace coldspot::geo::model {

namespace {

constexpr FeatureIds Fid = FeatureIds::Fid, Gss = FeatureIds::GssCode;

constexpr TiledLayer kTiled[] = {
    {layer::schools, "Open schools (id = URN)", Fid},
    {layer::areas, "LSOAs with deprivation and rurality (id = packed LSOA code)", Gss},
    {layer::local_authorities, "Local authority districts (id = packed LAD code)", Gss},
    {layer::upper_tier_authorities, "Counties and unitary authorities (id = packed code)", Gss},
    {layer::hubs, "Hub footprints, one feature per hub area (hub_type tells the kind)", Fid},
    {layer::hub_venues, "Hub lead schools and venues", Fid},
    {layer::roads, "Roads", Fid},
    {layer::towns, "Towns and cities, for place-name labels", Fid, true},
    {layer::area_labels, "Label points of authorities and districts (derived when tiles are built)", Fid, true},
    {layer::school_remits, "Schools with the hubs whose remit covers them", Fid},
    {layer::remit_zones, "Zones by the set of hubs covering them", Fid},
    {layer::remit_gaps, "Places no hub of a type covers", Fid},
    {layer::remit_overlaps, "Places several hubs of a type cover", Fid},
    {layer::remit_slivers, "Small detached district parts left out of the remit zones", Fid},
    {layer::school_access, "Travel time from each school to its hubs", Fid},
    {layer::isochrones, "Travel-time isochrones around hub venues", Fid},
    {layer::coldspots_schools, "Cold-spot statistics per school", Fid},
    {layer::coldspots_areas, "Cold-spot statistics per LSOA (id = packed LSOA code)", Gss},
    {layer::coldspots_hex, "Cold-spot statistics on a hexagonal grid", Fid},
    {layer::targets, "Schools targeted for outreach", Fid},
    {layer::change_areas, "LSOAs: deprivation change between vintages (id = packed LSOA code)", Gss},
    {layer::change_remits, "Districts: hub change between the hub tables", Fid},
    {layer::change_schools, "Schools opened, closed or changed between vintages (id = URN)", Fid},
    {layer::change_coldspots, "Cold-spot change category per LSOA and district", Fid},
    {layer::change_engagement, "Engagement change per upper-tier authority", Fid},
};

constexpr const char* kOverview[] = {layer::upper_tier_authorities, layer::local_authorities, layer::hubs, layer::schools,
                                     layer::area_labels};
constexpr const char* kColdspots[] = {layer::coldspots_areas, layer::coldspots_hex, layer::coldspots_schools};
constexpr const char* kChange[] = {layer::change_areas, layer::change_remits, layer::change_coldspots, layer::change_schools};
constexpr const char* kRemits[] = {layer::remit_zones, layer::remit_gaps, layer::remit_overlaps, layer::hubs};

constexpr CombinedTileset kCombined[] = {
    {"overview", "Authorities, hub footprints and schools", kOverview},
    {"coldspots", "Cold-spot results: areas, hexagons and schools", kColdspots},
    {"change", "Change between vintages: areas, districts, cold spots and schools", kChange},
    {"remits", "Hub remits: zones, gaps, overlaps and hubs", kRemits},
};

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

std::span<const TiledLayer> tiled_layers() { return kTiled; }

std::span<const CombinedTileset> combined_tilesets() { return kCombined; }

bool is_identifier_field(std::string_view field) {
    constexpr std::array<std::string_view, 6> named{school::urn, school::x, school::y, "fid", hub::lead_urn, school::trust_uid};
    if (std::find(named.begin(), named.end(), field) != named.end()) return true;
    return ends_with(field, "_rank") || ends_with(field, "_decile") || ends_with(field, "_id") || ends_with(field, "_uid") ||
           ends_with(field, "_code");
}

bool is_openstreetmap_layer(std::string_view name) { return name == layer::roads; }

} // namespace coldspot::geo::model
