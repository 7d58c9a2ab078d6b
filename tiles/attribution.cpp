// The licence HTML (TileJSON `attribution`) of a tileset that names none: every tileset carries
// public sector information (OGL v3.0); layers from OpenStreetMap add the ODbL notice (the model
// says which those are).
#include "tileset_impl.hpp"

#include "coldspot/geo/model/catalogue.hpp"

namespace coldspot::tiles {

namespace {

constexpr const char* kOglAttribution =
    "Contains public sector information licensed under the "
    "<a href=\"https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/\">Open Government "
    "Licence v3.0</a>. Contains OS data &copy; Crown copyright and database right.";
constexpr const char* kOdblAttribution =
    "&copy; <a href=\"https://www.openstreetmap.org/copyright\">OpenStreetMap</a> contributors (ODbL)";

} // namespace

std::string default_attribution(const TilesetSpec& spec) {
    std::string attribution = kOglAttribution;
    for (const auto& l : spec.layers)
        if (geo::model::is_openstreetmap_layer(l.source)) attribution += std::string(" ") + kOdblAttribution;
    return attribution;
}

} // namespace coldspot::tiles
