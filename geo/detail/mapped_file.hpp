#pragma once
// A read-only memory mapping of a whole file (RAII over open/mmap/munmap), for the road graph cache:
// its arrays are used where they lie in the page cache instead of being copied into fresh memory.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>

namespace coldspot::geo::detail {

class MappedFile {
public:
    /// Maps `path` (pre-faulted). Throws IoError when it cannot be opened or mapped.
    explicit MappedFile(const std::filesystem::path& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    /// The file's bytes; page-aligned, so any offset that is a multiple of 8 is aligned for a double.
    std::span<const std::byte> bytes() const noexcept { return {static_cast<const std::byte*>(data_), size_}; }

private:
    void* data_ = nullptr;
    std::size_t size_ = 0;
};

} // namespace coldspot::geo::detail
