#include "coldspot/service/problem.hpp"

namespace coldspot::service {

std::string status_title(int status) {
    switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 505: return "HTTP Version Not Supported";
    case 503: return "Service Unavailable";
    default: return "Error";
    }
}

nlohmann::json Problem::to_json() const {
    nlohmann::json j{{"type", "about:blank"}, {"status", status}, {"title", title.empty() ? status_title(status) : title}};
    if (!detail.empty()) j["detail"] = detail;
    if (!instance.empty()) j["instance"] = instance;
    if (extensions.is_object())
        for (const auto& [k, v] : extensions.items())
            if (!j.contains(k)) j[k] = v;
    return j;
}

} // namespace coldspot::service
