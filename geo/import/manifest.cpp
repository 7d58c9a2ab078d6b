#include "coldspot/geo/import/manifest.hpp"

#include "coldspot/geo/crs.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>

namespace coldspot::geo::import {

using nlohmann::json;

namespace {

/// Each cell format is fixed-width: where the year, month and day digits sit, and its separator.
struct DateLayout {
    std::string_view name;
    std::size_t y, m, d;
    char sep;
    std::size_t sep1, sep2;
};
constexpr DateLayout kDateLayouts[] = {{"DD-MM-YYYY", 6, 3, 0, '-', 2, 5},
                                       {"DD/MM/YYYY", 6, 3, 0, '/', 2, 5},
                                       {"YYYY-MM-DD", 0, 5, 8, '-', 4, 7}};

const DateLayout* date_layout(std::string_view format) {
    const auto* l = std::find_if(std::begin(kDateLayouts), std::end(kDateLayouts), [&](const DateLayout& x) { return x.name == format; });
    return l == std::end(kDateLayouts) ? nullptr : l;
}

bool keeps_date(const DateFilter& f, std::string_view value) {
    if (value.empty()) return f.keep_empty;
    const auto day = parse_date(value, f.format);
    if (!day) throw FormatError(InputLocation{}, "'" + std::string(value) + "' is not a date in " + f.format);
    return (!f.on_or_before || *day <= *f.on_or_before) && (!f.after || *day > *f.after);
}

} // namespace

std::optional<int> parse_date(std::string_view text, std::string_view format) {
    const DateLayout* layout = date_layout(format);
    if (!layout || text.size() != 10 || text[layout->sep1] != layout->sep || text[layout->sep2] != layout->sep)
        return std::nullopt;
    auto number = [&](std::size_t at, std::size_t width) -> std::optional<int> {
        int v = 0;
        for (std::size_t i = at; i < at + width; ++i) {
            if (text[i] < '0' || text[i] > '9') return std::nullopt;
            v = v * 10 + (text[i] - '0');
        }
        return v;
    };
    const auto y = number(layout->y, 4), m = number(layout->m, 2), d = number(layout->d, 2);
    if (!y || !m || !d) return std::nullopt;
    const std::chrono::year_month_day day{std::chrono::year{*y}, std::chrono::month{static_cast<unsigned>(*m)},
                                          std::chrono::day{static_cast<unsigned>(*d)}};
    if (!day.ok()) return std::nullopt;
    return *y * 10000 + *m * 100 + *d;
}

bool RowFilter::keeps(std::string_view value) const {
    if (date) return keeps_date(*date, value);
    if (prefix && value.substr(0, prefix->size()) == *prefix) return true;
    for (const auto& v : values)
        if (v == value) return true;
    return false;
}

std::string slug(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
        else if (!out.empty() && out.back() != '-') out += '-';
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out;
}

namespace {

const std::map<std::string, FieldType>& school_field_types();

/// Walks the manifest JSON keeping the JSON path for error messages.
class Reader {
public:
    Reader(const std::filesystem::path& file, std::filesystem::path base) : file_(file), base_(std::move(base)) {}

    [[noreturn]] void fail(const std::string& where, const std::string& why) const {
        throw ManifestError(InputLocation{file_.string(), 0, where}, why);
    }

    const json& object(const json& j, const std::string& where) const {
        if (!j.is_object()) fail(where, "expected a JSON object");
        return j;
    }

    std::string string(const json& j, const std::string& key, const std::string& where, bool required = true,
                       std::string fallback = {}) const {
        if (!j.contains(key)) {
            if (required) fail(where + "/" + key, "required entry is missing");
            return fallback;
        }
        if (!j[key].is_string()) fail(where + "/" + key, "expected a string");
        return j[key].get<std::string>();
    }

    std::filesystem::path path(const json& j, const std::string& where) const {
        const std::filesystem::path p = string(j, "path", where);
        return (p.is_absolute() ? p : base_ / p).lexically_normal();
    }

