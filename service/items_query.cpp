#include "coldspot/service/items_query.hpp"

#include "coldspot/geo/crs.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/service/problem.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

namespace coldspot::service {

namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

std::size_t parse_count(const std::string& name, const std::string& text) {
    long long v = 0;
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size() || v < 0)
        throw HttpProblem(400, "parameter '" + name + "' must be a non-negative integer, got '" + text + "'");
    return static_cast<std::size_t>(v);
}

double parse_double(const std::string& name, std::string_view text) {
    double v = 0;
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size() || !std::isfinite(v))
        throw HttpProblem(400, "parameter '" + name + "' has '" + std::string(text) + "' where a number is expected");
    return v;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const auto pos = s.find(sep, start);
        out.push_back(s.substr(start, pos - start));
        if (pos == std::string::npos) break;
        start = pos + 1;
    }
    return out;
}

OutputCrs require_crs(const std::string& name, const std::string& value) {
    const auto crs = parse_crs(value);
    if (!crs) {
        nlohmann::json allowed = supported_crs_uris();
        throw HttpProblem(400, "parameter '" + name + "': CRS '" + value + "' is not supported", {{"supported", allowed}});
    }
    return *crs;
}

const geo::CrsTransform& bng_to_crs84() {
    thread_local geo::CrsTransform t(geo::epsg_code(geo::kBritishNationalGrid), "OGC:CRS84");
    return t;
}

template <typename G>
bool intersects_box(const G& g, const geo::Box& box) {
    try {
        return bg::intersects(g, box);
    } catch (const std::exception&) {
        // An invalid geometry Boost cannot overlay: fall back to its envelope.
        return bg::intersects(bg::return_envelope<geo::Box>(g), box);
    }
}

bool geometry_intersects(const geo::Geometry& g, const geo::Box& box) {
    if (const auto* p = std::get_if<geo::Point>(&g)) return bg::covered_by(*p, box);
    if (const auto* ml = std::get_if<geo::MultiLineString>(&g)) return intersects_box(*ml, box);
    if (const auto* mp = std::get_if<geo::MultiPolygon>(&g)) return intersects_box(*mp, box);
    return false;
}

bool matches(const geo::Value& v, geo::FieldType type, const std::string& wanted) {
    if (geo::is_null(v)) return false;
    switch (type) {
    case geo::FieldType::Integer: {
        const auto* i = std::get_if<std::int64_t>(&v);
        long long w = 0;
        const auto [p, ec] = std::from_chars(wanted.data(), wanted.data() + wanted.size(), w);
        return i && ec == std::errc() && p == wanted.data() + wanted.size() && *i == w;
    }
    case geo::FieldType::Real: {
        const auto n = geo::as_number(v);
        double w = 0;
        const auto [p, ec] = std::from_chars(wanted.data(), wanted.data() + wanted.size(), w);
        return n && ec == std::errc() && p == wanted.data() + wanted.size() && *n == w;
    }
    case geo::FieldType::String: return geo::as_text(v) == wanted;
    }
    return false;
}

std::shared_ptr<const cql2::Filter> parse_filter(const Collection& c, const std::string& text, OutputCrs crs) {
    try {
        return std::make_shared<const cql2::Filter>(cql2::Filter::parse(text, c, crs));
    } catch (const cql2::FilterError& e) {
        throw HttpProblem(400, "parameter 'filter': " + std::string(e.what()) + " (at position " + std::to_string(e.position()) + ")",
                          {{"parameter", "filter"}, {"position", e.position()}, {"queryables", "/collections/" + c.id + "/queryables"}});
    }
}

} // namespace

ItemsFormat parse_items_format(const std::string& f) {
    if (f == "json" || f == "geojson") return ItemsFormat::GeoJson;
    if (f == "html") return ItemsFormat::Html;
    if (f == "csv") return ItemsFormat::Csv;
    if (f == "xlsx") return ItemsFormat::Xlsx;
    if (f == "fgb" || f == "flatgeobuf") return ItemsFormat::FlatGeobuf;
    throw HttpProblem(400, "parameter 'f': items are served as json (GeoJSON), html, csv, xlsx or fgb (FlatGeobuf), not '" + f + "'",
                      {{"parameter", "f"}, {"allowed", {"json", "html", "csv", "xlsx", "fgb"}}});
}

