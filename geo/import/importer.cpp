#include "coldspot/geo/timestamp.hpp"
#include "coldspot/geo/import/importer.hpp"

#include "coldspot/geo/crs.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/geos.hpp"
#include "coldspot/geo/import/csv_reader.hpp"
#include "coldspot/geo/import/detail/values.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/remits/polygon_index.hpp"
#include "coldspot/geo/routing/road_source.hpp"
#include "coldspot/geo/workspace.hpp"
#include "vector_reader.hpp"

#include <cmath>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace coldspot::geo::import {

const FeatureTable* ImportResult::layer(const std::string& name) const {
    for (const auto& l : layers)
        if (l.name == name) return &l;
    return nullptr;
}

namespace {

constexpr std::size_t kNoColumn = static_cast<std::size_t>(-1);

/// The column's index, or kNoColumn when the manifest does not name one.
std::size_t optional_column(const CsvReader& csv, const std::string& name) {
    return name.empty() ? kNoColumn : csv.require_column(name);
}

/// A school as found in the register before any filter: used to place lead-school venues and to
/// tell "URN unknown" from "school outside this study area" when joining tables.
struct RegisterEntry {
    Point location;
    std::string name;
    bool kept = false;
};

class Importer {
public:
    Importer(const Manifest& m, const ProgressFn& progress) : m_(m), progress_(progress) {}

    ImportResult run() {
        if (m_.local_authorities) {
            step("local authority districts");
            lads_ = detail::read_polygons(*m_.local_authorities, model::layer::local_authorities, result_.report);
        }
        if (m_.upper_tier_authorities) {
            step("upper-tier authorities");
            utlas_ = detail::read_polygons(*m_.upper_tier_authorities, model::layer::upper_tier_authorities, result_.report);
        }
        if (m_.schools) {
            step(model::layer::schools);
            import_schools(*m_.schools);
            for (const auto& t : m_.school_tables) {
                step("school table " + t.name);
                join_school_table(t);
            }
        }
        if (m_.areas) {
            step(model::layer::areas);
            import_areas(*m_.areas);
        }
        for (const auto& hub : m_.hubs) {
            step("hubs: " + hub.type);
            import_hubs(hub);
        }
        step("hub venues");
        import_venues();
        for (const auto& t : m_.authority_tables) {
            step("authority table " + t.name);
            import_authority_table(t);
        }
        if (m_.roads) {
            step(model::layer::roads);
            import_roads(*m_.roads);
        }
        finish();
        return std::move(result_);
    }

private:
    void step(const std::string& s) const {
        if (progress_) progress_(s);
    }

    // -----------------------------------------------------------------------------------------
    // Schools

    /// The register's columns for the manifest's fields, filters and coordinate pairs.
    struct SchoolColumns {
        struct Coord {
            std::size_t x, y;
            CrsTransform to_bng;
        };
        std::vector<std::size_t> col;        ///< per ColumnMapping
        std::vector<std::size_t> filter_col; ///< per RowFilter
        std::vector<Coord> coords;           ///< per CoordinateColumns
        std::size_t urn_at = 0;              ///< the `urn` mapping
    };

    static SchoolColumns school_columns(const CsvReader& csv, const SchoolsSource& src) {
        SchoolColumns c;
        for (const auto& m : src.columns) c.col.push_back(csv.require_column(m.column));
        for (const auto& f : src.filters) c.filter_col.push_back(csv.require_column(f.column));
        for (const auto& p : src.coordinates)
            c.coords.push_back(SchoolColumns::Coord{csv.require_column(p.x), csv.require_column(p.y),
                                                    CrsTransform(p.crs, epsg_code(kBritishNationalGrid))});
        c.urn_at = index_of(src.columns, model::school::urn);
        return c;
    }

    /// The schools layer's name, description and fields: the mapped ones, the core ones the
    /// manifest does not map, and the coordinates.
    void declare_schools(const SchoolsSource& src) {
        schools_.name = model::layer::schools;
        schools_.description = "Schools (" + (src.vintage.empty() ? std::string("register") : src.vintage) + "), EPSG:27700";
        schools_.geometry_type = GeometryType::Point;
        schools_.epsg = kBritishNationalGrid;
        for (const auto& c : src.columns) schools_.fields.push_back(Field{c.field, c.type});
        for (const char* core : {model::school::name, model::school::phase, model::school::status, model::school::lad_code})
            if (schools_.field_index(core) < 0) schools_.fields.push_back(Field{core, FieldType::String});
        x_field_ = schools_.add_field(model::school::x, FieldType::Real);
        y_field_ = schools_.add_field(model::school::y, FieldType::Real);
    }

