#include "coldspot/geo/coldspots/detail/scenario_access.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/model/school_access.hpp"
#include "coldspot/geo/routing/school_access.hpp"

#include <chrono>
#include <cmath>
#include <map>

namespace coldspot::geo::coldspots {

namespace {

/// Drops `target`'s rows of `types` and appends `fresh`'s rows of those types, field by field.
void replace_rows(FeatureTable& target, const FeatureTable& fresh, const std::set<std::string>& types) {
    const std::size_t t_type = target.require_field(model::hub::hub_type);
    std::erase_if(target.features, [&](const Feature& f) { return types.count(as_text(f.values[t_type])) > 0; });
    std::vector<int> from(target.fields.size(), -1);
    for (std::size_t i = 0; i < target.fields.size(); ++i) from[i] = fresh.field_index(target.fields[i].name);
    const std::size_t f_type = fresh.require_field(model::hub::hub_type);
    for (const auto& f : fresh.features) {
        if (!types.count(as_text(f.values[f_type]))) continue;
        Feature row;
        row.geometry = target.geometry_type == GeometryType::None ? Geometry{} : f.geometry;
        row.values.resize(target.fields.size());
        for (std::size_t i = 0; i < from.size(); ++i)
            if (from[i] >= 0) row.values[i] = f.values[static_cast<std::size_t>(from[i])];
        target.features.push_back(std::move(row));
    }
    std::int64_t fid = 0;
    for (auto& f : target.features) f.fid = ++fid;
}

} // namespace

ScenarioAccessReport reroute_access(const routing::RoadGraph& graph, const routing::AccessParameters& parameters,
                                    const ScenarioAccessInputs& in, const std::set<std::string>& types,
                                    FeatureTable& access, FeatureTable* isochrones, FeatureTable* matrix) {
    const auto t0 = std::chrono::steady_clock::now();
    if (!in.schools || !in.venues) throw InvalidArgumentError("re-routing a scenario needs schools and hub_venues");
    ScenarioAccessReport report;

    // Only the changed types' venues are searched: the other types' rows stay as they were.
    FeatureTable venues = *in.venues;
    const std::size_t v_type = venues.require_field(model::hub::hub_type);
    std::erase_if(venues.features, [&](const Feature& f) { return !types.count(as_text(f.values[v_type])); });
    std::set<std::string> empty_types = types;
    for (const auto& f : venues.features) empty_types.erase(as_text(f.values[v_type]));
    report.types_without_venue = empty_types.size();

    routing::AccessOptions options = parameters.access;
    if (!matrix) options.matrix_cutoff_minutes = 0;
    if (!isochrones) options.isochrones.minutes.clear();
    const routing::AccessInputs access_in{in.schools, &venues, in.hubs, in.school_remits};
    const routing::AccessResult fresh =
        routing::compute_school_access(graph, access_in, parameters.profile, options);

    // Old nearest minutes, to count the rows the change moved.
    const std::size_t a_urn = access.require_field(model::school::urn), a_type = access.require_field(model::hub::hub_type),
                      a_role = access.require_field(model::access::role), a_min = access.require_field(model::access::minutes);
    std::map<std::pair<std::string, std::string>, Value> before;
    for (const auto& f : access.features)
        if (as_text(f.values[a_role]) == model::access_role::nearest && types.count(as_text(f.values[a_type])))
            before[{as_text(f.values[a_urn]), as_text(f.values[a_type])}] = f.values[a_min];

    // A type with no venue left: its nearest rows stay, emptied; its own-hub rows go.
    std::vector<Feature> emptied;
    const int a_method = access.field_index(model::access::method);
    for (const auto& f : access.features) {
        if (!empty_types.count(as_text(f.values[a_type])) || as_text(f.values[a_role]) != model::access_role::nearest) continue;
        Feature row = f;
        for (const char* field : {model::access::minutes, model::access::metres, model::access::hub_id, model::access::venue, model::access::venue_fid, model::access::nearest_minutes})
            if (const int i = access.field_index(field); i >= 0) row.values[static_cast<std::size_t>(i)] = Value();
        if (a_method >= 0) row.values[static_cast<std::size_t>(a_method)] = std::string(model::access_method::none);
        emptied.push_back(std::move(row));
    }
    replace_rows(access, fresh.school_access, types);
    for (auto& row : emptied) access.features.push_back(std::move(row));
    std::int64_t fid = 0;
    for (auto& f : access.features) f.fid = ++fid;

    for (const auto& f : access.features) {
        if (as_text(f.values[a_role]) != model::access_role::nearest || !types.count(as_text(f.values[a_type]))) continue;
        auto it = before.find({as_text(f.values[a_urn]), as_text(f.values[a_type])});
        const Value old = it == before.end() ? Value() : it->second;
        const auto o = as_number(old), n = as_number(f.values[a_min]);
        if (o.has_value() != n.has_value() || (o && n && std::abs(*o - *n) > 1e-9)) ++report.nearest_rows_changed;
    }
    if (isochrones) replace_rows(*isochrones, fresh.isochrones, types);
    if (matrix) replace_rows(*matrix, fresh.access_matrix, types);
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return report;
}

} // namespace coldspot::geo::coldspots
