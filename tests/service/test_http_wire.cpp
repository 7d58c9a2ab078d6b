// The server's own HTTP/1.1 framing: whole bodiless requests parsed in one pass, response heads
// written by hand, and the connection writer (pipelining, slow readers, Connection: close), checked
// byte for byte and over real sockets.
#include "fixture.hpp"

#include "coldspot/service/http_message.hpp"
#include "coldspot/service/problem.hpp"
#include "coldspot/service/detail/request_head.hpp"
#include "coldspot/service/detail/response_head.hpp"
#include "coldspot/service/detail/whole_request.hpp"

#include <chrono>
#include <thread>

using namespace coldspot;
using namespace coldspot::test;
using nlohmann::json;

namespace {

service::WholeRequest parsed(std::string_view bytes, service::WholeRequestLimits limits = {}) {
    service::WholeRequest w;
    EXPECT_TRUE(service::parse_whole_request(bytes, limits, w)) << bytes;
    return w;
}

bool recognised(std::string_view bytes, service::WholeRequestLimits limits = {}) {
    service::WholeRequest w;
    return service::parse_whole_request(bytes, limits, w);
}

} // namespace

TEST(WholeRequest, ParsesAPlainGetIntoViewsOfTheBytes) {
    const std::string bytes = "GET /tiles/schools/9/255/170.mvt?a=1&b=x%20y HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAccept-Encoding:  gzip, br \r\nX-Empty:\r\n\r\n";
    const auto w = parsed(bytes);
    EXPECT_EQ(w.method, "GET");
    EXPECT_EQ(w.target, "/tiles/schools/9/255/170.mvt?a=1&b=x%20y");
    EXPECT_FALSE(w.http10);
    ASSERT_EQ(w.headers.size(), 3u);
    EXPECT_EQ(w.headers[0].name, "Host");
    EXPECT_EQ(w.headers[0].value, "127.0.0.1:8080");
    EXPECT_EQ(w.headers[1].value, "gzip, br"); // blanks around the value are not part of it
    EXPECT_EQ(w.headers[2].value, "");
    EXPECT_TRUE(w.keep_alive());

    service::Request r;
    r.body = "left over from a previous request";
    service::fill_request(w, r);
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(r.path, "/tiles/schools/9/255/170.mvt");
    EXPECT_EQ(r.query, (std::vector<std::pair<std::string, std::string>>{{"a", "1"}, {"b", "x y"}}));
    EXPECT_EQ(r.target_bytes, 40u);
    EXPECT_EQ(r.header("accept-encoding"), "gzip, br");
    EXPECT_EQ(r.headers[0].first, "host"); // names lower case, as the routes expect
    EXPECT_EQ(r.base_url, "http://127.0.0.1:8080");
    EXPECT_EQ(r.body, "");

    const auto bare = parsed("HEAD / HTTP/1.0\r\n\r\n");
    service::fill_request(bare, r);
    EXPECT_EQ(r.method, "HEAD");
    EXPECT_EQ(r.path, "/");
    EXPECT_TRUE(r.query.empty());
    EXPECT_TRUE(r.headers.empty());
    EXPECT_EQ(r.base_url, "http://localhost");

    service::Request bad;
    EXPECT_THROW(service::fill_request(parsed("GET /collections?limit=%zz HTTP/1.1\r\n\r\n"), bad), service::HttpProblem);
}