    /// Districts partition the study area: one district per school, ties on shared boundaries to
    /// the lowest code, points off generalised coastlines snapped (remits::PolygonIndex).
    struct DistrictLookup {
        std::optional<remits::PolygonIndex> index; ///< none: schools are not clipped to districts
        std::vector<std::string> codes;            ///< per polygon of `index`
        std::unordered_set<std::string> study_area;
        std::size_t lad_code_field = 0; ///< in schools_
    };

    DistrictLookup district_lookup() const {
        DistrictLookup d;
        d.lad_code_field = static_cast<std::size_t>(schools_.field_index(model::school::lad_code));
        if (lads_.features.empty() || !m_.clip_schools_to_authorities) return d;
        // Located among all the file's districts, not only the study area's: a school inside a
        // neighbouring district is outside the study area even within the snap distance of its
        // border (snapping is for points off generalised coastlines).
        FeatureTable all;
        if (!m_.local_authorities->filters.empty()) {
            VectorSource national = *m_.local_authorities;
            national.filters.clear();
            ImportReport scratch; // its repairs are reported once, for the study area's districts
            all = detail::read_polygons(national, model::layer::local_authorities, scratch);
        }
        const FeatureTable& districts = m_.local_authorities->filters.empty() ? lads_ : all;
        std::vector<MultiPolygon> polygons;
        for (const auto& f : districts.features) {
            polygons.push_back(std::get<MultiPolygon>(f.geometry));
            d.codes.push_back(as_text(f.values[0]));
        }
        for (const auto& f : lads_.features) d.study_area.insert(as_text(f.values[0]));
        d.index.emplace(std::move(polygons), d.codes);
        return d;
    }

    /// The row's location in EPSG:27700: the first coordinate pair with two numbers wins. Without
    /// one, `field` and `problem` say why (they start as the first pair's x and "no coordinates").
    static std::optional<Point> school_location(const CsvRecord& row, const SchoolColumns& cols, const SchoolsSource& src,
                                                std::string& field, std::string& problem) {
        std::optional<Point> bng;
        for (std::size_t k = 0; k < cols.coords.size() && !bng; ++k) {
            const std::string& xs = row.fields[cols.coords[k].x];
            const std::string& ys = row.fields[cols.coords[k].y];
            if (xs.empty() && ys.empty()) continue;
            const auto x = parse_number(xs), y = parse_number(ys);
            if (!x || !y) {
                field = !x ? src.coordinates[k].x : src.coordinates[k].y;
                problem = "non-numeric coordinate '" + (!x ? xs : ys) + "'";
                continue;
            }
            if (*x == 0 && *y == 0) {
                problem = "coordinates are 0,0 (GIAS's placeholder for unknown)";
                continue;
            }
            try {
                bng = cols.coords[k].to_bng(Point{*x, *y});
            } catch (const CrsError& e) {
                field = src.coordinates[k].x;
                problem = e.what();
            }
        }
        return bng;
    }

    /// A kept school's feature: its mapped cells converted (bad cells reported and nulled) and its
    /// coordinates.
    Feature school_feature(const CsvRecord& row, const SchoolColumns& cols, const SchoolsSource& src, std::int64_t urn,
                           const Point& bng, const std::string& file, const std::string& key) {
        Feature f;
        f.fid = urn;
        f.geometry = bng;
        f.values.resize(schools_.fields.size());
        for (std::size_t k = 0; k < src.columns.size(); ++k) {
            const auto& c = src.columns[k];
            const std::string& text = row.fields[cols.col[k]];
            if (c.equals) {
                f.values[k] = std::int64_t{text == *c.equals};
                continue;
            }
            bool ok = true;
            f.values[k] = convert_cell(text, c.type, src.csv.null_values, ok);
            if (!ok) result_.report.add(ReportEntry{model::layer::schools, file, row.line, key, c.column,
                                                    "not a valid " + std::string(to_string(c.type)) + ": '" + text + "'", "nulled"});
        }
        f.values[x_field_] = bng.x();
        f.values[y_field_] = bng.y();
        return f;
    }

    /// Sets the school's district from its location; false (reported) when it lies outside the
    /// study area.
    bool place_in_district(const DistrictLookup& d, Feature& f, const Point& bng, DatasetRecord& rec, const std::string& file,
                           std::size_t line, const std::string& key, const std::string& coord_field) {
        const std::size_t lad_code_field = d.lad_code_field;
        const auto hit = d.index->locate(bng, m_.snap_distance_m);
        if (!hit) {
            ++rec.rows_rejected;
            result_.report.add(ReportEntry{model::layer::schools, file, line, key, coord_field,
                                           "not within " + std::to_string(static_cast<int>(m_.snap_distance_m.value())) +
                                               " m of any local authority district of the study area",
                                           "outside-study-area"});
            return false;
        }
        const std::string lad = d.codes[hit->polygon];
        if (!d.study_area.count(lad)) {
            ++rec.rows_rejected;
            result_.report.add(ReportEntry{model::layer::schools, file, line, key, coord_field,
                                           "lies in district " + lad + ", outside the study area", "outside-study-area"});
            return false;
        }
        const std::string given = as_text(f.values[lad_code_field]);
        if (!given.empty() && given != lad)
            result_.report.add(ReportEntry{model::layer::schools, file, line, key, model::school::lad_code,
                                           "source says " + given + ", point lies in " + lad + " (kept " + lad + ")", "corrected"});
        if (hit->placement == remits::Placement::Snapped)
            result_.report.add(ReportEntry{model::layer::schools, file, line, key, "geometry",
                                           "outside the generalised district boundary by " +
                                               std::to_string(static_cast<int>(std::lround(hit->distance_m))) + " m; assigned to " + lad,
                                           "snapped"});
        f.values[lad_code_field] = lad;
        return true;
    }

