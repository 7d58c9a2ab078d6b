// The analysis parameters of POST /analysis: arbitrary bytes as JSON through the published schema
// (validate, defaults) and the analysis's own parser. The schema check refuses only with a 422
// listing violations; a document it accepts gets defaults without throwing, and the analysis
// parser refuses only with its documented errors.
#include "coldspot/geo/coldspots/parameters.hpp"
#include "coldspot/geo/error.hpp"
#include "coldspot/service/detail/analysis_schema.hpp"
#include "coldspot/service/problem.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace coldspot;
    const auto doc = nlohmann::json::parse(data, data + size, nullptr, false);
    if (doc.is_discarded()) return 0; // broken JSON is a 400 before the schema
    const auto& schema = service::analysis_parameters_schema();
    const auto violations = service::validate(doc, schema);
    for (const auto& v : violations)
        if (!v.pointer.empty() && v.pointer[0] != '/') fuzz::fail("violation pointer is not a JSON pointer: " + v.pointer);
    try {
        const auto filled = service::validated_analysis_parameters(doc);
        if (!violations.empty()) fuzz::fail("document with violations accepted");
        if (!service::validate(filled, schema).empty()) fuzz::fail("defaults broke the schema");
    } catch (const service::HttpProblem& p) {
        if (p.status() != 422) fuzz::fail("schema refusal with " + std::to_string(p.status()));
        if (violations.empty()) fuzz::fail("valid document refused");
    }
    try {
        (void)geo::coldspots::parse_parameters(doc, "fuzz");
    } catch (const InputError&) {
    } catch (const InvalidArgumentError&) {
    }
    return 0;
}
