#pragma once
// The one way Coldspot replaces a file (a workspace, a road-graph cache, an OSM PBF, a tile archive)
// so that a reader never sees half of it and a crash never leaves it half-written: write a temporary
// file in the same folder, fsync it, rename it over the target, fsync the folder (rename is atomic
// within one file system, and the folder's fsync makes the rename itself durable).
//
// A writer killed before its rename (kill -9, power loss, a full disk that ended the process) leaves
// its temporary file behind. Temporary names carry the writer's process id
// (`.NAME.tmp-PID-...`), so the next writer of the same target, and `coldspot serve` at start, can
// tell a leftover of a dead process from the file of a writer still running, remove it, and say so.
#include "coldspot/geo/error.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace coldspot::geo {

/// A temporary file beside `target` that becomes `target` on commit().
class AtomicFile {
public:
    /// Removes leftovers of killed writers of `target` (remove_leftovers) and picks a fresh
    /// temporary name. Throws IoError when the folder does not exist.
    explicit AtomicFile(std::filesystem::path target);
    /// Without commit(), removes the temporary file and SQLite's `-journal`, `-wal` and `-shm`
    /// beside it; the target is untouched.
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    const std::filesystem::path& target() const noexcept { return target_; }
    /// Where to write; it does not exist yet.
    const std::filesystem::path& temp() const noexcept { return temp_; }
    /// fsyncs the temporary file, renames it over the target and fsyncs the folder. Throws IoError
    /// naming the file when any step fails (the temporary file is then removed by the destructor).
    void commit();
    bool committed() const noexcept { return committed_; }

private:
    std::filesystem::path target_;
    std::filesystem::path temp_;
    bool committed_ = false;
};

/// Writes `target` atomically: `write(temp)` creates the temporary file, then it is committed.
/// When `write` throws, the temporary file is removed and the target is untouched.
template <class Write>
void write_atomically(const std::filesystem::path& target, Write&& write) {
    AtomicFile file(target);
    write(file.temp());
    file.commit();
}

/// Writes `bytes` as the whole of `target`, atomically (a small JSON record, a manifest). Throws
/// IoError naming the file when it cannot be written.
void write_file_atomically(const std::filesystem::path& target, std::string_view bytes);

/// The temporary files beside `target` left by writers whose process no longer exists: removed,
/// each one reported through notice(). Files of a live process (another writer running now, or
/// this process) are kept. Returns what was removed.
std::vector<std::filesystem::path> remove_leftovers(const std::filesystem::path& target);

/// The process id in a temporary file name made for `target` (`.NAME.tmp-PID...`), or 0 when
/// `name` is not one.
long leftover_pid(const std::string& name, const std::filesystem::path& target);

/// Messages about recovery the user should see ("removed a leftover of a killed run"). They go to
/// standard error prefixed with "coldspot: " unless a sink is set (tests, a server's log).
void notice(const std::string& message);
/// Replaces where notices go; an empty function restores standard error. Returns the previous sink.
std::function<void(const std::string&)> set_notice_sink(std::function<void(const std::string&)> sink);

/// Throws IoError("cannot <what> <path>: <strerror(errno)>") — for a failed system call on a file.
[[noreturn]] void throw_io_error(const std::string& what, const std::filesystem::path& path, int error_number);

} // namespace coldspot::geo