    void import_schools(const SchoolsSource& src) {
        CsvReader csv(src.csv.path, src.csv.delimiter, src.csv.encoding);
        const std::string file = src.csv.path.string();
        DatasetRecord& rec = result_.report.dataset(model::layer::schools, src.csv.path, src.vintage);
        const SchoolColumns cols = school_columns(csv, src);
        const std::size_t urn_at = cols.urn_at;
        declare_schools(src);
        const DistrictLookup districts = district_lookup();

        CsvRecord row;
        std::unordered_set<std::int64_t> seen;
        while (csv.next(row)) {
            ++rec.rows_read;
            auto reject = [&](const std::string& key, const std::string& field, const std::string& reason,
                              const std::string& action = "rejected") {
                ++rec.rows_rejected;
                result_.report.add(ReportEntry{model::layer::schools, file, row.line, key, field, reason, action});
            };
            if (row.fields.size() != csv.header().size()) {
                reject(row.fields.empty() ? "" : row.fields[0], "",
                       "malformed line: " + std::to_string(row.fields.size()) + " fields, header has " +
                           std::to_string(csv.header().size()));
                continue;
            }
            const std::string& urn_text = row.fields[cols.col[urn_at]];
            const auto urn = parse_integer(urn_text);
            if (!urn || *urn <= 0) {
                reject(urn_text, src.columns[urn_at].column, "URN is not a positive integer: '" + urn_text + "'");
                continue;
            }
            const std::string key = std::to_string(*urn);
            std::string coord_problem = "no coordinates";
            std::string coord_field = src.coordinates.front().x;
            const std::optional<Point> bng = school_location(row, cols, src, coord_field, coord_problem);
            const bool filtered_out = !passes(src.filters, cols.filter_col, row, file);
            if (bng && !filtered_out) register_[*urn] = RegisterEntry{*bng, row.fields[cols.col[index_of(src.columns, "name", urn_at)]], false};
            else if (bng && !register_.count(*urn)) register_[*urn] = RegisterEntry{*bng, "", false};
            register_urns_.insert(*urn);
            if (filtered_out) continue;
            if (!bng) {
                reject(key, coord_field, coord_problem);
                continue;
            }
            if (!bg::within(*bng, src.valid_bounds)) {
                char buf[96];
                std::snprintf(buf, sizeof buf, "coordinate (%.0f, %.0f) is outside England's extent", bng->x(), bng->y());
                reject(key, coord_field, buf);
                continue;
            }
            if (!seen.insert(*urn).second) {
                reject(key, src.columns[urn_at].column, "duplicate URN (first occurrence kept)");
                continue;
            }
            Feature f = school_feature(row, cols, src, *urn, *bng, file, key);
            if (districts.index && !place_in_district(districts, f, *bng, rec, file, row.line, key, coord_field)) continue;
            register_[*urn].kept = true;
            school_index_[*urn] = schools_.features.size();
            schools_.features.push_back(std::move(f));
            ++rec.rows_kept;
        }
        if (rec.rows_read == 0) throw EmptyInputError(InputLocation{file, 1, {}}, "no data rows after the header");
    }

    static std::size_t index_of(const std::vector<ColumnMapping>& cols, const std::string& field, std::size_t fallback = 0) {
        for (std::size_t i = 0; i < cols.size(); ++i)
            if (cols[i].field == field) return i;
        return fallback;
    }

    /// Whether a row passes every filter; a cell a date filter cannot read stops the import with the
    /// file, row and column named.
    static bool passes(const std::vector<RowFilter>& filters, const std::vector<std::size_t>& cols, const CsvRecord& row,
                       const std::string& file) {
        for (std::size_t k = 0; k < filters.size(); ++k) {
            if (cols[k] >= row.fields.size()) return false;
            try {
                if (!filters[k].keeps(row.fields[cols[k]])) return false;
            } catch (const FormatError& e) {
                throw FormatError(InputLocation{file, row.line, filters[k].column}, e.reason());
            }
        }
        return true;
    }

    // -----------------------------------------------------------------------------------------
    // Tables joined by key

