#pragma once
// What-if jobs (POST /scenarios, POST /suggestions): computations on a copy of the results that
// never change what is served. Anyone may run them, so they are bounded instead of token-protected:
// at most `max_jobs` queued or running at once (the next answers 429), each on its own thread so a
// request thread is never held, and each stopped at its time limit. docs/security.md says why.
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace coldspot::service {

/// Thrown by WhatIfJobs::Deadline::check past the job's time limit or when the server stops.
class WhatIfStopped : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class WhatIfJobs {
public:
    /// The running job's way to stop early: call check() often (the analysis's progress callback).
    class Deadline {
    public:
        Deadline(std::chrono::steady_clock::time_point at, const std::atomic<bool>& stopping) : at_(at), stopping_(stopping) {}
        void check() const;
        bool passed() const { return std::chrono::steady_clock::now() > at_; }

    private:
        std::chrono::steady_clock::time_point at_;
        const std::atomic<bool>& stopping_;
    };
    using Work = std::function<nlohmann::json(const Deadline&)>;

    WhatIfJobs(std::size_t max_jobs, std::chrono::seconds time_limit);
    ~WhatIfJobs();
    WhatIfJobs(const WhatIfJobs&) = delete;
    WhatIfJobs& operator=(const WhatIfJobs&) = delete;

    /// Starts a job and returns its id. Throws HttpProblem 429 (with Retry-After) when `max_jobs`
    /// are queued or running, 503 when what-if jobs are disabled (max 0) or the server is stopping.
    std::string submit(const std::string& kind, nlohmann::json request, Work work);
    /// id, kind, state (running, succeeded, failed, timed_out, cancelled), request, result or
    /// error, times; nullopt for an unknown id (the last 100 finished jobs are kept).
    std::optional<nlohmann::json> describe(const std::string& id) const;
    /// The result of a job that succeeded (null otherwise).
    std::optional<nlohmann::json> result(const std::string& id) const;
    std::size_t active() const;
    std::size_t max_jobs() const noexcept { return max_jobs_; }
    std::chrono::seconds time_limit() const noexcept { return time_limit_; }
    /// Asks running jobs to stop and joins their threads.
    void stop();

private:
    struct Job {
        std::string id, kind, state = "running", error;
        nlohmann::json request, result;
        std::chrono::system_clock::time_point created, finished;
        double seconds = 0;
    };
    void run(const std::string& id, const Work& work);

    std::size_t max_jobs_;
    std::chrono::seconds time_limit_;
    mutable std::mutex mutex_;
    std::condition_variable idle_;
    std::map<std::string, Job> jobs_;
    std::deque<std::string> finished_order_;
    std::map<std::string, std::thread> threads_;
    std::vector<std::thread> done_threads_; ///< joined on the next submit or at stop
    std::size_t active_ = 0;
    std::atomic<bool> stopping_{false};
    std::uint64_t next_id_ = 1;
};

} // namespace coldspot::service
