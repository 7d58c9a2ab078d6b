#include "coldspot/service/server.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/service/problem.hpp"
#include "coldspot/service/detail/request_head.hpp"
#include "coldspot/service/detail/response_head.hpp"
#include "coldspot/service/detail/whole_request.hpp"
#include "connection_writer.hpp"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/http_headers.h>
#include <pistache/peer.h>

#include <charconv>
#include <chrono>
#include <ctime>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <sstream>

namespace coldspot::service {

namespace {

namespace Http = Pistache::Http;

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

constexpr std::size_t kMaxResponseBytes = 4u << 20; ///< Pistache's buffer for one send() (its own 408 only)
constexpr std::size_t kBufferedBodyBytes = 3u << 20; ///< streamed bodies up to this go out in one write
constexpr std::size_t kFirstBufferBytes = 1u << 20;   ///< a 1,000-feature page is about 600 KB
constexpr std::size_t kMaxHeaderBytes = 16384;        ///< all request header lines together (431 above)

/// What one answered request puts in the metrics and the request log. Written once, just before
/// the answer's last bytes go to the socket: a client that has its answer and then asks /metrics
/// finds its request counted.
class AnswerRecord {
public:
    AnswerRecord(Metrics& metrics, AccessLog& log, const std::string& remote, std::string_view target)
        : metrics_(metrics), log_(log), remote_(remote), target_(target) {}
    /// What was asked and answered, once known.
    void describe(std::string route, std::string method, int status) {
        route_ = std::move(route);
        method_ = method.empty() ? "?" : std::move(method);
        status_ = status;
    }
    void write(std::uint64_t body_bytes) {
        if (written_) return;
        written_ = true;
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        metrics_.record_request(route_, method_, status_, seconds, body_bytes);
        log_.write(remote_, method_, target_.empty() ? "-" : std::string(target_), status_, body_bytes, seconds * 1000.0);
    }
    /// The client went away before the answer was out.
    void write_aborted() {
        if (written_) return;
        route_ += " (aborted)";
        write(0);
    }

private:
    Metrics& metrics_;
    AccessLog& log_;
    const std::string& remote_;
    std::string_view target_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::string route_, method_ = "?";
    int status_ = 0;
    bool written_ = false;
};

/// Where a response goes: the connection's writer, the reply (for its head) and the framing rules.
struct ResponseTarget {
    detail::ConnectionWriter& writer;
    const std::shared_ptr<Pistache::Tcp::Peer>& peer;
    bool keep_alive;
    std::string& head; ///< scratch for the status line and headers, reused per connection
    /// Called with the body's size just before the answer's last write.
    std::function<void(std::uint64_t)> before_last_write;
    void last(std::uint64_t body_bytes) const {
        if (before_last_write) before_last_write(body_bytes);
    }
};

/// Receives a streamed body. While it stays small it is buffered and sent with a Content-Length in
/// one write; once it outgrows the buffer it switches to chunked transfer, so no body ever needs one
/// buffer of its full size.
class AdaptiveSink final : public BodySink {
public:
    AdaptiveSink(const ResponseTarget& to, const Reply& reply) : to_(to), reply_(reply) {}
    void write(std::string_view bytes) override {
        if (bytes.empty()) return; // an empty chunk would end a chunked body
        if (!chunked_) {
            if (buffer_.empty()) buffer_.reserve(kFirstBufferBytes); // no doubling copies for a typical page
            buffer_ += bytes;
            if (buffer_.size() <= kBufferedBodyBytes) return;
            chunked_ = true;
            to_.head.clear();
            append_response_head(to_.head, reply_, to_.keep_alive, BodyFraming::Chunked, 0);
            to_.writer.write(to_.peer, {to_.head});
            bytes = buffer_;
        }
        char size_line[24];
        const auto end = std::to_chars(size_line, size_line + 16, bytes.size(), 16).ptr;
        end[0] = '\r';
        end[1] = '\n';
        to_.writer.write(to_.peer, {std::string_view(size_line, static_cast<std::size_t>(end + 2 - size_line)), bytes, "\r\n"});
        sent_ += bytes.size();
        buffer_.clear();
    }
    std::uint64_t finish() {
        if (chunked_) {
            to_.last(sent_);
            to_.writer.write(to_.peer, {"0\r\n\r\n"});
            return sent_;
        }
        to_.head.clear();
        append_response_head(to_.head, reply_, to_.keep_alive, BodyFraming::Length, buffer_.size());
        to_.last(buffer_.size());
        to_.writer.write(to_.peer, {to_.head, buffer_});
        return buffer_.size();
    }

private:
    const ResponseTarget& to_;
    const Reply& reply_;
    std::string buffer_;
    bool chunked_ = false;
    std::uint64_t sent_ = 0;
};

/// Puts a reply on the wire; returns the body bytes sent.
std::uint64_t send_reply(bool head_only, const Reply& reply, const ResponseTarget& to) {
    const bool bodiless = reply.status == 204 || reply.status == 304;
    if (reply.stream && !bodiless && !head_only) {
        AdaptiveSink sink(to, reply);
        reply.stream(sink);
        return sink.finish();
    }
    // One write of the head and, unless it is HEAD or a bodiless status, the body. HEAD announces
    // the body GET sends: its length, or chunked transfer for a stream (whose length is not known
    // without producing it).
    const std::string& body = reply.shared_body ? *reply.shared_body : reply.body;
    const BodyFraming framing = bodiless ? BodyFraming::None : reply.stream ? BodyFraming::Chunked : BodyFraming::Length;
    to.head.clear();
    append_response_head(to.head, reply, to.keep_alive, framing, body.size());
    const std::string_view sent = head_only || framing != BodyFraming::Length ? std::string_view() : std::string_view(body);
    to.last(sent.size());
    to.writer.write(to.peer, {to.head, sent});
    return sent.size();
}

/// Our Request from Pistache's, with the query taken from the raw request line (Pistache's map
/// drops repeated parameters and their order).
void to_request(const Http::Request& req, const RequestHead& head, Request& r) {
    r.method = Http::methodString(req.method());
    set_target(r, head.target());
    r.headers.clear();
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
        r.headers.emplace_back(ascii_lower(h->name()), value.str());
    }
    for (const auto& [name, raw] : req.headers().rawList()) r.headers.emplace_back(ascii_lower(name), raw.value());
    r.body = req.body();
    set_base_url(r);
}

/// Per-connection state beside Pistache's parser.
struct ConnectionState {
    ConnectionState(const RequestHead::Limits& limits, std::string remote) : head(limits), remote(std::move(remote)) {}
    RequestHead head;
    std::string remote;   ///< the client's address, for the log
    detail::ConnectionWriter writer;
    WholeRequest whole;     ///< reused: its header list keeps its capacity
    std::string reply_head; ///< reused: the status line and headers of each answer
    Request request;        ///< reused: its strings keep their capacity
    std::chrono::steady_clock::time_point parser_touched{};
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

