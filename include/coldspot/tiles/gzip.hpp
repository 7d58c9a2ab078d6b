#pragma once
// gzip (RFC 1952) through zlib, deterministic (mtime 0) so equal tiles give equal bytes and ETags.
#include <string>
#include <string_view>

namespace coldspot::tiles {

std::string gzip_compress(std::string_view data, int level = 6);
/// Throws FormatError (file "<gzip>") for data that is not gzip.
std::string gzip_decompress(std::string_view data);

} // namespace coldspot::tiles
