#pragma once
// RAII holders for libcurl's C handles, private to geo/fetch (as gdal_handles.hpp is for GDAL).
#include <curl/curl.h>

#include <cstdio>
#include <memory>
#include <string>

namespace coldspot::geo::fetch::detail {

/// curl_global_init once per process (libcurl asks for it before any thread uses a handle).
void ensure_curl();

struct CurlEasyDeleter {
    void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
/// One easy handle: a transfer's options and state.
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
/// A new easy handle; throws FetchError when libcurl cannot make one.
CurlEasy make_easy();

struct CurlSlistDeleter {
    void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};
/// A list of request headers; append() returns false when libcurl is out of memory.
class CurlHeaders {
public:
    bool append(const std::string& line) {
        curl_slist* next = curl_slist_append(list_.get(), line.c_str());
        if (!next) return false;
        // curl_slist_append extended the held list and returned its head: hand the head over without
        // freeing the list (the pointer released is part of it).
        [[maybe_unused]] curl_slist* extended = list_.release();
        list_.reset(next);
        return true;
    }
    curl_slist* get() const noexcept { return list_.get(); }

private:
    std::unique_ptr<curl_slist, CurlSlistDeleter> list_;
};

struct FileCloser {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

} // namespace coldspot::geo::fetch::detail
