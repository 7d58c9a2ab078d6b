#pragma once
// The address a client reached the server by, for absolute URLs written into documents a client
// stores and follows later (the QGIS project): the configured public URL, else the first element of
// a `Forwarded` header (RFC 7239: proto and host, set by a reverse proxy), else `Host`. Every value
// is checked against the URI grammar (RFC 3986 host, port, scheme) before it is used, so nothing a
// client sends reaches a document unchecked; a value that does not fit is a 400 problem that names
// the header and does not repeat it.
#include "coldspot/service/http_message.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace coldspot::service {

/// True for `host` or `host:port` where host is a DNS name (letters, digits, hyphens, dots; labels of
/// 1-63 characters, 253 in all), an IPv4 address or a bracketed IPv6 address, and port is 1-65535.
bool is_valid_authority(std::string_view authority) noexcept;

struct ForwardedPair {
    std::optional<std::string> proto, host;
};
/// The proto and host of the first element of a Forwarded header value (quoted strings unquoted).
/// Throws HttpProblem 400 when the value does not follow RFC 7239's syntax.
ForwardedPair parse_forwarded(std::string_view value);

/// `scheme://authority[/path]` without a trailing slash. `public_url` (configuration) wins when set.
/// Throws HttpProblem 400 naming the header when Forwarded or Host is malformed or Host is absent.
std::string client_base_url(const Request& request, const std::string& public_url);

} // namespace coldspot::service
