#pragma once
// `coldspot demo`: a synthetic region, "Demoshire", with every workspace layer (docs/workspace.md),
// so the whole pipeline runs on a machine with no downloads. Everything is drawn from one seeded
// generator, so the same seed gives the same features on every machine; every layer's description
// starts with "SYNTHETIC DEMO DATA" and every name and code is fictional (E01999xxx, URN 9xxxxx),
// so nobody can mistake it for real data. docs/demo.md describes how each layer is made.
#include "coldspot/geo/demo/road_network.hpp"
#include "coldspot/geo/feature_table.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace coldspot::geo::demo {

inline constexpr std::uint64_t kDefaultSeed = 20261122;
inline constexpr std::string_view kSyntheticLabel = "SYNTHETIC DEMO DATA";

struct DemoOptions {
    std::uint64_t seed = kDefaultSeed;
};

/// One entry of the import report the demo writes (a deliberately rejected row, an unmatched code)
/// so that the report table is not empty in the demo and the viewers have something to show.
struct DemoReportEntry {
    std::string dataset;
    std::string key;
    std::string field;
    std::string reason;
    std::string action;
};

struct DemoRegion {
    std::uint64_t seed = kDefaultSeed;
    Box bounds;                         ///< the region, an exact rectangle in EPSG:27700
    std::vector<FeatureTable> layers;   ///< every spatial and attribute layer except provenance/import_report
    RoadNetwork roads;                  ///< also in `layers` as `roads`
    std::vector<DemoReportEntry> report;

    /// Throws NotFoundError.
    const FeatureTable& layer(std::string_view name) const;
};

DemoRegion generate_demo_region(const DemoOptions& options = {});

struct DemoFiles {
    std::filesystem::path workspace;
    std::filesystem::path osm_pbf;
};

/// `<folder>/<stem>.osm.pbf` beside `<folder>/<stem>.gpkg`; for a PostGIS workspace, in its local
/// cache folder (geo::workspace_sidecar).
std::filesystem::path demo_pbf_path(const std::filesystem::path& workspace);

/// Writes the road network as OSM PBF beside the workspace, then the workspace (every layer plus
/// `provenance` and `import_report`) through geo::WorkspaceWriter, so either the whole new
/// workspace appears or the old one stays. `imported_at` goes into provenance (ISO 8601 UTC).
DemoFiles write_demo_region(const DemoRegion& region, const std::filesystem::path& workspace,
                            const std::string& imported_at);

} // namespace coldspot::geo::demo
