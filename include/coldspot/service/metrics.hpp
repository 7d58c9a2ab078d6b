#pragma once
// Counters for /metrics in the Prometheus text format: requests by route and status, a latency
// histogram per route, bytes sent, analysis jobs and swaps.
// (Tile cache counters come from the current snapshot's TileService and are appended by the caller.)
#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <map>
#include <string>
#include <utility>

namespace coldspot::service {

class Metrics {
public:
    /// Upper bounds of the latency histogram buckets, in seconds.
    static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0};

    void record_request(const std::string& route, const std::string& method, int status, double seconds, std::uint64_t bytes);
    void record_swap() { swaps_.fetch_add(1, std::memory_order_relaxed); }
    void set_jobs(std::int64_t queued, std::int64_t running) {
        jobs_queued_ = queued;
        jobs_running_ = running;
    }
    /// The Prometheus exposition text (version 0.0.4). `extra` is appended as it is.
    std::string render(const std::string& extra = {}) const;

private:
    struct Histogram {
        std::array<std::uint64_t, kBuckets.size()> buckets{};
        std::uint64_t count = 0;
        double sum = 0;
    };
    mutable std::mutex mutex_;
    std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_; // route, method, status
    std::map<std::string, Histogram> latency_;                                   // by route
    std::uint64_t bytes_sent_ = 0;
    std::atomic<std::uint64_t> swaps_{0};
    std::atomic<std::int64_t> jobs_queued_{0};
    std::atomic<std::int64_t> jobs_running_{0};
};

} // namespace coldspot::service
