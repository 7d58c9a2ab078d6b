#include "coldspot/service/detail/whole_request.hpp"

#include "coldspot/service/http_message.hpp"

#include <array>

namespace coldspot::service {

namespace {

/// RFC 9110 5.6.2 tchar.
constexpr std::array<bool, 256> token_chars() {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = true;
    for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = true;
    for (const char c : std::string_view("!#$%&'*+-.^_`|~")) t[static_cast<unsigned char>(c)] = true;
    return t;
}
constexpr auto kToken = token_chars();

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// Field value characters (RFC 9110 5.5): visible, blank or obs-text; no other control.
bool field_value_ok(std::string_view v) {
    for (const char ch : v) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
    }
    return true;
}

} // namespace

bool header_lists_token(std::string_view value, std::string_view token) {
    while (!value.empty()) {
        const auto comma = value.find(',');
        if (ascii_iequals(trim(value.substr(0, comma)), token)) return true;
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return false;
}

bool WholeRequest::keep_alive() const {
    for (const auto& h : headers) {
        if (!ascii_iequals(h.name, "connection")) continue;
        if (header_lists_token(h.value, "close")) return false;
        if (http10 && header_lists_token(h.value, "keep-alive")) return true;
    }
    return !http10;
}

bool parse_whole_request(std::string_view bytes, const WholeRequestLimits& limits, WholeRequest& out) {
    out.headers.clear();
    // Exactly one request ending with its empty line: nothing after it (a body or a pipelined
    // request are the general path's), and no bare LF line ends anywhere.
    if (bytes.size() < 4 || bytes.substr(bytes.size() - 4) != "\r\n\r\n") return false;
    const auto line_end = bytes.find("\r\n");
    const std::string_view line = bytes.substr(0, line_end);
    if (line.size() > limits.max_line_bytes || line.find('\n') != std::string_view::npos) return false;

    const auto sp1 = line.find(' ');
    if (sp1 == std::string_view::npos) return false;
    out.method = line.substr(0, sp1);
    if (out.method != "GET" && out.method != "HEAD" && out.method != "OPTIONS") return false;
    const auto sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return false;
    out.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    if (out.target.front() != '/') return false;
    for (const char ch : out.target) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7f) return false;
    }
    const std::string_view version = line.substr(sp2 + 1);
    if (version == "HTTP/1.1") out.http10 = false;
    else if (version == "HTTP/1.0") out.http10 = true;
    else return false;

    std::string_view rest = bytes.substr(line_end + 2, bytes.size() - line_end - 4); // header lines, the last CRLF dropped
    if (rest.size() > limits.max_header_bytes) return false;
    while (!rest.empty()) {
        const auto end = rest.find("\r\n");
        const std::string_view field = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 2);
        if (field.empty() || field.find('\n') != std::string_view::npos) return false; // a second empty line: a body follows
        const auto colon = field.find(':');
        if (colon == std::string_view::npos || colon == 0) return false; // no obs-fold, no nameless field
        const std::string_view name = field.substr(0, colon);
        for (const char c : name)
            if (!kToken[static_cast<unsigned char>(c)]) return false;
        const std::string_view value = trim(field.substr(colon + 1));
        if (!field_value_ok(value)) return false;
        // A declared body (or an Expect for one) is the general path's, with its limits and errors.
        if (ascii_iequals(name, "content-length") || ascii_iequals(name, "transfer-encoding") || ascii_iequals(name, "expect")) return false;
        out.headers.push_back({name, value});
    }
    return true;
}

void fill_request(const WholeRequest& whole, Request& r) {
    r.method.assign(whole.method);
    set_target(r, whole.target);
    r.headers.clear();
    r.headers.reserve(whole.headers.size());
    for (const auto& h : whole.headers) r.headers.emplace_back(ascii_lower(h.name), std::string(h.value));
    r.body.clear();
    set_base_url(r);
}

} // namespace coldspot::service