    /// Not reached: onInput below answers every request itself.
    void onRequest(const Http::Request&, Http::ResponseWriter response) override { response.send(Http::Code::Internal_Server_Error); }

    /// Every connection is "idle" for Pistache from its start. Pistache's timeout check closes a
    /// connection that is idle too long (keep-alive timeout) or stalls mid-request (request
    /// timeout); for one not marked idle it first writes its own plain-text 408, which we cannot
    /// make a problem document. Closing without an answer is what nginx does when a client does
    /// not finish its request in time; a request we answer is answered synchronously in onInput,
    /// on the same thread as that check, so the mark never matters while one is being answered.
    /// (Http::Handler::onConnection, private to it, only puts the connection's parser in place;
    /// this does the same.)
    void onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override {
        peer->putData(ParserData, std::make_shared<Http::RequestParser>(getMaxRequestSize()));
        peer->setIdle(true);
    }

private:
    /// Pistache 0.0.5's Http::Handler::onInput answers a request it cannot parse, or one larger than
    /// maxRequestSize, with a plain-text body, and offers no hook to change that. This override
    /// answers every request itself:
    /// - a request that arrived whole in this read and has no body (nearly all of them) is parsed in
    ///   one pass (parse_whole_request) without Pistache's parser;
    /// - anything else goes through Pistache's parser, the same loop as Pistache's own (feed, parse,
    ///   answer a complete request), with a RequestHead beside it that keeps the raw request line and
    ///   refuses an over-long line (414), over-large headers (431) or a declared body over our limit
    ///   (413) as soon as they are seen, every refusal a problem document.
    /// Answers go out through the connection's own writer (connection_writer.hpp), not Pistache's
    /// ResponseWriter.
    void onInput(const char* buffer, size_t len, const std::shared_ptr<Pistache::Tcp::Peer>& peer) override {
        auto& state = connection_state(peer);
        if (state.writer.closing()) return; // after Connection: close or a refusal, input is ignored
        const auto& c = service_->config();
        // Whole bodiless requests, one after another when a client pipelines them.
        std::string_view input(buffer, len);
        bool answered = false;
        while (state.head.empty() && !input.empty()) {
            const auto end = input.find("\r\n\r\n");
            if (end == std::string_view::npos ||
                !parse_whole_request(input.substr(0, end + 4), {c.max_url_bytes + 32, kMaxHeaderBytes}, state.whole))
                break;
            serve(state, peer, state.whole.keep_alive(), state.whole.target, [&](Request& r) { fill_request(state.whole, r); });
            answered = true;
            input.remove_prefix(end + 4);
            if (state.writer.closing()) return;
        }
        if (answered) touch_parser(state, peer);
        if (input.empty()) return;
        buffer = input.data();
        len = input.size();
        auto parser = getParser(peer);
        auto& request = parser->request;
        try {
            state.head.feed(std::string_view(buffer, len));
            if (!parser->feed(buffer, len)) throw over_buffer(state.head);
            const auto parsed = parser->parse();
            if (parsed == Http::Private::State::Done) {
                const auto connection = request.headers().tryGet<Http::Header::Connection>();
                const bool keep_alive = connection ? connection->control() == Http::ConnectionControl::KeepAlive
                                                   : request.version() == Http::Version::Http11;
                // Pistache's parser stops at the end of the request and forgets what follows on
                // reset: a request pipelined behind one with a body. Where it starts is known
                // from the head and the declared length (not for a chunked body).
                const auto length = request.headers().tryGet<Http::Header::ContentLength>();
                const bool chunked = request.headers().tryGet<Http::Header::TransferEncoding>() != nullptr;
                const std::size_t used = state.head.head_bytes() + (length ? length->value() : 0);
                const std::size_t after = !chunked && state.head.fed() > used ? state.head.fed() - used : 0;
                serve(state, peer, keep_alive, state.head.target(), [&](Request& r) { to_request(request, state.head, r); });
                parser->reset();
                state.parser_touched = std::chrono::steady_clock::now();
                state.head.reset();
                if (after > 0 && after <= len && !state.writer.closing()) onInput(buffer + (len - after), after, peer);
            } else if (state.head.part() == RequestHead::Part::Body) {
                const auto length = request.headers().tryGet<Http::Header::ContentLength>();
                const auto limit = c.max_body_bytes;
                if (length && length->value() > limit)
                    throw HttpProblem(413, "the body is " + std::to_string(length->value()) + " bytes; at most " + std::to_string(limit) + " are accepted");
            }
        } catch (const std::exception& e) {
            const auto [status, detail] = parser_refusal(e);
            refuse(status, detail, state, peer);
            parser->reset();
        }
    }