    /// Reads a keyed table: calls `apply(key, values, line)` for each row that passes the filters
    /// and returns how rows went. Bad cells are reported and read as NULL.
    template <typename Apply>
    void read_keyed(const KeyedTable& t, DatasetRecord& rec, Apply apply) {
        CsvReader csv(t.csv.path, t.csv.delimiter, t.csv.encoding);
        const std::string file = t.csv.path.string();
        const std::size_t key_col = csv.require_column(t.key_column);
        std::vector<std::size_t> cols;
        for (const auto& c : t.columns) cols.push_back(csv.require_column(c.column));
        std::vector<std::size_t> filter_cols;
        for (const auto& f : t.filters) filter_cols.push_back(csv.require_column(f.column));
        CsvRecord row;
        std::unordered_set<std::string> seen;
        while (csv.next(row)) {
            ++rec.rows_read;
            if (row.fields.size() != csv.header().size()) {
                ++rec.rows_rejected;
                result_.report.add(ReportEntry{t.name, file, row.line, "", "",
                                               "malformed line: " + std::to_string(row.fields.size()) + " fields, header has " +
                                                   std::to_string(csv.header().size()),
                                               "rejected"});
                continue;
            }
            if (!passes(t.filters, filter_cols, row, file)) continue;
            const std::string& key = row.fields[key_col];
            if (!seen.insert(key).second) {
                ++rec.rows_rejected;
                result_.report.add(ReportEntry{t.name, file, row.line, key, t.key_column, "duplicate key (first kept)", "rejected"});
                continue;
            }
            std::vector<Value> values(t.columns.size());
            for (std::size_t k = 0; k < t.columns.size(); ++k) {
                const auto& c = t.columns[k];
                const std::string& text = row.fields[cols[k]];
                if (c.equals) {
                    values[k] = std::int64_t{text == *c.equals};
                    continue;
                }
                bool ok = true;
                values[k] = convert_cell(text, c.type, t.csv.null_values, ok);
                if (!ok) result_.report.add(ReportEntry{t.name, file, row.line, key, c.column,
                                                        "not a valid " + std::string(to_string(c.type)) + ": '" + text + "'", "nulled"});
            }
            apply(key, std::move(values), row.line);
        }
        if (rec.rows_read == 0) throw EmptyInputError(InputLocation{file, 1, {}}, "no data rows after the header");
    }

    /// Adds the table's columns (and flag field) to a layer; returns their indices.
    static std::vector<std::size_t> add_table_fields(FeatureTable& layer, const KeyedTable& t, std::optional<std::size_t>& flag) {
        std::vector<std::size_t> idx;
        for (const auto& c : t.columns) {
            const int existing = layer.field_index(c.field);
            idx.push_back(existing >= 0 ? static_cast<std::size_t>(existing) : layer.add_field(c.field, c.type));
        }
        if (t.flag_field) {
            const int existing = layer.field_index(*t.flag_field);
            flag = existing >= 0 ? static_cast<std::size_t>(existing) : layer.add_field(*t.flag_field, FieldType::Integer);
            for (auto& f : layer.features) f.values[*flag] = std::int64_t{0};
        }
        return idx;
    }

    void join_school_table(const KeyedTable& t) {
        DatasetRecord& rec = result_.report.dataset(t.name, t.csv.path, t.vintage);
        std::optional<std::size_t> flag;
        const auto idx = add_table_fields(schools_, t, flag);
        std::size_t outside = 0;
        read_keyed(t, rec, [&](const std::string& key, std::vector<Value> values, std::size_t line) {
            const auto urn = parse_integer(key);
            auto it = urn ? school_index_.find(*urn) : school_index_.end();
            if (it == school_index_.end()) {
                if (urn && register_urns_.count(*urn)) {
                    ++outside; // a real school, filtered out of this study area
                } else if (t.covers_more && urn) {
                    ++outside;
                } else {
                    ++rec.rows_rejected;
                    result_.report.add(ReportEntry{t.name, t.csv.path.string(), line, key, t.key_column,
                                                   urn ? "URN matches no school in the register" : "key is not a URN", "unmatched"});
                }
                return;
            }
            Feature& f = schools_.features[it->second];
            for (std::size_t k = 0; k < idx.size(); ++k)
                if (!is_null(values[k]) || is_null(f.values[idx[k]])) f.values[idx[k]] = std::move(values[k]);
            if (flag) f.values[*flag] = std::int64_t{1};
            ++rec.rows_kept;
        });
        if (outside > 0)
            result_.report.add(ReportEntry{t.name, t.csv.path.string(), 0, "", t.key_column,
                                           std::to_string(outside) + " rows are schools outside this study area or filtered out",
                                           "outside-study-area"});
    }

    // -----------------------------------------------------------------------------------------
    // Areas

