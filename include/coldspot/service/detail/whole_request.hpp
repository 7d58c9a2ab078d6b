#pragma once
// A request that arrived whole in one read and carries no body: what almost every GET, HEAD and
// OPTIONS is (a map fetching tiles, QGIS paging through items). Such bytes are parsed here in one
// pass, into views of the read buffer, instead of through Pistache 0.0.5's parser, which copies the
// bytes into its own buffer and allocates a typed object per header. Anything else (a body, a
// request split over reads, pipelined requests, odd syntax, a limit exceeded) is not recognised
// here and goes the general way, which refuses malformed input with the precise status.
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace coldspot::service {

struct Request;

struct WholeRequest {
    struct Header {
        std::string_view name; ///< as sent (case kept)
        std::string_view value; ///< leading and trailing blanks removed
    };
    std::string_view method; ///< GET, HEAD or OPTIONS
    std::string_view target; ///< origin-form, starting with '/'
    bool http10 = false;     ///< HTTP/1.0 rather than HTTP/1.1
    std::vector<Header> headers;

    /// Whether the connection stays open after the answer (RFC 9112 9.3): HTTP/1.1 unless the
    /// client sent `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`.
    bool keep_alive() const;
};

struct WholeRequestLimits {
    std::size_t max_line_bytes = 4096 + 64;
    std::size_t max_header_bytes = 16384;
};

/// `bytes` parsed as exactly one complete request without a body, or nullopt when they are anything
/// else. Never throws; the views point into `bytes`. `out` is reused so its header vector keeps
/// its capacity from one request to the next on a connection.
bool parse_whole_request(std::string_view bytes, const WholeRequestLimits& limits, WholeRequest& out);

/// Whether a comma-separated header value (Connection) lists `token`, in any case.
bool header_lists_token(std::string_view value, std::string_view token);

/// The service's Request for a parsed whole request. Throws HttpProblem 400 on a malformed
/// percent escape in the query (as the general path does).
void fill_request(const WholeRequest& whole, Request& request);

} // namespace coldspot::service
