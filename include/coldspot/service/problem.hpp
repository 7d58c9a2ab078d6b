#pragma once
// RFC 9457 problem details: the JSON body of every 4xx/5xx the service sends.
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace coldspot::service {

struct Problem {
    int status = 500;
    std::string title;
    std::string detail;
    std::string instance; ///< the request path
    nlohmann::json extensions = nlohmann::json::object(); ///< extra members (e.g. `errors`, `allowed`)
    nlohmann::json to_json() const;
};

/// The standard title for an HTTP status ("Not Found" for 404).
std::string status_title(int status);

inline constexpr const char* kProblemContentType = "application/problem+json";

/// Thrown by routes to answer with a problem; the server turns it into the response.
class HttpProblem : public std::runtime_error {
public:
    HttpProblem(int status, const std::string& detail, nlohmann::json extensions = nlohmann::json::object())
        : std::runtime_error(detail), status_(status), extensions_(std::move(extensions)) {}
    int status() const noexcept { return status_; }
    const nlohmann::json& extensions() const noexcept { return extensions_; }
    /// Extra response headers (WWW-Authenticate for 401, Allow for 405).
    std::vector<std::pair<std::string, std::string>> headers;
    /// This problem with one more response header: `throw HttpProblem(405, ...).with_header("Allow", ...)`.
    HttpProblem with_header(std::string name, std::string value) && {
        headers.emplace_back(std::move(name), std::move(value));
        return std::move(*this);
    }

private:
    int status_;
    nlohmann::json extensions_;
};

} // namespace coldspot::service
