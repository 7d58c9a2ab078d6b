#pragma once
// RFC 9457 problem details: the JSON body of every 4xx/5xx the service sends.
#include <nlohmann/json.hpp>

#include <string>

namespace coldspot::service {

struct Problem {
    int status = 500;
    std::string title;
    std::string detail;
    std::string instance; ///< the request path
    nlohmann::json to_json() const;
};

/// The standard title for an HTTP status ("Not Found" for 404).
std::string status_title(int status);

inline constexpr const char* kProblemContentType = "application/problem+json";

} // namespace coldspot::service