    CsvSource csv(const json& j, const std::string& where) const {
        CsvSource s;
        s.path = path(j, where);
        const std::string d = string(j, "delimiter", where, false, ",");
        if (d == "\\t" || d == "tab" || d == "\t") s.delimiter = '\t';
        else if (d.size() == 1) s.delimiter = d[0];
        else fail(where + "/delimiter", "expected a single character");
        if (j.contains("encoding")) {
            try {
                s.encoding = parse_encoding(string(j, "encoding", where));
            } catch (const ManifestError& e) {
                fail(where + "/encoding", e.reason());
            }
        }
        if (j.contains("null_values")) {
            if (!j["null_values"].is_array()) fail(where + "/null_values", "expected an array of strings");
            s.null_values = j["null_values"].get<std::vector<std::string>>();
        }
        return s;
    }

    FieldType field_type(const std::string& t, const std::string& where) const {
        if (t == "integer") return FieldType::Integer;
        if (t == "real" || t == "number") return FieldType::Real;
        if (t == "string") return FieldType::String;
        fail(where, "unknown type '" + t + "' (integer, real or string)");
    }

    std::vector<ColumnMapping> columns(const json& j, const std::string& where,
                                       const std::map<std::string, FieldType>& fixed = {}) const {
        std::vector<ColumnMapping> out;
        if (!j.contains("columns")) return out;
        const json& cols = object(j["columns"], where + "/columns");
        for (const auto& [field, spec] : cols.items()) {
            const std::string w = where + "/columns/" + field;
            ColumnMapping m;
            m.field = field;
            if (auto it = fixed.find(field); it != fixed.end()) m.type = it->second;
            if (spec.is_string()) {
                m.column = spec.get<std::string>();
            } else if (spec.is_object()) {
                m.column = string(spec, "column", w);
                if (spec.contains("type")) m.type = field_type(string(spec, "type", w), w + "/type");
                if (spec.contains("equals")) {
                    m.equals = string(spec, "equals", w);
                    m.type = FieldType::Integer;
                }
            } else {
                fail(w, "expected a column name or {\"column\": ..., \"type\": ...}");
            }
            out.push_back(std::move(m));
        }
        return out;
    }

    std::vector<RowFilter> filters(const json& j, const std::string& where) const {
        std::vector<RowFilter> out;
        if (!j.contains("filters")) return out;
        for (const auto& [column, spec] : object(j["filters"], where + "/filters").items()) {
            RowFilter f;
            f.column = column;
            if (spec.is_array()) {
                for (const auto& v : spec) {
                    if (!v.is_string()) fail(where + "/filters/" + column, "expected strings");
                    f.values.push_back(v.get<std::string>());
                }
            } else if (spec.is_string()) {
                f.values.push_back(spec.get<std::string>());
            } else if (spec.is_object() && spec.contains("prefix")) {
                f.prefix = string(spec, "prefix", where + "/filters/" + column);
            } else if (spec.is_object() && spec.contains("date")) {
                f.date = date_filter(spec, where + "/filters/" + column);
            } else {
                fail(where + "/filters/" + column,
                     "expected a value, a list of values, {\"prefix\": ...} or {\"date\": \"DD-MM-YYYY\", ...}");
            }
            out.push_back(std::move(f));
        }
        return out;
    }

    /// {"date": "DD-MM-YYYY", "on_or_before": "2021-09-01", "after": "2021-09-01", "empty": "keep"|"drop"}
    DateFilter date_filter(const json& spec, const std::string& where) const {
        DateFilter f;
        f.format = string(spec, "date", where);
        if (!date_layout(f.format))
            fail(where + "/date", "the cells' date format must be DD-MM-YYYY, DD/MM/YYYY or YYYY-MM-DD, not '" + f.format + "'");
        auto bound = [&](const char* key) -> std::optional<int> {
            if (!spec.contains(key)) return std::nullopt;
            const std::string text = string(spec, key, where);
            const auto day = parse_date(text, "YYYY-MM-DD");
            if (!day) fail(where + "/" + key, "expected a day as YYYY-MM-DD, not '" + text + "'");
            return day;
        };
        f.on_or_before = bound("on_or_before");
        f.after = bound("after");
        if (!f.on_or_before && !f.after) fail(where, "a date filter needs \"on_or_before\" or \"after\" (or both)");
        const std::string empty = spec.contains("empty") ? string(spec, "empty", where) : "drop";
        if (empty != "keep" && empty != "drop") fail(where + "/empty", "expected \"keep\" or \"drop\", not '" + empty + "'");
        f.keep_empty = empty == "keep";
        return f;
    }

