#pragma once
// Large arrays backed by transparent huge pages (2 MiB) where the kernel gives them only on request
// (THP "madvise" mode: Debian's default, and these machines'). A whole-England road graph is 4 GB of
// arrays; filled through 4 KiB pages it took 1.8 million page faults, and on a virtual machine each
// fault is costly: loading its cache took 13 s of CPU, with huge pages under 4 s (docs/benchmarks.md).
#include <cstddef>
#include <vector>

namespace coldspot::geo::detail {

/// Asks the kernel to back [p, p + bytes) with huge pages from the next fault on. A hint: ignored
/// where the kernel has no THP, and for ranges too small to hold one huge page.
void advise_huge_pages(const void* p, std::size_t bytes) noexcept;

/// v.resize(n), with v's new storage advised for huge pages before it is first touched. Only storage
/// allocated here is advised (a big allocation is a fresh, untouched mapping), so call it on an empty
/// or small vector.
template <typename T>
void resize_huge(std::vector<T>& v, std::size_t n) {
    v.reserve(n);
    advise_huge_pages(v.data(), n * sizeof(T));
    v.resize(n);
}

/// Restarts this program (execv of /proc/self/exe, same pid and arguments) with glibc's malloc told to
/// advise every large allocation for huge pages (GLIBC_TUNABLES=glibc.malloc.hugetlb=1), which covers
/// the arrays that resize_huge cannot reach (search labels, the snap index's tree nodes). A tunable is
/// read only when a process starts, hence the restart. Returns without restarting when GLIBC_TUNABLES is
/// already set (the user's setting is kept, and the restarted process sees it set) or when exec fails.
void restart_with_huge_page_malloc(char** argv) noexcept;

} // namespace coldspot::geo::detail
