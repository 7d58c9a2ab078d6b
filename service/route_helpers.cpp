#include "coldspot/service/problem.hpp"
#include "routes.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace coldspot::service::detail {

Reply json_reply(const nlohmann::json& j, int status, std::string content_type) {
    Reply r;
    r.status = status;
    r.content_type = std::move(content_type);
    r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return r;
}

bool wants_html(const Request& request) {
    if (const auto f = request.param("f")) {
        if (*f == "html") return true;
        if (*f == "json") return false;
        throw HttpProblem(400, "parameter 'f' must be 'json' or 'html', got '" + *f + "'");
    }
    const auto accept = request.header("accept");
    if (!accept) return false;
    // Highest q of the media ranges that match each representation.
    double html = 0, json = 0;
    std::string_view rest = *accept;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        const auto semi = item.find(';');
        std::string type(item.substr(0, semi));
        type.erase(std::remove_if(type.begin(), type.end(), [](unsigned char c) { return std::isspace(c); }), type.end());
        type = ascii_lower(type);
        double q = 1;
        if (semi != std::string_view::npos) {
            const auto qpos = item.find("q=", semi);
            if (qpos != std::string_view::npos) q = std::strtod(std::string(item.substr(qpos + 2)).c_str(), nullptr);
        }
        // An exact type beats a wildcard of the same q: browsers list */*;q=0.8 after text/html.
        if (type == "text/html") html = std::max(html, q + 0.001);
        else if (type == "application/json" || type == "application/geo+json") json = std::max(json, q + 0.001);
        else if (type == "text/*") html = std::max(html, q);
        else if (type == "application/*") json = std::max(json, q);
        else if (type == "*/*") {
            html = std::max(html, q);
            json = std::max(json, q);
        }
    }
    return html > json;
}

void allow_only(const Request& request, std::initializer_list<const char*> allowed) {
    for (const auto& [k, v] : request.query) {
        if (k == "f") continue;
        if (std::find_if(allowed.begin(), allowed.end(), [&](const char* a) { return k == a; }) == allowed.end())
            throw HttpProblem(400, "unknown query parameter '" + k + "' for " + request.path);
    }
}

std::string html_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

} // namespace coldspot::service::detail
