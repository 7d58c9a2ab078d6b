#include "coldspot/service/gzip.hpp"

#include "coldspot/geo/error.hpp"

#include <zlib.h>

#include <cctype>
#include <cstdlib>

namespace coldspot::service {

namespace {
constexpr int kGzipWindowBits = 15 + 16; // +16: gzip wrapper instead of zlib's
constexpr std::size_t kChunk = 32 * 1024;
} // namespace

bool accepts_gzip(std::string_view header) {
    // Tokens separated by commas, each `coding[;q=value]`; gzip;q=0 refuses.
    std::size_t start = 0;
    while (start <= header.size()) {
        const auto end = std::min(header.find(',', start), header.size());
        std::string_view token = header.substr(start, end - start);
        start = end + 1;
        const auto semi = token.find(';');
        std::string_view coding = token.substr(0, semi);
        while (!coding.empty() && coding.front() == ' ') coding.remove_prefix(1);
        while (!coding.empty() && coding.back() == ' ') coding.remove_suffix(1);
        std::string lower;
        for (char c : coding) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower != "gzip" && lower != "x-gzip") continue;
        if (semi == std::string_view::npos) return true;
        const auto q = token.find("q=", semi);
        if (q == std::string_view::npos) return true;
        return std::strtod(std::string(token.substr(q + 2)).c_str(), nullptr) > 0;
    }
    return false;
}

struct GzipSink::Impl {
    BodySink& downstream;
    z_stream zs{};
    bool finished = false;
    explicit Impl(BodySink& d) : downstream(d) {}
    void pump(int flush) {
        char buf[kChunk];
        do {
            zs.next_out = reinterpret_cast<Bytef*>(buf);
            zs.avail_out = sizeof buf;
            const int rc = deflate(&zs, flush);
            if (rc == Z_STREAM_ERROR) throw Error("zlib: deflate failed");
            const std::size_t n = sizeof buf - zs.avail_out;
            if (n) downstream.write(std::string_view(buf, n));
        } while (zs.avail_out == 0);
    }
};

GzipSink::GzipSink(BodySink& downstream, int level) : impl_(std::make_unique<Impl>(downstream)) {
    if (deflateInit2(&impl_->zs, level, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK) throw Error("zlib: deflateInit2 failed");
}

GzipSink::~GzipSink() { deflateEnd(&impl_->zs); }

void GzipSink::write(std::string_view bytes) {
    impl_->zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    impl_->zs.avail_in = static_cast<uInt>(bytes.size());
    impl_->pump(Z_NO_FLUSH);
}

void GzipSink::finish() {
    if (impl_->finished) return;
    impl_->finished = true;
    impl_->zs.next_in = nullptr;
    impl_->zs.avail_in = 0;
    impl_->pump(Z_FINISH);
}

} // namespace coldspot::service
