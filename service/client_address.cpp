#include "coldspot/service/detail/client_address.hpp"

#include "coldspot/service/problem.hpp"

#include <cctype>

namespace coldspot::service {

namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

bool valid_port(std::string_view p) {
    if (p.empty() || p.size() > 5) return false;
    unsigned long v = 0;
    for (char c : p) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<unsigned long>(c - '0');
    }
    return v >= 1 && v <= 65535;
}

bool valid_dns_name(std::string_view h) {
    if (h.empty() || h.size() > 253) return false;
    std::size_t label = 0;
    for (std::size_t i = 0; i < h.size(); ++i) {
        const char c = h[i];
        if (c == '.') {
            if (label == 0 || h[i - 1] == '-') return false;
            label = 0;
            continue;
        }
        if (!is_alnum(c) && c != '-') return false;
        if (c == '-' && label == 0) return false;
        if (++label > 63) return false;
    }
    return h.back() != '-';
}

bool valid_ipv6_literal(std::string_view h) {
    if (h.size() < 4 || h.front() != '[' || h.back() != ']') return false;
    std::size_t colons = 0;
    for (char c : h.substr(1, h.size() - 2)) {
        if (c == ':') ++colons;
        else if (!std::isxdigit(static_cast<unsigned char>(c)) && c != '.') return false;
    }
    return colons >= 2 && colons <= 7;
}

[[noreturn]] void bad(const char* header, const std::string& why) {
    throw HttpProblem(400, std::string("the ") + header + " header " + why +
                               "; the URLs in the QGIS project are made from it (or set --public-url)",
                      {{"header", header}});
}

bool is_tchar(char c) { return is_alnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos; }

} // namespace

bool is_valid_authority(std::string_view a) noexcept {
    std::string_view host = a, port;
    if (!a.empty() && a.front() == '[') {
        const auto close = a.find(']');
        if (close == std::string_view::npos) return false;
        host = a.substr(0, close + 1);
        if (close + 1 < a.size()) {
            if (a[close + 1] != ':') return false;
            port = a.substr(close + 2);
            if (!valid_port(port)) return false;
        }
        return valid_ipv6_literal(host);
    }
    if (const auto colon = a.rfind(':'); colon != std::string_view::npos) {
        host = a.substr(0, colon);
        port = a.substr(colon + 1);
        if (!valid_port(port)) return false;
    }
    return valid_dns_name(host); // dotted IPv4 is a valid name too
}

ForwardedPair parse_forwarded(std::string_view value) {
    ForwardedPair out;
    std::size_t i = 0;
    const auto skip_space = [&] {
        while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
    };
    // forwarded-element = [ pair ] *( ";" [ pair ] ); only the first element (up to a comma) is read.
    for (;;) {
        skip_space();
        if (i >= value.size() || value[i] == ',') break;
        if (value[i] == ';') {
            ++i;
            continue;
        }
        std::string name;
        while (i < value.size() && is_tchar(value[i]))
            name += static_cast<char>(std::tolower(static_cast<unsigned char>(value[i++])));
        if (name.empty() || i >= value.size() || value[i] != '=')
            bad("Forwarded", "is not a list of name=value pairs (RFC 7239)");
        ++i;
        std::string v;
        if (i < value.size() && value[i] == '"') {
            bool closed = false;
            for (++i; i < value.size() && !closed; ++i) {
                if (value[i] == '\\' && i + 1 < value.size()) v += value[++i];
                else if (value[i] == '"') closed = true;
                else v += value[i];
            }
            if (!closed) bad("Forwarded", "has an unterminated quoted string");
        } else {
            while (i < value.size() && is_tchar(value[i])) v += value[i++];
            if (v.empty()) bad("Forwarded", "has a pair without a value");
        }
        if (name == "proto" && !out.proto) out.proto = v;
        else if (name == "host" && !out.host) out.host = v;
        skip_space();
        if (i >= value.size() || value[i] == ',') break;
        if (value[i] != ';') bad("Forwarded", "is not a list of name=value pairs (RFC 7239)");
        ++i;
    }
    return out;
}

std::string client_base_url(const Request& request, const std::string& public_url) {
    if (!public_url.empty()) {
        std::string base = public_url;
        while (!base.empty() && base.back() == '/') base.pop_back();
        return base;
    }
    std::string scheme = "http";
    std::optional<std::string> authority;
    if (const auto forwarded = request.header("forwarded")) {
        const ForwardedPair f = parse_forwarded(*forwarded);
        if (f.proto) {
            std::string p;
            for (char c : *f.proto) p += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (p != "http" && p != "https") bad("Forwarded", "names a protocol other than http or https");
            scheme = p;
        }
        if (f.host) {
            if (!is_valid_authority(*f.host)) bad("Forwarded", "names a host that is not a host name or address with an optional port");
            authority = *f.host;
        }
    }
    if (!authority) {
        const auto host = request.header("host");
        if (!host || host->empty()) bad("Host", "is missing");
        if (!is_valid_authority(*host)) bad("Host", "is not a host name or address with an optional port");
        authority = *host;
    }
    return scheme + "://" + *authority;
}

} // namespace coldspot::service
