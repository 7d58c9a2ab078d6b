#include "coldspot/geo/detail/huge_pages.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace coldspot::geo::detail {

void advise_huge_pages(const void* p, std::size_t bytes) noexcept {
    constexpr std::size_t kHuge = std::size_t{2} << 20;
    if (bytes < kHuge) return;
    // madvise wants a page-aligned start: advise the whole pages inside the range only.
    const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
    const auto begin = (reinterpret_cast<std::uintptr_t>(p) + page - 1) & ~(page - 1);
    const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(page - 1);
    if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

void restart_with_huge_page_malloc(char** argv) noexcept {
    if (std::getenv("GLIBC_TUNABLES") != nullptr) return;
    if (setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 0) != 0) return;
    execv("/proc/self/exe", argv);
    unsetenv("GLIBC_TUNABLES"); // exec failed (no /proc?): carry on with the default malloc
}

} // namespace coldspot::geo::detail
