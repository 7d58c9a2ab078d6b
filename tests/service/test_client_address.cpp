// The address a client reached the server by (Host, Forwarded, --public-url), as the QGIS project's
// URLs use it: every accepted form, and the hostile or malformed values that must be refused.
#include "coldspot/service/detail/client_address.hpp"
#include "coldspot/service/problem.hpp"

#include <gtest/gtest.h>

using namespace coldspot::service;

namespace {

Request with(std::vector<std::pair<std::string, std::string>> headers) {
    Request r;
    r.headers = std::move(headers);
    return r;
}

/// The problem's status and detail, or 0 when the value was accepted.
std::pair<int, std::string> refusal(const Request& r) {
    try {
        client_base_url(r, "");
    } catch (const HttpProblem& p) {
        return {p.status(), p.what()};
    }
    return {0, ""};
}

} // namespace

TEST(ClientAddress, AuthoritiesAsRfc3986HasThem) {
    for (const char* ok : {"localhost", "127.0.0.1:8080", "maps.example.org", "a-b.example.org:65535", "[::1]:8080", "[2001:db8::7]",
                           "xn--bcher-kva.example"})
        EXPECT_TRUE(is_valid_authority(ok)) << ok;
    for (const char* bad : {"", "a b", "evil\"><script>", "host:0", "host:65536", "host:99999", "host:", "-lead.example", "trail-.example",
                            "a..b", "[::1", "[zz::1]", "user@host", "host/path", "host?x", "ho'st", "h\u00e9.example", ":80"})
        EXPECT_FALSE(is_valid_authority(bad)) << bad;
}

TEST(ClientAddress, ForwardedFirstElementQuotedAndCaseInsensitive) {
    auto f = parse_forwarded("for=192.0.2.60;proto=https;by=203.0.113.43;Host=\"maps.example.org:8443\", for=198.51.100.17;host=inner");
    EXPECT_EQ(f.proto, "https");
    EXPECT_EQ(f.host, "maps.example.org:8443");
    f = parse_forwarded("for=\"[2001:db8:cafe::17]:4711\"");
    EXPECT_FALSE(f.host);
    f = parse_forwarded(" ; host=a.example ;");
    EXPECT_EQ(f.host, "a.example");
    for (const char* bad : {"host", "host=", "=x", "host=\"open", "host=a b", "host=a;;proto=\"x", "ho st=a"})
        EXPECT_THROW(parse_forwarded(bad), HttpProblem) << bad;
}

TEST(ClientAddress, BaseUrlFromPublicUrlForwardedThenHost) {
    EXPECT_EQ(client_base_url(with({{"host", "127.0.0.1:9"}}), "https://coldspot.example.org/sub/"), "https://coldspot.example.org/sub");
    EXPECT_EQ(client_base_url(with({{"host", "127.0.0.1:9"}}), ""), "http://127.0.0.1:9");
    EXPECT_EQ(client_base_url(with({{"host", "127.0.0.1:9"}, {"forwarded", "proto=HTTPS;host=maps.example.org"}}), ""),
              "https://maps.example.org");
    EXPECT_EQ(client_base_url(with({{"host", "127.0.0.1:9"}, {"forwarded", "proto=https"}}), ""), "https://127.0.0.1:9");
    EXPECT_EQ(client_base_url(with({{"host", "127.0.0.1:9"}, {"forwarded", "for=10.0.0.1"}}), ""), "http://127.0.0.1:9");
}

TEST(ClientAddress, OddValuesAreRefusedWithoutEchoingThem) {
    const std::vector<Request> odd{with({}),
                                   with({{"host", ""}}),
                                   with({{"host", "evil.example\"><script>alert(1)</script>"}}),
                                   with({{"host", "a'b.example"}}),
                                   with({{"host", "ok.example"}, {"forwarded", "host=\"evil.example:99999\""}}),
                                   with({{"host", "ok.example"}, {"forwarded", "proto=javascript"}}),
                                   with({{"host", "ok.example"}, {"forwarded", "host=\"<x>\""}}),
                                   with({{"host", "ok.example"}, {"forwarded", "host=\"unterminated"}})};
    for (const auto& r : odd) {
        const auto [status, detail] = refusal(r);
        EXPECT_EQ(status, 400) << detail;
        for (const char* echoed : {"<", ">", "\"", "'", "99999", "javascript", "evil"})
            EXPECT_EQ(detail.find(echoed), std::string::npos) << detail;
        EXPECT_TRUE(detail.find("Host") != std::string::npos || detail.find("Forwarded") != std::string::npos) << detail;
    }
}
