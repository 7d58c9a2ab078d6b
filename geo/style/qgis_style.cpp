#include "coldspot/geo/style/qgis_style.hpp"

#include <cmath>
#include <sstream>
#include <utility>

namespace coldspot::geo::style {

namespace {

using Props = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kQgisVersion = "3.22.0-Białowieża";
const Rgb kOutline{35, 35, 35};

std::string number(double v) {
    std::ostringstream s;
    s.precision(15);
    s << v;
    return s.str();
}

/// A symbol layer's properties, both as QGIS 3.22 writes them (an Option map) and as older
/// versions do (prop k/v), so any 3.x reads them.
std::string symbol_layer(const char* cls, const Props& props) {
    std::string out = "<layer class=\"" + std::string(cls) + "\" enabled=\"1\" locked=\"0\" pass=\"0\"><Option type=\"Map\">";
    for (const auto& [k, v] : props)
        out += "<Option name=\"" + xml_escape(k) + "\" value=\"" + xml_escape(v) + "\" type=\"QString\"/>";
    out += "</Option>";
    for (const auto& [k, v] : props) out += "<prop k=\"" + xml_escape(k) + "\" v=\"" + xml_escape(v) + "\"/>";
    return out + "</layer>";
}

std::string symbol_xml(const std::string& name, SymbolGeometry g, const Rgb& color, double opacity) {
    const char* type = g == SymbolGeometry::Point ? "marker" : g == SymbolGeometry::Line ? "line" : "fill";
    std::string out = "<symbol name=\"" + xml_escape(name) + "\" type=\"" + type + "\" alpha=\"" +
                      number(g == SymbolGeometry::Polygon ? opacity : 1.0) + "\" clip_to_extent=\"1\" force_rhr=\"0\">";
    switch (g) {
    case SymbolGeometry::Point:
        out += symbol_layer("SimpleMarker", {{"name", "circle"},
                                             {"color", color.qgis()},
                                             {"outline_color", kOutline.qgis()},
                                             {"outline_style", "solid"},
                                             {"outline_width", "0.2"},
                                             {"outline_width_unit", "MM"},
                                             {"size", "2.4"},
                                             {"size_unit", "MM"}});
        break;
    case SymbolGeometry::Line:
        out += symbol_layer("SimpleLine", {{"line_color", color.qgis()},
                                           {"line_style", "solid"},
                                           {"line_width", "0.6"},
                                           {"line_width_unit", "MM"}});
        break;
    case SymbolGeometry::Polygon:
        out += symbol_layer("SimpleFill", {{"color", color.qgis()},
                                           {"style", "solid"},
                                           {"outline_color", "128,128,128,255"},
                                           {"outline_style", "solid"},
                                           {"outline_width", "0.1"},
                                           {"outline_width_unit", "MM"}});
        break;
    }
    return out + "</symbol>";
}

bool is_other(const StyleClass& c) { return c.value.is_string() && c.value.get<std::string>() == "*"; }

/// The QGIS expression selecting a class's features (with the symbolisation's filter).
std::string class_expression(const Symbolisation& s, const StyleClass& c) {
    if (s.theme == nullptr || s.field().empty()) return s.filter();
    if (is_other(c)) return "ELSE";
    const std::string e = equals_expression(s.field(), c.value);
    return s.filter().empty() ? e : "(" + s.filter() + ") AND " + e;
}

std::string literal_text(const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    return v.dump();
}

/// An SLD comparison of one field with one value.
std::string sld_equals(const std::string& field, const nlohmann::json& value) {
    return "<ogc:PropertyIsEqualTo><ogc:PropertyName>" + xml_escape(field) + "</ogc:PropertyName><ogc:Literal>" +
           xml_escape(literal_text(value)) + "</ogc:Literal></ogc:PropertyIsEqualTo>";
}

std::string sld_symbolizer(SymbolGeometry g, const Rgb& color, double opacity) {
    const std::string stroke = "<se:Stroke><se:SvgParameter name=\"stroke\">" + kOutline.hex() +
                               "</se:SvgParameter><se:SvgParameter name=\"stroke-width\">0.5</se:SvgParameter></se:Stroke>";
    switch (g) {
    case SymbolGeometry::Point:
        return "<se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>circle</se:WellKnownName><se:Fill>"
               "<se:SvgParameter name=\"fill\">" + color.hex() + "</se:SvgParameter></se:Fill>" + stroke +
               "</se:Mark><se:Size>9</se:Size></se:Graphic></se:PointSymbolizer>";
    case SymbolGeometry::Line:
        return "<se:LineSymbolizer><se:Stroke><se:SvgParameter name=\"stroke\">" + color.hex() +
               "</se:SvgParameter><se:SvgParameter name=\"stroke-width\">2</se:SvgParameter></se:Stroke></se:LineSymbolizer>";
    case SymbolGeometry::Polygon:
        return "<se:PolygonSymbolizer><se:Fill><se:SvgParameter name=\"fill\">" + color.hex() +
               "</se:SvgParameter><se:SvgParameter name=\"fill-opacity\">" + number(opacity) +
               "</se:SvgParameter></se:Fill><se:Stroke><se:SvgParameter name=\"stroke\">#808080</se:SvgParameter>"
               "<se:SvgParameter name=\"stroke-width\">0.3</se:SvgParameter></se:Stroke></se:PolygonSymbolizer>";
    }
    return "";
}

} // namespace

std::vector<const StyleClass*> Symbolisation::drawn_classes() const {
    if (theme == nullptr) return {&single};
    if (!classes.empty()) return classes;
    std::vector<const StyleClass*> out;
    for (const auto& c : theme->classes) out.push_back(&c);
    return out;
}

std::string Symbolisation::filter() const {
    return filter_field.empty() ? std::string() : equals_expression(filter_field, filter_value);
}

std::string Symbolisation::field() const { return theme && theme->field ? *theme->field : std::string(); }

std::string xml_escape(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string equals_expression(const std::string& field, const nlohmann::json& value) {
    std::string quoted_field = "\"";
    for (char c : field) quoted_field += c == '"' ? std::string("\"\"") : std::string(1, c);
    quoted_field += "\"";
    if (!value.is_string()) return quoted_field + " = " + value.dump();
    std::string text = "'";
    for (char c : value.get<std::string>()) text += c == '\'' ? std::string("''") : std::string(1, c);
    return quoted_field + " = " + text + "'";
}

std::string renderer_xml(const Symbolisation& s) {
    const auto drawn = s.drawn_classes();
    std::string symbols = "<symbols>";
    for (std::size_t i = 0; i < drawn.size(); ++i) symbols += symbol_xml(std::to_string(i), s.geometry, drawn[i]->color, s.opacity);
    symbols += "</symbols>";
    const std::string common = " symbollevels=\"0\" forceraster=\"0\" enableorderby=\"0\" referencescale=\"-1\"";
    if (!s.filter().empty()) {
        std::string out = "<renderer-v2 type=\"RuleRenderer\"" + common + "><rules key=\"root\">";
        for (std::size_t i = 0; i < drawn.size(); ++i) {
            const std::string e = class_expression(s, *drawn[i]);
            out += "<rule key=\"rule" + std::to_string(i) + "\" symbol=\"" + std::to_string(i) + "\" label=\"" +
                   xml_escape(drawn[i]->label) + "\"" + (e.empty() ? std::string() : " filter=\"" + xml_escape(e) + "\"") + "/>";
        }
        return out + "</rules>" + symbols + "</renderer-v2>";
    }
    if (s.field().empty())
        return "<renderer-v2 type=\"singleSymbol\"" + common + "><symbols>" +
               symbol_xml("0", s.geometry, drawn.front()->color, s.opacity) + "</symbols></renderer-v2>";
    std::string out = "<renderer-v2 type=\"categorizedSymbol\" attr=\"" + xml_escape(s.field()) + "\"" + common + "><categories>";
    for (std::size_t i = 0; i < drawn.size(); ++i)
        // QGIS's "all other values" category has an empty value.
        out += "<category symbol=\"" + std::to_string(i) + "\" value=\"" +
               (is_other(*drawn[i]) ? std::string() : xml_escape(literal_text(drawn[i]->value))) + "\" label=\"" +
               xml_escape(drawn[i]->label) + "\" render=\"true\"/>";
    return out + "</categories>" + symbols + "</renderer-v2>";
}

std::string labeling_xml(const Symbolisation& s) {
    if (s.label_field.empty()) return "";
    return "<labeling type=\"simple\"><settings calloutType=\"simple\"><text-style fieldName=\"" + xml_escape(s.label_field) +
           "\" isExpression=\"0\" fontFamily=\"DejaVu Sans\" fontSize=\"8\" fontSizeUnit=\"Point\" namedStyle=\"Book\" "
           "textColor=\"37,37,37,255\" textOpacity=\"1\"><text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" "
           "bufferSizeUnits=\"MM\" bufferColor=\"255,255,255,255\" bufferOpacity=\"1\"/></text-style>"
           "<placement placement=\"" + std::string(s.geometry == SymbolGeometry::Point ? "0" : "1") +
           "\" dist=\"1\" distUnits=\"MM\"/><rendering drawLabels=\"1\" scaleVisibility=\"1\" scaleMin=\"0\" scaleMax=\"" +
           number(s.label_max_scale) + "\" obstacle=\"1\"/></settings></labeling>";
}

std::string layer_flags(const Symbolisation& s) {
    return "hasScaleBasedVisibilityFlag=\"" + std::string(s.min_scale > 0 ? "1" : "0") + "\" minScale=\"" +
           number(s.min_scale > 0 ? s.min_scale : 1e8) + "\" maxScale=\"0\" labelsEnabled=\"" +
           (s.label_field.empty() ? "0" : "1") + "\"";
}

std::string qml_document(const Symbolisation& s) {
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n<qgis version=\"" + std::string(kQgisVersion) +
           "\" styleCategories=\"AllStyleCategories\" " + layer_flags(s) + ">" + renderer_xml(s) + labeling_xml(s) +
           "<blendMode>0</blendMode><featureBlendMode>0</featureBlendMode><layerGeometryType>" +
           std::to_string(static_cast<int>(s.geometry)) + "</layerGeometryType></qgis>\n";
}

std::string sld_document(const std::string& layer_name, const Symbolisation& s) {
    std::string rules;
    const std::string scale =
        s.min_scale > 0 ? "<se:MinScaleDenominator>0</se:MinScaleDenominator><se:MaxScaleDenominator>" + number(s.min_scale) +
                              "</se:MaxScaleDenominator>"
                        : std::string();
    const std::string layer_filter = s.filter_field.empty() ? std::string() : sld_equals(s.filter_field, s.filter_value);
    for (const StyleClass* c : s.drawn_classes()) {
        std::string filter;
        if (s.theme && !s.field().empty() && is_other(*c)) {
            filter = "<se:ElseFilter/>";
        } else {
            std::string cond = s.theme && !s.field().empty() ? sld_equals(s.field(), c->value) : std::string();
            if (!cond.empty() && !layer_filter.empty()) cond = "<ogc:And>" + layer_filter + cond + "</ogc:And>";
            else if (cond.empty()) cond = layer_filter;
            if (!cond.empty()) filter = "<ogc:Filter xmlns:ogc=\"http://www.opengis.net/ogc\">" + cond + "</ogc:Filter>";
        }
        rules += "<se:Rule><se:Name>" + xml_escape(c->label) + "</se:Name><se:Description><se:Title>" + xml_escape(c->label) +
                 "</se:Title></se:Description>" + filter + scale + sld_symbolizer(s.geometry, c->color, s.opacity) + "</se:Rule>";
    }
    if (!s.label_field.empty())
        rules += "<se:Rule><se:MinScaleDenominator>0</se:MinScaleDenominator><se:MaxScaleDenominator>" +
                 number(s.label_max_scale) + "</se:MaxScaleDenominator><se:TextSymbolizer><se:Label><ogc:PropertyName>" +
                 xml_escape(s.label_field) + "</ogc:PropertyName></se:Label><se:Font><se:SvgParameter name=\"font-family\">"
                 "DejaVu Sans</se:SvgParameter><se:SvgParameter name=\"font-size\">11</se:SvgParameter></se:Font>"
                 "<se:Halo><se:Radius>1</se:Radius><se:Fill><se:SvgParameter name=\"fill\">#ffffff</se:SvgParameter></se:Fill>"
                 "</se:Halo><se:Fill><se:SvgParameter name=\"fill\">#252525</se:SvgParameter></se:Fill></se:TextSymbolizer></se:Rule>";
    const std::string name = xml_escape(layer_name);
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<StyledLayerDescriptor xmlns=\"http://www.opengis.net/sld\" "
           "version=\"1.1.0\" xmlns:ogc=\"http://www.opengis.net/ogc\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
           "xmlns:se=\"http://www.opengis.net/se\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
           "xsi:schemaLocation=\"http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd\">"
           "<NamedLayer><se:Name>" + name + "</se:Name><UserStyle><se:Name>" + name + "</se:Name><se:FeatureTypeStyle>" + rules +
           "</se:FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>\n";
}

std::string vector_tile_renderer_xml(const std::vector<TileLayerStyle>& layers) {
    std::string out = "<renderer type=\"basic\"><styles>";
    for (const auto& l : layers) {
        const auto& s = l.symbolisation;
        const int geometry = s.geometry == SymbolGeometry::Point ? 0 : s.geometry == SymbolGeometry::Line ? 1 : 2;
        for (const StyleClass* c : s.drawn_classes()) {
            std::string e = class_expression(s, *c);
            if (e == "ELSE") e = s.filter(); // the basic renderer has no ELSE: "other" draws under the classes
            out += "<style name=\"" + xml_escape(c->label) + "\" layer=\"" + xml_escape(l.mvt_layer) + "\" geometry=\"" +
                   std::to_string(geometry) + "\" expression=\"" + xml_escape(e) +
                   "\" enabled=\"1\" min-zoom=\"-1\" max-zoom=\"-1\"><symbols>" + symbol_xml("0", s.geometry, c->color, s.opacity) +
                   "</symbols></style>";
        }
    }
    return out + "</styles></renderer>";
}

} // namespace coldspot::geo::style
