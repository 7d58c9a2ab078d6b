// The tile and TileJSON routes (and, through the same dispatcher, every other GET route) of the
// real Service over a small workspace, for arbitrary request targets: the service never throws,
// every answer has a known status, every 4xx/5xx is a problem document whose status matches and
// whose bytes carry no markup, and a 200 tile is gzip or MVT as it says.
#include "coldspot/service/problem.hpp"
#include "coldspot/service/service.hpp"
#include "coldspot/tiles/gzip.hpp"
#include "fuzz_support.hpp"

#include <nlohmann/json.hpp>

namespace {

using namespace coldspot;

service::Service& the_service() {
    static service::Service* s = [] {
        service::ServiceConfig config;
        config.workspace = fuzz::small_workspace();
        config.access_log = "";
        config.token = "fuzz-token";
        return new service::Service(config); // lives for the process (libFuzzer never returns)
    }();
    return *s;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input in(data, size);
    const std::uint8_t mode = in.byte();
    static const char* prefixes[] = {"/tiles/", "/tiles/schools/", "/tiles/coldspot/", "/collections/", "/", "/tiles/areas.json"};
    service::Request request;
    request.method = (mode & 0x80) ? "HEAD" : "GET";
    const std::string target = prefixes[mode % 6] + std::string(in.rest());
    try {
        service::set_target(request, target);
    } catch (const service::HttpProblem& p) {
        if (p.status() != 400) fuzz::fail("bad target refused with " + std::to_string(p.status()));
        return 0;
    }
    if (mode & 0x40) request.headers.emplace_back("accept-encoding", "gzip");
    if (mode & 0x20) request.headers.emplace_back("if-none-match", "\"x\"");
    request.base_url = "http://127.0.0.1";
    std::string route;
    const service::Reply r = the_service().handle(request, route);
    if (r.status < 200 || r.status > 599) fuzz::fail("status " + std::to_string(r.status));
    if (r.status >= 500) fuzz::fail("server error " + std::to_string(r.status) + " for " + target + ": " + r.body);
    if (r.status >= 400) {
        if (r.content_type != service::kProblemContentType) fuzz::fail("error without a problem document");
        // A long problem (a long path repeated in it) is gzip-compressed for a client that accepts
        // gzip, like any other answer (found by libFuzzer: the harness parsed the compressed bytes).
        const auto problem_enc = r.header("Content-Encoding");
        const std::string problem = problem_enc && *problem_enc == "gzip" ? tiles::gzip_decompress(r.body) : r.body;
        const auto j = nlohmann::json::parse(problem, nullptr, false);
        if (j.is_discarded() || !j.is_object() || j.value("status", 0) != r.status) fuzz::fail("problem body broken: " + problem);
        if (problem.find('<') != std::string::npos || problem.find('>') != std::string::npos) fuzz::fail("problem body carries markup: " + problem);
    }
    if (r.status == 200 && route == "/tiles/{tileset}/{z}/{x}/{y}") {
        const std::string& body = r.shared_body ? *r.shared_body : r.body;
        const auto enc = r.header("Content-Encoding");
        const bool gz = enc && *enc == "gzip";
        if (gz != (body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0x1f && static_cast<unsigned char>(body[1]) == 0x8b))
            fuzz::fail("tile body and Content-Encoding disagree");
    }
    return 0;
}
