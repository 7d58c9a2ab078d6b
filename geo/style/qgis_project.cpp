#include "coldspot/geo/style/qgis_project.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"

#include <sstream>
#include <tuple>

namespace coldspot::geo::style {

namespace {

// srsid: QGIS's own id of the CRS (its srs.db, stable across 3.x); with it QGIS reads the authid.
constexpr const char* kCrs27700 = "<spatialrefsys><srsid>2437</srsid><authid>EPSG:27700</authid><description>OSGB36 / British National Grid"
                                  "</description></spatialrefsys>";
constexpr const char* kCrs84 = "<spatialrefsys><srsid>3452</srsid><authid>EPSG:4326</authid><description>WGS 84</description></spatialrefsys>";
constexpr const char* kCrs3857 = "<spatialrefsys><srsid>3857</srsid><authid>EPSG:3857</authid><description>WGS 84 / Pseudo-Mercator"
                                 "</description></spatialrefsys>";

// Scales (1:n) below which a layer shows: points only once a view is local, so a national map is
// not a solid mass of dots.
constexpr double kSchoolsScale = 300000;  // about a district on a screen
constexpr double kVenuesScale = 2500000;  // a region
constexpr double kSchoolLabels = 25000;   // a town
constexpr double kVenueLabels = 150000;

Symbolisation themed(const Palette& p, const char* theme, SymbolGeometry g) {
    Symbolisation s;
    s.geometry = g;
    s.theme = &p.theme(theme);
    return s;
}

/// A single-symbol layer drawn in the colour of one palette class (the class a layer stands for).
Symbolisation one_class(const Palette& p, const char* theme, const nlohmann::json& value, SymbolGeometry g) {
    Symbolisation s;
    s.geometry = g;
    const StyleClass* c = p.theme(theme).find(value);
    if (!c) throw NotFoundError(std::string("the palette theme '") + theme + "' has no class " + value.dump());
    s.single = *c;
    return s;
}

std::string fmt(double v) {
    std::ostringstream s;
    s.precision(12);
    s << v;
    return s.str();
}

std::string datasource(const ProjectSource& src, const CatalogueLayer& l, LayerAccess access) {
    if (access == LayerAccess::Tiles)
        return "type=xyz&url=" + src.base_url + "/tiles/" + l.layer + "/{z}/{x}/{y}.mvt&zmin=0&zmax=" +
               std::to_string(src.tile_maxzoom.at(l.layer));
    // restrictToRequestBBOX: QGIS asks for the features in view only, page by page.
    return "url='" + src.base_url + "' typename='" + l.layer + "' restrictToRequestBBOX='1'";
}

std::string geometry_name(SymbolGeometry g) {
    return g == SymbolGeometry::Point ? "Point" : g == SymbolGeometry::Line ? "Line" : "Polygon";
}

std::string map_layer(const ProjectSource& src, const CatalogueLayer& l, LayerAccess access) {
    const Symbolisation& s = l.symbolisation;
    const std::string ds = xml_escape(datasource(src, l, access));
    const std::string head = "<id>" + xml_escape(l.id) + "</id><datasource>" + ds + "</datasource><layername>" +
                             xml_escape(l.title) + "</layername>";
    const std::string tail = "<blendMode>0</blendMode><featureBlendMode>0</featureBlendMode><layerOpacity>1</layerOpacity>";
    if (access == LayerAccess::Tiles)
        return "<maplayer type=\"vector-tile\" styleCategories=\"AllStyleCategories\" " + layer_flags(s) + ">" + head +
               "<srs>" + kCrs3857 + "</srs><provider>vectortile</provider>" +
               vector_tile_renderer_xml({TileLayerStyle{l.layer, s}}) + tail + "</maplayer>";
    const std::string g = geometry_name(s.geometry);
    const std::string wkb = s.geometry == SymbolGeometry::Point ? "Point" : s.geometry == SymbolGeometry::Line ? "MultiLineString" : "MultiPolygon";
    return "<maplayer type=\"vector\" geometry=\"" + g + "\" wkbType=\"" + wkb +
           "\" styleCategories=\"AllStyleCategories\" " + layer_flags(s) + ">" + head + "<srs>" + kCrs84 +
           "</srs><provider encoding=\"UTF-8\">OAPIF</provider>" + renderer_xml(s) + labeling_xml(s) + tail + "</maplayer>";
}

} // namespace

const std::vector<std::string>& catalogue_groups() {
    static const std::vector<std::string> groups{"Schools and venues", "Remits", "Travel times", "Cold spots", "Deprivation"};
    return groups;
}

std::vector<CatalogueLayer> coldspot_catalogue(const Palette& p) {
    using G = SymbolGeometry;
    std::vector<CatalogueLayer> out;
    auto add = [&](const std::string& id, std::string group, std::string title, std::string layer, LayerAccess access,
                   Symbolisation s, bool visible) {
        out.push_back(CatalogueLayer{"coldspot_" + id, std::move(group), std::move(title), std::move(layer), access,
                                     std::move(s), visible});
    };
    // Schools and venues
    Symbolisation schools = themed(p, "school", G::Point);
    schools.label_field = "name";
    schools.label_max_scale = kSchoolLabels;
    schools.min_scale = kSchoolsScale;
    add(model::layer::coldspots_schools, "Schools and venues", "Schools: in a cold spot or not", model::layer::coldspots_schools,
        LayerAccess::Features, schools, true);
    Symbolisation targets = themed(p, "gi_bin", G::Point);
    targets.label_field = "name";
    targets.label_max_scale = kSchoolLabels;
    targets.min_scale = kSchoolsScale;
    add(model::layer::targets, "Schools and venues", "Targets: schools to reach first, by cold-spot class", model::layer::targets,
        LayerAccess::Features, targets, false);
    Symbolisation plain_schools = one_class(p, "school", 0, G::Point);
    plain_schools.label_field = "name";
    plain_schools.label_max_scale = kSchoolLabels;
    plain_schools.min_scale = kSchoolsScale;
    add(model::layer::schools, "Schools and venues", "Schools", model::layer::schools, LayerAccess::Features, plain_schools, false);
    Symbolisation venues = themed(p, "hub_type", G::Point);
    venues.label_field = "name";
    venues.label_max_scale = kVenueLabels;
    venues.min_scale = kVenuesScale;
    add(model::layer::hub_venues, "Schools and venues", "Hub venues by hub type", model::layer::hub_venues, LayerAccess::Features, venues, true);
    // Remits
    Symbolisation gaps = one_class(p, "remit", "gap", G::Polygon);
    gaps.opacity = 0.6;
    add(model::layer::remit_gaps, "Remits", "Remit gaps: no hub of a type", model::layer::remit_gaps, LayerAccess::Features, gaps, true);
    Symbolisation overlaps = one_class(p, "remit", "overlap", G::Polygon);
    overlaps.opacity = 0.6;
    add(model::layer::remit_overlaps, "Remits", "Remit overlaps: two or more hubs of a type", model::layer::remit_overlaps, LayerAccess::Features,
        overlaps, true);
    Symbolisation hubs = themed(p, "hub_type", G::Polygon);
    hubs.opacity = 0.35;
    add(model::layer::hubs, "Remits", "Hub footprints by hub type", model::layer::hubs, LayerAccess::Features, hubs, false);
    // Travel times
    Symbolisation bands = themed(p, "isochrone", G::Polygon);
    bands.opacity = 0.5;
    add(model::layer::isochrones, "Travel times", "Drive time to the nearest venue", model::layer::isochrones, LayerAccess::Features, bands, false);
    // Cold spots
    Symbolisation hex = themed(p, "gi_bin", G::Polygon);
    hex.opacity = 0.85;
    add(model::layer::coldspots_hex, "Cold spots", "Cold-spot class: hexagons", model::layer::coldspots_hex, LayerAccess::Tiles, hex, true);
    for (const auto& [level, title, visible] :
         {std::tuple{"lsoa", "Cold-spot class: LSOAs", false}, std::tuple{"la", "Cold-spot class: local authorities", false},
          std::tuple{"hub", "Cold-spot class: hub footprints", false}}) {
        Symbolisation areas = themed(p, "gi_bin", G::Polygon);
        areas.opacity = 0.85;
        areas.filter_field = "level";
        areas.filter_value = level;
        add(std::string(model::layer::coldspots_areas) + "_" + level, "Cold spots", title, model::layer::coldspots_areas, LayerAccess::Tiles, areas,
            visible);
    }
    // Deprivation
    add(model::layer::areas, "Deprivation", "Deprivation decile (IMD) by LSOA", model::layer::areas, LayerAccess::Tiles,
        themed(p, "imd_decile", G::Polygon), false);
    return out;
}

std::vector<const CatalogueLayer*> catalogue_entries(const std::vector<CatalogueLayer>& catalogue, const std::string& layer) {
    std::vector<const CatalogueLayer*> out;
    for (const auto& l : catalogue)
        if (l.layer == layer) out.push_back(&l);
    return out;
}

std::string qgis_project_xml(const ProjectSource& src, const std::vector<CatalogueLayer>& catalogue) {
    std::string tree, layers;
    for (const auto& group : catalogue_groups()) {
        std::string members;
        for (const auto& l : catalogue) {
            if (l.group != group) continue;
            const bool tiles = src.tile_maxzoom.count(l.layer) != 0, features = src.collections.count(l.layer) != 0;
            LayerAccess access = l.access;
            if (access == LayerAccess::Tiles && !tiles) access = LayerAccess::Features;
            if (access == LayerAccess::Features && !features) continue;
            members += "<layer-tree-layer id=\"" + xml_escape(l.id) + "\" name=\"" + xml_escape(l.title) + "\" source=\"" +
                       xml_escape(datasource(src, l, access)) + "\" providerKey=\"" +
                       (access == LayerAccess::Tiles ? "vectortile" : "OAPIF") + "\" checked=\"" +
                       (l.visible ? "Qt::Checked" : "Qt::Unchecked") + "\" expanded=\"1\"><customproperties/></layer-tree-layer>";
            layers += map_layer(src, l, access);
        }
        if (members.empty()) continue;
        tree += "<layer-tree-group name=\"" + xml_escape(group) + "\" checked=\"Qt::Checked\" expanded=\"1\"><customproperties/>" +
                members + "</layer-tree-group>";
    }
    std::string canvas;
    if (src.extent) {
        const Box& b = *src.extent;
        canvas = "<mapcanvas name=\"theMapCanvas\" annotationsVisible=\"1\"><units>meters</units><extent><xmin>" +
                 fmt(b.min_corner().x()) + "</xmin><ymin>" + fmt(b.min_corner().y()) + "</ymin><xmax>" + fmt(b.max_corner().x()) +
                 "</xmax><ymax>" + fmt(b.max_corner().y()) + "</ymax></extent><rotation>0</rotation><destinationsrs>" + kCrs27700 +
                 "</destinationsrs><rendermaptile>0</rendermaptile></mapcanvas>";
    }
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis projectname=\"" + xml_escape(src.title) +
           "\" version=\"3.22.0-Białowieża\"><homePath path=\"\"/><title>" + xml_escape(src.title) + "</title><projectCrs>" +
           kCrs27700 + "</projectCrs><layer-tree-group><customproperties/>" + tree + "</layer-tree-group>" + canvas +
           "<projectlayers>" + layers + "</projectlayers><properties><SpatialRefSys><ProjectionsEnabled type=\"int\">1"
           "</ProjectionsEnabled><ProjectCrs type=\"QString\">EPSG:27700</ProjectCrs></SpatialRefSys><Measurement><DistanceUnits type=\"QString\">meters"
           "</DistanceUnits><AreaUnits type=\"QString\">m2</AreaUnits></Measurement></properties></qgis>\n";
}

} // namespace coldspot::geo::style
