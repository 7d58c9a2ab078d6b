#include "coldspot/service/detail/geojson_writer.hpp"

#include "coldspot/geo/crs.hpp"
#include "coldspot/geo/feature_writers.hpp"

#include <charconv>
#include <map>
#include <cmath>
#include <optional>

namespace coldspot::service {

namespace {

/// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    unsigned min = 0;
    unsigned cp = 0;
    if (b0 < 0x80) return 1;
    if ((b0 & 0xE0) == 0xC0) n = 2, cp = b0 & 0x1F, min = 0x80;
    else if ((b0 & 0xF0) == 0xE0) n = 3, cp = b0 & 0x0F, min = 0x800;
    else if ((b0 & 0xF8) == 0xF0) n = 4, cp = b0 & 0x07, min = 0x10000;
    else return 0;
    if (i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

template <typename Project>
void append_point(std::string& out, const geo::Point& p, int decimals, const Project& project) {
    const geo::Point q = project(p);
    out += '[';
    append_json_number(out, q.x(), decimals);
    out += ',';
    append_json_number(out, q.y(), decimals);
    out += ']';
}

template <typename Range, typename Project>
void append_points(std::string& out, const Range& points, int decimals, const Project& project) {
    out += '[';
    bool first = true;
    for (const auto& p : points) {
        if (!first) out += ',';
        first = false;
        append_point(out, p, decimals, project);
    }
    out += ']';
}

template <typename Project>
void append_polygon(std::string& out, const geo::Polygon& poly, int decimals, const Project& project) {
    // GeoJSON (RFC 7946) wants exterior rings counter-clockwise; Boost stores them clockwise, so
    // every ring is written in reverse.
    auto write_ring = [&](const geo::Ring& r) {
        out += '[';
        for (std::size_t i = r.size(); i-- > 0;) {
            append_point(out, r[i], decimals, project);
            if (i) out += ',';
        }
        out += ']';
    };
    out += '[';
    write_ring(poly.outer());
    for (const auto& inner : poly.inners()) {
        out += ',';
        write_ring(inner);
    }
    out += ']';
}

template <typename Project>
void append_geometry(std::string& out, const geo::Geometry& g, int decimals, const Project& project) {
    if (const auto* p = std::get_if<geo::Point>(&g)) {
        out += R"({"type":"Point","coordinates":)";
        append_point(out, *p, decimals, project);
        out += '}';
    } else if (const auto* ml = std::get_if<geo::MultiLineString>(&g)) {
        out += R"({"type":"MultiLineString","coordinates":[)";
        for (std::size_t i = 0; i < ml->size(); ++i) {
            if (i) out += ',';
            append_points(out, (*ml)[i], decimals, project);
        }
        out += "]}";
    } else if (const auto* mp = std::get_if<geo::MultiPolygon>(&g)) {
        out += R"({"type":"MultiPolygon","coordinates":[)";
        for (std::size_t i = 0; i < mp->size(); ++i) {
            if (i) out += ',';
            append_polygon(out, (*mp)[i], decimals, project);
        }
        out += "]}";
    } else {
        out += "null";
    }
}

const geo::CrsTransform& crs84_to(int epsg) {
    // PROJ objects are not shareable between threads: one per thread and target.
    thread_local std::map<int, geo::CrsTransform> transforms;
    auto it = transforms.find(epsg);
    if (it == transforms.end()) it = transforms.emplace(epsg, geo::CrsTransform("OGC:CRS84", geo::epsg_code(epsg))).first;
    return it->second;
}

} // namespace

void append_json_string(std::string& out, std::string_view s) {
    static const char* hex = "0123456789abcdef";
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        // Most text is plain ASCII with nothing to escape: append it a run at a time.
        std::size_t run = i;
        while (run < s.size()) {
            const auto b = static_cast<unsigned char>(s[run]);
            if (b < 0x20 || b >= 0x80 || b == '"' || b == '\\') break;
            ++run;
        }
        if (run > i) {
            out.append(s.data() + i, run - i);
            i = run;
            if (i == s.size()) break;
        }
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            const std::size_t n = utf8_sequence_length(s, i);
            if (n == 0) {
                out += "\xEF\xBF\xBD";
                ++i;
            } else {
                out.append(s.substr(i, n));
                i += n;
            }
            continue;
        }
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
        ++i;
    }
    out += '"';
}

