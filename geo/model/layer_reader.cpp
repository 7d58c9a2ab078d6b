#include "coldspot/geo/model/detail/layer_reader.hpp"

#include <cmath>
#include <exception>

namespace coldspot::geo::model::detail {

int LayerReader::required(const char* field) const {
    const int i = t_.field_index(field);
    if (i < 0)
        throw MissingColumnError(InputLocation{source_ + ":" + t_.name, 0, field},
                                 "layer '" + t_.name + "' has no field '" + field + "'");
    return i;
}

void LayerReader::fail(const Feature& f, const std::string& field, const std::string& reason) const {
    throw InputError(InputLocation{source_ + ":" + t_.name, 0, field}, "feature fid " + std::to_string(f.fid) + ": " + reason);
}

std::string LayerReader::text(const Feature& f, int i) const {
    return i < 0 ? std::string() : as_text(f.values[static_cast<std::size_t>(i)]);
}

std::string LayerReader::required_text(const Feature& f, int i, const char* field) const {
    std::string s = text(f, i);
    if (s.empty()) fail(f, field, "value is empty");
    return s;
}

std::optional<std::int64_t> LayerReader::integer(const Feature& f, int i, const char* field) const {
    if (i < 0) return std::nullopt;
    const Value& v = f.values[static_cast<std::size_t>(i)];
    if (is_null(v)) return std::nullopt;
    if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
    if (const auto* d = std::get_if<double>(&v)) {
        if (std::isfinite(*d) && std::floor(*d) == *d) return static_cast<std::int64_t>(*d);
        fail(f, field, "not an integer");
    }
    const std::string s = as_text(v);
    if (s.empty()) return std::nullopt;
    try {
        std::size_t used = 0;
        const long long n = std::stoll(s, &used);
        if (used == s.size()) return n;
    } catch (const std::exception&) {
    }
    fail(f, field, "'" + s + "' is not an integer");
}

std::int64_t LayerReader::required_integer(const Feature& f, int i, const char* field) const {
    const auto v = integer(f, i, field);
    if (!v) fail(f, field, "value is NULL");
    return *v;
}

std::optional<std::string> LayerReader::nullable_text(const Feature& f, int i) const {
    if (i < 0 || is_null(f.values[static_cast<std::size_t>(i)])) return std::nullopt;
    return text(f, i);
}

std::optional<double> LayerReader::real(const Feature& f, int i, const char* field) const {
    if (i < 0) return std::nullopt;
    const Value& v = f.values[static_cast<std::size_t>(i)];
    if (const auto n = as_number(v)) return n;
    const std::string s = as_text(v);
    if (s.empty()) return std::nullopt;
    try {
        std::size_t used = 0;
        const double d = std::stod(s, &used);
        if (used == s.size()) return d;
    } catch (const std::exception&) {
    }
    fail(f, field, "'" + s + "' is not a number");
}

const MultiPolygon& LayerReader::polygon(const Feature& f) const {
    const auto* mp = std::get_if<MultiPolygon>(&f.geometry);
    if (!mp) fail(f, "geom", "geometry is not a polygon");
    return *mp;
}

const Point* LayerReader::point(const Feature& f) const {
    if (std::holds_alternative<std::monostate>(f.geometry)) return nullptr;
    const auto* p = std::get_if<Point>(&f.geometry);
    if (!p) fail(f, "geom", "geometry is not a point");
    if (!std::isfinite(p->x()) || !std::isfinite(p->y())) fail(f, "geom", "coordinates are not finite");
    return p;
}

} // namespace coldspot::geo::model::detail
