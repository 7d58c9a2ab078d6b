// Requests Pistache's parser refuses (malformed, unknown method, over a size limit) and query
// parameters repeated or too many: each answered with an RFC 9457 problem, checked over raw sockets.
#include "fixture.hpp"

#include "coldspot/service/problem.hpp"
#include "coldspot/service/detail/request_head.hpp"

using namespace coldspot;
using namespace coldspot::test;
using nlohmann::json;

namespace {

class TransportErrors : public ServerFixture {
protected:
    void SetUp() override {
        service::ServiceConfig c;
        c.max_body_bytes = 1000;
        c.max_url_bytes = 600;
        c.items.max_parameters = 8;
        start(c);
    }
    HttpResponse raw(const std::string& bytes) {
        HttpClient c(port_);
        return c.raw(bytes);
    }
    /// A problem whose detail contains `words`.
    void expect_problem_saying(const HttpResponse& r, int status, const std::string& words) {
        expect_problem(r, status);
        if (r.header("content-type") != "application/problem+json") return;
        const auto detail = json::parse(r.body).at("detail").get<std::string>();
        EXPECT_NE(detail.find(words), std::string::npos) << detail;
    }
    std::string host() const { return "Host: 127.0.0.1:" + std::to_string(port_) + "\r\n"; }
};

TEST_F(TransportErrors, BodyOverTheLimitIsA413ProblemBeforeItIsRead) {
    // Content-Length alone is enough: the refusal comes after the headers, the body never sent.
    const auto declared = raw("POST /analysis HTTP/1.1\r\n" + host() + "Content-Type: application/json\r\nContent-Length: 5000000\r\n\r\n");
    expect_problem_saying(declared, 413, "5000000 bytes; at most 1000");
    EXPECT_EQ(declared.header("connection"), "Close");
    EXPECT_EQ(json::parse(declared.body).at("instance"), "/analysis");
    // A body sent in full, far past Pistache's own buffer (which answered in plain text before).
    const auto sent = raw("POST /analysis HTTP/1.1\r\n" + host() + "Content-Type: application/json\r\nContent-Length: 200000\r\n\r\n" +
                          std::string(200000, ' '));
    expect_problem(sent, 413);
    // A chunked body has no length to check first: Pistache's buffer overflows, still a problem.
    std::string chunked = "POST /analysis HTTP/1.1\r\n" + host() + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 40; ++i) chunked += "400\r\n" + std::string(1024, ' ') + "\r\n";
    chunked += "0\r\n\r\n";
    expect_problem_saying(raw(chunked), 413, "body");
    // Just under the limit is read and judged by the route (no token -> 401), not refused.
    HttpClient c(port_);
    EXPECT_EQ(c.request("POST", "/analysis", {{"Content-Type", "application/json"}}, std::string(999, ' ')).status, 401);
}

TEST_F(TransportErrors, LongRequestLineIs414AndLargeHeadersAre431) {
    expect_problem_saying(raw("GET /collections?" + std::string(20000, 'a') + " HTTP/1.1\r\n" + host() + "\r\n"), 414, "longer than");
    // Over our own URL limit (600) but within the request-line bound: the service's 414.
    expect_problem_saying(raw("GET /collections?q=" + std::string(590, 'a') + " HTTP/1.1\r\n" + host() + "\r\n"), 414, "600 bytes");
    std::string big = "GET /collections HTTP/1.1\r\n" + host();
    for (int i = 0; i < 40; ++i) big += "X-Filler-" + std::to_string(i) + ": " + std::string(500, 'h') + "\r\n";
    big += "\r\n";
    expect_problem_saying(raw(big), 431, "headers");
}

