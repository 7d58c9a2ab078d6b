#include "coldspot/service/analysis_jobs.hpp"

#include "coldspot/service/http_message.hpp"
#include "coldspot/service/problem.hpp"

#include <algorithm>
#include <iomanip>
#include <random>
#include <sstream>

namespace coldspot::service {

namespace {
constexpr std::size_t kFinishedJobsKept = 100;

std::string iso8601(std::chrono::system_clock::time_point t) {
    return t.time_since_epoch().count() == 0 ? std::string() : utc_timestamp(t);
}
} // namespace

std::string to_string(JobState s) {
    switch (s) {
    case JobState::Queued: return "queued";
    case JobState::Running: return "running";
    case JobState::Succeeded: return "succeeded";
    case JobState::Failed: return "failed";
    case JobState::Cancelled: return "cancelled";
    }
    return "unknown";
}

AnalysisJobs::AnalysisJobs(AnalysisFunction analysis, std::filesystem::path workspace, PublishFunction publish, std::size_t max_queued)
    : analysis_(std::move(analysis)), workspace_(std::move(workspace)), publish_(std::move(publish)), max_queued_(max_queued) {
    if (analysis_) worker_ = std::thread([this] { work(); });
}

AnalysisJobs::~AnalysisJobs() { stop(); }

void AnalysisJobs::check(const nlohmann::json& parameters) const {
    if (!check_) return;
    try {
        check_(parameters);
    } catch (const std::exception& e) {
        throw HttpProblem(422, std::string("analysis parameters refused: ") + e.what(), {{"schema", "/analysis/schema"}});
    }
}

std::string AnalysisJobs::submit(nlohmann::json parameters) {
    if (!analysis_) throw HttpProblem(501, "this server has no cold-spot analysis to run (it was started without one)");
    std::lock_guard lock(mutex_);
    if (stopping_) throw HttpProblem(503, "the server is shutting down");
    if (queue_.size() >= max_queued_)
        throw HttpProblem(503, "too many analysis jobs waiting (" + std::to_string(queue_.size()) + "); try again when one has finished");
    // Ids are a counter plus random bits: unguessable enough for a read-only status URL, and
    // still ordered for people reading logs.
    std::random_device rd;
    std::ostringstream id;
    id << std::setw(6) << std::setfill('0') << next_id_++ << '-' << std::hex << std::setw(8) << rd();
    Job job;
    job.id = id.str();
    job.parameters = std::move(parameters);
    job.created = std::chrono::system_clock::now();
    job.message = "queued";
    jobs_.emplace(job.id, job);
    queue_.push_back(job.id);
    changed_.notify_all();
    return job.id;
}

std::optional<nlohmann::json> AnalysisJobs::describe(const std::string& id) const {
    std::lock_guard lock(mutex_);
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return std::nullopt;
    return to_json(it->second);
}

nlohmann::json AnalysisJobs::to_json(const Job& job) const {
    nlohmann::json j{{"id", job.id}, {"state", to_string(job.state)}, {"progress", job.progress}, {"message", job.message},
                     {"parameters", job.parameters}, {"created", iso8601(job.created)}};
    if (job.started.time_since_epoch().count()) j["started"] = iso8601(job.started);
    if (job.finished.time_since_epoch().count()) j["finished"] = iso8601(job.finished);
    if (job.state == JobState::Succeeded) j["result"] = job.result;
    if (job.state == JobState::Failed || job.state == JobState::Cancelled) j["error"] = job.error;
    j["links"] = nlohmann::json::array({{{"rel", "self"}, {"href", "/analysis/" + job.id}, {"type", "application/json"}}});
    return j;
}

std::size_t AnalysisJobs::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

std::size_t AnalysisJobs::running() const {
    std::lock_guard lock(mutex_);
    return busy_ ? 1 : 0;
}


void AnalysisJobs::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && !worker_.joinable()) return;
        stopping_ = true;
        for (const auto& id : queue_) {
            auto& job = jobs_[id];
            job.state = JobState::Cancelled;
            job.error = "cancelled before it started: the server is shutting down";
            job.finished = std::chrono::system_clock::now();
        }
        queue_.clear();
        changed_.notify_all();
    }
    if (worker_.joinable()) worker_.join();
}

void AnalysisJobs::work() {
    while (true) {
        std::string id;
        nlohmann::json parameters;
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            id = queue_.front();
            queue_.pop_front();
            auto& job = jobs_[id];
            job.state = JobState::Running;
            job.started = std::chrono::system_clock::now();
            job.message = "started";
            parameters = job.parameters;
            busy_ = true;
        }
        const ProgressCallback progress = [this, id](double fraction, const std::string& message) {
            std::lock_guard lock(mutex_);
            if (stopping_) throw AnalysisCancelled();
            auto& job = jobs_[id];
            job.progress = std::clamp(fraction, 0.0, 1.0) * 0.95; // the last 5 %: reload and swap
            job.message = message;
        };
        JobState state = JobState::Succeeded;
        std::string error;
        nlohmann::json result;
        try {
            result = analysis_(parameters, workspace_, progress);
            {
                std::lock_guard lock(mutex_);
                jobs_[id].message = "publishing the new results";
                jobs_[id].progress = 0.95;
            }
            const std::uint64_t version = publish_ ? publish_() : 0;
            if (!result.is_object()) result = nlohmann::json{{"summary", result}};
            result["snapshot_version"] = version;
        } catch (const AnalysisCancelled& e) {
            state = JobState::Cancelled;
            error = e.what();
        } catch (const std::exception& e) {
            state = JobState::Failed;
            error = e.what();
        }
        std::lock_guard lock(mutex_);
        auto& job = jobs_[id];
        job.state = state;
        job.finished = std::chrono::system_clock::now();
        job.error = error;
        job.result = std::move(result);
        job.message = to_string(state);
        if (state == JobState::Succeeded) job.progress = 1.0;
        busy_ = false;
        finished_order_.push_back(id);
        while (finished_order_.size() > kFinishedJobsKept) {
            jobs_.erase(finished_order_.front());
            finished_order_.pop_front();
        }
        changed_.notify_all();
    }
}

} // namespace coldspot::service
