#pragma once
// Keeps a server on the published version of a PostGIS workspace (geo/workspace.hpp): a thread
// LISTENs for publications (geo/workspace_listen.hpp) and asks for the published version at each
// one and at least once a second; when it differs from the one served it calls `reload` (which
// builds the new snapshot and swaps it in, as after an analysis).
// While the database cannot be reached the watcher says so (`problem()`), and the service answers
// 503 problem documents: it cannot tell whether what it holds is still the published version.
// When the database is back the next poll clears it; no restart needed. docs/deployment.md.
#include "coldspot/geo/workspace_listen.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace coldspot::service {

class WorkspaceWatcher {
public:
    /// `served`: the version now served; `reload`: loads the published version and swaps it in.
    WorkspaceWatcher(std::filesystem::path workspace, std::function<std::uint64_t()> served, std::function<void()> reload,
                     std::chrono::milliseconds interval = std::chrono::milliseconds(1000));
    ~WorkspaceWatcher();
    WorkspaceWatcher(const WorkspaceWatcher&) = delete;
    WorkspaceWatcher& operator=(const WorkspaceWatcher&) = delete;

    /// Why the workspace is unavailable now, or nullopt when the last poll succeeded.
    std::optional<std::string> problem() const;
    void stop();

private:
    void run();
    void poll();

    std::filesystem::path workspace_;
    geo::WorkspaceVersionListener listener_; ///< used by the thread only
    std::function<std::uint64_t()> served_;
    std::function<void()> reload_;
    std::chrono::milliseconds interval_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::atomic<bool> down_{false};
    std::string problem_;
    std::thread thread_;
};

} // namespace coldspot::service
