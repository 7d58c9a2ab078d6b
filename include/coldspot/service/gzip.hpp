#pragma once
// gzip for responses: content negotiation and a streaming compressor for streamed GeoJSON. Whole
// buffers go through tiles::gzip_compress, which the tile cache uses too.
#include "coldspot/service/http_message.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace coldspot::service {

/// True when an Accept-Encoding value accepts gzip (listed without q=0).
bool accepts_gzip(std::string_view accept_encoding);

/// Compresses what is written to it into `downstream`, in pieces; finish() writes the trailer.
class GzipSink final : public BodySink {
public:
    explicit GzipSink(BodySink& downstream, int level = 6);
    ~GzipSink() override;
    GzipSink(const GzipSink&) = delete;
    GzipSink& operator=(const GzipSink&) = delete;
    void write(std::string_view bytes) override;
    void finish();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Raw deflate data (no wrapper) for some text, compressed on its own and ended with a full flush:
/// byte-aligned, no back-references outside itself and no final block, so fragments can be laid
/// end to end in any order to form one deflate stream (the technique of zlib's examples/gzjoin.c
/// and of pigz). With the CRC-32 and length of its text a gzip member is put together from
/// fragments with memcpy and crc32_combine alone.
struct DeflateFragment {
    std::string bytes;
    std::uint32_t crc = 0;      ///< CRC-32 of the uncompressed text
    std::uint64_t length = 0;   ///< bytes of uncompressed text
};

/// The fragment of `first` followed by `second` (two parts so a separator needs no copy).
DeflateFragment deflate_fragment(std::string_view first, std::string_view second = {}, int level = 6);

/// Writes one gzip member (RFC 1952) to `downstream` from deflate fragments: header at
/// construction, then fragments or fresh text, and finish() ends the deflate stream with a final
/// block holding `last` and writes CRC-32 and ISIZE.
class GzipMemberWriter {
public:
    explicit GzipMemberWriter(BodySink& downstream);
    /// Lays down a fragment made earlier (the cheap path: one write, one crc32_combine).
    void fragment(const DeflateFragment& f);
    /// Compresses `first` + `second` now, as a fragment, at `level`.
    void text(std::string_view first, std::string_view second = {}, int level = 1);
    void finish(std::string_view last);

private:
    BodySink& downstream_;
    std::uint32_t crc_ = 0;
    std::uint64_t length_ = 0;
    bool finished_ = false;
};

} // namespace coldspot::service
