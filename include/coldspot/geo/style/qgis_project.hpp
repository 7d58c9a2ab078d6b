#pragma once
// The QGIS project of a Coldspot server: every result layer the server has, read back from it
// (OGC API - Features for points and small polygon layers, vector tiles for the big polygon
// layers), grouped, styled from the palette, in EPSG:27700, points only at local scales. The
// catalogue of which layer goes where also styles the GeoPackage export (layer_styles).
#include "coldspot/geo/geometry.hpp"
#include "coldspot/geo/style/qgis_style.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace coldspot::geo::style {

enum class LayerAccess { Features, Tiles };

/// One layer of the project: where it comes from, where it sits and how it is drawn.
struct CatalogueLayer {
    std::string id;     ///< stable QGIS layer id ("coldspot_coldspots_hex")
    std::string group;  ///< layer-tree group ("Cold spots")
    std::string title;  ///< layer name in QGIS
    std::string layer;  ///< workspace layer = collection id = single-layer tileset and MVT layer
    LayerAccess access = LayerAccess::Features;
    Symbolisation symbolisation;
    bool visible = true; ///< checked in the layer tree
};

/// The project's groups, top (drawn last, on top) to bottom.
const std::vector<std::string>& catalogue_groups();

/// Every layer a Coldspot project can hold, in layer-tree order within each group. Themes and
/// classes come from `palette` (which must outlive the result). Throws NotFoundError when the
/// palette lacks a theme the catalogue uses.
std::vector<CatalogueLayer> coldspot_catalogue(const Palette& palette);

/// The catalogue entries for a workspace layer (a layer can appear more than once, e.g.
/// coldspots_areas per level); empty when the catalogue does not style it.
std::vector<const CatalogueLayer*> catalogue_entries(const std::vector<CatalogueLayer>& catalogue, const std::string& layer);

struct ProjectSource {
    std::string title = "Coldspot";
    std::string base_url;                     ///< validated absolute http(s) URL, no trailing slash
    std::set<std::string> collections;        ///< OGC API collections the server offers
    std::map<std::string, int> tile_maxzoom;  ///< single-layer tilesets offered, with their max zoom
    std::optional<Box> extent;                ///< of the data, EPSG:27700, for the initial view
};

/// The .qgs document (QGIS 3.22 and later). Catalogue layers whose collection or tileset the
/// server does not offer are left out; a tile layer falls back to its collection when there is no
/// tileset, and the other way round.
std::string qgis_project_xml(const ProjectSource& source, const std::vector<CatalogueLayer>& catalogue);

} // namespace coldspot::geo::style
