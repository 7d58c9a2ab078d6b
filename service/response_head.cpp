#include "coldspot/service/detail/response_head.hpp"

#include "coldspot/service/http_message.hpp"

#include <charconv>

namespace coldspot::service {

const char* reason_phrase(int status) {
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

namespace {
void append_field(std::string& out, std::string_view name, std::string_view value) {
    out += name;
    out += ": ";
    const std::size_t start = out.size();
    out += value;
    // A value never ends the line early: CR or LF from anything a request influenced (a Host
    // header in a Link, a tileset name) would split the response (CWE-113). Parsers refuse them
    // already; this holds whatever a route puts in a header.
    for (std::size_t i = start; i < out.size(); ++i)
        if (out[i] == '\r' || out[i] == '\n') out[i] = ' ';
    out += "\r\n";
}
} // namespace

void append_response_head(std::string& out, const Reply& reply, bool keep_alive, BodyFraming framing, std::size_t length) {
    char digits[24];
    out += "HTTP/1.1 ";
    out.append(digits, std::to_chars(digits, digits + sizeof digits, reply.status).ptr);
    out += ' ';
    out += reason_phrase(reply.status);
    out += "\r\n";
    if (!reply.content_type.empty() && framing != BodyFraming::None) append_field(out, "Content-Type", reply.content_type);
    for (const auto& [name, value] : reply.headers) append_field(out, name, value);
    // Every answer: browsers must not guess another type than the one declared (a problem
    // document or GeoJSON holding text from a request must never be sniffed as HTML).
    out += "X-Content-Type-Options: nosniff\r\n";
    append_field(out, "Connection", keep_alive ? "Keep-Alive" : "Close");
    if (framing == BodyFraming::Length) {
        out += "Content-Length: ";
        out.append(digits, std::to_chars(digits, digits + sizeof digits, length).ptr);
        out += "\r\n";
    } else if (framing == BodyFraming::Chunked) {
        append_field(out, "Transfer-Encoding", "chunked");
    }
    out += "\r\n";
}

} // namespace coldspot::service
