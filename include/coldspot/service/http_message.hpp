#pragma once
// The service's own view of an HTTP exchange, independent of Pistache: routes turn a Request into a
// Reply, and only server.cpp knows how to put a Reply on the wire. This keeps every route testable
// without a socket and keeps Pistache's quirks (custom headers, streaming) in one place.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coldspot::service {

struct Request {
    std::string method; ///< upper case: GET, HEAD, POST, OPTIONS
    std::string path;   ///< percent-decoded path, without the query
    std::vector<std::pair<std::string, std::string>> query; ///< decoded, in request order
    std::vector<std::pair<std::string, std::string>> headers; ///< names lower case
    std::string body;
    std::string remote;
    std::size_t target_bytes = 0; ///< length of the request target as received (path and query)

    /// The value of a request header (name in any case), or nullopt.
    std::optional<std::string> header(std::string_view name) const;
    /// The value of a query parameter, or nullopt. Throws HttpProblem 400 when it is repeated.
    std::optional<std::string> param(std::string_view name) const;
    /// `http://host[:port]` as the client addressed us, for absolute links.
    std::string base_url;
};

/// Receives a streamed body piece by piece.
class BodySink {
public:
    virtual ~BodySink() = default;
    virtual void write(std::string_view bytes) = 0;
};

struct Reply {
    int status = 200;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    /// When set, sent instead of `body` without a copy into the reply: a body kept elsewhere for
    /// many responses (a cached tile), shared rather than copied on every request.
    std::shared_ptr<const std::string> shared_body;
    /// When set, the body is produced by this function instead of `body` and sent chunked, so a
    /// large response never needs one buffer of its size.
    std::function<void(BodySink&)> stream;
    /// Optional beside `stream`: produces the same body as a gzip member by itself (from kept
    /// deflate fragments), used for a client that accepts gzip instead of compressing `stream`.
    std::function<void(BodySink&)> gzip_stream;
    /// Whether the body may be gzip-compressed for a client that accepts it (false for bodies that
    /// are compressed already, such as gzipped tiles).
    bool compressible = true;

    void set_header(std::string name, std::string value);
    std::optional<std::string> header(std::string_view name) const;
};

/// Percent-decodes a URL component; `plus_is_space` for query strings. Throws HttpProblem 400 on a
/// malformed escape.
std::string url_decode(std::string_view s, bool plus_is_space);
/// Percent-encodes a query value.
std::string url_encode(std::string_view s);
/// `2026-11-22T23:44:00Z` (UTC, seconds): timestamps in documents, jobs and the request log.
std::string utc_timestamp(std::chrono::system_clock::time_point t = std::chrono::system_clock::now());
/// Splits `a=1&b=2` into decoded pairs.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);
/// Sets a request's path, decoded query and target length from its target as received
/// (`/path?query`; a fragment is dropped).
void set_target(Request& request, std::string_view target);
/// Sets `base_url` from the request's Host header (or localhost); call once the headers are in.
void set_base_url(Request& request);

/// Header names and tokens compare without regard to ASCII case (RFC 9110 5.1, 5.6.2).
bool ascii_iequals(std::string_view a, std::string_view b);
std::string ascii_lower(std::string_view s);

} // namespace coldspot::service
