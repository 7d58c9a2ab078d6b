#include "coldspot/geo/fetch/http_client.hpp"

#include "coldspot/geo/fetch/errors.hpp"
#include "coldspot/geo/version.hpp"
#include "detail/curl_handles.hpp"

#include <cerrno>
#include <cstring>
#include <mutex>

namespace coldspot::geo::fetch {

namespace detail {

void ensure_curl() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

CurlEasy make_easy() {
    ensure_curl();
    CurlEasy h(curl_easy_init());
    if (!h) throw FetchError("libcurl could not create a transfer handle");
    return h;
}

} // namespace detail

namespace {

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ')) s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && s[i] == ' ') ++i;
    return s.substr(i);
}

bool iequals_prefix(const std::string& line, const char* name) {
    const std::size_t n = std::strlen(name);
    if (line.size() < n) return false;
    for (std::size_t i = 0; i < n; ++i)
        if (std::tolower(static_cast<unsigned char>(line[i])) != std::tolower(static_cast<unsigned char>(name[i]))) return false;
    return true;
}

/// State shared with libcurl's callbacks during one transfer.
struct Transfer {
    const HttpRequest* request = nullptr;
    CURL* curl = nullptr;
    detail::File file;
    bool opened = false;
    bool write_failed = false;
    int write_errno = 0;
    HttpResponse response;

    long status() const {
        long code = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
        return code;
    }

    /// The body goes to the file only for 200 and 206: an error page or a 304 never replaces data.
    bool open_for(long code) {
        if (opened) return true;
        opened = true;
        response.resumed = code == 206 && request->resume_from > 0;
        file.reset(std::fopen(request->file.c_str(), response.resumed ? "ab" : "wb"));
        if (!file) {
            write_failed = true;
            write_errno = errno;
        }
        return !write_failed;
    }
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const long code = t->status();
    if (code != 200 && code != 206) return size * n; // redirect, 304 or error body: discarded
    if (!t->open_for(code)) return 0;
    if (std::fwrite(data, size, n, t->file.get()) != n) {
        t->write_failed = true;
        t->write_errno = errno;
        return 0; // CURLE_WRITE_ERROR
    }
    t->response.body_bytes += size * n;
    return size * n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::string line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0) { // a new response (after a redirect): forget the last one's headers
        t->response.etag.clear();
        t->response.last_modified.clear();
        t->response.content_length.reset();
    } else if (iequals_prefix(line, "etag:")) {
        t->response.etag = trim(line.substr(5));
    } else if (iequals_prefix(line, "last-modified:")) {
        t->response.last_modified = trim(line.substr(14));
    } else if (iequals_prefix(line, "content-length:")) {
        try {
            t->response.content_length = std::stoull(trim(line.substr(15)));
        } catch (const std::exception&) {
        }
    }
    return size * n;
}

int on_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
    auto* t = static_cast<Transfer*>(user);
    if (!t->request->progress) return 0;
    const std::uint64_t base = t->response.resumed ? t->request->resume_from : 0;
    t->request->progress(base + static_cast<std::uint64_t>(now), total > 0 ? base + static_cast<std::uint64_t>(total) : 0);
    return 0;
}

} // namespace

std::string url_host(const std::string& url) {
    const auto scheme = url.find("://");
    if (scheme == std::string::npos) return {};
    const auto start = scheme + 3;
    const auto end = url.find_first_of("/?#", start);
    return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

HttpResponse http_get(const HttpRequest& request) {
    detail::CurlEasy easy = detail::make_easy();
    CURL* h = easy.get();
    Transfer t;
    t.request = &request;
    t.curl = h;
    detail::CurlHeaders headers;
    bool ok = headers.append("Accept-Encoding: identity"); // the bytes as published, for the checksum
    const std::string range = std::to_string(request.resume_from) + "-";
    if (request.resume_from > 0) {
        // CURLOPT_RANGE, not RESUME_FROM: a server that answers 200 (no ranges, or If-Range says
        // the file changed) sends the whole file, which then replaces the partial.
        curl_easy_setopt(h, CURLOPT_RANGE, range.c_str());
        if (!request.if_range.empty()) ok = ok && headers.append("If-Range: " + request.if_range);
    } else {
        if (!request.if_none_match.empty()) ok = ok && headers.append("If-None-Match: " + request.if_none_match);
        if (!request.if_modified_since.empty()) ok = ok && headers.append("If-Modified-Since: " + request.if_modified_since);
    }
    if (!ok) throw FetchError("libcurl is out of memory building the request for " + request.url);
    const std::string agent = "coldspot/" + std::string(version()) + " (coldspot fetch)";
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_USERAGENT, agent.c_str());
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, request.timeouts.connect_seconds);
    if (request.timeouts.stall_seconds > 0) {
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, request.timeouts.stall_bytes_per_second);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, request.timeouts.stall_seconds);
    }
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);

    const CURLcode rc = curl_easy_perform(h);
    t.response.status = t.status();
    char* effective = nullptr;
    curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective);
    t.response.effective_url = effective ? effective : request.url;
    curl_easy_getinfo(h, CURLINFO_REDIRECT_COUNT, &t.response.redirects);
    // Flush before judging: a full disk often shows only when the last buffer is written.
    if (t.file && (std::fflush(t.file.get()) != 0 || std::ferror(t.file.get()))) {
        t.write_failed = true;
        t.write_errno = errno;
    }
    t.file.reset();
    if (t.write_failed) {
        t.response.failure = HttpFailure::DiskWrite;
        t.response.error = "cannot write " + request.file.string() + ": " + std::strerror(t.write_errno);
    } else if (rc != CURLE_OK) {
        t.response.failure = HttpFailure::Network;
        t.response.error = error[0] ? error : curl_easy_strerror(rc);
    } else if ((t.response.status == 200 || t.response.status == 206) && !t.opened) {
        t.open_for(t.response.status); // an empty body is still a (now empty) file
        t.file.reset();
    }
    return std::move(t.response);
}

void throw_if_failed(const HttpResponse& r, const std::string& url) {
    switch (r.failure) {
    case HttpFailure::DiskWrite: throw DiskWriteError(r.error);
    case HttpFailure::Network: throw NetworkError(url + ": " + r.error);
    case HttpFailure::None: break;
    }
    if (r.status >= 400) throw HttpStatusError(url + ": HTTP " + std::to_string(r.status), r.status);
}

} // namespace coldspot::geo::fetch
