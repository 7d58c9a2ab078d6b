#include "coldspot/service/problem.hpp"
#include "routes.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace coldspot::service::detail {

nlohmann::json link(const std::string& href, const std::string& rel, const std::string& type, const std::string& title) {
    nlohmann::json l{{"href", href}, {"rel", rel}, {"type", type}};
    if (!title.empty()) l["title"] = title;
    return l;
}

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
    for (const auto& parameter : request.query) {
        // A named reference, not a structured binding: clang 14 (fuzz and lint builds) cannot capture one.
        const std::string& k = parameter.first;
        if (k == "f") continue;
        if (std::find_if(allowed.begin(), allowed.end(), [&](const char* a) { return k == a; }) == allowed.end())
            throw HttpProblem(400, "unknown query parameter '" + k + "' for " + request.path);
    }
}

std::string query_string(const Request& r) {
    std::string q;
    for (const auto& [k, v] : r.query) q += (q.empty() ? "?" : "&") + url_encode(k) + "=" + url_encode(v);
    return q;
}

std::string query_with(const Request& r, const std::string& key, const std::string& value, std::initializer_list<const char*> drop) {
    std::string q;
    for (const auto& parameter : r.query) {
        const auto& [k, v] = parameter;
        const std::string& name = k; // clang 14 cannot capture the binding `k` in the lambda
        if (k == key || std::find_if(drop.begin(), drop.end(), [&](const char* d) { return name == d; }) != drop.end()) continue;
        q += (q.empty() ? "?" : "&") + url_encode(k) + "=" + url_encode(v);
    }
    if (!value.empty()) q += (q.empty() ? "?" : "&") + url_encode(key) + "=" + url_encode(value);
    return q;
}

const std::vector<AlternateFormat>& alternate_formats() {
    static const std::vector<AlternateFormat> formats{
        {"html", "text/html", "this page as HTML"},
        {"csv", "text/csv", "as CSV (a download of the whole selection unless limit is given)"},
        {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "as an XLSX spreadsheet"},
        {"fgb", "application/flatgeobuf", "as FlatGeobuf (streamed)"},
    };
    return formats;
}

std::string html_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

} // namespace coldspot::service::detail