TEST(WholeRequest, LeavesEverythingElseToTheGeneralPath) {
    // Each of these goes through Pistache's parser and the RequestHead, which answer them exactly.
    for (const std::string bytes : {
             "POST /analysis HTTP/1.1\r\nHost: a\r\n\r\n",                       // a method with a body
             "DELETE / HTTP/1.1\r\n\r\n",                                        // a method we do not serve
             "GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n",                       // a declared body
             "GET / HTTP/1.1\r\ncontent-length: 3\r\n\r\nabc",                    // and its bytes
             "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",              // a chunked body
             "GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n",                    // waiting to send one
             "GET / HTTP/1.1\r\nHost: a\r\n",                                     // not complete yet
             "GET / HTTP/1.1\r\n\r\nGET /api HTTP/1.1\r\n\r\n",                   // two requests
             "GET / HTTP/2.0\r\n\r\n",                                           // another version
             "GET / http/1.1\r\n\r\n",                                           // versions are case-sensitive
             "GET  / HTTP/1.1\r\n\r\n",                                          // two spaces
             "GET / HTTP/1.1 \r\n\r\n",                                          // a trailing space
             "GET http://a/ HTTP/1.1\r\n\r\n",                                   // absolute form
             "GET * HTTP/1.1\r\n\r\n",                                           // asterisk form
             "GET /a\x7f HTTP/1.1\r\n\r\n",                                      // a control in the target
             "GET / HTTP/1.1\nHost: a\r\n\r\n",                                  // a bare LF
             "GET / HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n",                      // obs-fold
             "GET / HTTP/1.1\r\nBad Name: 1\r\n\r\n",                            // not a token
             "GET / HTTP/1.1\r\n: nameless\r\n\r\n",                             // no name
             "GET / HTTP/1.1\r\nX-A: a\x01z\r\n\r\n",                            // a control in a value
             "GET / HTTP/1.1\r\nNo colon\r\n\r\n",                               // not a field
             "",
         })
        EXPECT_FALSE(recognised(bytes)) << bytes;
    // Limits: the request line, then all header lines together (as the RequestHead counts them).
    const service::WholeRequestLimits limits{30, 20};
    EXPECT_TRUE(recognised("GET /" + std::string(16, 'a') + " HTTP/1.1\r\n\r\n", limits));  // 30 bytes
    EXPECT_FALSE(recognised("GET /" + std::string(17, 'a') + " HTTP/1.1\r\n\r\n", limits)); // 31
    EXPECT_TRUE(recognised("GET / HTTP/1.1\r\nX: " + std::string(15, 'v') + "\r\n\r\n", limits));  // 20 bytes
    EXPECT_FALSE(recognised("GET / HTTP/1.1\r\nX: " + std::string(16, 'v') + "\r\n\r\n", limits)); // 21
}

