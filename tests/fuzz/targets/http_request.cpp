// The HTTP request parsers: the one-pass parser of whole bodiless requests (parse_whole_request,
// fill_request) and the general path (RequestHead beside Pistache's parser, fed in pieces as
// reads deliver them). Neither may crash or read outside the bytes; the one-pass parser only
// accepts GET/HEAD/OPTIONS with an origin-form target, its views lie inside the input, and a
// request it accepts is one the general path reads with the same method and target.
#include "coldspot/service/http_message.hpp"
#include "coldspot/service/problem.hpp"
#include "coldspot/service/detail/request_head.hpp"
#include "coldspot/service/detail/whole_request.hpp"
#include "fuzz_support.hpp"

#include <pistache/http.h>

#include <sstream>

namespace {

using namespace coldspot;
namespace Http = Pistache::Http;

bool inside(std::string_view part, std::string_view whole) {
    return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

struct GeneralResult {
    bool done = false;
    std::string method, target;
};

GeneralResult general_path(std::string_view bytes, fuzz::Input& cuts) {
    GeneralResult out;
    service::RequestHead head({4096 + 32, 16384, 64 * 1024}); // the server's default limits
    Http::RequestParser parser(64 * 1024 + 4096 + 16384 + 4096);
    try {
        while (!bytes.empty()) {
            const std::size_t n = std::min<std::size_t>(bytes.size(), 1 + cuts.byte() * 8u);
            const auto piece = bytes.substr(0, n);
            bytes.remove_prefix(n);
            head.feed(piece);
            if (!parser.feed(piece.data(), piece.size())) return out; // over Pistache's buffer: 413/414/431
            if (parser.parse() == Http::Private::State::Done) {
                out.done = true;
                out.method = Http::methodString(parser.request.method());
                out.target = std::string(head.target());
                service::Request r;
                service::set_target(r, head.target());
                for (const auto& h : parser.request.headers().list()) {
                    std::ostringstream value;
                    h->write(value);
                }
                return out;
            }
        }
    } catch (const service::HttpProblem& p) {
        const int s = p.status();
        if (s != 400 && s != 413 && s != 414 && s != 431) fuzz::fail("RequestHead refused with " + std::to_string(s));
    } catch (const std::exception&) {
        // Pistache's parser and typed headers throw HttpError or plain exceptions: the server
        // answers every one with a problem (parser_refusal).
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input in(data, size);
    fuzz::Input cuts = in; // the same bytes also choose where reads split the request
    const std::string copy(in.rest());
    const std::string_view bytes(copy);
    service::WholeRequest whole;
    const bool one_pass = service::parse_whole_request(bytes, {4096 + 32, 16384}, whole);
    if (one_pass) {
        if (whole.method != "GET" && whole.method != "HEAD" && whole.method != "OPTIONS") fuzz::fail("one-pass method " + std::string(whole.method));
        if (whole.target.empty() || whole.target[0] != '/') fuzz::fail("one-pass target not origin-form");
        if (!inside(whole.method, bytes) || !inside(whole.target, bytes)) fuzz::fail("view outside the input");
        for (const auto& h : whole.headers)
            if (!inside(h.name, bytes) || !inside(h.value, bytes) || h.name.empty()) fuzz::fail("header view outside the input");
        (void)whole.keep_alive();
        service::Request r;
        try {
            service::fill_request(whole, r);
            if (r.method != whole.method) fuzz::fail("method changed");
        } catch (const service::HttpProblem& p) {
            if (p.status() != 400) fuzz::fail("fill_request refused with " + std::to_string(p.status()));
        }
    }
    const auto general = general_path(bytes, cuts);
    if (one_pass && general.done && (general.method != whole.method || general.target != whole.target))
        fuzz::fail("the two parsers read different requests: " + general.method + " " + general.target + " vs " +
                   std::string(whole.method) + " " + std::string(whole.target));
    return 0;
}
