#pragma once
// gzip for responses: content negotiation and a streaming compressor for streamed GeoJSON. Whole
// buffers go through tiles::gzip_compress, which the tile cache uses too.
#include "coldspot/service/http_message.hpp"

#include <memory>
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

} // namespace coldspot::service