    /// Pistache's keep-alive timer measures a connection's idle time from its parser's last reset,
    /// which the one-pass path does not otherwise touch: reset it now and then (a reset costs about
    /// as much as a small answer, so not on every request; a quarter second is far below any
    /// keep-alive timeout).
    void touch_parser(ConnectionState& state, const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
        const auto now = std::chrono::steady_clock::now();
        if (now - state.parser_touched < std::chrono::milliseconds(250)) return;
        getParser(peer)->reset();
        state.parser_touched = now;
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

    /// Answers a request we will not read to its end, with `Connection: close`, and ignores the rest
    /// of it: the sending side is shut once the answer is out, and the socket is closed when the
    /// client closes or at the keep-alive timeout.
    void refuse(int status, const std::string& detail, ConnectionState& state, const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
        const std::string line = state.head.request_line();
        const std::string target(state.head.target());
        const auto space = line.find(' ');
        const std::string method = space == std::string::npos ? "?" : line.substr(0, space);
        AnswerRecord record(service_->metrics(), *log_, state.remote, target);
        Reply reply = problem_reply(status, detail, target.substr(0, target.find('?')));
        reply.set_header("Access-Control-Allow-Origin", service_->config().cors_origin);
        record.describe("(refused)", method, status);
        try {
            send_reply(false, reply, {state.writer, peer, false, state.reply_head, [&record](std::uint64_t bytes) { record.write(bytes); }});
        } catch (const std::exception&) {
            // The client went away; nothing to answer.
        }
        record.write(0);
        state.writer.end_response(peer, false); // the rest of this request is ignored
        state.head.reset();
    }

    ConnectionState& connection_state(const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
        static const std::string key = "coldspot.connection";
        if (auto existing = peer->tryGetData(key)) return *static_cast<ConnectionState*>(existing.get());
        const auto& c = service_->config();
        auto state = std::make_shared<ConnectionState>(RequestHead::Limits{c.max_url_bytes + 32, kMaxHeaderBytes, c.max_body_bytes}, peer->address().host());
        peer->putData(key, state);
        return *state;
    }

    /// Answers one request: `build` fills the Request (it may throw HttpProblem for a malformed
    /// query), the service makes the Reply, the writer sends it.
    template <class BuildRequest>
    void serve(ConnectionState& state, const std::shared_ptr<Pistache::Tcp::Peer>& peer, bool keep_alive, std::string_view target,
               BuildRequest&& build) {
        AnswerRecord record(service_->metrics(), *log_, state.remote, target);
        Request& request = state.request;
        std::string route;
        Reply reply;
        try {
            build(request);
            request.remote = state.remote;
            reply = service_->handle(request, route);
        } catch (const std::exception& e) {
            // Only a malformed escape in the query can get here; route is empty.
            route = "(bad request)";
            const auto* p = dynamic_cast<const HttpProblem*>(&e);
            const std::string_view t = target;
            reply = problem_reply(p ? p->status() : 400, e.what(), std::string(t.substr(0, t.find('?'))));
            reply.set_header("Access-Control-Allow-Origin", service_->config().cors_origin);
        }
        record.describe(std::move(route), request.method, reply.status);
        try {
            send_reply(request.method == "HEAD", reply,
                       {state.writer, peer, keep_alive, state.reply_head, [&record](std::uint64_t bytes) { record.write(bytes); }});
            state.writer.end_response(peer, keep_alive);
        } catch (const std::exception& e) {
            // The client went away mid-body; nothing more can be sent on this connection.
            record.write_aborted();
        }
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
                           .keepaliveTimeout(std::chrono::seconds(c.keepalive_timeout))
                           .headerTimeout(std::chrono::seconds(c.request_timeout))
                           .bodyTimeout(std::chrono::seconds(c.request_timeout));
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
