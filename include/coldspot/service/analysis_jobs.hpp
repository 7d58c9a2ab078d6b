#pragma once
// Background analysis jobs: POST /analysis queues one, a single worker runs them in order (they all
// write the same workspace), and GET /analysis/{id} reads their progress. The analysis itself is
// injected, so the service does not depend on how cold spots are computed.
#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

namespace coldspot::service {

/// Thrown out of the progress callback when the server shuts down, to stop the analysis early
/// (its WorkspaceWriter is then destroyed without commit and the workspace is left untouched).
class AnalysisCancelled : public std::runtime_error {
public:
    AnalysisCancelled() : std::runtime_error("analysis cancelled: the server is shutting down") {}
};

/// fraction in [0, 1] and what is happening now.
using ProgressCallback = std::function<void(double fraction, const std::string& message)>;

/// Runs the analysis with validated parameters on the workspace file, writing a new version of it
/// through geo::WorkspaceWriter (atomic rename), and returns a JSON summary of what it did.
using AnalysisFunction = std::function<nlohmann::json(const nlohmann::json& parameters, const std::filesystem::path& workspace,
                                                      const ProgressCallback& progress)>;

/// Called on the worker thread after the analysis committed: reloads the workspace and swaps the
/// served snapshot; returns the new snapshot version. A throw marks the job failed.
using PublishFunction = std::function<std::uint64_t()>;

/// A deeper check of parameters the schema accepted (the analysis's own parser); throws with a
/// message naming the bad value, which the API answers as 422 before anything is queued.
using ParameterCheck = std::function<void(const nlohmann::json& parameters)>;

enum class JobState { Queued, Running, Succeeded, Failed, Cancelled };
std::string to_string(JobState s);

class AnalysisJobs {
public:
    AnalysisJobs(AnalysisFunction analysis, std::filesystem::path workspace, PublishFunction publish, std::size_t max_queued = 8);
    ~AnalysisJobs();
    AnalysisJobs(const AnalysisJobs&) = delete;
    AnalysisJobs& operator=(const AnalysisJobs&) = delete;

    bool available() const noexcept { return static_cast<bool>(analysis_); }
    void set_parameter_check(ParameterCheck check) { check_ = std::move(check); }
    /// Runs the parameter check, if any; throws HttpProblem 422 with its message.
    void check(const nlohmann::json& parameters) const;
    /// Queues a job and returns its id. Throws HttpProblem 503 when the queue is full or the
    /// runner is stopping, 501 when no analysis is available.
    std::string submit(nlohmann::json parameters);
    /// The job as JSON (id, state, progress, message, parameters, result or error, times).
    std::optional<nlohmann::json> describe(const std::string& id) const;
    /// Cancels queued jobs, asks the running one to stop, and joins the worker.
    void stop();
    std::size_t queued() const;
    std::size_t running() const;

private:
    struct Job {
        std::string id;
        JobState state = JobState::Queued;
        double progress = 0;
        std::string message;
        nlohmann::json parameters;
        nlohmann::json result;
        std::string error;
        std::chrono::system_clock::time_point created, started, finished;
    };
    void work();
    nlohmann::json to_json(const Job& job) const;

    AnalysisFunction analysis_;
    ParameterCheck check_;
    std::filesystem::path workspace_;
    PublishFunction publish_;
    std::size_t max_queued_;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::map<std::string, Job> jobs_;
    std::deque<std::string> queue_;
    std::deque<std::string> finished_order_; ///< to forget old finished jobs
    bool stopping_ = false;
    bool busy_ = false;
    std::uint64_t next_id_ = 1;
    std::thread worker_;
};

} // namespace coldspot::service
