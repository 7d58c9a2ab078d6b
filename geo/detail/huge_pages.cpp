#include "coldspot/geo/detail/huge_pages.hpp"

#include <unistd.h>

#include <cstdlib>

namespace coldspot::geo::detail {

void restart_with_huge_page_malloc(char** argv) noexcept {
    if (std::getenv("GLIBC_TUNABLES") != nullptr) return;
    if (setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 0) != 0) return;
    execv("/proc/self/exe", argv);
    unsetenv("GLIBC_TUNABLES"); // exec failed (no /proc?): carry on with the default malloc
}

} // namespace coldspot::geo::detail
