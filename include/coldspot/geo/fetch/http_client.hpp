#pragma once
// One HTTP(S) GET into a file with libcurl: resumes with a Range request, asks with
// If-None-Match / If-Modified-Since whether a cached copy is still current, follows redirects, and
// gives up on a server that stalls. Retries and verification are the caller's (downloader.hpp).
// The curl handles stay in geo/fetch/detail (RAII); nothing of libcurl crosses this header.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace coldspot::geo::fetch {

struct HttpTimeouts {
    long connect_seconds = 20;
    /// A transfer slower than `stall_bytes_per_second` for `stall_seconds` is abandoned (a server
    /// that stalls); 0 disables.
    long stall_seconds = 60;
    long stall_bytes_per_second = 1;
};

/// Called while bytes arrive: (bytes of the file so far, total expected or 0 when unknown).
using ProgressFn = std::function<void(std::uint64_t done, std::uint64_t total)>;

struct HttpRequest {
    std::string url;
    std::filesystem::path file;        ///< written to (appended to when resuming)
    std::uint64_t resume_from = 0;     ///< bytes of `file` already there: sent as Range
    std::string if_range;              ///< validator of the partial bytes (ETag or Last-Modified)
    std::string if_none_match;         ///< ETag of a cached complete copy
    std::string if_modified_since;     ///< Last-Modified of a cached complete copy
    HttpTimeouts timeouts;
    ProgressFn progress;
};

enum class HttpFailure { None, Network, DiskWrite };

struct HttpResponse {
    HttpFailure failure = HttpFailure::None;
    std::string error;                 ///< why, when failure != None
    long status = 0;                   ///< final status after redirects (200, 206, 304, ...)
    std::string effective_url;         ///< after redirects
    std::string etag, last_modified;
    std::optional<std::uint64_t> content_length; ///< of this response's body
    std::uint64_t body_bytes = 0;      ///< body bytes written to `file` by this request
    bool resumed = false;              ///< 206: bytes were appended after `resume_from`
    long redirects = 0;
};

/// Performs the request. A transport failure is returned, not thrown, so that the caller keeps the
/// validators of what arrived: `failure` Network (unreachable, timeout, stall, body cut short:
/// what arrived is in `file`) or DiskWrite (a write to `file` failed: what was written stays).
/// The body goes to `file` only for 200 (replacing it) and 206 (appended); an error status
/// leaves `file` as it was. Throws FetchError only when libcurl cannot start.
HttpResponse http_get(const HttpRequest& request);

/// Throws NetworkError, DiskWriteError or HttpStatusError (status >= 400) for a failed response.
void throw_if_failed(const HttpResponse& response, const std::string& url);

/// "http://host:port/a/b?q" -> "host:port"; "" when there is no scheme.
std::string url_host(const std::string& url);

} // namespace coldspot::geo::fetch