    CoordinateColumns coordinates(const json& j, const std::string& where) const {
        CoordinateColumns c;
        c.x = string(j, "x", where);
        c.y = string(j, "y", where);
        c.crs = string(j, "crs", where, false, "EPSG:27700");
        try {
            validate_crs(c.crs);
        } catch (const CrsError& e) {
            fail(where + "/crs", e.what());
        }
        return c;
    }

    KeyedTable keyed_table(const json& j, const std::string& where, const std::map<std::string, FieldType>& fixed) const {
        object(j, where);
        KeyedTable t;
        t.name = string(j, "name", where);
        t.csv = csv(j, where);
        t.vintage = string(j, "vintage", where, false);
        t.key_column = string(j, "key", where);
        t.columns = columns(j, where, fixed);
        t.filters = filters(j, where);
        if (j.contains("flag_field")) t.flag_field = string(j, "flag_field", where);
        if (j.contains("covers_more")) t.covers_more = j["covers_more"].get<bool>();
        if (t.columns.empty() && !t.flag_field) fail(where, "a table needs \"columns\" or a \"flag_field\"");
        return t;
    }

    std::vector<KeyedTable> keyed_tables(const json& j, const std::string& key, const std::string& where,
                                         const std::map<std::string, FieldType>& fixed = {}) const {
        std::vector<KeyedTable> out;
        if (!j.contains(key)) return out;
        if (!j[key].is_array()) fail(where + "/" + key, "expected an array");
        for (std::size_t i = 0; i < j[key].size(); ++i)
            out.push_back(keyed_table(j[key][i], where + "/" + key + "/" + std::to_string(i), fixed));
        return out;
    }

