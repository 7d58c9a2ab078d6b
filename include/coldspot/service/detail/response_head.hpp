#pragma once
// The status line and header block of a Reply, as bytes for the wire. Written by hand rather than
// through Pistache's ResponseWriter, which allocates a header object per field and copies the body
// into its own buffer: a cached tile's answer is these few hundred bytes plus the tile itself.
#include <cstddef>
#include <string>

namespace coldspot::service {

struct Reply;

/// How the body after the head is delimited.
enum class BodyFraming {
    Length,  ///< `Content-Length: N`, then N bytes
    Chunked, ///< `Transfer-Encoding: chunked`
    None,    ///< 204 and 304: no body and no length (RFC 9110 8.6, 15.4.5)
};

/// The reason phrase of a status code (RFC 9110 15), or "Unknown" for codes it does not name.
const char* reason_phrase(int status);

/// Appends `HTTP/1.1 status reason`, Content-Type (not for 204/304), the reply's headers in order,
/// `Connection` and the framing header, and the empty line.
void append_response_head(std::string& out, const Reply& reply, bool keep_alive, BodyFraming framing, std::size_t length);

} // namespace coldspot::service
