#pragma once
// SHA-256 of a file, for the provenance table. None of Coldspot's dependencies exposes a SHA-256
// in Debian 12's public headers (GDAL's CPL_SHA256 is internal), so this is FIPS 180-4 in a page.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace coldspot::geo::import {

namespace detail {
class Sha256 {
public:
    Sha256();
    void update(const void* data, std::size_t size);
    /// Lower-case hex digest; the object must not be updated afterwards.
    std::string hex_digest();

private:
    void block(const std::uint8_t* p);
    std::uint32_t h_[8];
    std::uint8_t buf_[64];
    std::size_t buf_len_ = 0;
    std::uint64_t total_ = 0;
};
} // namespace detail

std::string sha256_hex(std::string_view data);
/// Throws FileNotFoundError.
std::string sha256_file(const std::filesystem::path& path);

} // namespace coldspot::geo::import