    void import_areas(const AreasSource& src) {
        areas_ = detail::read_polygons(src.boundaries, model::layer::areas, result_.report);
        if (src.clip_to_authorities) clip_areas(src);
        areas_.description = "Areas (LSOA) with deprivation and rurality, EPSG:27700";
        std::unordered_map<std::string, std::size_t> by_code;
        for (std::size_t i = 0; i < areas_.features.size(); ++i) {
            const std::string code = as_text(areas_.features[i].values[0]);
            if (!by_code.emplace(code, i).second)
                result_.report.add(ReportEntry{model::layer::areas, src.boundaries.path.string(), static_cast<std::size_t>(areas_.features[i].fid),
                                               code, src.boundaries.code_column, "duplicate area code", "duplicate"});
        }
        for (const auto& t : src.tables) {
            DatasetRecord& rec = result_.report.dataset(t.name, t.csv.path, t.vintage);
            std::optional<std::size_t> flag;
            const auto idx = add_table_fields(areas_, t, flag);
            std::vector<bool> matched(areas_.features.size(), false);
            std::size_t extra = 0;
            read_keyed(t, rec, [&](const std::string& key, std::vector<Value> values, std::size_t line) {
                auto it = by_code.find(key);
                if (it == by_code.end()) {
                    if (t.covers_more) ++extra;
                    else {
                        ++rec.rows_rejected;
                        result_.report.add(ReportEntry{t.name, t.csv.path.string(), line, key, t.key_column,
                                                       "code matches no area boundary", "unmatched"});
                    }
                    return;
                }
                matched[it->second] = true;
                Feature& f = areas_.features[it->second];
                for (std::size_t k = 0; k < idx.size(); ++k) f.values[idx[k]] = std::move(values[k]);
                if (flag) f.values[*flag] = std::int64_t{1};
                ++rec.rows_kept;
            });
            if (extra > 0)
                result_.report.add(ReportEntry{t.name, t.csv.path.string(), 0, "", t.key_column,
                                               std::to_string(extra) + " codes are outside this study area's boundaries", "outside-study-area"});
            for (std::size_t i = 0; i < matched.size(); ++i)
                if (!matched[i])
                    result_.report.add(ReportEntry{t.name, src.boundaries.path.string(), static_cast<std::size_t>(areas_.features[i].fid),
                                                   as_text(areas_.features[i].values[0]), t.key_column,
                                                   "area has no row in " + t.csv.path.filename().string(), "unmatched"});
        }
    }

    /// Keeps the areas whose interior point lies in a district of the study area; the rest are
    /// counted in one report row (a national boundary file on a regional workspace).
    void clip_areas(const AreasSource& src) {
        if (lads_.features.empty())
            throw ManifestError(InputLocation{m_.file.string(), 0, "/areas/clip_to_authorities"}, "needs \"local_authorities\"");
        const remits::PolygonIndex lookup = district_index();
        std::vector<Feature> kept;
        std::size_t outside = 0;
        for (auto& f : areas_.features) {
            const auto& mp = std::get<MultiPolygon>(f.geometry);
            if (!mp.empty() && lookup.locate(interior_point(mp), Metres(0))) kept.push_back(std::move(f));
            else ++outside;
        }
        areas_.features = std::move(kept);
        if (outside > 0)
            result_.report.add(ReportEntry{model::layer::areas, src.boundaries.path.string(), 0, "", "geometry",
                                           std::to_string(outside) + " areas lie outside the study area's districts", "outside-study-area"});
    }

    remits::PolygonIndex district_index() const {
        std::vector<MultiPolygon> polygons;
        std::vector<std::string> codes;
        for (const auto& f : lads_.features) {
            polygons.push_back(std::get<MultiPolygon>(f.geometry));
            codes.push_back(as_text(f.values[0]));
        }
        return remits::PolygonIndex(std::move(polygons), std::move(codes));
    }

    // -----------------------------------------------------------------------------------------
    // Hubs

    void ensure_hub_layers() {
        if (!hubs_.fields.empty()) return;
        hubs_.name = model::layer::hubs;
        hubs_.description = "Hub footprints (one feature per hub area), EPSG:27700";
        hubs_.geometry_type = GeometryType::MultiPolygon;
        hubs_.epsg = kBritishNationalGrid;
        hubs_.fields = model::table_fields(model::input_layer(model::layer::hubs));
        hub_districts_.name = model::layer::hub_districts;
        hub_districts_.description = "Districts listed for each hub area, with the part when only part is covered";
        hub_districts_.epsg = 0;
        hub_districts_.fields = model::table_fields(model::input_layer(model::layer::hub_districts));
    }

