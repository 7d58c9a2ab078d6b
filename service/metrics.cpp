#include "coldspot/service/metrics.hpp"

#include <sstream>
#include <tuple>

namespace coldspot::service {

void Metrics::record_request(const std::string& route, const std::string& method, int status, double seconds, std::uint64_t bytes) {
    std::lock_guard lock(mutex_);
    ++requests_[{route, method, status}];
    auto& h = latency_[route];
    for (std::size_t i = 0; i < kBuckets.size(); ++i)
        if (seconds <= kBuckets[i]) ++h.buckets[i];
    ++h.count;
    h.sum += seconds;
    bytes_sent_ += bytes;
}


std::string Metrics::render(const std::string& extra) const {
    std::ostringstream out;
    {
        std::lock_guard lock(mutex_);
        out << "# HELP coldspot_http_requests_total HTTP requests answered, by route, method and status.\n"
               "# TYPE coldspot_http_requests_total counter\n";
        for (const auto& [key, n] : requests_) {
            const auto& [route, method, status] = key;
            out << "coldspot_http_requests_total{route=\"" << route << "\",method=\"" << method << "\",status=\"" << status << "\"} " << n << "\n";
        }
        out << "# HELP coldspot_http_request_duration_seconds Time from request parsed to response handed to the socket.\n"
               "# TYPE coldspot_http_request_duration_seconds histogram\n";
        for (const auto& [route, h] : latency_) {
            for (std::size_t i = 0; i < kBuckets.size(); ++i)
                out << "coldspot_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"" << kBuckets[i] << "\"} " << h.buckets[i] << "\n";
            out << "coldspot_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} " << h.count << "\n";
            out << "coldspot_http_request_duration_seconds_sum{route=\"" << route << "\"} " << h.sum << "\n";
            out << "coldspot_http_request_duration_seconds_count{route=\"" << route << "\"} " << h.count << "\n";
        }
        out << "# HELP coldspot_http_response_bytes_total Body bytes sent (after compression).\n"
               "# TYPE coldspot_http_response_bytes_total counter\n"
            << "coldspot_http_response_bytes_total " << bytes_sent_ << "\n";
    }
    out << "# HELP coldspot_snapshot_swaps_total Analysis results swapped in.\n# TYPE coldspot_snapshot_swaps_total counter\n"
        << "coldspot_snapshot_swaps_total " << swaps_.load() << "\n"
        << "# HELP coldspot_analysis_jobs Analysis jobs by state.\n# TYPE coldspot_analysis_jobs gauge\n"
        << "coldspot_analysis_jobs{state=\"queued\"} " << jobs_queued_.load() << "\n"
        << "coldspot_analysis_jobs{state=\"running\"} " << jobs_running_.load() << "\n";
    out << extra;
    return out.str();
}

} // namespace coldspot::service
