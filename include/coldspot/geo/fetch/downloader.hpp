#pragma once
// One file made current in the output folder: downloaded, resumed, or confirmed unchanged, then
// verified and recorded. Beside FILE lie FILE.provenance.json (URL, retrieval time, size, SHA-256,
// licence, validators: the cache record) and, while incomplete, FILE.part with FILE.part.json.
// A .part file is never imported: only a verified file is renamed into place.
#include "coldspot/geo/fetch/http_client.hpp"
#include "coldspot/geo/fetch/sources.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace coldspot::geo::fetch {

struct DownloadOptions {
    HttpTimeouts timeouts;
    int attempts = 4;                 ///< tries per file for network failures and 5xx answers
    double backoff_seconds = 1;       ///< wait before retry k: backoff x 2^(k-1), at most 30 s
    std::function<void(const std::string&)> log; ///< one line per event (retry, resume, offline)
    ProgressFn progress;              ///< bytes as they arrive (the CLI draws it on a terminal)
};

enum class DownloadStatus { Downloaded, Unchanged, CachedOffline };
const char* to_string(DownloadStatus s);

struct Downloaded {
    std::filesystem::path path;
    DownloadStatus status = DownloadStatus::Downloaded;
    std::uint64_t bytes_transferred = 0; ///< body bytes received in this run
    nlohmann::json provenance;           ///< what FILE.provenance.json holds
};

/// Makes `dir / source.file` current from `url` (the published URL, or its mirror). Throws
/// HttpStatusError (404 at once; 5xx after the retries), NetworkError (no cached copy and the
/// server unreachable after the retries), VerificationError (size or SHA-256 differ from those
/// published; the bad bytes are removed), DiskWriteError (the partial file is kept for a resume).
/// When the server cannot be reached but a verified copy from an earlier run exists, that copy is
/// used (status CachedOffline) and `log` says so.
Downloaded download_file(const SourceFile& source, const std::string& url, const std::filesystem::path& dir,
                         const DownloadOptions& options);

/// FILE.provenance.json for FILE.
std::filesystem::path provenance_path(const std::filesystem::path& file);

} // namespace coldspot::geo::fetch
