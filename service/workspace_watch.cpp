#include "coldspot/service/workspace_watch.hpp"

#include "coldspot/geo/workspace.hpp"

#include <iostream>

namespace coldspot::service {

WorkspaceWatcher::WorkspaceWatcher(std::filesystem::path workspace, std::function<std::uint64_t()> served, std::function<void()> reload,
                                   std::chrono::milliseconds interval)
    : workspace_(std::move(workspace)), listener_(workspace_), served_(std::move(served)), reload_(std::move(reload)), interval_(interval) {
    thread_ = std::thread([this] { run(); });
}

WorkspaceWatcher::~WorkspaceWatcher() { stop(); }

void WorkspaceWatcher::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

std::optional<std::string> WorkspaceWatcher::problem() const {
    if (!down_.load()) return std::nullopt;
    std::lock_guard lock(mutex_);
    return problem_;
}

void WorkspaceWatcher::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        poll(); // waits for a publication, at most interval_
        lock.lock();
        // Unreachable: the listener fails at once, so pause before trying again.
        if (down_.load()) wake_.wait_for(lock, interval_, [this] { return stopping_; });
    }
}

void WorkspaceWatcher::poll() {
    std::string failure;
    std::int64_t published = 0;
    try {
        published = listener_.wait(interval_);
    } catch (const std::exception& e) {
        failure = e.what(); // unreachable, refused, or the control tables are gone
    }
    // Back after the database was down: reload even the same version, since the snapshot's hold on
    // it (its reader's connection, which keeps a publisher from removing it) was lost with the database.
    const bool back = down_.load() && failure.empty();
    if (failure.empty() && (static_cast<std::uint64_t>(published) != served_() || back)) {
        try {
            const auto t0 = std::chrono::steady_clock::now();
            reload_();
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::cout << "coldspot serve: now serving version " << served_() << " of " << geo::workspace_display_name(workspace_) << " (loaded in "
                      << static_cast<int>(seconds * 1000) << " ms)" << std::endl;
        } catch (const std::exception& e) {
            // The database answered but the load failed (say the version was replaced twice while
            // it was read and then removed): the snapshot held is still one whole published version,
            // so keep serving it and try again at the next poll. A database gone mid-load shows at
            // the next poll's version query.
            std::cerr << "coldspot serve: cannot load version " << published << " of " << geo::workspace_display_name(workspace_) << ": " << e.what()
                      << "; serving version " << served_() << " until the next poll" << std::endl;
        }
    }
    const bool was_down = down_.load();
    if (failure.empty()) {
        down_ = false;
        if (was_down) std::cout << "coldspot serve: the workspace database is back" << std::endl;
        return;
    }
    {
        std::lock_guard lock(mutex_);
        problem_ = failure;
    }
    down_ = true;
    if (!was_down) std::cerr << "coldspot serve: " << failure << "; answering 503 until it is back" << std::endl;
}

} // namespace coldspot::service
