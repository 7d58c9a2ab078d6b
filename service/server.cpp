#include "coldspot/service/server.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/service/problem.hpp"
#include "coldspot/service/request_head.hpp"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/http_headers.h>
#include <pistache/peer.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>

namespace coldspot::service {

namespace {

namespace Http = Pistache::Http;

/// A response header with a name chosen at run time. Pistache 0.0.5 silently drops headers added
/// with addRaw(), and its CUSTOM_HEADER macro only takes C++ identifiers (no "Content-Crs").
class NamedHeader final : public Http::Header::Header {
public:
    NamedHeader(std::string name, std::string value) : name_(std::move(name)), value_(std::move(value)) {}
    const char* name() const override { return name_.c_str(); }
    void write(std::ostream& os) const override { os << value_; }
#ifdef SAFE_HEADER_CAST
    uint64_t hash() const override { return Http::Header::detail::hash(name_.c_str()); }
#endif

private:
    std::string name_;
    std::string value_;
};

/// One line per request: time, client, request line, status, body bytes, milliseconds.
class AccessLog {
public:
    explicit AccessLog(const std::string& target) {
        if (target == "-") out_ = &std::cerr;
        else if (!target.empty()) {
            file_.open(target, std::ios::app);
            if (!file_) throw FileNotFoundError({target, 0, ""}, "cannot open the access log for appending");
            out_ = &file_;
        }
    }
    void write(const std::string& remote, const std::string& method, const std::string& target, int status, std::uint64_t bytes, double ms) {
        if (!out_) return;
        const std::string when = utc_timestamp();
        std::ostringstream line;
        line.setf(std::ios::fixed);
        line.precision(2);
        line << when << ' ' << remote << " \"" << method << ' ' << target << "\" " << status << ' ' << bytes << ' ' << ms << "ms\n";
        std::lock_guard lock(mutex_);
        *out_ << line.str() << std::flush;
    }

private:
    std::mutex mutex_;
    std::ofstream file_;
    std::ostream* out_ = nullptr;
};

constexpr std::size_t kMaxResponseBytes = 4u << 20; ///< Pistache's buffer for one send()
constexpr std::size_t kBufferedBodyBytes = 3u << 20; ///< streamed bodies up to this go out in one send()
constexpr std::size_t kFirstBufferBytes = 1u << 20;   ///< a 1,000-feature page is about 600 KB
constexpr std::size_t kMaxHeaderBytes = 16384;        ///< all request header lines together (431 above)

/// Receives a streamed body. While it stays small it is buffered and sent in one write with a
/// Content-Length (Pistache's chunked path costs a reactor round trip per chunk); once it outgrows
/// the buffer it switches to chunked transfer, so no body ever needs one buffer of its full size.
class AdaptiveSink final : public BodySink {
public:
    AdaptiveSink(Http::ResponseWriter& response, Http::Code code) : response_(response), code_(code) {}
    void write(std::string_view bytes) override {
        if (bytes.empty()) return; // an empty chunk would end a chunked body
        if (!stream_) {
            if (buffer_.empty()) buffer_.reserve(kFirstBufferBytes); // no doubling copies for a typical page
            buffer_ += bytes;
            if (buffer_.size() <= kBufferedBodyBytes) return;
            stream_.emplace(response_.stream(code_));
            bytes = buffer_;
        }
        stream_->write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        stream_->flush();
        sent_ += bytes.size();
        buffer_.clear();
    }
    std::uint64_t finish() {
        if (stream_) {
            stream_->ends();
            return sent_;
        }
        response_.send(code_, buffer_);
        return buffer_.size();
    }

private:
    Http::ResponseWriter& response_;
    Http::Code code_;
    std::string buffer_;
    std::optional<Http::ResponseStream> stream_;
    std::uint64_t sent_ = 0;
};


/// Our Request from Pistache's, with the query taken from the raw request line when we have it
/// (Pistache's map drops repeated parameters and their order).
Request to_request(const Http::Request& req, const RequestHead* head) {
    Request r;
    r.method = Http::methodString(req.method());
    const std::string& resource = req.resource();
    const auto q = resource.find('?');
    r.path = q == std::string::npos ? resource : resource.substr(0, q);
    if (r.path.empty()) r.path = "/";
    if (head && !head->request_line().empty()) {
        r.query = parse_query(head->raw_query());
        r.target_bytes = head->target().size();
    } else {
        for (auto it = req.query().parameters_begin(); it != req.query().parameters_end(); ++it)
            r.query.emplace_back(url_decode(it->first, true), url_decode(it->second, true));
        r.target_bytes = resource.size() + req.query().as_str().size();
    }
    for (const auto& h : req.headers().list()) {
        std::ostringstream value;
        if (const auto accept = std::dynamic_pointer_cast<const Http::Header::Accept>(h)) {
            // Pistache parses Accept into media types and writes nothing back: rebuild it.
            bool first = true;
            for (const auto& m : accept->media()) {
                value << (first ? "" : ", ") << m.toString();
                if (m.q() && m.toString().find("q=") == std::string::npos) value << ";q=" << static_cast<double>(m.q()->value()) / 100.0;
                first = false;
            }
        } else {
            h->write(value);
        }
        std::string name = h->name();
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers.emplace_back(std::move(name), value.str());
    }
    for (const auto& [name, raw] : req.headers().rawList()) {
        std::string lower = name;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers.emplace_back(std::move(lower), raw.value());
    }
    r.body = req.body();
    r.remote = req.address().host();
    const auto host = r.header("host");
    r.base_url = "http://" + (host ? *host : std::string("localhost"));
    return r;
}

/// Per-connection state beside Pistache's parser.
struct ConnectionState {
    explicit ConnectionState(RequestHead::Limits limits) : head(limits) {}
    RequestHead head;
    bool refused = false; ///< a refusal was sent: the rest of that request is ignored
};

/// The status and detail for an exception thrown by Pistache's request parser.
std::pair<int, std::string> parser_refusal(const std::exception& e) {
    if (const auto* p = dynamic_cast<const HttpProblem*>(&e)) return {p->status(), p->what()};
    std::string what = e.what();
    if (const auto* h = dynamic_cast<const Http::HttpError*>(&e)) {
        // RFC 9110 15.6.2: an unrecognised method is 501, not 400.
        if (what == "Unknown HTTP request method") return {501, "the request method is not one this server knows (it serves GET, HEAD, POST and OPTIONS)"};
        if (what == "Encountered invalid HTTP version") return {505, "the request line does not end with HTTP/1.0 or HTTP/1.1"};
        return {h->code() >= 400 && h->code() < 600 ? h->code() : 400, "malformed request: " + what};
    }
    // Pistache's typed headers throw plain exceptions on unparsable values (Content-Length: abc).
    return {400, "malformed request: " + what};
}

class Handler final : public Http::Handler {
public:
    HTTP_PROTOTYPE(Handler)