HttpProblem xlsx_too_many_rows(const Collection& c, std::size_t rows, const ItemsLimits& limits) {
    return HttpProblem(400,
                       "an XLSX download holds at most " + std::to_string(limits.xlsx_max_rows) + " rows; this request asks for " + std::to_string(rows) +
                           " of collection '" + c.id + "'. Narrow it (bbox, filter, limit) or download f=csv or f=fgb, which stream any size.",
                       {{"parameter", "f"}, {"maxRows", limits.xlsx_max_rows}, {"rows", rows}});
}

const std::vector<std::string>& items_parameter_names() {
    static const std::vector<std::string> names{"limit", "offset", "bbox", "bbox-crs", "crs", "properties", "datetime", "filter", "filter-lang", "filter-crs", "f"};
    return names;
}

ItemsQuery parse_items_query(const Collection& c, const Request& request, const ItemsLimits& limits) {
    if (request.query.size() > limits.max_parameters)
        throw HttpProblem(400, "too many query parameters (" + std::to_string(request.query.size()) + ", at most " + std::to_string(limits.max_parameters) + ")");
    ItemsQuery q;
    q.limit = limits.default_limit;
    const auto& table = *c.table;
    std::map<std::string, int> seen;
    std::optional<std::string> filter_text;
    OutputCrs filter_crs = OutputCrs::Crs84;
    for (const auto& [name, value] : request.query) {
        if (++seen[name] > 1) throw HttpProblem(400, "query parameter '" + name + "' is given more than once");
        if (name == "limit") {
            const auto n = parse_count(name, value);
            if (n == 0) throw HttpProblem(400, "parameter 'limit' must be at least 1");
            q.limit = n;
            q.limit_given = true;
        } else if (name == "offset") {
            q.offset = parse_count(name, value);
        } else if (name == "bbox") {
            const auto parts = split(value, ',');
            if (parts.size() != 4 && parts.size() != 6)
                throw HttpProblem(400, "parameter 'bbox' needs 4 numbers (minx,miny,maxx,maxy), got " + std::to_string(parts.size()));
            std::vector<double> v;
            v.reserve(parts.size());
            for (const auto& p : parts) v.push_back(parse_double("bbox", p));
            // A 3D box (6 numbers) is minx,miny,minz,maxx,maxy,maxz; heights are ignored.
            const std::size_t hi = parts.size() / 2;
            if (v[0] > v[hi] || v[1] > v[hi + 1])
                throw HttpProblem(400, "parameter 'bbox': the minimum is greater than the maximum (boxes across the antimeridian are not supported)");
            q.bbox = geo::Box({v[0], v[1]}, {v[hi], v[hi + 1]});
        } else if (name == "bbox-crs") {
            q.bbox_crs = require_crs(name, value);
        } else if (name == "crs") {
            q.crs = require_crs(name, value);
        } else if (name == "properties") {
            q.all_properties = false;
            for (const auto& p : split(value, ',')) {
                if (p.empty()) continue;
                const int i = table.field_index(p);
                if (i < 0) throw HttpProblem(400, "parameter 'properties': collection '" + c.id + "' has no property '" + p + "'");
                q.properties.push_back(static_cast<std::size_t>(i));
            }
        } else if (name == "datetime") {
            // No workspace layer has a temporal extent, so every feature matches any instant or
            // interval (OGC API Features Part 1, requirement /req/core/fc-time-response).
        } else if (name == "filter") {
            filter_text = value;
        } else if (name == "filter-lang") {
            if (value != "cql2-text")
                throw HttpProblem(400, "parameter 'filter-lang': filters are written in cql2-text, not '" + value + "'", {{"parameter", name}, {"allowed", {"cql2-text"}}});
        } else if (name == "filter-crs") {
            filter_crs = require_crs(name, value);
        } else if (name == "f") {
            q.format = parse_items_format(value);
            q.format_given = true;
        } else if (const int i = table.field_index(name); i >= 0) {
            if (table.fields[static_cast<std::size_t>(i)].type != geo::FieldType::String) {
                if (table.fields[static_cast<std::size_t>(i)].type == geo::FieldType::Integer) (void)parse_count(name, value.starts_with('-') ? value.substr(1) : value);
                else (void)parse_double(name, value);
            }
            q.filters.emplace_back(static_cast<std::size_t>(i), value);
        } else {
            throw HttpProblem(400, "unknown query parameter '" + name + "' for collection '" + c.id + "'",
                              {{"allowed", items_parameter_names()}, {"queryables", "/collections/" + c.id + "/queryables"}});
        }
    }
    if (seen.count("bbox-crs") && !q.bbox) throw HttpProblem(400, "parameter 'bbox-crs' is given without 'bbox'");
    if (filter_text) q.filter = parse_filter(c, *filter_text, filter_crs);
    else if (seen.count("filter-lang") || seen.count("filter-crs")) throw HttpProblem(400, "parameters 'filter-lang' and 'filter-crs' need a 'filter'");
    if (q.format == ItemsFormat::Xlsx && q.limit_given && q.limit > limits.xlsx_max_rows)
        throw xlsx_too_many_rows(c, q.limit, limits);
    if (q.limit_given) q.limit = std::min(q.limit, limits.max_limit);
    else if (is_download(q.format)) q.limit = std::numeric_limits<std::size_t>::max(); // the whole selection, streamed
    return q;
}

