#pragma once
// A tiny blocking HTTP/1.1 client for the tests: one connection, keep-alive optional, reads bodies
// framed by Content-Length or chunked encoding (and none for HEAD, 204 and 304). Written here so the
// tests see the bytes exactly as a client gets them.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace coldspot::test {

struct HttpResponse {
    int status = 0;
    std::map<std::string, std::string> headers; ///< names lower case
    std::string body;
    bool chunked = false;
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
    bool has(const std::string& name) const { return headers.count(name) > 0; }
};

class HttpClient {
public:
    explicit HttpClient(std::uint16_t port) : port_(port) {}
    ~HttpClient() { close_socket(); }
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    HttpResponse request(const std::string& method, const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers = {},
                         const std::string& body = {}, bool keep_alive = false) {
        if (fd_ < 0) connect_socket();
        std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) + "\r\n";
        req += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
        for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
        if (!body.empty() || method == "POST") req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
        req += "\r\n" + body;
        send_all(req);
        HttpResponse r = read_response(method == "HEAD");
        if (!keep_alive) close_socket();
        return r;
    }
    /// Sends bytes exactly as given (a malformed or oversized request) and reads one response.
    HttpResponse raw(const std::string& bytes) {
        if (fd_ < 0) connect_socket();
        try {
            send_all(bytes);
        } catch (const std::runtime_error&) {
            // The server may answer and stop reading before a huge request is all sent.
        }
        HttpResponse r = read_response(false);
        close_socket();
        return r;
    }
    HttpResponse get(const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers = {}) {
        return request("GET", target, headers);
    }
    /// For tests of the connection itself (pipelining, slow readers, closing): bytes out, and one
    /// response in, on the same connection, which stays open.
    void send_bytes(const std::string& bytes) {
        if (fd_ < 0) connect_socket();
        send_all(bytes);
    }
    HttpResponse read_one(bool head = false) { return read_response(head); }
    /// Whether the server ends the connection (recv returns 0) with nothing more sent, within the
    /// receive timeout.
    bool server_closes() {
        if (!buffer_.empty()) return false;
        char c;
        return ::recv(fd_, &c, 1, 0) == 0;
    }
    /// A small receive buffer, set before connecting: the server's writes then fill the socket.
    void set_receive_buffer(int bytes) { receive_buffer_ = bytes; }

private:
    void connect_socket() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd_ < 0) throw std::runtime_error("socket() failed");
        timeval tv{30, 0};
        setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (receive_buffer_ > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer_, sizeof receive_buffer_);
        int one = 1;
        setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port_);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            close_socket();
            throw std::runtime_error("connect() failed");
        }
        buffer_.clear();
    }
    void close_socket() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    void send_all(const std::string& data) {
        std::size_t sent = 0;
        while (sent < data.size()) {
            const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) throw std::runtime_error("send() failed");
            sent += static_cast<std::size_t>(n);
        }
    }
    bool fill() {
        char buf[65536];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) return false;
        buffer_.append(buf, static_cast<std::size_t>(n));
        return true;
    }
    std::string read_line() {
        while (true) {
            const auto pos = buffer_.find("\r\n");
            if (pos != std::string::npos) {
                std::string line = buffer_.substr(0, pos);
                buffer_.erase(0, pos + 2);
                return line;
            }
            if (!fill()) throw std::runtime_error("connection closed while reading a line");
        }
    }
    std::string read_exact(std::size_t n) {
        while (buffer_.size() < n)
            if (!fill()) throw std::runtime_error("connection closed while reading a body");
        std::string out = buffer_.substr(0, n);
        buffer_.erase(0, n);
        return out;
    }
    HttpResponse read_response(bool head) {
        HttpResponse r;
        const std::string status_line = read_line();
        if (status_line.rfind("HTTP/1.", 0) != 0) throw std::runtime_error("bad status line: " + status_line);
        r.status = std::stoi(status_line.substr(9, 3));
        while (true) {
            const std::string line = read_line();
            if (line.empty()) break;
            const auto colon = line.find(':');
            std::string name = line.substr(0, colon);
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            if (r.headers.count(name)) r.headers[name] += ", " + value;
            else r.headers[name] = value;
        }
        if (head || r.status == 204 || r.status == 304) return r;
        if (r.header("transfer-encoding") == "chunked") {
            r.chunked = true;
            while (true) {
                const std::size_t size = std::stoul(read_line(), nullptr, 16);
                if (size == 0) {
                    read_line();
                    break;
                }
                r.body += read_exact(size);
                read_line();
            }
        } else if (r.has("content-length")) {
            r.body = read_exact(std::stoul(r.header("content-length")));
        }
        return r;
    }

    std::uint16_t port_;
    int fd_ = -1;
    int receive_buffer_ = 0;
    std::string buffer_;
};

} // namespace coldspot::test
