#include "coldspot/service/what_if_jobs.hpp"

#include "coldspot/service/http_message.hpp"
#include "coldspot/service/problem.hpp"

#include <iostream>

namespace coldspot::service {

namespace {
constexpr std::size_t kKeepFinished = 100;
}

void WhatIfJobs::Deadline::check() const {
    if (stopping_) throw WhatIfStopped("the server is shutting down");
    if (passed()) throw WhatIfStopped("time limit reached");
}

WhatIfJobs::WhatIfJobs(std::size_t max_jobs, std::chrono::seconds time_limit) : max_jobs_(max_jobs), time_limit_(time_limit) {}

WhatIfJobs::~WhatIfJobs() { stop(); }

std::string WhatIfJobs::submit(const std::string& kind, nlohmann::json request, Work work) {
    std::vector<std::thread> finished;
    std::string id;
    {
        std::lock_guard lock(mutex_);
        finished.swap(done_threads_);
        if (max_jobs_ == 0) throw HttpProblem(503, "what-if jobs are turned off on this server (max-scenarios 0)");
        if (stopping_) throw HttpProblem(503, "the server is shutting down");
        if (active_ >= max_jobs_) {
            throw HttpProblem(429, std::to_string(active_) + " what-if jobs are running, the most this server runs at once; try again shortly",
                              {{"max_jobs", max_jobs_}})
                .with_header("Retry-After", "5");
        }
        id = std::to_string(next_id_++);
        Job job;
        job.id = id;
        job.kind = kind;
        job.request = std::move(request);
        job.created = std::chrono::system_clock::now();
        jobs_[id] = std::move(job);
        ++active_;
        threads_[id] = std::thread([this, id, work = std::move(work)] { run(id, work); });
    }
    for (auto& t : finished) t.join();
    return id;
}

void WhatIfJobs::run(const std::string& id, const Work& work) {
    const auto start = std::chrono::steady_clock::now();
    const Deadline deadline(start + time_limit_, stopping_);
    nlohmann::json result;
    std::string state = "succeeded", error;
    try {
        result = work(deadline);
        // Work that cannot be interrupted part-way is still held to its limit.
        if (deadline.passed()) state = "timed_out", error = "time limit of " + std::to_string(time_limit_.count()) + " s reached", result = nullptr;
    } catch (const WhatIfStopped& e) {
        state = stopping_ ? "cancelled" : "timed_out";
        error = stopping_ ? "the server is shutting down" : "time limit of " + std::to_string(time_limit_.count()) + " s reached";
    } catch (const HttpProblem& e) {
        state = "failed", error = e.what();
    } catch (const std::exception& e) {
        state = "failed", error = e.what();
    }
    std::lock_guard lock(mutex_);
    Job& job = jobs_[id];
    job.state = state;
    job.error = error;
    job.result = std::move(result);
    job.finished = std::chrono::system_clock::now();
    job.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    --active_;
    finished_order_.push_back(id);
    while (finished_order_.size() > kKeepFinished) {
        jobs_.erase(finished_order_.front());
        finished_order_.pop_front();
    }
    // The thread cannot join itself: hand it to the next submit (or stop) to join.
    if (auto it = threads_.find(id); it != threads_.end()) {
        done_threads_.push_back(std::move(it->second));
        threads_.erase(it);
    }
    idle_.notify_all();
}

std::optional<nlohmann::json> WhatIfJobs::describe(const std::string& id) const {
    std::lock_guard lock(mutex_);
    const auto it = jobs_.find(id);
    if (it == jobs_.end()) return std::nullopt;
    const Job& j = it->second;
    nlohmann::json out{{"id", j.id}, {"kind", j.kind}, {"state", j.state}, {"request", j.request}, {"created", utc_timestamp(j.created)},
                       {"time_limit_seconds", time_limit_.count()}};
    if (j.state != "running") {
        out["finished"] = utc_timestamp(j.finished);
        out["seconds"] = j.seconds;
    }
    if (j.state == "succeeded") out["result"] = j.result;
    if (!j.error.empty()) out["error"] = j.error;
    return out;
}

std::optional<nlohmann::json> WhatIfJobs::result(const std::string& id) const {
    std::lock_guard lock(mutex_);
    const auto it = jobs_.find(id);
    if (it == jobs_.end() || it->second.state != "succeeded") return std::nullopt;
    return it->second.result;
}

std::size_t WhatIfJobs::active() const {
    std::lock_guard lock(mutex_);
    return active_;
}

void WhatIfJobs::stop() {
    std::vector<std::thread> all;
    {
        std::unique_lock lock(mutex_);
        stopping_ = true;
        idle_.wait(lock, [&] { return active_ == 0; });
        all.swap(done_threads_);
    }
    for (auto& t : all)
        if (t.joinable()) t.join();
}

} // namespace coldspot::service
