#pragma once
// Watches the bytes of one HTTP request as they arrive, beside Pistache's own parser. Pistache 0.0.5
// keeps the query as a map (repeats and order lost) and, when a request is too big, only knows that
// its buffer is full; this keeps the exact request line and knows which part of the request (line,
// headers or body) the bytes have reached, so a limit can be refused with the right status.
#include <cstddef>
#include <string>
#include <string_view>

namespace coldspot::service {

class RequestHead {
public:
    enum class Part { RequestLine, Headers, Body };
    struct Limits {
        std::size_t max_line_bytes = 4096 + 64; ///< request line: method, target and version
        std::size_t max_header_bytes = 16384;   ///< all header lines together
        /// A declared Content-Length above this is refused (413) as soon as its line is read, before
        /// Pistache's parser (which reserves the declared length) sees the end of the head.
        std::size_t max_body_bytes = static_cast<std::size_t>(-1);
    };

    explicit RequestHead(const Limits& limits) : limits_(limits) {}

    /// Takes the next bytes of the request. Throws HttpProblem 414 as soon as the request line is
    /// over its limit, 400 when it is complete but not `METHOD TARGET VERSION`, and 431 as soon as
    /// the headers are over theirs, and 400 for a second Content-Length header (a request
    /// smuggling shape: two framings of one body); bytes of the body are not looked at.
    void feed(std::string_view bytes);
    /// Forgets the request (after it was answered), ready for the next one on the connection.
    void reset();

    Part part() const noexcept { return part_; }
    /// No byte of a request has arrived since the last reset.
    bool empty() const noexcept { return part_ == Part::RequestLine && line_.empty(); }
    /// Bytes fed since the last reset, and how many of them are the request line and headers
    /// with their empty line (0 until it has arrived): with the body's length they tell where
    /// a pipelined request after this one starts.
    std::size_t fed() const noexcept { return fed_; }
    std::size_t head_bytes() const noexcept { return head_bytes_; }
    /// The request line without its CRLF, once it is complete (empty before).
    const std::string& request_line() const noexcept { return part_ == Part::RequestLine ? empty_ : line_; }
    /// The request target as sent (`/path?query`): the second word of the request line.
    std::string_view target() const;
    /// The raw query string (after `?`, before any `#`), empty when there is none.
    std::string_view raw_query() const;

private:
    void check_request_line() const;

    Limits limits_;
    Part part_ = Part::RequestLine;
    std::string line_;
    std::size_t header_bytes_ = 0;
    std::size_t header_line_bytes_ = 0; ///< bytes of the current header line, CR excluded
    std::string header_name_;           ///< the current header line's name, lower case, while it is read
    bool in_name_ = true;               ///< still before the current header line's ':'
    bool content_length_seen_ = false;  ///< a Content-Length header has been read
    bool after_cr_ = false;             ///< the last header byte was a CR
    std::size_t fed_ = 0;
    std::size_t head_bytes_ = 0;
    static inline const std::string empty_;
};

} // namespace coldspot::service
