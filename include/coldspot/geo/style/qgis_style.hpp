#pragma once
// QGIS styles made from the palette: the renderer and labelling XML of a QGIS project layer, the
// same as a QML document (what QGIS stores in a GeoPackage's layer_styles), an SLD 1.1 document (as
// QGIS exports one), and the basic renderer of a vector tile layer. QGIS 3.22 reads every one.
#include "coldspot/geo/style/palette.hpp"

#include <string>
#include <vector>

namespace coldspot::geo::style {

enum class SymbolGeometry { Point, Line, Polygon };

/// How one layer is drawn: one symbol per palette class (categorised on the theme's field), or a
/// single symbol; optionally restricted to features whose `filter_field` equals `filter_value`
/// ("level" = 'lsoa'), which makes it a rule-based renderer.
struct Symbolisation {
    SymbolGeometry geometry = SymbolGeometry::Point;
    const Theme* theme = nullptr;           ///< nullptr: a single symbol of `single`
    std::vector<const StyleClass*> classes; ///< the theme's classes drawn (empty: all but "*")
    StyleClass single;                      ///< used when theme is nullptr
    std::string filter_field;               ///< empty: every feature
    nlohmann::json filter_value;
    std::string label_field;                ///< labelled with this field when set
    double label_max_scale = 25000;         ///< labels shown at 1:label_max_scale and closer
    double min_scale = 0;                   ///< layer shown at 1:min_scale and closer; 0: at every scale
    double opacity = 1.0;                   ///< of fills
    /// The classes drawn, in legend order.
    std::vector<const StyleClass*> drawn_classes() const;
    /// The field the classes are keyed on ("" for a single symbol).
    std::string field() const;
    /// The filter as a QGIS expression ("" when there is none).
    std::string filter() const;
};

/// A QGIS expression comparing `field` with a palette value: "gi_bin" = 3, "hub_type" = 'maths hub'.
std::string equals_expression(const std::string& field, const nlohmann::json& value);

/// Escapes &, <, >, " and ' for XML text and attributes.
std::string xml_escape(const std::string& s);

/// <renderer-v2>: categorizedSymbol, singleSymbol, or RuleRenderer when a filter is set.
std::string renderer_xml(const Symbolisation& s);
/// <labeling type="simple"> with scale-dependent labels, or "" when there is no label field.
std::string labeling_xml(const Symbolisation& s);
/// The attributes of a <maplayer> or QML <qgis> element for scale visibility and labels.
std::string layer_flags(const Symbolisation& s);
/// A whole QML document (QGIS 3.22), as stored in layer_styles.styleQML.
std::string qml_document(const Symbolisation& s);
/// An SLD 1.1 document with SE symbolizers, as QGIS exports and stores in layer_styles.styleSLD.
std::string sld_document(const std::string& layer_name, const Symbolisation& s);

/// One source layer of a vector tile layer and how it is drawn.
struct TileLayerStyle {
    std::string mvt_layer;
    Symbolisation symbolisation;
};
/// <renderer type="basic"> of a QGIS vector tile layer: one style per class per tile layer.
std::string vector_tile_renderer_xml(const std::vector<TileLayerStyle>& layers);

} // namespace coldspot::geo::style
