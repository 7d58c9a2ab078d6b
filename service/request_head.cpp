#include "coldspot/service/request_head.hpp"

#include "coldspot/service/problem.hpp"

namespace coldspot::service {

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
            if (header_line_bytes_ == 0) {
                part_ = Part::Body;
                head_bytes_ = before + i + 1;
            }
            header_line_bytes_ = 0;
        } else if (c != '\r') {
            ++header_line_bytes_;
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
