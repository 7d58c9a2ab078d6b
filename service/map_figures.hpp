#pragma once
// Internal to the service: the per-hub and per-authority figures the map's dashboards and briefings
// show, and the ranked lists (targets, partnerships) as tables the CLI's writers export.
#include "coldspot/geo/feature_table.hpp"
#include "routes.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace coldspot::service::detail {

/// URNs of the schools a hub's remit covers (`school_remits`), in layer order.
std::vector<std::int64_t> hub_school_urns(const Snapshot& snapshot, const std::string& hub_id);
/// URNs of the schools of an authority: district (remit_lad_code or lad_code), county/unitary
/// (remit_utla_code) or DfE LA code (la_code).
std::vector<std::int64_t> authority_school_urns(const Snapshot& snapshot, const std::string& code);
/// The hub's type from the `hubs` layer, when the hub exists.
std::optional<std::string> hub_type_of(const Snapshot& snapshot, const std::string& hub_id);
std::optional<std::string> hub_name_of(const Snapshot& snapshot, const std::string& hub_id);

/// Dashboard figures of a set of schools: schools, pupils, deprived schools (IMD decile 1-2),
/// cold-spot schools, and per hub type (or only `hub_type`) the median and worst minutes to the
/// nearest venue with the share that are estimates (`school_access` role nearest, method not road).
nlohmann::json area_figures(const Snapshot& snapshot, const std::vector<std::int64_t>& urns, const std::optional<std::string>& hub_type);

/// [minlon, minlat, maxlon, maxlat] of a hub's footprint or an authority (kind "hub"/"authority"),
/// or null.
nlohmann::json extent_json(const Snapshot& snapshot, const std::string& kind, const std::string& id);

/// The answer for a ranked table in the format asked (`f`: json, csv, geojson): CSV and GeoJSON
/// exactly as `coldspot target --csv/--geojson` writes them, JSON the GeoJSON's rows with lon/lat.
Reply table_reply(const RouteContext& ctx, const geo::FeatureTable& table, const std::string& download_name, nlohmann::json head);

} // namespace coldspot::service::detail
