#pragma once
// `coldspot fetch`: the official open datasets for a region, some local authorities or all of
// England, downloaded from their publishers (or a mirror) into one folder with a manifest that
// `coldspot import` reads and a provenance record per file. docs/fetch.md.
#include "coldspot/geo/fetch/downloader.hpp"
#include "coldspot/geo/fetch/selection.hpp"
#include "coldspot/geo/fetch/sources.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace coldspot::geo::fetch {

struct FetchRequest {
    std::optional<std::string> region;
    std::vector<std::string> authorities;
    bool england = false;
};

struct FetchOptions {
    std::filesystem::path sources;         ///< data/sources.json or --sources
    std::optional<std::string> mirror;     ///< base URL holding HOST/PATH for every published URL
    std::filesystem::path shared_data;     ///< where `shared:` URLs point without a mirror
    std::filesystem::path output;
    bool roads = true;
    DownloadOptions download;
};

struct FetchedFile {
    std::string id;
    std::filesystem::path path;
    DownloadStatus status;
    std::uint64_t bytes_transferred = 0;
    std::uint64_t size = 0;
};

struct FetchResult {
    Selection selection;
    std::vector<FetchedFile> files;
    std::filesystem::path manifest;
    std::optional<std::filesystem::path> roads_spec; ///< England: roads.json for `coldspot access --roads`
    std::vector<std::string> warnings;
};

/// The URL a source is fetched from: the published one, HOST/PATH under the mirror, or for
/// `shared:PATH` the file under `shared_data` (MIRROR/shared/PATH with a mirror).
std::string fetch_url(const SourceFile& source, const FetchOptions& options);

/// Reads the district lookups (already downloaded) into an AreaLookup.
AreaLookup read_area_lookup(const Sources& sources, const std::filesystem::path& dir);

/// Throws MissingColumnError naming the file and every expected column it lacks.
void check_columns(const Dataset& dataset, const std::filesystem::path& file);

/// Downloads everything the request needs, checks it, and writes OUTPUT/manifest.json and
/// OUTPUT/provenance.json. The manifest is written only when every file is complete and checked:
/// a failed fetch leaves the last good manifest (or none), never one naming a partial file.
FetchResult run_fetch(const FetchRequest& request, const FetchOptions& options);

} // namespace coldspot::geo::fetch
