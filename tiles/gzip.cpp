#include "coldspot/tiles/gzip.hpp"

#include "coldspot/geo/error.hpp"

#include <zlib.h>

#include <memory>

namespace coldspot::tiles {

namespace {

/// Owns a z_stream for deflate or inflate.
class ZStream {
public:
    explicit ZStream(bool deflating) : deflating_(deflating) {}
    ~ZStream() {
        if (!initialised_) return;
        if (deflating_) deflateEnd(&s_);
        else inflateEnd(&s_);
    }
    ZStream(const ZStream&) = delete;
    ZStream& operator=(const ZStream&) = delete;
    z_stream* get() { return &s_; }
    void mark_initialised() { initialised_ = true; }

private:
    z_stream s_{};
    bool deflating_;
    bool initialised_ = false;
};

} // namespace

std::string gzip_compress(std::string_view data, int level) {
    if (level < 0 || level > 9) throw InvalidArgumentError("gzip: level must be 0..9");
    // deflateInit2 allocates and clears ~270 KB of state, more than compressing a small tile
    // costs: keep one stream per thread and level and deflateReset it (same bytes as a fresh one).
    thread_local std::unique_ptr<ZStream> streams[10];
    auto& zs = streams[level];
    if (!zs) {
        auto fresh = std::make_unique<ZStream>(true);
        // windowBits 15 + 16 asks zlib for a gzip wrapper; zlib writes mtime 0 and OS "unknown".
        if (deflateInit2(fresh->get(), level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            throw Error("gzip: deflateInit2 failed");
        fresh->mark_initialised();
        zs = std::move(fresh);
    } else if (deflateReset(zs->get()) != Z_OK) {
        throw Error("gzip: deflateReset failed");
    }
    std::string out;
    out.resize(deflateBound(zs->get(), static_cast<uLong>(data.size())) + 32);
    zs->get()->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs->get()->avail_in = static_cast<uInt>(data.size());
    zs->get()->next_out = reinterpret_cast<Bytef*>(out.data());
    zs->get()->avail_out = static_cast<uInt>(out.size());
    if (deflate(zs->get(), Z_FINISH) != Z_STREAM_END) {
        zs.reset(); // leave no half-used stream behind
        throw Error("gzip: deflate did not finish");
    }
    out.resize(zs->get()->total_out);
    return out;
}

std::string gzip_decompress(std::string_view data) {
    ZStream zs(false);
    if (inflateInit2(zs.get(), 15 + 16) != Z_OK) throw Error("gzip: inflateInit2 failed");
    zs.mark_initialised();
    zs.get()->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.get()->avail_in = static_cast<uInt>(data.size());
    std::string out;
    char buf[65536];
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        zs.get()->next_out = reinterpret_cast<Bytef*>(buf);
        zs.get()->avail_out = sizeof buf;
        rc = inflate(zs.get(), Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END)
            throw FormatError(InputLocation{"<gzip>", 0, ""}, "not valid gzip data (zlib code " + std::to_string(rc) + ")");
        out.append(buf, sizeof buf - zs.get()->avail_out);
        if (rc == Z_OK && zs.get()->avail_in == 0 && zs.get()->avail_out != 0)
            throw FormatError(InputLocation{"<gzip>", 0, ""}, "truncated gzip data");
    }
    return out;
}

} // namespace coldspot::tiles
