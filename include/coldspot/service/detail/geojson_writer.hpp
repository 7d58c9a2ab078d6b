#pragma once
// Fast GeoJSON text for features: appends to a string that the caller flushes to the wire in
// pieces, so a page of 10,000 features is streamed without building a JSON tree.
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/service/output_crs.hpp"
#include "coldspot/service/snapshot.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace coldspot::service {

/// Appends `s` as a JSON string; invalid UTF-8 bytes become U+FFFD so the output is always valid.
void append_json_string(std::string& out, std::string_view s);
/// Shortest text that round-trips the value rounded to `decimals` places (-1: no rounding);
/// NaN and infinities become null, which JSON lacks a number for.
void append_json_number(std::string& out, double v, int decimals = -1);
void append_json_value(std::string& out, const geo::Value& v);
nlohmann::json to_json(const geo::Value& v);
/// All fields of a feature as a JSON object (used by the record and dashboard endpoints).
nlohmann::json properties_json(const geo::FeatureTable& table, const geo::Feature& feature);

struct FeatureWriteOptions {
    OutputCrs crs = OutputCrs::Crs84;
    /// Field indices to write, in this order; empty with `all_properties` false writes none.
    std::vector<std::size_t> properties;
    bool all_properties = true;
};

/// The geometry of the feature at `position` in `crs`: the kept CRS84 or storage geometry, or a
/// transformed copy in `scratch`.
const geo::Geometry& geometry_in(const Collection& c, std::size_t position, OutputCrs crs, geo::Geometry& scratch);

/// Appends one GeoJSON Feature for the feature at `position` of the collection.
void append_feature(std::string& out, const Collection& c, std::size_t position, const FeatureWriteOptions& options);

} // namespace coldspot::service