    void import_hubs(const HubSource& src) {
        ensure_hub_layers();
        if (src.form == HubSource::Form::Polygons) {
            FeatureTable polys = detail::read_polygons(src.polygons, model::layer::hubs, result_.report);
            for (auto& f : polys.features) {
                const std::string id = as_text(f.values[0]);
                add_hub(src, id, as_text(f.values[1]), std::nullopt, {}, {}, std::get<MultiPolygon>(f.geometry));
            }
            return;
        }
        const FeatureTable* districts = &lads_;
        FeatureTable own_districts;
        if (src.districts) {
            own_districts = detail::read_polygons(*src.districts, "hub districts", result_.report);
            districts = &own_districts;
        }
        std::unordered_map<std::string, std::size_t> lad_by_code;
        for (std::size_t i = 0; i < districts->features.size(); ++i) lad_by_code[as_text(districts->features[i].values[0])] = i;

        CsvReader csv(src.csv.path, src.csv.delimiter, src.csv.encoding);
        const std::string file = src.csv.path.string();
        const std::string dataset = "hubs: " + src.type;
        DatasetRecord& rec = result_.report.dataset(dataset, src.csv.path, src.vintage);
        const std::size_t id_c = csv.require_column(src.id_column), name_c = csv.require_column(src.name_column);
        const std::size_t district_c = csv.require_column(src.district_column);
        const std::size_t lead_c = optional_column(csv, src.lead_urn_column);
        const std::size_t part_c = optional_column(csv, src.part_column);
        std::vector<std::size_t> filter_cols;
        for (const auto& f : src.filters) filter_cols.push_back(csv.require_column(f.column));

        struct Pending {
            std::string name;
            std::optional<std::int64_t> lead;
            std::vector<std::string> districts, partial;
            std::vector<MultiPolygon> parts;
        };
        std::vector<std::string> order;
        std::map<std::string, Pending> pending;
        CsvRecord row;
        while (csv.next(row)) {
            ++rec.rows_read;
            if (row.fields.size() != csv.header().size()) {
                ++rec.rows_rejected;
                result_.report.add(ReportEntry{dataset, file, row.line, "", "", "malformed line", "rejected"});
                continue;
            }
            if (!passes(src.filters, filter_cols, row, file)) continue;
            const std::string& id = row.fields[id_c];
            const std::string& lad = row.fields[district_c];
            auto it = lad_by_code.find(lad);
            if (it == lad_by_code.end()) {
                ++rec.rows_rejected;
                result_.report.add(ReportEntry{dataset, file, row.line, id, src.district_column,
                                               "district code '" + lad + "' matches no district boundary", "unmatched"});
                continue;
            }
            if (!pending.count(id)) order.push_back(id);
            Pending& p = pending[id];
            p.name = row.fields[name_c];
            if (lead_c != kNoColumn) {
                const auto lead = parse_integer(row.fields[lead_c]);
                if (lead) p.lead = lead;
                else if (!row.fields[lead_c].empty())
                    result_.report.add(ReportEntry{dataset, file, row.line, id, src.lead_urn_column,
                                                   "lead school URN is not a number: '" + row.fields[lead_c] + "'", "nulled"});
            }
            const std::string part = part_c != kNoColumn ? row.fields[part_c] : src.whole_value;
            p.districts.push_back(lad);
            if (part != src.whole_value) p.partial.push_back(lad);
            p.parts.push_back(std::get<MultiPolygon>(districts->features[it->second].geometry));
            hub_districts_.features.push_back(Feature{0, {}, {slug(src.type) + ":" + id, src.type, lad, part}});
            ++rec.rows_kept;
        }
        if (rec.rows_read == 0) throw EmptyInputError(InputLocation{file, 1, {}}, "no data rows after the header");
        std::unordered_set<std::string> study_area;
        for (const auto* layer : {&lads_, &utlas_})
            for (const auto& f : layer->features) study_area.insert(as_text(f.values[0]));
        std::size_t elsewhere = 0;
        for (const auto& id : order) {
            Pending& p = pending[id];
            if (src.study_area_only &&
                std::none_of(p.districts.begin(), p.districts.end(), [&](const auto& d) { return study_area.count(d) > 0; })) {
                ++elsewhere;
                continue;
            }
            add_hub(src, id, p.name, p.lead, p.districts, p.partial, union_all(p.parts));
        }
        if (elsewhere > 0) {
            std::erase_if(hub_districts_.features, [&](const Feature& f) {
                const std::string hub = as_text(f.values[0]);
                return hub.rfind(slug(src.type) + ":", 0) == 0 &&
                       std::none_of(hubs_.features.begin(), hubs_.features.end(), [&](const Feature& h) { return as_text(h.values[0]) == hub; });
            });
            result_.report.add(ReportEntry{dataset, file, 0, "", src.district_column,
                                           std::to_string(elsewhere) + " hubs have no district in the study area", "outside-study-area"});
        }
    }

    static std::string join(const std::vector<std::string>& v) {
        std::string out;
        for (const auto& s : v) out += (out.empty() ? "" : ";") + s;
        return out;
    }

