#include "coldspot/service/problem.hpp"

#include "coldspot/service/detail/response_head.hpp"

namespace coldspot::service {

std::string status_title(int status) {
    const std::string_view phrase = reason_phrase(status);
    return phrase == "Unknown" ? "Error" : std::string(phrase);
}

nlohmann::json Problem::to_json() const {
    nlohmann::json j{{"type", "about:blank"}, {"status", status}, {"title", title.empty() ? status_title(status) : title}};
    if (!detail.empty()) j["detail"] = detail;
    if (!instance.empty()) j["instance"] = instance;
    if (extensions.is_object())
        for (const auto& [k, v] : extensions.items())
            if (!j.contains(k)) j[k] = v;
    return j;
}

} // namespace coldspot::service
