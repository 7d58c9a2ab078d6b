#include "coldspot/geo/atomic_file.hpp"

#include "coldspot/geo/error.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>

namespace coldspot::geo {

namespace fs = std::filesystem;

namespace {

std::mutex& notice_mutex() {
    static std::mutex m;
    return m;
}

std::function<void(const std::string&)>& notice_sink() {
    static std::function<void(const std::string&)> sink;
    return sink;
}

/// `.NAME.tmp-`: every temporary name for `target` starts with it.
std::string temp_prefix(const fs::path& target) { return "." + target.filename().string() + ".tmp-"; }

fs::path temporary_name(const fs::path& target) {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    return target.parent_path() / (temp_prefix(target) + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
                                   std::to_string(rd() ^ static_cast<unsigned>(stamp)));
}

/// Whether a process with this id exists (EPERM: it exists but belongs to someone else).
bool process_alive(long pid) {
    if (pid == static_cast<long>(::getpid())) return true;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

void fsync_or_throw(const fs::path& p, bool directory) {
    const int fd = ::open(p.c_str(), directory ? O_RDONLY | O_DIRECTORY | O_CLOEXEC : O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw_io_error("open", p, errno);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    // Some file systems cannot fsync a folder (EINVAL); the rename has still happened.
    if (rc != 0 && !(directory && err == EINVAL)) throw_io_error("flush to disk", p, err);
}

void remove_with_sidecars(const fs::path& p) {
    std::error_code ec;
    fs::remove(p, ec);
    for (const char* suffix : {"-journal", "-wal", "-shm"}) fs::remove(p.string() + suffix, ec);
}

} // namespace

void notice(const std::string& message) {
    std::lock_guard lock(notice_mutex());
    if (notice_sink()) notice_sink()(message);
    else std::cerr << "coldspot: " << message << std::endl;
}

std::function<void(const std::string&)> set_notice_sink(std::function<void(const std::string&)> sink) {
    std::lock_guard lock(notice_mutex());
    std::swap(notice_sink(), sink);
    return sink;
}

void throw_io_error(const std::string& what, const fs::path& path, int error_number) {
    throw IoError("cannot " + what + " " + path.string() + ": " + std::strerror(error_number));
}

long leftover_pid(const std::string& name, const fs::path& target) {
    const std::string prefix = temp_prefix(target);
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return 0;
    long pid = 0;
    const char* begin = name.data() + prefix.size();
    const auto [end, ec] = std::from_chars(begin, name.data() + name.size(), pid);
    if (ec != std::errc() || end == begin || pid <= 0) return 0;
    return pid;
}

std::vector<fs::path> remove_leftovers(const fs::path& target) {
    std::vector<fs::path> removed;
    const fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    std::error_code ec;
    fs::directory_iterator it(folder, ec);
    if (ec) return removed;
    for (const auto& entry : it) {
        const std::string name = entry.path().filename().string();
        const long pid = leftover_pid(name, target);
        if (pid == 0 || process_alive(pid)) continue;
        std::error_code rm;
        if (!fs::remove(entry.path(), rm) || rm) continue;
        removed.push_back(entry.path());
        notice("removed " + entry.path().string() + ", left behind by a writer of " + target.filename().string() +
               " that did not finish (process " + std::to_string(pid) + " was killed or crashed); " +
               target.filename().string() + " itself was not changed by it");
    }
    return removed;
}

AtomicFile::AtomicFile(fs::path target) : target_(std::move(target)) {
    if (target_.parent_path().empty()) target_ = fs::path(".") / target_;
    if (!fs::is_directory(target_.parent_path()))
        throw IoError("cannot write " + target_.string() + ": folder " + target_.parent_path().string() + " does not exist");
    remove_leftovers(target_);
    temp_ = temporary_name(target_);
}

AtomicFile::~AtomicFile() {
    if (!committed_) remove_with_sidecars(temp_);
}

void AtomicFile::commit() {
    if (committed_) return;
    std::error_code ec;
    if (!fs::exists(temp_, ec)) throw IoError("cannot write " + target_.string() + ": its temporary file " + temp_.string() + " was not created");
    fsync_or_throw(temp_, false);
    if (::rename(temp_.c_str(), target_.c_str()) != 0) {
        const int err = errno;
        throw IoError("cannot rename " + temp_.string() + " to " + target_.string() + ": " + std::strerror(err));
    }
    committed_ = true;
    fsync_or_throw(target_.parent_path(), true);
}

void write_file_atomically(const fs::path& target, std::string_view bytes) {
    write_atomically(target, [&](const fs::path& temp) {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out.flush()) throw_io_error("write", temp, errno);
    });
}

} // namespace coldspot::geo