    void add_hub(const HubSource& src, const std::string& id, const std::string& name, std::optional<std::int64_t> lead,
                 const std::vector<std::string>& districts, const std::vector<std::string>& partial, MultiPolygon footprint) {
        Feature f;
        f.fid = static_cast<std::int64_t>(hubs_.features.size() + 1);
        const double km2 = bg::area(footprint) / 1e6;
        f.geometry = std::move(footprint);
        f.values = {slug(src.type) + ":" + id, src.type, name, id, lead ? Value{*lead} : Value{}, join(districts), join(partial), km2};
        hubs_.features.push_back(std::move(f));
    }

    // -----------------------------------------------------------------------------------------
    // Venues

    void import_venues() {
        venues_.name = model::layer::hub_venues;
        venues_.description = "Where each hub delivers (lead schools unless venues are listed), EPSG:27700";
        venues_.geometry_type = GeometryType::Point;
        venues_.epsg = kBritishNationalGrid;
        venues_.fields = model::table_fields(model::input_layer(model::layer::hub_venues));
        std::unordered_map<std::string, std::size_t> hub_by_id;
        for (std::size_t i = 0; i < hubs_.features.size(); ++i) hub_by_id[as_text(hubs_.features[i].values[0])] = i;
        auto add = [&](std::size_t hub, const Point& p, const std::string& name, std::optional<std::int64_t> urn, const char* kind) {
            Feature f;
            f.fid = static_cast<std::int64_t>(venues_.features.size() + 1);
            f.geometry = p;
            f.values = {hubs_.features[hub].values[0], hubs_.features[hub].values[1], name, urn ? Value{*urn} : Value{}, std::string(kind)};
            venues_.features.push_back(std::move(f));
        };
        if (m_.lead_school_venues) {
            for (std::size_t i = 0; i < hubs_.features.size(); ++i) {
                const auto lead = as_number(hubs_.features[i].values[4]);
                if (!lead) continue;
                const auto urn = static_cast<std::int64_t>(*lead);
                auto it = register_.find(urn);
                if (it == register_.end()) {
                    result_.report.add(ReportEntry{"hub venues", "", 0, std::to_string(urn), model::hub::lead_urn,
                                                   "lead school of " + as_text(hubs_.features[i].values[0]) +
                                                       " has no location in the schools register: no venue",
                                                   "unmatched"});
                    continue;
                }
                add(i, it->second.location, it->second.name, urn, "lead school");
            }
        }
        for (const auto& v : m_.venues) {
            CsvReader csv(v.csv.path, v.csv.delimiter, v.csv.encoding);
            const std::string file = v.csv.path.string();
            DatasetRecord& rec = result_.report.dataset("venues", v.csv.path, v.vintage);
            const std::size_t hub_c = csv.require_column(v.hub_column);
            const std::size_t name_c = optional_column(csv, v.name_column);
            const std::size_t urn_c = optional_column(csv, v.urn_column);
            std::optional<std::pair<std::size_t, std::size_t>> xy_c;
            std::optional<CrsTransform> to_bng;
            if (v.xy) {
                xy_c.emplace(csv.require_column(v.xy->x), csv.require_column(v.xy->y));
                to_bng.emplace(v.xy->crs, epsg_code(kBritishNationalGrid));
            }
            CsvRecord row;
            while (csv.next(row)) {
                ++rec.rows_read;
                auto reject = [&](const std::string& field, const std::string& reason) {
                    ++rec.rows_rejected;
                    result_.report.add(ReportEntry{"venues", file, row.line, row.fields.empty() ? "" : row.fields[0], field, reason, "rejected"});
                };
                if (row.fields.size() != csv.header().size()) {
                    reject("", "malformed line");
                    continue;
                }
                auto hub = hub_by_id.find(row.fields[hub_c]);
                if (hub == hub_by_id.end()) {
                    reject(v.hub_column, "hub '" + row.fields[hub_c] + "' is not in the hubs layer");
                    continue;
                }
                std::optional<std::int64_t> urn = urn_c != kNoColumn ? parse_integer(row.fields[urn_c]) : std::nullopt;
                std::optional<Point> p;
                std::string name = name_c != kNoColumn ? row.fields[name_c] : std::string();
                if (xy_c) {
                    const auto x = parse_number(row.fields[xy_c->first]), y = parse_number(row.fields[xy_c->second]);
                    if (x && y) p = (*to_bng)(Point{*x, *y});
                }
                if (!p && urn) {
                    auto it = register_.find(*urn);
                    if (it != register_.end()) {
                        p = it->second.location;
                        if (name.empty()) name = it->second.name;
                    }
                }
                if (!p) {
                    reject(urn_c != kNoColumn ? v.urn_column : v.xy->x, "venue has neither usable coordinates nor a URN with a location");
                    continue;
                }
                add(hub->second, *p, name, urn, "venue");
                ++rec.rows_kept;
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Authority tables

    void import_authority_table(const KeyedTable& t) {
        DatasetRecord& rec = result_.report.dataset(t.name, t.csv.path, t.vintage);
        FeatureTable table;
        table.name = t.name;
        table.description = "Per-authority table " + t.name + (t.vintage.empty() ? "" : " (" + t.vintage + ")");
        table.epsg = 0;
        table.fields.push_back(Field{"code", FieldType::String});
        for (const auto& c : t.columns) table.fields.push_back(Field{c.field, c.type});
        std::unordered_set<std::string> codes;
        for (const auto* layer : {&lads_, &utlas_})
            for (const auto& f : layer->features) codes.insert(as_text(f.values[0]));
        std::size_t extra = 0;
        read_keyed(t, rec, [&](const std::string& key, std::vector<Value> values, std::size_t line) {
            if (!codes.empty() && !codes.count(key)) {
                // A national table on a regional workspace keeps only the study area's rows.
                if (t.covers_more) {
                    ++extra;
                    return;
                }
                result_.report.add(ReportEntry{t.name, t.csv.path.string(), line, key, t.key_column,
                                               "authority code matches no boundary in this workspace", "unmatched"});
            }
            Feature f;
            f.values.push_back(key);
            for (auto& v : values) f.values.push_back(std::move(v));
            table.features.push_back(std::move(f));
            ++rec.rows_kept;
        });
        if (extra > 0)
            result_.report.add(ReportEntry{t.name, t.csv.path.string(), 0, "", t.key_column,
                                           std::to_string(extra) + " authority codes are outside this study area", "outside-study-area"});
        result_.layers.push_back(std::move(table));
    }

    // -----------------------------------------------------------------------------------------
    // Roads: read by the routing component, which owns the road model

    /// One source, or several (county extracts): their lines go into one layer. Extracts
    /// overlap at their borders; the graph joins line ends that meet, so a road in both is simply
    /// there twice.
    void import_roads(const nlohmann::json& entry) {
        const bool many = entry.is_array();
        for (std::size_t i = 0; i < (many ? entry.size() : 1); ++i) {
            const nlohmann::json& e = many ? entry[i] : entry;
            const std::string at = m_.file.string() + ": /roads" + (many ? "/" + std::to_string(i) : "");
            const auto source = routing::parse_road_source(e, m_.base_dir, at);
            DatasetRecord& rec = result_.report.dataset(model::layer::roads, source.path, e.value("vintage", std::string()));
            FeatureTable lines = routing::read_road_lines(source);
            rec.rows_kept = rec.rows_read = static_cast<std::int64_t>(lines.features.size());
            if (roads_.fields.empty()) {
                roads_ = std::move(lines);
                continue;
            }
            for (auto& f : lines.features) {
                f.fid = static_cast<std::int64_t>(roads_.features.size()) + 1;
                roads_.features.push_back(std::move(f));
            }
            roads_.description += "; " + lines.description;
        }
    }

    // -----------------------------------------------------------------------------------------

    void finish() {
        auto keep = [&](FeatureTable& t) {
            if (!t.fields.empty()) result_.layers.push_back(std::move(t));
        };
        lads_.description = "Local authority districts, EPSG:27700";
        utlas_.description = "Upper-tier local authorities (education authorities), EPSG:27700";
        const bool has_hubs = !hubs_.features.empty() || !venues_.features.empty(); // before hubs_ is moved
        keep(schools_);
        keep(areas_);
        keep(lads_);
        keep(utlas_);
        keep(hubs_);
        keep(hub_districts_);
        if (has_hubs) keep(venues_);
        if (m_.roads) keep(roads_);
        const std::string now = geo::utc_now_iso8601();
        result_.layers.push_back(result_.report.provenance_table(now));
        result_.layers.push_back(result_.report.report_table());
    }

    const Manifest& m_;
    const ProgressFn& progress_;
    ImportResult result_;
    FeatureTable schools_, areas_, lads_, utlas_, hubs_, hub_districts_, venues_, roads_;
    std::size_t x_field_ = 0, y_field_ = 0;
    std::unordered_map<std::int64_t, RegisterEntry> register_;
    std::unordered_set<std::int64_t> register_urns_;
    std::unordered_map<std::int64_t, std::size_t> school_index_;
};

} // namespace

ImportResult build_layers(const Manifest& manifest, const ProgressFn& progress) {
    return Importer(manifest, progress).run();
}

ImportResult import_workspace(const Manifest& manifest, const std::filesystem::path& output, const ProgressFn& progress) {
    ImportResult result = build_layers(manifest, progress);
    if (progress) progress("writing " + output.string());
    WorkspaceWriter writer(output);
    for (const auto& layer : result.layers) writer.write(layer);
    writer.commit();
    return result;
}

} // namespace coldspot::geo::import
