#include "mapped_file.hpp"

#include "coldspot/geo/atomic_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace coldspot::geo::detail {

MappedFile::MappedFile(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw_io_error("open", path, errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int e = errno;
        ::close(fd);
        throw_io_error("stat", path, e);
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ > 0) {
        // MAP_POPULATE maps every page now, in one pass, instead of one fault per page later.
        data_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        if (data_ == MAP_FAILED) {
            const int e = errno;
            data_ = nullptr;
            ::close(fd);
            throw_io_error("map", path, e);
        }
    }
    ::close(fd); // the mapping stays valid without the descriptor
}

MappedFile::~MappedFile() {
    if (data_) ::munmap(data_, size_);
}

} // namespace coldspot::geo::detail