TEST(WholeRequest, KeepAliveFollowsRfc9112) {
    EXPECT_TRUE(parsed("GET / HTTP/1.1\r\n\r\n").keep_alive());
    EXPECT_TRUE(parsed("GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n").keep_alive());
    EXPECT_FALSE(parsed("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").keep_alive());
    EXPECT_FALSE(parsed("GET / HTTP/1.1\r\nconnection: Upgrade, CLOSE\r\n\r\n").keep_alive());
    EXPECT_FALSE(parsed("GET / HTTP/1.0\r\n\r\n").keep_alive());
    EXPECT_TRUE(parsed("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive());
    EXPECT_FALSE(parsed("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n").keep_alive());
    EXPECT_TRUE(service::header_lists_token(" a ,b,  c", "c"));
    EXPECT_FALSE(service::header_lists_token("closed", "close"));
}

TEST(ResponseHead, IsExactlyTheBytesOfRfc9112) {
    service::Reply r;
    r.status = 200;
    r.content_type = "application/vnd.mapbox-vector-tile";
    r.set_header("Content-Encoding", "gzip");
    r.set_header("ETag", "\"ab-1\"");
    std::string out = "kept ";
    service::append_response_head(out, r, true, service::BodyFraming::Length, 4242);
    EXPECT_EQ(out, "kept HTTP/1.1 200 OK\r\nContent-Type: application/vnd.mapbox-vector-tile\r\nContent-Encoding: gzip\r\n"
                   "ETag: \"ab-1\"\r\nX-Content-Type-Options: nosniff\r\nConnection: Keep-Alive\r\nContent-Length: 4242\r\n\r\n");

    out.clear();
    r.status = 304;
    service::append_response_head(out, r, false, service::BodyFraming::None, 0);
    EXPECT_EQ(out, "HTTP/1.1 304 Not Modified\r\nContent-Encoding: gzip\r\nETag: \"ab-1\"\r\nX-Content-Type-Options: nosniff\r\nConnection: Close\r\n\r\n");

    out.clear();
    service::Reply page;
    page.content_type = "application/geo+json";
    service::append_response_head(out, page, true, service::BodyFraming::Chunked, 0);
    EXPECT_EQ(out, "HTTP/1.1 200 OK\r\nContent-Type: application/geo+json\r\nX-Content-Type-Options: nosniff\r\nConnection: Keep-Alive\r\nTransfer-Encoding: chunked\r\n\r\n");

    EXPECT_STREQ(service::reason_phrase(431), "Request Header Fields Too Large");
    EXPECT_STREQ(service::reason_phrase(413), "Content Too Large");
    EXPECT_STREQ(service::reason_phrase(505), "HTTP Version Not Supported");
    EXPECT_STREQ(service::reason_phrase(299), "Unknown");
}

namespace {

class HttpWire : public ServerFixture {
protected:
    void SetUp() override { start(); }
    std::string host() const { return "Host: 127.0.0.1:" + std::to_string(port_) + "\r\n"; }
    std::string get_line(const std::string& target, const std::string& extra = "") const {
        return "GET " + target + " HTTP/1.1\r\n" + host() + extra + "\r\n";
    }
};

} // namespace

TEST_F(HttpWire, PipelinedRequestsAreAnsweredInOrder) {
    HttpClient c(port_);
    // Four requests in one write: three answered in one pass, the HEAD among them without a body.
    c.send_bytes(get_line("/conformance") + get_line("/collections") + "HEAD /collections/schools HTTP/1.1\r\n" + host() + "\r\n" +
                 get_line("/collections/schools"));
    const auto conformance = c.read_one();
    const auto collections = c.read_one();
    const auto head = c.read_one(true);
    const auto schools = c.read_one();
    ASSERT_EQ(conformance.status, 200);
    EXPECT_TRUE(json::parse(conformance.body).contains("conformsTo"));
    ASSERT_EQ(collections.status, 200);
    EXPECT_TRUE(json::parse(collections.body).contains("collections"));
    ASSERT_EQ(head.status, 200);
    ASSERT_EQ(schools.status, 200);
    EXPECT_EQ(json::parse(schools.body).at("id"), "schools");
    // HEAD announces the length GET then sends.
    EXPECT_EQ(head.header("content-length"), std::to_string(schools.body.size()));
    EXPECT_EQ(head.header("content-type"), schools.header("content-type"));
    // Requests with a body go the general way (Pistache's parser, which stops at the end of one
    // request): what was pipelined behind them is answered too, in order.
    const std::string post = "POST /analysis HTTP/1.1\r\n" + host() + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    c.send_bytes(post + get_line("/conformance") + post + post + get_line("/collections/schools"));
    EXPECT_EQ(c.read_one().status, 401); // no bearer token
    EXPECT_TRUE(json::parse(c.read_one().body).contains("conformsTo"));
    EXPECT_EQ(c.read_one().status, 401);
    EXPECT_EQ(c.read_one().status, 401);
    EXPECT_EQ(json::parse(c.read_one().body).at("id"), "schools");
    // And a body that arrives in pieces, with a request behind it in the last piece.
    c.send_bytes("POST /analysis HTTP/1.1\r\n" + host() + "Content-Type: application/json\r\nContent-Length: 4\r\n\r\n{");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    c.send_bytes("  }" + get_line("/conformance"));
    EXPECT_EQ(c.read_one().status, 401);
    EXPECT_EQ(c.read_one().status, 200);
}

TEST_F(HttpWire, Http11KeepsTheConnectionOpenUnlessAskedToClose) {
    HttpClient c(port_);
    for (int i = 0; i < 3; ++i) {
        c.send_bytes(get_line("/conformance")); // no Connection header: HTTP/1.1 keeps alive
        const auto r = c.read_one();
        ASSERT_EQ(r.status, 200) << i;
        EXPECT_EQ(r.header("connection"), "Keep-Alive");
    }
    // Connection: close is answered, then the server ends the connection: a client reading to the
    // end sees the end instead of waiting.
    c.send_bytes(get_line("/conformance", "Connection: close\r\n"));
    const auto last = c.read_one();
    EXPECT_EQ(last.status, 200);
    EXPECT_EQ(last.header("connection"), "Close");
    EXPECT_TRUE(c.server_closes());
}

TEST_F(HttpWire, Http10ClosesUnlessAskedToKeepAlive) {
    HttpClient kept(port_);
    kept.send_bytes("GET /conformance HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    EXPECT_EQ(kept.read_one().header("connection"), "Keep-Alive");
    kept.send_bytes("GET /conformance HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    EXPECT_EQ(kept.read_one().status, 200);

    HttpClient once(port_);
    once.send_bytes("GET /conformance HTTP/1.0\r\n\r\n");
    const auto r = once.read_one();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("connection"), "Close");
    EXPECT_TRUE(once.server_closes());
}

TEST_F(HttpWire, ASlowReaderGetsWholeAnswersInOrder) {
    // A 5 MB page to a client with a tiny receive buffer: the socket refuses most of it at first,
    // so the rest waits in the transport's queue, and the answers to requests that arrive
    // meanwhile (pipelined in the same write, or sent later) must queue behind it.
    restart_with_grid(20000);

    HttpClient c(port_);
    c.set_receive_buffer(4096);
    c.send_bytes(get_line("/collections/grid/items?limit=20000") + get_line("/collections/grid/items/7"));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    c.send_bytes(get_line("/collections/grid/items/20000", "Connection: close\r\n"));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto page = c.read_one();
    const auto seventh = c.read_one();
    const auto last = c.read_one();
    ASSERT_EQ(page.status, 200);
    EXPECT_TRUE(page.chunked);
    const auto j = json::parse(page.body);
    ASSERT_EQ(j.at("features").size(), 20000u);
    EXPECT_EQ(j["features"][19999]["id"], 20000);
    ASSERT_EQ(seventh.status, 200);
    EXPECT_EQ(json::parse(seventh.body).at("id"), 7);
    ASSERT_EQ(last.status, 200);
    EXPECT_EQ(json::parse(last.body).at("id"), 20000);
    EXPECT_EQ(json::parse(last.body)["properties"]["label"], std::string(200, static_cast<char>('a' + 19999 % 26)));
    // Connection: close on the last one: the end comes once all three are out.
    EXPECT_TRUE(c.server_closes());
}

TEST_F(HttpWire, AnAnswerIsCountedBeforeTheClientHasIt) {
    // The metrics line is written just before the answer's last bytes go out, so a client that
    // has its answer and asks /metrics at once (on another connection, maybe another thread)
    // always finds it counted.
    for (int i = 1; i <= 20; ++i) {
        ASSERT_EQ(get("/conformance").status, 200);
        const auto metrics = get("/metrics").body;
        const std::string line = R"m(coldspot_http_requests_total{route="/conformance",method="GET",status="200"} )m" + std::to_string(i) + "\n";
        ASSERT_NE(metrics.find(line), std::string::npos) << i << "\n" << metrics;
    }
}

namespace {

/// Seconds until the server ends the connection (recv returns 0), and the bytes it sent first.
std::pair<double, std::string> wait_for_close(int fd) {
    const auto start = std::chrono::steady_clock::now();
    std::string got;
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) got.append(buf, static_cast<std::size_t>(n));
    return {n == 0 ? std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() : -1.0, got};
}

int connect_to(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{20, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    return fd;
}

} // namespace

TEST_F(HttpWire, StalledAndIdleConnectionsAreClosedWithoutAPlainTextAnswer) {
    TearDown();
    service::ServiceConfig config;
    config.keepalive_timeout = 2;
    config.request_timeout = 1;
    start(config);
    // A connection that never sends anything, and one that stalls in the middle of its headers:
    // both are closed, with no bytes (Pistache alone would write a plain-text 408 first).
    const int silent = connect_to(port_);
    const int stalled = connect_to(port_);
    const std::string partial = "GET /conformance HTTP/1.1\r\n" + host();
    ASSERT_EQ(::send(stalled, partial.data(), partial.size(), MSG_NOSIGNAL), static_cast<ssize_t>(partial.size()));
    const auto [stalled_after, stalled_bytes] = wait_for_close(stalled);
    const auto [silent_after, silent_bytes] = wait_for_close(silent);
    EXPECT_GE(stalled_after, 0.0) << "not closed within 20 s";
    EXPECT_EQ(stalled_bytes, "");
    EXPECT_GE(silent_after, 0.0) << "not closed within 20 s";
    EXPECT_EQ(silent_bytes, "");
    ::close(stalled);
    ::close(silent);

    // A connection in use stays open past the keep-alive timeout (requests every 200 ms for 3 s),
    // then, left idle, is closed.
    HttpClient c(port_);
    for (int i = 0; i < 15; ++i) {
        c.send_bytes(get_line("/conformance"));
        ASSERT_EQ(c.read_one().status, 200) << i;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(c.server_closes());
    EXPECT_GE(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1.0); // not before its time
}

TEST(RequestHead, CountsTheHeadAndEverythingFed) {
    service::RequestHead h({64, 100});
    h.feed("POST / HTTP/1.1\r\nA: b\r\n"); // 17 + 6 bytes
    EXPECT_EQ(h.head_bytes(), 0u);        // the empty line has not arrived
    h.feed("\r\nbodyGET");
    EXPECT_EQ(h.head_bytes(), 25u);
    EXPECT_EQ(h.fed(), 32u);
    h.reset();
    EXPECT_EQ(h.fed(), 0u);
    EXPECT_EQ(h.head_bytes(), 0u);
}
