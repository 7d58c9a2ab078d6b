#include "coldspot/service/request_head.hpp"

#include "coldspot/service/problem.hpp"

namespace coldspot::service {

void RequestHead::feed(std::string_view bytes) {
    for (std::size_t i = 0; i < bytes.size() && part_ != Part::Body; ++i) {
        const char c = bytes[i];
        if (part_ == Part::RequestLine) {
            if (c == '\n') {
                if (!line_.empty() && line_.back() == '\r') line_.pop_back();
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
            if (header_line_bytes_ == 0) part_ = Part::Body;
            header_line_bytes_ = 0;
        } else if (c != '\r') {
            ++header_line_bytes_;
        }
    }
}

void RequestHead::reset() {
    part_ = Part::RequestLine;
    line_.clear();
    header_bytes_ = 0;
    header_line_bytes_ = 0;
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
