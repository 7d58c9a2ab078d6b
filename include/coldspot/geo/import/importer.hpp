#pragma once
// `coldspot import`: reads every input a manifest names, validates, reprojects to EPSG:27700,
// joins tables by key, dissolves hub footprints, and writes one new workspace atomically.
#include "coldspot/geo/feature_table.hpp"
#include "coldspot/geo/import/import_report.hpp"
#include "coldspot/geo/import/manifest.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace coldspot::geo::import {

using ProgressFn = std::function<void(const std::string& step)>;

struct ImportResult {
    ImportReport report;
    std::vector<FeatureTable> layers; ///< everything written, including provenance and import_report
    const FeatureTable* layer(const std::string& name) const;
};

/// Builds all layers in memory; writes nothing.
ImportResult build_layers(const Manifest& manifest, const ProgressFn& progress = {});

/// Builds all layers and atomically writes them as a new workspace at `output`. On any error
/// nothing is written and an existing workspace at `output` is left as it was.
ImportResult import_workspace(const Manifest& manifest, const std::filesystem::path& output, const ProgressFn& progress = {});


} // namespace coldspot::geo::import
