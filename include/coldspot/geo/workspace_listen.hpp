#pragma once
// Follows the published version of a PostGIS workspace (workspace.hpp) over one kept connection
// that LISTENs on the publication channel: wait() returns as soon as a writer publishes (NOTIFY is
// delivered at its COMMIT), or after the timeout, with the version published now. A server's
// workspace watcher (service/workspace_watch.cpp) calls it in a loop. docs/deployment.md.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>

namespace coldspot::geo {

namespace detail {
class PgConnection;
}

class WorkspaceVersionListener {
public:
    /// `workspace`: a PostGIS workspace name (is_postgis_workspace). Connects at the first wait().
    explicit WorkspaceVersionListener(std::filesystem::path workspace);
    ~WorkspaceVersionListener();
    WorkspaceVersionListener(const WorkspaceVersionListener&) = delete;
    WorkspaceVersionListener& operator=(const WorkspaceVersionListener&) = delete;

    /// The published version, at once after (re)connecting, else after a publication or `timeout`.
    /// Throws DatabaseUnavailableError when the database cannot be reached (the connection is made
    /// again at the next call) and WorkspaceError when it holds no Coldspot workspace.
    std::int64_t wait(std::chrono::milliseconds timeout);

private:
    std::filesystem::path workspace_;
    std::unique_ptr<detail::PgConnection> conn_;
};

} // namespace coldspot::geo
