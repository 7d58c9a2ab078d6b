#pragma once
// The one palette of Coldspot's maps (data/style/palette.json, schema in data/style/README.md):
// every class a map shows, its label in words and its colour. The web map's style and the QGIS
// styles (project, GeoPackage layer_styles) are both made from it.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coldspot::geo::style {

struct Rgb {
    unsigned char r = 0, g = 0, b = 0;
    /// "#rrggbb"; throws InvalidArgumentError otherwise.
    static Rgb parse(std::string_view hex);
    std::string hex() const;     ///< "#rrggbb"
    std::string qgis() const;    ///< "r,g,b,255", as QGIS writes a colour
};

struct StyleClass {
    nlohmann::json value; ///< compared with the field as stored; "*" = any value not listed
    std::string label;
    Rgb color;
    std::string layer;    ///< set when the class is a layer of its own (remit: gaps, overlaps)
};

struct Theme {
    std::string id, title, scheme;
    std::optional<std::string> field; ///< the attribute classified; none when the class is the layer
    std::vector<std::string> layers;
    std::vector<StyleClass> classes;
    /// The class with this value, or nullptr.
    const StyleClass* find(const nlohmann::json& value) const;
};

class Palette {
public:
    /// Throws ManifestError naming `origin` and the JSON path of anything that does not fit the schema.
    static Palette from_json(const nlohmann::json& document, const std::string& origin = "palette.json");
    /// Throws NotFoundError for an unknown theme id.
    const Theme& theme(std::string_view id) const;
    const std::vector<Theme>& themes() const noexcept { return themes_; }

private:
    std::vector<Theme> themes_;
};

} // namespace coldspot::geo::style
