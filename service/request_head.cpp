#include "coldspot/service/detail/request_head.hpp"

#include "coldspot/service/problem.hpp"

#include <cstdint>
#include <string>

namespace coldspot::service {

namespace {

/// After the colon of a Content-Length line, `header_name_` holds this mark and then the value.
constexpr char kContentLengthValue = '\x01';

void check_content_length(std::string_view v, std::size_t max_body_bytes) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    const bool digits = !v.empty() && v.size() <= 18 && v.find_first_not_of("0123456789") == std::string_view::npos;
    if (!digits) throw HttpProblem(400, "the Content-Length header is not a decimal number of bytes");
    std::uint64_t length = 0;
    for (const char c : v) length = length * 10 + static_cast<std::uint64_t>(c - '0'); // <= 18 digits: no overflow
    // Found by libFuzzer (http_request): Pistache's parser reserves the declared length when it
    // reaches the body, so a huge declared length must be refused before it gets there.
    if (length > max_body_bytes)
        throw HttpProblem(413, "the body is " + std::to_string(length) + " bytes; at most " + std::to_string(max_body_bytes) + " are accepted");
}

} // namespace

// feed() also refuses a Content-Length whose value is not a decimal number (400): a proxy in front
// may read such a value differently from Pistache, which would give the body two framings.
void RequestHead::feed(std::string_view bytes) {
    const std::size_t before = fed_;
    fed_ += bytes.size();
    for (std::size_t i = 0; i < bytes.size() && part_ != Part::Body; ++i) {
        const char c = bytes[i];
        if (part_ == Part::RequestLine) {
            if (c == '\n') {
                if (!line_.empty() && line_.back() == '\r') line_.pop_back();
                check_request_line();
                part_ = Part::Headers;
                continue;
            }
            line_ += c;
            if (line_.size() > limits_.max_line_bytes)
                throw HttpProblem(414, "the request line is longer than " + std::to_string(limits_.max_line_bytes) + " bytes");
            continue;
        }
        // Headers: they end at the first empty line.
        if (++header_bytes_ > limits_.max_header_bytes)
            throw HttpProblem(431, "the request headers are larger than " + std::to_string(limits_.max_header_bytes) + " bytes");
        if (c == '\n') {
            // A bare LF ends a line for RFC 9112 2.2's lenient readers but not for Pistache's parser,
            // which reads on into the body as more headers (found by libFuzzer, http_request).
            if (!after_cr_) throw HttpProblem(400, "a header line ends with a bare LF, not CRLF");
            after_cr_ = false;
            if (header_line_bytes_ == 0) {
                part_ = Part::Body;
                head_bytes_ = before + i + 1;
            } else if (in_name_) {
                // Pistache's parser looks for the colon past the line's end, across the empty line
                // that ends the head, and reads what follows as more headers (found by libFuzzer,
                // http_request: a Content-Length read there made it reserve 7.8 GB).
                throw HttpProblem(400, "a header line has no colon");
            }
            header_line_bytes_ = 0;
            if (!header_name_.empty() && header_name_[0] == kContentLengthValue) check_content_length(std::string_view(header_name_).substr(1), limits_.max_body_bytes);
            header_name_.clear();
            in_name_ = true;
            continue;
        }
        after_cr_ = c == '\r';
        if (c != '\r') {
            // RFC 9112 5.2: a server must refuse obsolete line folding or unfold it; Pistache does
            // neither, and reads the folded line as the start of another header's name.
            if (header_line_bytes_ == 0 && (c == ' ' || c == '\t'))
                throw HttpProblem(400, "a header line starts with whitespace (obsolete line folding is not accepted)");
            ++header_line_bytes_;
            if (in_name_ && c == ':') {
                in_name_ = false;
                if (header_name_ == "content-length") {
                    // Two Content-Lengths give a body two framings (RFC 9112 6.3: unrecoverable);
                    // a proxy in front may have used the other one.
                    if (content_length_seen_) throw HttpProblem(400, "the request has more than one Content-Length header");
                    content_length_seen_ = true;
                    header_name_.assign(1, kContentLengthValue); // its value is collected and checked at the line's end
                }
            } else if (!in_name_ && !header_name_.empty() && header_name_[0] == kContentLengthValue && header_name_.size() < 33) {
                header_name_ += c;
            } else if (in_name_ && (c == ' ' || c == '\t') && !header_name_.empty() && header_name_[0] != ' ' && header_name_[0] != '\t') {
                // RFC 9112 5.1: whitespace between a field name and its colon must be refused
                // (a proxy may read `Content-Length : 5` as another field than we do).
                throw HttpProblem(400, "a header has whitespace in its name or before its colon");
            } else if (in_name_ && header_name_.size() < 16) {
                header_name_ += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
            }
        }
    }
}


void RequestHead::check_request_line() const {
    // method SP request-target SP HTTP-version (RFC 9112 3). Pistache's parser waits for a space
    // that never comes in a line without one, until its header timeout; refuse such lines now.
    const auto first = line_.find(' ');
    const auto second = first == std::string::npos ? std::string::npos : line_.find(' ', first + 1);
    const bool shaped = first != std::string::npos && first > 0 && second != std::string::npos && second > first + 1 &&
                        line_.find(' ', second + 1) == std::string::npos && second + 1 < line_.size();
    if (!shaped) {
        std::string shown = line_.substr(0, 80);
        for (auto& ch : shown)
            if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) >= 0x7f) ch = '?';
        throw HttpProblem(400, "malformed request line '" + shown + "': expected METHOD TARGET HTTP/1.1");
    }
}

void RequestHead::reset() {
    part_ = Part::RequestLine;
    line_.clear();
    header_bytes_ = 0;
    header_line_bytes_ = 0;
    header_name_.clear();
    in_name_ = true;
    content_length_seen_ = false;
    after_cr_ = false;
    fed_ = 0;
    head_bytes_ = 0;
}

std::string_view RequestHead::target() const {
    const std::string_view line = request_line();
    const auto first = line.find(' ');
    if (first == std::string_view::npos) return {};
    const auto second = line.find(' ', first + 1);
    return line.substr(first + 1, second == std::string_view::npos ? std::string_view::npos : second - first - 1);
}

std::string_view RequestHead::raw_query() const {
    std::string_view t = target();
    const auto q = t.find('?');
    if (q == std::string_view::npos) return {};
    t.remove_prefix(q + 1);
    return t.substr(0, t.find('#'));
}

} // namespace coldspot::service