ItemsPage select_items(const Collection& c, const ItemsQuery& q) {
    ItemsPage page;
    const auto passes_filters = [&](std::size_t pos) {
        const auto& f = c.feature(pos);
        for (const auto& [field, wanted] : q.filters)
            if (field >= f.values.size() || !matches(f.values[field], c.table->fields[field].type, wanted)) return false;
        return !q.filter || q.filter->matches(c, pos);
    };
    std::vector<std::size_t> candidates;
    if (q.bbox) {
        if (c.geometry_type == geo::GeometryType::None) {
            // Features without geometry never intersect a box.
        } else if (q.bbox_crs == OutputCrs::BritishNationalGrid) {
            geo::Box search;
            try {
                search = bng_to_crs84().apply(*q.bbox); // densified: contains the whole image
            } catch (const CrsError&) {
                // Found by fuzzing (items_query): a box far outside the grid's area (x = 4.5e9 m)
                // has no image in lon/lat; that is the request's fault, not the server's.
                throw HttpProblem(400, "parameter 'bbox' cannot be transformed from EPSG:27700: it lies far outside Great Britain's grid",
                                  {{"parameter", "bbox"}});
            }
            std::vector<Collection::IndexEntry> hits;
            c.index.query(bgi::intersects(search), std::back_inserter(hits));
            const bool storage_is_bng = c.table->epsg == geo::kBritishNationalGrid;
            for (const auto& [box, pos] : hits) {
                const bool hit = storage_is_bng ? geometry_intersects(c.feature(pos).geometry, *q.bbox)
                                                : geometry_intersects(c.crs84[pos], search);
                if (hit) candidates.push_back(pos);
            }
        } else {
            geo::Box lonlat = *q.bbox;
            // Web Mercator is separable and monotonic in each axis, so a 3857 box is exactly a
            // lon/lat box.
            if (q.bbox_crs == OutputCrs::WebMercator)
                lonlat = geo::Box(web_mercator_to_crs84(q.bbox->min_corner()), web_mercator_to_crs84(q.bbox->max_corner()));
            std::vector<Collection::IndexEntry> hits;
            c.index.query(bgi::intersects(lonlat), std::back_inserter(hits));
            for (const auto& [box, pos] : hits)
                if (geometry_intersects(c.crs84[pos], lonlat)) candidates.push_back(pos);
        }
        std::sort(candidates.begin(), candidates.end());
        for (const auto pos : candidates) {
            if (!passes_filters(pos)) continue;
            if (page.matched >= q.offset && page.positions.size() < q.limit) page.positions.push_back(pos);
            ++page.matched;
        }
        return page;
    }
    if (q.filters.empty() && !q.filter) {
        page.matched = c.size();
        for (std::size_t pos = q.offset; pos < c.size() && page.positions.size() < q.limit; ++pos) page.positions.push_back(pos);
        return page;
    }
    for (std::size_t pos = 0; pos < c.size(); ++pos) {
        if (!passes_filters(pos)) continue;
        if (page.matched >= q.offset && page.positions.size() < q.limit) page.positions.push_back(pos);
        ++page.matched;
    }
    return page;
}

} // namespace coldspot::service
