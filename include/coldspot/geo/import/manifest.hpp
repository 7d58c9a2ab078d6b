#pragma once
// The import manifest: which files to read and how their columns map onto the workspace schema
// (docs/workspace.md). Another vintage or region is a new manifest, not new code.
// The JSON format is documented with an example per dataset in docs/import.md.
#include "coldspot/geo/alias.hpp"
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/import/csv_reader.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace coldspot::geo::import {

/// A date range on a column, for "open on a day" sets from a register's open and close dates.
/// Dates are held as yyyymmdd integers.
struct DateFilter {
    std::string format;              ///< the cells' format: "DD-MM-YYYY", "DD/MM/YYYY" or "YYYY-MM-DD"
    std::optional<int> on_or_before; ///< keep dates on or before this day
    std::optional<int> after;        ///< keep dates after this day
    bool keep_empty = false;         ///< an empty cell (no open date known, not closed) passes
};

/// Parses `text` as a date in `format` (see DateFilter); nullopt when it is not a real day in it.
std::optional<int> parse_date(std::string_view text, std::string_view format);

/// Keeps a row when its column's value is one of `values`, starts with `prefix`, or is a date `date`
/// keeps.
struct RowFilter {
    std::string column;
    std::vector<std::string> values;
    std::optional<std::string> prefix;
    std::optional<DateFilter> date;
    /// Throws FormatError (its reason only: the caller knows the file and row) for a cell that is not a
    /// date in a date filter's format: a filter that cannot be applied must not guess.
    bool keeps(std::string_view value) const;
};

/// One source column mapped onto one workspace field.
struct ColumnMapping {
    std::string field;  ///< workspace field name
    std::string column; ///< source column name
    FieldType type = FieldType::String;
    /// When set, the field is an integer flag: 1 when the source value equals this, else 0.
    std::optional<std::string> equals;
};

struct CsvSource {
    std::filesystem::path path;
    char delimiter = ',';
    TextEncoding encoding = TextEncoding::Utf8;
    /// Cell values read as NULL (DfE uses NA, SUPP, x, z, c and ".." for suppressed or missing).
    std::vector<std::string> null_values{"", "NA", "N/A", "SUPP", "x", "z", "c", ".."};
};

struct CoordinateColumns {
    std::string x;
    std::string y;
    std::string crs = "EPSG:27700";
};

struct SchoolsSource {
    CsvSource csv;
    std::string vintage;
    std::vector<ColumnMapping> columns; ///< must map `urn`; core fields have fixed types
    std::vector<CoordinateColumns> coordinates; ///< tried in order; the first usable pair wins
    std::vector<RowFilter> filters;
    /// Points outside this box (EPSG:27700) are rejected as "outside England".
    Box valid_bounds{Point{80000, 0}, Point{660000, 660000}};
};

/// A table joined to a layer by key (per-school, per-LSOA or per-authority).
struct KeyedTable {
    std::string name; ///< dataset name in the provenance table (and layer name for authority tables)
    CsvSource csv;
    std::string vintage;
    std::string key_column;
    std::vector<ColumnMapping> columns;
    std::vector<RowFilter> filters;
    /// For lists: set this integer field to 1 for keys present in the table (0 for the rest).
    std::optional<std::string> flag_field;
    /// The table covers more than the study area (a national table joined to a region): keys
    /// that match nothing are counted in one summary entry instead of listed one by one.
    bool covers_more = false;
};

/// Polygons from any OGR-readable file.
struct VectorSource {
    std::string name;
    std::filesystem::path path;
    std::string layer; ///< empty: the first layer
    std::string crs;   ///< empty: the file's own CRS; set to override a missing/wrong one
    std::string code_column;
    std::string name_column;
    std::vector<ColumnMapping> columns;
    std::vector<RowFilter> filters;
    std::string vintage;
};

struct AreasSource {
    VectorSource boundaries;
    std::vector<KeyedTable> tables; ///< deprivation, rurality, ... joined on the area code
    /// Keep only areas whose interior point lies in a district of the study area (a national
    /// boundary file on a regional workspace: membership by location, not by a code column).
    bool clip_to_authorities = false;
};

struct HubSource {
    std::string type; ///< free text: "teaching school hub", "maths hub", ...
    enum class Form { DistrictTable, Polygons } form = Form::DistrictTable;
    CsvSource csv;            ///< DistrictTable: one row per hub x district
    VectorSource polygons;    ///< Polygons: footprints as they are
    std::string vintage;
    std::string id_column;    ///< area code / hub id
    std::string name_column;
    std::string lead_urn_column;
    std::string district_column; ///< LAD code (DistrictTable)
    std::string part_column;     ///< "whole" or a part label (DistrictTable, optional)
    std::string whole_value = "whole";
    std::vector<RowFilter> filters;
    /// District boundaries to dissolve (DistrictTable). Default: the manifest's local_authorities.
    std::optional<VectorSource> districts;
    /// Keep only hubs with a listed district among the workspace's local or upper-tier
    /// authorities (a national hub table on a regional workspace).
    bool study_area_only = false;
};

struct VenueSource {
    CsvSource csv;
    std::string vintage;
    std::string hub_column; ///< hub id as in the hubs layer (`type-slug:area`)
    std::string name_column;
    std::string urn_column;               ///< venue at a school...
    std::optional<CoordinateColumns> xy;  ///< ...or at coordinates
};

struct Manifest {
    std::filesystem::path file;     ///< the manifest itself, for error messages
    std::filesystem::path base_dir; ///< where relative paths resolve
    std::string name;
    std::optional<SchoolsSource> schools;
    std::vector<KeyedTable> school_tables;
    std::optional<AreasSource> areas;
    std::optional<VectorSource> local_authorities;
    std::optional<VectorSource> upper_tier_authorities;
    std::vector<HubSource> hubs;
    std::vector<VenueSource> venues;
    bool lead_school_venues = true; ///< each hub's lead school is a venue unless venues say otherwise
    std::vector<KeyedTable> authority_tables;
    std::optional<nlohmann::json> roads; ///< passed to the routing importer as it is
    /// Schools outside every local authority polygon are snapped to the nearest within this
    /// distance (flagged) or, farther, dropped as outside the study area (reported).
    Metres snap_distance_m{2000};
    bool clip_schools_to_authorities = true;
};

/// Reads and validates a manifest. Relative paths resolve against `base_dir` in the manifest,
/// itself relative to the manifest's folder. Throws FileNotFoundError or ManifestError naming
/// the manifest and the JSON path of the offending entry.
Manifest read_manifest(const std::filesystem::path& file);
Manifest parse_manifest(const nlohmann::json& j, const std::filesystem::path& file);

/// The built-in column mapping for the DfE GIAS `edubasealldata*.csv` download.
SchoolsSource gias_preset();

/// "teaching school hub" -> "teaching-school-hub".
std::string slug(std::string_view text);

} // namespace coldspot::geo::import
