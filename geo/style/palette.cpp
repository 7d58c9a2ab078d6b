#include "coldspot/geo/style/palette.hpp"

#include "coldspot/geo/error.hpp"

#include <cstdio>

namespace coldspot::geo::style {

Rgb Rgb::parse(std::string_view hex) {
    auto digit = [&](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    bool ok = hex.size() == 7 && hex[0] == '#';
    for (std::size_t i = 1; ok && i < 7; ++i) ok = digit(hex[i]) >= 0;
    if (!ok) throw InvalidArgumentError("a colour must be #rrggbb, got '" + std::string(hex) + "'");
    auto byte = [&](std::size_t at) { return static_cast<unsigned char>(digit(hex[at]) * 16 + digit(hex[at + 1])); };
    return Rgb{byte(1), byte(3), byte(5)};
}

std::string Rgb::hex() const {
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", r, g, b);
    return buf;
}

std::string Rgb::qgis() const { return std::to_string(r) + "," + std::to_string(g) + "," + std::to_string(b) + ",255"; }

const StyleClass* Theme::find(const nlohmann::json& value) const {
    for (const auto& c : classes)
        if (c.value == value) return &c;
    return nullptr;
}

Palette Palette::from_json(const nlohmann::json& doc, const std::string& origin) {
    auto fail = [&](const std::string& at, const std::string& why) -> void {
        throw ManifestError(InputLocation{origin, 0, at}, why);
    };
    auto text = [&](const nlohmann::json& o, const char* key, const std::string& at) {
        if (!o.contains(key) || !o[key].is_string()) fail(at + "/" + key, "expected a string");
        return o[key].get<std::string>();
    };
    if (!doc.is_object() || !doc.contains("themes") || !doc["themes"].is_array()) fail("/themes", "expected an array of themes");
    Palette p;
    const auto& themes = doc["themes"];
    for (std::size_t t = 0; t < themes.size(); ++t) {
        const std::string at = "/themes/" + std::to_string(t);
        const auto& j = themes[t];
        if (!j.is_object()) fail(at, "expected an object");
        Theme theme;
        theme.id = text(j, "id", at);
        theme.title = text(j, "title", at);
        if (j.contains("scheme") && j["scheme"].is_string()) theme.scheme = j["scheme"].get<std::string>();
        if (j.contains("field") && j["field"].is_string()) theme.field = j["field"].get<std::string>();
        else if (j.contains("field") && !j["field"].is_null()) fail(at + "/field", "expected a string or null");
        if (j.contains("layers")) {
            if (!j["layers"].is_array()) fail(at + "/layers", "expected an array of layer names");
            for (const auto& l : j["layers"]) {
                if (!l.is_string()) fail(at + "/layers", "expected an array of layer names");
                theme.layers.push_back(l.get<std::string>());
            }
        }
        if (!j.contains("classes") || !j["classes"].is_array() || j["classes"].empty())
            fail(at + "/classes", "expected a non-empty array of classes");
        for (std::size_t c = 0; c < j["classes"].size(); ++c) {
            const std::string cat = at + "/classes/" + std::to_string(c);
            const auto& cj = j["classes"][c];
            if (!cj.is_object() || !cj.contains("value")) fail(cat + "/value", "expected a value");
            StyleClass sc;
            sc.value = cj["value"];
            sc.label = text(cj, "label", cat);
            try {
                sc.color = Rgb::parse(text(cj, "color", cat));
            } catch (const InvalidArgumentError& e) {
                fail(cat + "/color", e.what());
            }
            if (cj.contains("layer") && cj["layer"].is_string()) sc.layer = cj["layer"].get<std::string>();
            theme.classes.push_back(std::move(sc));
        }
        p.themes_.push_back(std::move(theme));
    }
    return p;
}

const Theme& Palette::theme(std::string_view id) const {
    for (const auto& t : themes_)
        if (t.id == id) return t;
    throw NotFoundError("the palette has no theme '" + std::string(id) + "'");
}

} // namespace coldspot::geo::style
