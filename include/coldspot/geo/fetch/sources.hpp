#pragma once
// The catalogue of official open datasets `coldspot fetch` downloads (data/sources.json): where
// each file is published, its licence, the columns Coldspot reads from it, its checksum where the
// publisher gives one, and the manifest entry that imports it. A new vintage is an edit of that
// file, not of code. Format: docs/fetch.md.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace coldspot::geo::fetch {

/// What a dataset is for: where its manifest entry goes, or how the selection uses it.
enum class DatasetRole {
    LadRegionLookup,      ///< district -> region (resolves --region and --la)
    LadUpperTierLookup,   ///< district -> upper-tier authority (resolves --la county names)
    Schools,              ///< the establishment register (manifest `schools`)
    SchoolTable,          ///< per-school table (`school_tables`)
    AreaBoundaries,       ///< LSOA polygons (`areas.boundaries`)
    AreaTable,            ///< per-LSOA table (`areas.tables`)
    LocalAuthorities,     ///< district polygons (`local_authorities`)
    UpperTierAuthorities, ///< upper-tier polygons (`upper_tier_authorities`)
    Hubs,                 ///< a hub -> district table (`hubs`)
    AuthorityTable,       ///< per-authority table (`authority_tables`)
};

/// One file to download (a dataset or a road extract).
struct SourceFile {
    std::string id;
    std::string title;
    std::string publisher;
    std::string licence;
    std::string url;               ///< as published (http/https), or `shared:PATH` (docs/fetch.md)
    std::filesystem::path file;    ///< where it goes under the output folder
    std::optional<std::string> sha256; ///< when the publisher gives one
    std::optional<std::uint64_t> size;
    std::string vintage;
};

struct Dataset {
    SourceFile source;
    DatasetRole role = DatasetRole::SchoolTable;
    std::string format;                ///< csv | geojson | ...
    std::string encoding = "UTF-8";    ///< CSV text encoding (for the column check)
    std::vector<std::string> columns;  ///< must be in the file's header / attributes
    nlohmann::json manifest;           ///< the manifest entry, without `path`
    nlohmann::json lookup;             ///< lookup roles: which column holds what
};

/// An OpenStreetMap extract and the upper-tier authorities (ONS codes) it covers.
struct RoadExtract {
    SourceFile source;
    std::vector<std::string> covers_upper_tier;
};

struct Sources {
    std::filesystem::path file;
    std::vector<Dataset> datasets;
    std::vector<RoadExtract> road_extracts; ///< county extracts
    std::optional<RoadExtract> national_roads; ///< the whole-England extract
    const Dataset* find(DatasetRole role) const;
};

/// Reads and checks a sources file. Throws FileNotFoundError or ManifestError naming the file and
/// the JSON path of the offending entry (a missing url, licence or file; an unknown role; a
/// sha256 that is not 64 hex digits; two entries writing the same file).
Sources read_sources(const std::filesystem::path& file);
Sources parse_sources(const nlohmann::json& j, const std::filesystem::path& file);

const char* to_string(DatasetRole role);

} // namespace coldspot::geo::fetch