    VectorSource vector(const json& j, const std::string& where, const std::string& name) const {
        object(j, where);
        VectorSource v;
        v.name = name;
        v.path = path(j, where);
        v.layer = string(j, "layer", where, false);
        v.crs = string(j, "crs", where, false);
        if (!v.crs.empty()) {
            try {
                validate_crs(v.crs);
            } catch (const CrsError& e) {
                fail(where + "/crs", e.what());
            }
        }
        v.code_column = string(j, "code", where);
        v.name_column = string(j, "name", where, false);
        v.columns = columns(j, where);
        v.filters = filters(j, where);
        v.vintage = string(j, "vintage", where, false);
        return v;
    }

private:
    std::filesystem::path file_;
    std::filesystem::path base_;
};

/// The fields of the model's `schools` layer a source maps columns to: all but the coordinates the
/// import writes itself and the need flag that comes from a per-school table.
const std::map<std::string, FieldType>& school_field_types() {
    static const std::map<std::string, FieldType> types = [] {
        std::map<std::string, FieldType> out;
        for (const auto& f : model::input_layer(model::layer::schools).fields) {
            const std::string_view name = f.name;
            if (name != model::school::x && name != model::school::y && name != model::school::npq_pp50) out.emplace(name, f.type);
        }
        return out;
    }();
    return types;
}

} // namespace

SchoolsSource gias_preset() {
    SchoolsSource s;
    s.csv.encoding = TextEncoding::Windows1252;
    s.vintage = "DfE Get Information About Schools (edubasealldata)";
    const std::pair<const char*, const char*> cols[] = {
        {model::school::urn, "URN"},
        {model::school::name, "EstablishmentName"},
        {model::school::phase, "PhaseOfEducation (name)"},
        {model::school::status, "EstablishmentStatus (name)"},
        {model::school::type, "TypeOfEstablishment (name)"},
        {model::school::la_code, "LA (code)"},
        {model::school::la_name, "LA (name)"},
        {model::school::lad_code, "DistrictAdministrative (code)"},
        {model::school::lsoa_code, "LSOA (code)"},
        {model::school::postcode, "Postcode"},
        {model::school::pupils, "NumberOfPupils"},
        {model::school::fsm_percent, "PercentageFSM"},
        {model::school::trust_name, "Trusts (name)"},
        {model::school::trust_uid, "Trusts (code)"},
    };
    for (const auto& [field, column] : cols)
        s.columns.push_back(ColumnMapping{field, column, school_field_types().at(field), std::nullopt});
    s.coordinates.push_back(CoordinateColumns{"Easting", "Northing", "EPSG:27700"});
    return s;
}

namespace {

SchoolsSource parse_schools(Reader& r, const json& schools) {
    const json& s = r.object(schools, "/schools");
    SchoolsSource src;
    const std::string preset = r.string(s, "preset", "/schools", false);
    if (preset == "gias") src = gias_preset();
    else if (!preset.empty()) r.fail("/schools/preset", "unknown preset '" + preset + "' (known: gias)");
    const CsvSource defaults = src.csv;
    src.csv = r.csv(s, "/schools");
    if (!preset.empty() && !s.contains("encoding")) src.csv.encoding = defaults.encoding;
    src.vintage = r.string(s, "vintage", "/schools", false, src.vintage);
    // Mapped columns override the preset's one by one.
    for (auto& mapped : r.columns(s, "/schools", school_field_types())) {
        auto it = std::find_if(src.columns.begin(), src.columns.end(), [&](const auto& c) { return c.field == mapped.field; });
        if (it != src.columns.end()) *it = mapped;
        else src.columns.push_back(mapped);
    }
    if (s.contains("coordinates")) {
        if (!s["coordinates"].is_array()) r.fail("/schools/coordinates", "expected an array of {x, y, crs}");
        src.coordinates.clear();
        for (std::size_t i = 0; i < s["coordinates"].size(); ++i)
            src.coordinates.push_back(r.coordinates(s["coordinates"][i], "/schools/coordinates/" + std::to_string(i)));
    }
    src.filters = r.filters(s, "/schools");
    if (s.contains("valid_bounds")) {
        const auto& b = s["valid_bounds"];
        if (!b.is_array() || b.size() != 4) r.fail("/schools/valid_bounds", "expected [xmin, ymin, xmax, ymax] in EPSG:27700");
        src.valid_bounds = Box{Point{b[0].get<double>(), b[1].get<double>()}, Point{b[2].get<double>(), b[3].get<double>()}};
    }
    if (std::none_of(src.columns.begin(), src.columns.end(), [](const auto& c) { return c.field == model::school::urn; }))
        r.fail("/schools/columns", "the column mapping must map \"urn\"");
    if (src.coordinates.empty()) r.fail("/schools/coordinates", "no coordinate columns (give x, y and crs)");
    return src;
}

AreasSource parse_areas(Reader& r, const json& areas_entry) {
    const json& a = r.object(areas_entry, "/areas");
    AreasSource areas;
    if (!a.contains("boundaries")) r.fail("/areas/boundaries", "required entry is missing");
    areas.boundaries = r.vector(a["boundaries"], "/areas/boundaries", model::layer::areas);
    areas.tables = r.keyed_tables(a, "tables", "/areas");
    if (a.contains("clip_to_authorities")) {
        if (!a["clip_to_authorities"].is_boolean()) r.fail("/areas/clip_to_authorities", "expected true or false");
        areas.clip_to_authorities = a["clip_to_authorities"].get<bool>();
    }
    return areas;
}

/// One entry of "hubs", at JSON pointer `w`.
HubSource parse_hub(Reader& r, const json& entry, const std::string& w) {
    const json& h = r.object(entry, w);
    HubSource hub;
    hub.type = r.string(h, "type", w);
    const std::string form = r.string(h, "form", w, false, "district_table");
    hub.vintage = r.string(h, "vintage", w, false);
    hub.id_column = r.string(h, "id", w);
    hub.name_column = r.string(h, "name", w);
    hub.lead_urn_column = r.string(h, "lead_urn", w, false);
    hub.filters = r.filters(h, w);
    if (form == "district_table") {
        hub.form = HubSource::Form::DistrictTable;
        hub.csv = r.csv(h, w);
        hub.district_column = r.string(h, "district", w);
        hub.part_column = r.string(h, "part", w, false);
        hub.whole_value = r.string(h, "whole_value", w, false, "whole");
        if (h.contains("districts")) hub.districts = r.vector(h["districts"], w + "/districts", "hub districts");
        if (h.contains("study_area_only")) {
            if (!h["study_area_only"].is_boolean()) r.fail(w + "/study_area_only", "expected true or false");
            hub.study_area_only = h["study_area_only"].get<bool>();
        }
    } else if (form == "polygons") {
        hub.form = HubSource::Form::Polygons;
        json poly = h;
        poly["code"] = hub.id_column;
        hub.polygons = r.vector(poly, w, model::layer::hubs);
    } else {
        r.fail(w + "/form", "unknown form '" + form + "' (district_table or polygons)");
    }
    return hub;
}

/// One entry of "venues", at JSON pointer `w`.
VenueSource parse_venue(Reader& r, const json& entry, const std::string& w) {
    const json& v = r.object(entry, w);
    VenueSource venue;
    venue.csv = r.csv(v, w);
    venue.vintage = r.string(v, "vintage", w, false);
    venue.hub_column = r.string(v, "hub", w);
    venue.name_column = r.string(v, "name", w, false);
    venue.urn_column = r.string(v, "urn", w, false);
    if (v.contains("coordinates")) venue.xy = r.coordinates(v["coordinates"], w + "/coordinates");
    if (venue.urn_column.empty() && !venue.xy) r.fail(w, "a venue needs \"urn\" or \"coordinates\"");
    return venue;
}

} // namespace

Manifest parse_manifest(const json& j, const std::filesystem::path& file) {
    Manifest m;
    m.file = file;
    const std::filesystem::path dir = file.parent_path();
    std::filesystem::path base = dir;
    if (j.is_object() && j.contains("base_dir") && j["base_dir"].is_string()) {
        const std::filesystem::path b = j["base_dir"].get<std::string>();
        base = (b.is_absolute() ? b : dir / b).lexically_normal();
    }
    m.base_dir = base;
    Reader r(file, base);
    r.object(j, "");
    m.name = r.string(j, "name", "", false, file.stem().string());
    if (j.contains("snap_distance_m")) {
        if (!j["snap_distance_m"].is_number() || j["snap_distance_m"].get<double>() < 0)
            r.fail("/snap_distance_m", "expected a non-negative number of metres");
        m.snap_distance_m = Metres(j["snap_distance_m"].get<double>());
    }
    if (j.contains("clip_schools_to_authorities")) m.clip_schools_to_authorities = j["clip_schools_to_authorities"].get<bool>();

    if (j.contains("schools")) m.schools = parse_schools(r, j["schools"]);
    m.school_tables = r.keyed_tables(j, "school_tables", "", school_field_types());
    if (j.contains("areas")) m.areas = parse_areas(r, j["areas"]);
    if (j.contains("local_authorities")) m.local_authorities = r.vector(j["local_authorities"], "/local_authorities", model::layer::local_authorities);
    if (j.contains("upper_tier_authorities"))
        m.upper_tier_authorities = r.vector(j["upper_tier_authorities"], "/upper_tier_authorities", model::layer::upper_tier_authorities);
    if (j.contains("hubs")) {
        if (!j["hubs"].is_array()) r.fail("/hubs", "expected an array");
        for (std::size_t i = 0; i < j["hubs"].size(); ++i) m.hubs.push_back(parse_hub(r, j["hubs"][i], "/hubs/" + std::to_string(i)));
    }
    if (j.contains("venues")) {
        if (!j["venues"].is_array()) r.fail("/venues", "expected an array");
        for (std::size_t i = 0; i < j["venues"].size(); ++i)
            m.venues.push_back(parse_venue(r, j["venues"][i], "/venues/" + std::to_string(i)));
    }
    if (j.contains("lead_school_venues")) m.lead_school_venues = j["lead_school_venues"].get<bool>();
    m.authority_tables = r.keyed_tables(j, "authority_tables", "");
    if (j.contains("roads")) {
        if (!j["roads"].is_object() && !(j["roads"].is_array() && !j["roads"].empty()))
            r.fail("/roads", "expected a road source object or a non-empty array of them");
        m.roads = j["roads"];
    }
    for (const auto& hub : m.hubs)
        if (hub.form == HubSource::Form::DistrictTable && !hub.districts && !m.local_authorities)
            r.fail("/hubs", "hub type '" + hub.type + "' is a district table but no district boundaries are given "
                            "(add \"local_authorities\" or \"districts\")");
    return m;
}

Manifest read_manifest(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw FileNotFoundError(InputLocation{file.string(), 0, {}}, "cannot open manifest");
    json j;
    try {
        j = json::parse(in);
    } catch (const json::parse_error& e) {
        throw ManifestError(InputLocation{file.string(), 0, {}}, std::string("not valid JSON: ") + e.what());
    } catch (const json::exception& e) {
        throw ManifestError(InputLocation{file.string(), 0, {}}, e.what());
    }
    try {
        return parse_manifest(j, file);
    } catch (const json::exception& e) {
        // A value of the wrong JSON type deep inside (e.g. a number where a bool is expected).
        throw ManifestError(InputLocation{file.string(), 0, {}}, e.what());
    }
}

} // namespace coldspot::geo::import