    Handler(Service* service, AccessLog* log) : service_(service), log_(log) {}

    void onRequest(const Http::Request& pistache_request, Http::ResponseWriter response) override {
        serve(pistache_request, std::move(response), nullptr);
    }

private:
    /// Pistache 0.0.5's Http::Handler::onInput answers a request it cannot parse, or one larger than
    /// maxRequestSize, with a plain-text body, and offers no hook to change that. This override is the
    /// same loop (feed the parser, parse, answer a complete request) with every refusal sent as a
    /// problem document, and with a RequestHead beside the parser that keeps the raw request line and
    /// refuses an over-long line (414), over-large headers (431) or a declared body over our limit
    /// (413) as soon as they are seen.
    void onInput(const char* buffer, size_t len, const std::shared_ptr<Pistache::Tcp::Peer>& peer) override {
        auto parser = getParser(peer);
        auto& request = parser->request;
        auto state = connection_state(peer);
        if (state->refused) return;
        try {
            state->head.feed(std::string_view(buffer, len));
            if (!parser->feed(buffer, len)) throw over_buffer(state->head);
            const auto parsed = parser->parse();
            if (parsed == Http::Private::State::Done) {
                Http::ResponseWriter response(request.version(), transport(), this, peer);
                request.copyAddress(peer->address());
                const auto connection = request.headers().tryGet<Http::Header::Connection>();
                response.headers().add<Http::Header::Connection>(connection ? connection->control() : Http::ConnectionControl::Close);
                peer->setIdle(false);
                serve(request, std::move(response), &state->head);
                parser->reset();
                state->head.reset();
            } else if (state->head.part() == RequestHead::Part::Body) {
                const auto length = request.headers().tryGet<Http::Header::ContentLength>();
                const auto limit = service_->config().max_body_bytes;
                if (length && length->value() > limit)
                    throw HttpProblem(413, "the body is " + std::to_string(length->value()) + " bytes; at most " + std::to_string(limit) + " are accepted");
            }
        } catch (const std::exception& e) {
            const auto [status, detail] = parser_refusal(e);
            refuse(status, detail, *state, request, peer);
            parser->reset();
        }
    }

