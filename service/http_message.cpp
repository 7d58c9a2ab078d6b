#include "coldspot/geo/timestamp.hpp"
#include "coldspot/service/http_message.hpp"

#include "coldspot/service/problem.hpp"

#include <cctype>
#include <ctime>

namespace coldspot::service {

namespace {
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
} // namespace

bool ascii_iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = lower(c);
    return out;
}

void set_target(Request& r, std::string_view target) {
    const auto q = target.find('?');
    std::string_view path = target.substr(0, q);
    path = path.substr(0, path.find('#'));
    r.path.assign(path.empty() ? std::string_view("/") : path);
    r.target_bytes = target.size();
    if (q == std::string_view::npos) {
        r.query.clear();
        return;
    }
    const std::string_view query = target.substr(q + 1);
    r.query = parse_query(query.substr(0, query.find('#')));
}

void set_base_url(Request& r) {
    const auto host = r.header("host");
    r.base_url = "http://" + (host ? *host : std::string("localhost"));
}

std::optional<std::string> Request::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (ascii_iequals(k, name)) return v;
    return std::nullopt;
}

std::optional<std::string> Request::param(std::string_view name) const {
    std::optional<std::string> out;
    for (const auto& [k, v] : query) {
        if (k != name) continue;
        if (out) throw HttpProblem(400, "query parameter '" + std::string(name) + "' is given more than once");
        out = v;
    }
    return out;
}

void Reply::set_header(std::string name, std::string value) {
    for (auto& [k, v] : headers)
        if (ascii_iequals(k, name)) {
            v = std::move(value);
            return;
        }
    headers.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string> Reply::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (ascii_iequals(k, name)) return v;
    return std::nullopt;
}

std::string url_decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '%') {
            const int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1;
            const int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) throw HttpProblem(400, "malformed percent-escape in '" + std::string(s) + "'");
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

std::string url_encode(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ',' || c == ':') out += static_cast<char>(c);
        else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string utc_timestamp(std::chrono::system_clock::time_point t) { return geo::utc_iso8601(t); }

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view part = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (part.empty()) continue;
        const auto eq = part.find('=');
        if (eq == std::string_view::npos) out.emplace_back(url_decode(part, true), "");
        else out.emplace_back(url_decode(part.substr(0, eq), true), url_decode(part.substr(eq + 1), true));
    }
    return out;
}

} // namespace coldspot::service
