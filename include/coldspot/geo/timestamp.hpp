#pragma once
/// ISO 8601 UTC timestamps ("2026-11-23T02:31:00Z"), the one format every stored run, import
/// report, job and log line uses, so they sort as text and compare across components.
#include <chrono>
#include <ctime>
#include <string>

namespace coldspot::geo {

/// `t` as "YYYY-MM-DDTHH:MM:SSZ" (whole seconds, UTC).
std::string utc_iso8601(std::time_t t);

/// `t` as "YYYY-MM-DDTHH:MM:SSZ"; sub-second parts are truncated.
inline std::string utc_iso8601(std::chrono::system_clock::time_point t) {
    return utc_iso8601(std::chrono::system_clock::to_time_t(t));
}

/// The current time as "YYYY-MM-DDTHH:MM:SSZ".
inline std::string utc_now_iso8601() { return utc_iso8601(std::chrono::system_clock::now()); }

} // namespace coldspot::geo
