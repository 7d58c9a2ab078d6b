#pragma once
// Large allocations backed by transparent huge pages (2 MiB) where the kernel gives them only on request
// (THP "madvise" mode: Debian's default, and these machines'). A whole-England road graph is 4 GB of
// arrays; filled through 4 KiB pages it took 1.8 million page faults, and on a virtual machine each
// fault is costly: loading its cache into fresh memory took 13 s of CPU, with huge pages under 4 s
// (docs/routing.md, "Memory: huge pages").

namespace coldspot::geo::detail {

/// Restarts this program (execv of /proc/self/exe, same pid and arguments) with glibc's malloc told to
/// advise every large allocation for huge pages (GLIBC_TUNABLES=glibc.malloc.hugetlb=1): the graph's
/// arrays, the search labels, the snap index's tree nodes. A tunable is
/// read only when a process starts, hence the restart. Returns without restarting when GLIBC_TUNABLES is
/// already set (the user's setting is kept, and the restarted process sees it set) or when exec fails.
void restart_with_huge_page_malloc(char** argv) noexcept;

} // namespace coldspot::geo::detail
