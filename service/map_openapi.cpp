// The map API's part of the OpenAPI document (/api): every endpoint the partnership map uses, so
// any other client can use it too.
#include "coldspot/geo/model/layers.hpp"
#include "routes.hpp"

namespace coldspot::service::detail {

namespace {

using json = nlohmann::json;
namespace model = geo::model;

json problem() { return {{"$ref", "#/components/responses/Problem"}}; }

json content(const std::string& type, json schema = {{"type", "object"}}) { return {{type, {{"schema", std::move(schema)}}}}; }

json param(const std::string& name, const std::string& in, const std::string& description, json schema, bool required = false) {
    return {{"name", name}, {"in", in}, {"required", in == "path" || required}, {"description", description}, {"schema", std::move(schema)}};
}

json op(const std::string& id, const std::string& summary, json parameters, json ok_content, std::initializer_list<int> errors = {400, 404}) {
    json responses{{"200", {{"description", "OK"}, {"content", std::move(ok_content)}}}};
    for (const int e : errors) responses[std::to_string(e)] = problem();
    return {{"operationId", id}, {"summary", summary}, {"tags", json::array({"Map"})}, {"parameters", std::move(parameters)}, {"responses", responses}};
}

json table_formats() {
    json c = content("application/json");
    c["text/csv"] = {{"schema", {{"type", "string"}}}};
    c["application/geo+json"] = {{"schema", {{"type", "object"}}}};
    return c;
}

json format_param() {
    return param("f", "query", "json (default), csv (the same bytes as `coldspot target --csv`) or geojson (as `--geojson`)",
                 {{"type", "string"}, {"enum", {"json", "csv", "geojson"}}, {"default", "json"}});
}

json top_param() { return param("top", "query", "only the first N schools", {{"type", "integer"}, {"minimum", 1}}); }

json job_post(const std::string& id, const std::string& summary, json body_schema) {
    return {{"operationId", id},
            {"summary", summary},
            {"tags", json::array({"Map"})},
            {"requestBody", {{"required", true}, {"content", content("application/json", std::move(body_schema))}}},
            {"responses",
             {{"202", {{"description", "the job is running; poll the Location header's URL"}, {"content", content("application/json")}}},
              {"400", problem()}, {"404", problem()}, {"413", problem()}, {"415", problem()}, {"422", problem()},
              {"429", {{"description", "as many what-if jobs are running as the server allows (Retry-After)"}, {"content", content("application/problem+json")}}},
              {"503", problem()}}}};
}

} // namespace

void add_map_paths(nlohmann::json& paths) {
    const json hub = param("hubId", "path", "hub_id (e.g. teaching-school-hub:EE1) or the hub's name", {{"type", "string"}});
    const json code = param("code", "path", "authority code (district, county/unitary or DfE LA code)", {{"type", "string"}});
    const json html = content("text/html");
    paths["/map/{path}"] = {{"get", op("getMapAsset", "The map page and its files (index.html at /map/); a browser opening / is sent here",
                                       json::array({param("path", "path", "a file below the assets folder", {{"type", "string"}})}), content("application/octet-stream"), {404})}};
    paths["/styles/coldspot.json"] = {{"get", op("getMapStyle", "MapLibre style v8 over this server's tilesets, colours from the palette, legend in metadata[\"coldspot:legend\"]",
                                                 json::array(), content("application/json"), {})}};
    paths["/styles/palette.json"] = {{"get", op("getPalette", "The palette every map and the QGIS project use: classes, labels in words, colours", json::array(), content("application/json"), {})}};
    paths["/search"] = {{"get", op("search", "Find a school (name, URN), postcode, hub or authority; results with bbox or point (CRS84) and the record's href",
                                   json::array({param("q", "query", "the text (cut to 200 characters)", {{"type", "string"}}, true),
                                                param("limit", "query", "results (default 10, at most 50)", {{"type", "integer"}, {"minimum", 1}, {"maximum", 50}, {"default", 10}})}),
                                   content("application/json"), {400, 414})}};
    paths["/hubs/{hubId}/targets"] = {{"get", op("getHubTargets", "The hub's ranked schools to reach first, with reasons (as `coldspot target --hub`)",
                                                 json::array({hub, top_param(), format_param()}), table_formats())}};
    paths["/authorities/{code}/targets"] = {{"get", op("getAuthorityTargets", "The authority's ranked schools to reach first (as `coldspot target --la`)",
                                                       json::array({code, top_param(), format_param()}), table_formats())}};
    paths["/partnerships"] = {{"get", op("getPartnerships", "Configured hub partnerships whose hubs this workspace has", json::array(), content("application/json"), {})}};
    const json pid = param("partnershipId", "path", "a configured partnership, or `adhoc` with ?hubs=", {{"type", "string"}});
    const json hubs = param("hubs", "query", "for `adhoc`: hub ids or names, comma-separated", {{"type", "string"}});
    paths["/partnerships/{partnershipId}"] = {{"get", op("getPartnership", "One partnership and its hubs", json::array({pid, hubs}), content("application/json"))}};
    paths["/partnerships/{partnershipId}/targets"] = {{"get", op("getPartnershipTargets",
                                                                 "One joint list: every school any partnership hub covers, once, in rank order, with the proposed lead hub "
                                                                 "(its only partnership hub; of several, the shortest drive) and the reason",
                                                                 json::array({pid, hubs, top_param(), format_param()}), table_formats())}};
    paths["/partnerships/{partnershipId}/cut-off"] = {{"get", op("getPartnershipCutOff", "The joint list's schools in trusts spread beyond the area (cut off from local hubs)",
                                                                 json::array({pid, hubs, top_param(), format_param()}), table_formats())}};
    const json point = {{"type", "object"},
                        {"required", {model::hub::hub_type}},
                        {"properties", {{model::hub::hub_type, {{"type", "string"}}}, {"name", {{"type", "string"}}}, {"lon", {{"type", "number"}}}, {"lat", {{"type", "number"}}},
                                        {"easting", {{"type", "number"}}}, {"northing", {{"type", "number"}}}}},
                        {"additionalProperties", false}};
    paths["/scenarios"] = {{"post", job_post("runScenario",
                                             "What if a venue were added (lon/lat or easting/northing) or switched off (name or fid)? Schools and pupils within 15/30/45 min "
                                             "before and after, and the cold spots that change, as `coldspot coldspots --add-venue/--remove-venue`; the served results do not change",
                                             {{"type", "object"},
                                              {"properties", {{"add_venues", {{"type", "array"}, {"maxItems", 20}, {"items", point}}},
                                                              {"remove_venues", {{"type", "array"}, {"items", {{"oneOf", {{{"type", "string"}}, {{"type", "integer"}}}}}}}}}},
                                              {"additionalProperties", false}})}};
    const json job_id = param("jobId", "path", "the job id from the POST's Location", {{"type", "string"}});
    paths["/scenarios/{jobId}"] = {{"get", op("getScenario", "A scenario job: state (running, succeeded, failed, timed_out, cancelled) and result", json::array({job_id}), content("application/json"))}};
    paths["/suggestions"] = {{"post", job_post("suggestVenues", "New venues for a hub type chosen greedily to cover the most cold-spot index within the cutoff (as `coldspot target --suggest`); "
                                                                "candidates are the schools, or any points given",
                                               {{"type", "object"},
                                                {"required", {"k", model::hub::hub_type}},
                                                {"properties", {{"k", {{"type", "integer"}, {"minimum", 1}, {"maximum", 20}}}, {model::hub::hub_type, {{"type", "string"}}},
                                                                {"cutoff_minutes", {{"type", "number"}, {"default", 30}}}, {"hub", {{"type", "string"}}}, {"authority", {{"type", "string"}}},
                                                                {"candidates", {{"type", "array"}, {"nullable", true}, {"items", {{"type", "array"}, {"minItems", 2}, {"maxItems", 2}, {"items", {{"type", "number"}}}}}}}}},
                                                {"additionalProperties", false}})}};
    paths["/suggestions/{jobId}"] = {{"get", op("getSuggestion", "A suggestion job; once succeeded also as csv or geojson", json::array({job_id, format_param()}), table_formats())}};
    paths["/briefings/hubs/{hubId}"] = {{"get", op("getHubBriefing", "Printable A4 briefing of a hub (HTML with print CSS)", json::array({hub}), html)}};
    paths["/briefings/authorities/{code}"] = {{"get", op("getAuthorityBriefing", "Printable A4 briefing of an authority (HTML with print CSS)", json::array({code}), html)}};
}

} // namespace coldspot::service::detail