    /// The refusal for a request that outgrew Pistache's buffer, by the part it had reached.
    HttpProblem over_buffer(const RequestHead& head) const {
        const auto& c = service_->config();
        switch (head.part()) {
        case RequestHead::Part::RequestLine: return HttpProblem(414, "the request target is longer than " + std::to_string(c.max_url_bytes) + " bytes");
        case RequestHead::Part::Headers: return HttpProblem(431, "the request headers are too large");
        case RequestHead::Part::Body: break;
        }
        return HttpProblem(413, "the request body is larger than " + std::to_string(c.max_body_bytes) + " bytes");
    }

    /// Answers a request we will not read to its end, and ignores the rest of it: the connection is
    /// marked `Connection: close` and left to the client (Pistache 0.0.5 has no way for a handler to
    /// close it) or to the keep-alive timeout.
    void refuse(int status, const std::string& detail, ConnectionState& state, const Http::Request& request,
                const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
        const auto start = std::chrono::steady_clock::now();
        const std::string line = state.head.request_line();
        const std::string target(state.head.target());
        Reply reply = problem_reply(status, detail, target.substr(0, target.find('?')));
        reply.set_header("Access-Control-Allow-Origin", service_->config().cors_origin);
        std::uint64_t bytes = 0;
        try {
            Http::ResponseWriter response(request.version(), transport(), this, peer);
            response.headers().add<Http::Header::Connection>(Http::ConnectionControl::Close);
            bytes = send(false, reply, response);
        } catch (const std::exception&) {
            // The client went away; nothing to answer.
        }
        state.refused = true;
        state.head.reset();
        // Idle: Pistache's idle check then drops the connection after the keep-alive timeout
        // without writing its own plain-text 408 onto it.
        peer->setIdle(true);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const auto space = line.find(' ');
        const std::string method = space == std::string::npos ? "?" : line.substr(0, space);
        service_->metrics().record_request("(refused)", method, status, seconds, bytes);
        log_->write(peer->address().host(), method, target.empty() ? "-" : target, status, bytes, seconds * 1000.0);
    }

    ConnectionState* connection_state(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
        static constexpr const char* key = "coldspot.connection";
        if (auto existing = peer->tryGetData(key)) return static_cast<ConnectionState*>(existing.get());
        const auto& c = service_->config();
        auto state = std::make_shared<ConnectionState>(RequestHead::Limits{c.max_url_bytes + 32, kMaxHeaderBytes});
        peer->putData(key, state);
        return state.get();
    }

