// POST /analysis (bearer token), GET /analysis/{id}, GET /analysis/schema.
#include "coldspot/service/detail/analysis_schema.hpp"
#include "coldspot/service/problem.hpp"
#include "routes.hpp"


namespace coldspot::service::detail {

namespace {

/// Compares without an early exit, so response time does not reveal how much of a guess was right.
bool constant_time_equals(const std::string& a, const std::string& b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i % (b.empty() ? 1 : b.size())]);
    return diff == 0 && !b.empty();
}

void require_token(const RouteContext& ctx) {
    if (ctx.config.token.empty())
        throw HttpProblem(403, "this server was started without a write token (--token), so it accepts no analysis requests");
    const auto auth = ctx.request.header("authorization");
    const std::string prefix = "Bearer ";
    if (!auth || auth->size() <= prefix.size() || auth->compare(0, prefix.size(), prefix) != 0) {
        throw HttpProblem(401, "POST /analysis needs an 'Authorization: Bearer <token>' header")
            .with_header("WWW-Authenticate", "Bearer realm=\"coldspot\"");
    }
    if (!constant_time_equals(auth->substr(prefix.size()), ctx.config.token)) {
        throw HttpProblem(401, "the bearer token is not valid")
            .with_header("WWW-Authenticate", "Bearer realm=\"coldspot\", error=\"invalid_token\"");
    }
}

} // namespace

Reply analysis_submit(const RouteContext& ctx) {
    allow_only(ctx.request, {});
    require_token(ctx);
    const auto type = ctx.request.header("content-type");
    if (!type || type->rfind("application/json", 0) != 0)
        throw HttpProblem(415, "the analysis parameters must be sent as application/json", {{"schema", ctx.base + "/analysis/schema"}});
    if (ctx.request.body.size() > ctx.config.max_body_bytes)
        throw HttpProblem(413, "the body is " + std::to_string(ctx.request.body.size()) + " bytes; at most " + std::to_string(ctx.config.max_body_bytes) + " are accepted");
    nlohmann::json body;
    try {
        body = nlohmann::json::parse(ctx.request.body);
    } catch (const nlohmann::json::exception& e) {
        // parse_error, and out_of_range for a number no double holds (1e999): both are 400.
        throw HttpProblem(400, std::string("the body is not valid JSON: ") + e.what());
    }
    const nlohmann::json parameters = validated_analysis_parameters(body);
    ctx.jobs.check(parameters);
    const std::string id = ctx.jobs.submit(parameters);
    Reply r = json_reply(*ctx.jobs.describe(id), 202);
    r.set_header("Location", ctx.base + "/analysis/" + id);
    return r;
}

Reply analysis_status(const RouteContext& ctx, const std::string& id) {
    allow_only(ctx.request, {});
    auto job = ctx.jobs.describe(id);
    if (!job) throw HttpProblem(404, "there is no analysis job '" + id + "' (finished jobs are kept for the last 100 only)");
    (*job)["links"][0]["href"] = ctx.base + "/analysis/" + id;
    Reply r = json_reply(*job);
    r.set_header("Cache-Control", "no-store");
    return r;
}

Reply analysis_schema(const RouteContext& ctx) {
    allow_only(ctx.request, {});
    return json_reply(analysis_parameters_schema(), 200, "application/schema+json");
}

} // namespace coldspot::service::detail
