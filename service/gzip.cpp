#include "coldspot/service/gzip.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/service/http_message.hpp"

#include <zlib.h>

#include <array>
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
        if (!ascii_iequals(coding, "gzip") && !ascii_iequals(coding, "x-gzip")) continue;
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

namespace detail {

/// CRC-32 of `crc`'s text followed by `bytes`. (zlib's crc32_z answers 0 for a null pointer, which
/// an empty string_view may hold, instead of leaving the CRC as it is.)
std::uint32_t crc32_of(std::uint32_t crc, std::string_view bytes) {
    if (bytes.empty()) return crc;
    return static_cast<std::uint32_t>(crc32_z(crc, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

/// A raw deflate stream (no zlib or gzip wrapper) kept per thread and level and reset for each
/// fragment, so making one costs no allocation of zlib's ~270 kB of state.
class RawDeflater {
public:
    explicit RawDeflater(int level) {
        if (deflateInit2(&zs_, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) throw Error("zlib: deflateInit2 (raw) failed");
    }
    ~RawDeflater() { deflateEnd(&zs_); }
    RawDeflater(const RawDeflater&) = delete;
    RawDeflater& operator=(const RawDeflater&) = delete;

    static RawDeflater& for_level(int level) {
        if (level < 0 || level > 9) level = 6; // Z_DEFAULT_COMPRESSION and anything out of range
        thread_local std::array<std::unique_ptr<RawDeflater>, 10> streams;
        auto& s = streams[static_cast<std::size_t>(level)];
        if (!s) s = std::make_unique<RawDeflater>(level);
        return *s;
    }

    /// Compresses first + second as a whole fragment; `flush` is Z_FULL_FLUSH (a fragment to be
    /// followed by others) or Z_FINISH (the stream's final block).
    std::string compress(std::string_view first, std::string_view second, int flush) {
        if (deflateReset(&zs_) != Z_OK) throw Error("zlib: deflateReset failed");
        std::string out;
        out.resize(deflateBound(&zs_, static_cast<uLong>(first.size() + second.size())) + 16);
        std::size_t used = 0;
        run(first, Z_NO_FLUSH, out, used);
        run(second, flush, out, used);
        out.resize(used);
        return out;
    }

private:
    void run(std::string_view in, int flush, std::string& out, std::size_t& used) {
        zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
        zs_.avail_in = static_cast<uInt>(in.size());
        for (;;) {
            if (out.size() - used < 64) out.resize(out.size() * 2 + 64);
            zs_.next_out = reinterpret_cast<Bytef*>(out.data() + used);
            zs_.avail_out = static_cast<uInt>(out.size() - used);
            const int rc = deflate(&zs_, flush);
            if (rc == Z_STREAM_ERROR) throw Error("zlib: deflate failed");
            used = out.size() - zs_.avail_out;
            if (flush == Z_FINISH ? rc == Z_STREAM_END : (zs_.avail_out != 0 && zs_.avail_in == 0)) return;
        }
    }

    z_stream zs_{};
};

} // namespace detail

DeflateFragment deflate_fragment(std::string_view first, std::string_view second, int level) {
    DeflateFragment f;
    f.bytes = detail::RawDeflater::for_level(level).compress(first, second, Z_FULL_FLUSH);
    f.crc = detail::crc32_of(detail::crc32_of(0, first), second);
    f.length = first.size() + second.size();
    return f;
}

GzipMemberWriter::GzipMemberWriter(BodySink& downstream) : downstream_(downstream) {
    // RFC 1952 header: magic, deflate, no flags, mtime 0 (deterministic), no extra flags, OS unknown.
    static constexpr char kHeader[10] = {'\x1f', '\x8b', 8, 0, 0, 0, 0, 0, 0, '\xff'};
    downstream_.write(std::string_view(kHeader, sizeof kHeader));
}

void GzipMemberWriter::fragment(const DeflateFragment& f) {
    downstream_.write(f.bytes);
    crc_ = static_cast<std::uint32_t>(crc32_combine(crc_, f.crc, static_cast<z_off_t>(f.length)));
    length_ += f.length;
}

void GzipMemberWriter::text(std::string_view first, std::string_view second, int level) { fragment(deflate_fragment(first, second, level)); }

void GzipMemberWriter::finish(std::string_view last) {
    if (finished_) return;
    finished_ = true;
    const std::string tail = detail::RawDeflater::for_level(6).compress(last, {}, Z_FINISH);
    downstream_.write(tail);
    crc_ = static_cast<std::uint32_t>(crc32_combine(crc_, detail::crc32_of(0, last), static_cast<z_off_t>(last.size())));
    length_ += last.size();
    // Trailer: CRC-32 and ISIZE (length mod 2^32), little-endian.
    char trailer[8];
    for (int i = 0; i < 4; ++i) {
        trailer[i] = static_cast<char>((crc_ >> (8 * i)) & 0xFF);
        trailer[4 + i] = static_cast<char>((length_ >> (8 * i)) & 0xFF);
    }
    downstream_.write(std::string_view(trailer, sizeof trailer));
}

} // namespace coldspot::service
