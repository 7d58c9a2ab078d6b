#pragma once
// The Coldspot web service without its transport: routes a Request to a Reply against the current
// snapshot, runs analysis jobs and swaps their results in. server.hpp puts it on Pistache.
#include "coldspot/service/analysis_jobs.hpp"
#include "coldspot/service/http_message.hpp"
#include "coldspot/service/metrics.hpp"
#include "coldspot/service/service_config.hpp"
#include "coldspot/service/snapshot.hpp"
#include "coldspot/service/what_if_jobs.hpp"
#include "coldspot/service/workspace_watch.hpp"

#include <atomic>
#include <memory>
#include <string>

namespace coldspot::service {

class Service {
public:
    /// Loads the workspace (throws WorkspaceError/CrsError as load_snapshot does). `analysis` may
    /// be empty: POST /analysis then answers 501.
    Service(ServiceConfig config, AnalysisFunction analysis = {});
    ~Service();
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    /// Answers a request. Never throws: every failure becomes a problem-details Reply. `route`
    /// receives the route template for metrics and logs ("/collections/{id}/items").
    Reply handle(const Request& request, std::string& route);

    /// Reloads the workspace file and swaps the snapshot in; returns the new version. For a
    /// PostGIS workspace the version is the database's published version (the same on every
    /// server), and a watcher reloads when another process publishes (workspace_watch.hpp).
    std::uint64_t reload();
    std::shared_ptr<const Snapshot> snapshot() const { return holder_.get(); }
    const ServiceConfig& config() const noexcept { return config_; }
    Metrics& metrics() noexcept { return metrics_; }
    AnalysisJobs& jobs() noexcept { return *jobs_; }
    WhatIfJobs& what_if() noexcept { return *what_if_; }
    /// Stops the analysis worker (cancelling a running job); called on shutdown.
    void stop_jobs();
    /// Text for /metrics.
    std::string metrics_text() const;

private:
    Reply dispatch(const Request& request, std::string& route, const std::shared_ptr<const Snapshot>& snapshot);

    ServiceConfig config_;
    std::atomic<std::uint64_t> version_{1};
    SnapshotHolder holder_;
    Metrics metrics_;
    std::unique_ptr<AnalysisJobs> jobs_;
    std::unique_ptr<WhatIfJobs> what_if_;
    std::mutex reload_mutex_;                  ///< one reload at a time (analysis job, watcher)
    /// The newest reader of the served version. A snapshot's own reader holds its PostGIS version
    /// (Snapshot::reader), but loses the hold when the database restarts; the watcher then reloads
    /// the same version, and this keeps the new reader's hold though the snapshot is not replaced.
    std::shared_ptr<const geo::Workspace> served_hold_;
    std::unique_ptr<WorkspaceWatcher> watcher_; ///< PostGIS workspaces only
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

/// A problem-details reply (RFC 9457).
Reply problem_reply(int status, const std::string& detail, const std::string& instance, const nlohmann::json& extensions = nlohmann::json::object());

} // namespace coldspot::service