void append_json_number(std::string& out, double v, int decimals) {
    if (!std::isfinite(v)) {
        out += "null";
        return;
    }
    geo::append_number(out, v, decimals);
}

void append_json_value(std::string& out, const geo::Value& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
        char buf[24];
        const auto res = std::to_chars(buf, buf + sizeof buf, *i);
        out.append(buf, res.ptr);
    } else if (const auto* d = std::get_if<double>(&v)) {
        // A Real field keeps a decimal point even for whole values ("0.0", not "0"): clients that
        // infer a schema from the first page (GDAL's GeoJSON reader, so QGIS's OAPIF provider) would
        // otherwise type a column whose first values happen to be whole as Integer.
        const std::size_t start = out.size();
        append_json_number(out, *d);
        if (out.find_first_of(".eEn", start) == std::string::npos) out += ".0";
    } else if (const auto* s = std::get_if<std::string>(&v)) {
        append_json_string(out, *s);
    } else {
        out += "null";
    }
}

nlohmann::json to_json(const geo::Value& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
    if (const auto* d = std::get_if<double>(&v)) return std::isfinite(*d) ? nlohmann::json(*d) : nlohmann::json();
    if (const auto* s = std::get_if<std::string>(&v)) {
        std::string text;
        append_json_string(text, *s); // repairs invalid UTF-8, which nlohmann would refuse to dump
        return nlohmann::json::parse(text);
    }
    return nullptr;
}

nlohmann::json properties_json(const geo::FeatureTable& table, const geo::Feature& feature) {
    nlohmann::json props = nlohmann::json::object();
    for (std::size_t i = 0; i < table.fields.size() && i < feature.values.size(); ++i) props[table.fields[i].name] = to_json(feature.values[i]);
    return props;
}

const geo::Geometry& geometry_in(const Collection& c, std::size_t position, OutputCrs crs, geo::Geometry& scratch) {
    switch (crs) {
    case OutputCrs::Crs84: return c.crs84[position];
    case OutputCrs::BritishNationalGrid:
        if (c.table->epsg == geo::kBritishNationalGrid) return c.feature(position).geometry;
        scratch = c.crs84[position];
        crs84_to(geo::kBritishNationalGrid).apply(scratch);
        return scratch;
    case OutputCrs::WebMercator:
        scratch = c.crs84[position];
        std::visit([](auto& g) {
            if constexpr (!std::is_same_v<std::decay_t<decltype(g)>, std::monostate>)
                boost::geometry::for_each_point(g, [](geo::Point& p) { p = crs84_to_web_mercator(p); });
        }, scratch);
        return scratch;
    }
    return c.crs84[position];
}

void append_feature(std::string& out, const Collection& c, std::size_t position, const FeatureWriteOptions& options) {
    const geo::Feature& f = c.feature(position);
    out += R"({"type":"Feature","id":)";
    char buf[24];
    const auto res = std::to_chars(buf, buf + sizeof buf, f.fid);
    out.append(buf, res.ptr);
    out += R"(,"geometry":)";
    const int decimals = coordinate_decimals(options.crs);
    const auto identity = [](const geo::Point& p) { return p; };
    switch (options.crs) {
    case OutputCrs::Crs84: append_geometry(out, c.crs84[position], decimals, identity); break;
    case OutputCrs::WebMercator: append_geometry(out, c.crs84[position], decimals, crs84_to_web_mercator); break;
    case OutputCrs::BritishNationalGrid:
        if (c.table->epsg == geo::kBritishNationalGrid) {
            append_geometry(out, f.geometry, decimals, identity);
        } else {
            const auto& t = crs84_to(geo::kBritishNationalGrid);
            append_geometry(out, c.crs84[position], decimals, [&](const geo::Point& p) { return t(p); });
        }
        break;
    }
    out += R"(,"properties":{)";
    const auto& fields = c.table->fields;
    auto write_field = [&](std::size_t i, bool first) {
        if (!first) out += ',';
        append_json_string(out, fields[i].name);
        out += ':';
        if (i < f.values.size()) append_json_value(out, f.values[i]);
        else out += "null";
    };
    if (options.all_properties) {
        for (std::size_t i = 0; i < fields.size(); ++i) write_field(i, i == 0);
    } else {
        for (std::size_t k = 0; k < options.properties.size(); ++k) write_field(options.properties[k], k == 0);
    }
    out += "}}";
}

} // namespace coldspot::service