    void serve(const Http::Request& pistache_request, Http::ResponseWriter response, const RequestHead* head) {
        const auto start = std::chrono::steady_clock::now();
        Request request;
        std::string route;
        Reply reply;
        try {
            request = to_request(pistache_request, head);
            reply = service_->handle(request, route);
        } catch (const std::exception& e) {
            // Only a malformed escape in the query can get here (to_request); route is empty.
            route = "(bad request)";
            const auto* p = dynamic_cast<const HttpProblem*>(&e);
            reply = problem_reply(p ? p->status() : 400, e.what(), pistache_request.resource());
            reply.set_header("Access-Control-Allow-Origin", service_->config().cors_origin);
        }
        std::uint64_t bytes = 0;
        try {
            bytes = send(request.method == "HEAD", reply, response);
        } catch (const std::exception& e) {
            // The client went away mid-body; nothing more can be sent on this connection.
            route += " (aborted)";
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        service_->metrics().record_request(route, request.method.empty() ? "?" : request.method, reply.status, seconds, bytes);
        std::string target = head && !head->request_line().empty() ? std::string(head->target()) : pistache_request.resource();
        if (const auto qs = pistache_request.query().as_str(); !head && !qs.empty() && target.find('?') == std::string::npos) target += qs;
        log_->write(request.remote, request.method, target, reply.status, bytes, seconds * 1000.0);
    }

private:
    static std::uint64_t send(bool head, Reply& reply, Http::ResponseWriter& response) {
        auto& headers = response.headers();
        if (!reply.content_type.empty() && reply.status != 204 && reply.status != 304)
            headers.add(std::make_shared<NamedHeader>("Content-Type", reply.content_type));
        for (const auto& [k, v] : reply.headers) headers.add(std::make_shared<NamedHeader>(k, v));
        const auto code = static_cast<Http::Code>(reply.status);
        if (reply.status == 204 || reply.status == 304) {
            response.send(code);
            return 0;
        }
        if (head) {
            // Headers only: a chunked response with no chunk written and no terminator is exactly
            // a HEAD answer, and saves building a body just to measure it.
            auto stream = response.stream(code);
            stream.flush();
            return 0;
        }
        const std::string& body = reply.shared_body ? *reply.shared_body : reply.body;
        AdaptiveSink sink(response, code);
        if (reply.stream) {
            reply.stream(sink);
        } else if (body.size() <= kBufferedBodyBytes) {
            response.send(code, body);
            return body.size();
        } else {
            constexpr std::size_t piece = 256u << 10;
            for (std::size_t at = 0; at < body.size(); at += piece) sink.write(std::string_view(body).substr(at, piece));
        }
        return sink.finish();
    }

    Service* service_;
    AccessLog* log_;
};

} // namespace

struct Server::Impl {
    Service& service;
    AccessLog log;
    Http::Endpoint endpoint;
    bool running = false;
    Impl(Service& s, const ServiceConfig& c)
        : service(s), log(c.access_log), endpoint(Pistache::Address(c.bind, Pistache::Port(static_cast<std::uint16_t>(c.port)))) {}
};

Server::Server(Service& service) {
    const auto& c = service.config();
    try {
        impl_ = std::make_unique<Impl>(service, c);
        auto options = Http::Endpoint::options()
                           .threads(c.threads)
                           .flags(Pistache::Tcp::Options::ReuseAddr)
                           // Above every limit of ours, so that the RequestHead refuses first with the precise status;
                           // Pistache's own overflow is still answered by our onInput.
                           .maxRequestSize(c.max_body_bytes + c.max_url_bytes + kMaxHeaderBytes + 4096)
                           .maxResponseSize(kMaxResponseBytes)
                           .keepaliveTimeout(std::chrono::seconds(30));
        impl_->endpoint.init(options);
        impl_->endpoint.setHandler(Http::make_handler<Handler>(&service, &impl_->log));
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("cannot listen on " + c.bind + ":" + std::to_string(c.port) + ": " + e.what());
    }
}

Server::~Server() { shutdown(); }

void Server::start() {
    const auto& c = impl_->service.config();
    try {
        impl_->endpoint.serveThreaded();
    } catch (const std::exception& e) {
        throw Error("cannot listen on " + c.bind + ":" + std::to_string(c.port) + ": " + e.what());
    }
    impl_->running = true;
}

std::uint16_t Server::port() const { return static_cast<std::uint16_t>(impl_->endpoint.getPort()); }

void Server::shutdown() {
    if (impl_ && impl_->running) {
        impl_->running = false;
        impl_->endpoint.shutdown();
    }
}

} // namespace coldspot::service