TEST_F(TransportErrors, MalformedRequestsAreProblems) {
    expect_problem_saying(raw("BREW /collections HTTP/1.1\r\n" + host() + "\r\n"), 501, "method");
    expect_problem_saying(raw("GET /collections HTTP/9.9\r\n" + host() + "\r\n"), 505, "HTTP/1.1");
    expect_problem_saying(raw("POST /analysis HTTP/1.1\r\n" + host() + "Transfer-Encoding: gzip\r\n\r\n"), 501, "Transfer-Encoding");
    expect_problem_saying(raw("GET /collections HTTP/1.1\r\n" + host() + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"), 400,
                          "mutually exclusive");
    // Lines without the three parts: Pistache would wait for a space until its 60 s timeout.
    expect_problem_saying(raw("GARBAGE\r\n\r\n"), 400, "malformed request line 'GARBAGE'");
    expect_problem_saying(raw("GET /collections\r\n\r\n"), 400, "expected METHOD TARGET HTTP/1.1");
    expect_problem_saying(raw("\r\nGET / HTTP/1.1\r\n\r\n"), 400, "malformed request line ''");
    // Methods Pistache knows but no route takes: our 405 with Allow, not Pistache's.
    for (const std::string method : {"PUT", "DELETE", "PATCH", "TRACE"}) {
        const auto r = raw(method + " /collections HTTP/1.1\r\n" + host() + "Content-Length: 0\r\n\r\n");
        expect_problem_saying(r, 405, method);
        EXPECT_EQ(r.header("allow"), "GET, HEAD, OPTIONS");
    }
    // A refusal ends that request only: the server goes on answering new connections.
    EXPECT_EQ(get("/collections").status, 200);
}

TEST_F(TransportErrors, RefusalsAreCountedInMetrics) {
    raw("BREW / HTTP/1.1\r\n" + host() + "\r\n");
    const auto metrics = get("/metrics").body;
    EXPECT_NE(metrics.find(R"m(route="(refused)",method="BREW",status="501"} 1)m"), std::string::npos) << metrics;
}

TEST_F(TransportErrors, RepeatedParametersAreRefusedNamingThem) {
    expect_problem_saying(get("/collections/schools/items?limit=5&limit=10"), 400, "'limit' is given more than once");
    expect_problem_saying(get("/collections/schools/items?bbox=-3,50,1,54&bbox=-2,51,0,53"), 400, "'bbox'");
    expect_problem_saying(get("/collections/schools/items?phase=Primary&phase=Secondary"), 400, "'phase'");
    expect_problem_saying(get("/collections/schools/items/100001?crs=EPSG:27700&crs=EPSG:3857"), 400, "'crs'");
    expect_problem_saying(get("/collections?f=json&f=html"), 400, "'f'");
    expect_problem_saying(get("/tiles/schools/1/0/0.mvt?f=a&f=b"), 400, "'f'");
    // Percent-encoded spellings of the same name are the same parameter.
    expect_problem_saying(get("/collections/schools/items?limit=5&%6Cimit=6"), 400, "'limit'");
    // The order of parameters is kept: links repeat them as sent.
    const auto page = json::parse(get("/collections/schools/items?phase=Primary&limit=1").body);
    bool found = false;
    for (const auto& l : page.at("links"))
        if (l.at("rel") == "next") {
            found = true;
            EXPECT_NE(l.at("href").get<std::string>().find("?phase=Primary&limit=1&offset=1"), std::string::npos) << l;
        }
    EXPECT_TRUE(found);
}

TEST_F(TransportErrors, ParameterCountLimit) {
    // Eight parameters pass (all known to items), a ninth is refused before any route runs.
    const std::string eight = "/collections/schools/items?limit=1&offset=0&crs=EPSG:27700&properties=urn&datetime=x&f=json&phase=Primary&pupils=210";
    EXPECT_EQ(get(eight).status, 200);
    expect_problem_saying(get(eight + "&name=x"), 400, "too many query parameters (9, at most 8)");
    expect_problem_saying(get("/healthz?a&b&c&d&e&f&g&h&i"), 400, "too many query parameters");
}

TEST(RequestHead, FindsTheRequestLineAcrossPiecesAndTellsThePart) {
    service::RequestHead h({64, 40});
    EXPECT_EQ(h.part(), service::RequestHead::Part::RequestLine);
    h.feed("GET /a?x=1&x=2 HT");
    EXPECT_EQ(h.request_line(), "");
    h.feed("TP/1.1\r");
    EXPECT_EQ(h.part(), service::RequestHead::Part::RequestLine);
    h.feed("\nHost: h\r\n");
    EXPECT_EQ(h.part(), service::RequestHead::Part::Headers);
    EXPECT_EQ(h.request_line(), "GET /a?x=1&x=2 HTTP/1.1");
    EXPECT_EQ(h.target(), "/a?x=1&x=2");
    EXPECT_EQ(h.raw_query(), "x=1&x=2");
    h.feed("\r");
    EXPECT_EQ(h.part(), service::RequestHead::Part::Headers);
    h.feed("\nbody bytes are not counted as headers, however many of them there are");
    EXPECT_EQ(h.part(), service::RequestHead::Part::Body);
    h.reset();
    EXPECT_EQ(h.part(), service::RequestHead::Part::RequestLine);
    h.feed("GET /b#frag HTTP/1.1\r\n");
    EXPECT_EQ(h.raw_query(), "");
    EXPECT_EQ(h.target(), "/b#frag");
}

TEST(RequestHead, RefusesARequestLineWithoutThreeParts) {
    for (const std::string line : {"GET\r\n", "GET /\r\n", " / HTTP/1.1\r\n", "GET  HTTP/1.1\r\n", "GET / HTTP/1.1 extra\r\n", "GET / \r\n"}) {
        coldspot::service::RequestHead h({64, 40});
        try {
            h.feed(line);
            ADD_FAILURE() << "accepted " << line;
        } catch (const coldspot::service::HttpProblem& e) {
            EXPECT_EQ(e.status(), 400) << line;
        }
    }
    coldspot::service::RequestHead ok({64, 40});
    EXPECT_NO_THROW(ok.feed("OPTIONS * HTTP/1.1\r\n"));
}

TEST(RequestHead, RefusesFoldedColonlessAndBareLfHeaderLines) {
    // Both let Pistache's parser run past the empty line that ends the head (libFuzzer, http_request;
    // tests/fuzz/regressions/http_request/folded-line-hides-the-end-of-the-head).
    for (const std::string head : {"GET / HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n", "GET / HTTP/1.1\r\nX-A: 1\r\n\tfolded\r\n\r\n",
                                   "GET / HTTP/1.1\r\nNo colon\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\nx\r\n\r\nContent-Length: 9\r\n\r\n",
                                   "GET / HTTP/1.1\r\nHost: a\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\n\nContent-Length: 9\r\n\r\n"}) {
        service::RequestHead h({64, 400});
        try {
            h.feed(head);
            ADD_FAILURE() << "accepted " << head;
        } catch (const coldspot::service::HttpProblem& e) {
            EXPECT_EQ(e.status(), 400) << head;
        }
    }
    service::RequestHead ok({64, 400});
    ok.feed("GET / HTTP/1.1\r\nX-A:1\r\nX-B: a b\t c\r\n\r\n");
    EXPECT_EQ(ok.part(), service::RequestHead::Part::Body);
}

TEST(RequestHead, RefusesAtTheLimitWithTheRightStatus) {
    service::RequestHead line({10, 40});
    line.feed("GET /12345"); // 10 bytes: still fine
    try {
        line.feed("6");
        FAIL() << "no 414";
    } catch (const coldspot::service::HttpProblem& e) {
        EXPECT_EQ(e.status(), 414);
    }
    service::RequestHead headers({64, 10});
    headers.feed("GET / HTTP/1.1\r\nA: 123456");
    try {
        headers.feed("78\r\n");
        FAIL() << "no 431";
    } catch (const coldspot::service::HttpProblem& e) {
        EXPECT_EQ(e.status(), 431);
    }
}

} // namespace
