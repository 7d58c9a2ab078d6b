// coldspot info WORKSPACE.gpkg
#include "command.hpp"

#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/routing/road_coverage_summary.hpp"
#include "coldspot/geo/routing/school_access.hpp"
#include "coldspot/geo/workspace.hpp"

#include <iomanip>
#include <iostream>

namespace coldspot::cli {
namespace {

int run_info(CommandArgs argv) {
    Args args(argv, {}, {});
    args.expect_positionals(1, 1, "one workspace: coldspot info WORKSPACE.gpkg");
    geo::Workspace ws(args.positionals()[0]);
    const auto layers = ws.layers();
    std::cout << "workspace " << geo::workspace_display_name(ws.path());
    if (ws.version() != 0) std::cout << " (published version " << ws.version() << ")";
    std::cout << "\n\n";
    std::cout << std::left << std::setw(26) << "layer" << std::setw(17) << "geometry" << std::setw(12) << "crs" << std::right
              << std::setw(9) << "features" << "  extent (xmin ymin xmax ymax)\n";
    for (const auto& l : layers) {
        std::cout << std::left << std::setw(26) << l.name << std::setw(17) << geo::to_string(l.geometry_type) << std::setw(12)
                  << (l.epsg ? "EPSG:" + std::to_string(l.epsg) : std::string("-")) << std::right << std::setw(9) << l.feature_count;
        if (!geo::is_empty(l.extent))
            std::cout << "  " << std::fixed << std::setprecision(0) << l.extent.min_corner().x() << " " << l.extent.min_corner().y()
                      << " " << l.extent.max_corner().x() << " " << l.extent.max_corner().y();
        std::cout << "\n";
    }
    if (ws.has_layer(geo::model::layer::schools)) {
        const auto c = geo::routing::summarise_road_coverage(ws, geo::routing::AccessOptions{}.no_coverage_m);
        std::cout << "\nroad coverage: " << c.within << " of " << c.schools << " schools (" << std::fixed << std::setprecision(1)
                  << 100.0 * c.share() << " %) within " << std::setprecision(0) << c.limit_m << " m of a road ("
                  << (c.basis == geo::model::layer::school_access ? "snaps of the last access run" : c.basis == "roads layer" ? "roads layer; no access run yet" : "no roads layer")
                  << "); the others' access times are straight-line estimates\n";
    }
    if (ws.has_layer(geo::model::layer::provenance)) {
        const auto prov = ws.read(geo::model::layer::provenance);
        std::cout << "\nprovenance:\n";
        const auto i_ds = prov.require_field(geo::model::source::dataset), i_path = prov.require_field(geo::model::source::path), i_read = prov.require_field(geo::model::source::rows_read),
                   i_kept = prov.require_field(geo::model::source::rows_kept), i_rej = prov.require_field(geo::model::source::rows_rejected),
                   i_sha = prov.require_field(geo::model::source::sha256), i_vin = prov.require_field(geo::model::source::vintage), i_at = prov.require_field(geo::model::source::imported_at);
        for (const auto& f : prov.features) {
            std::cout << "  " << geo::as_text(f.values[i_ds]) << ": " << geo::as_text(f.values[i_path]) << "\n    read "
                      << geo::as_text(f.values[i_read]) << ", kept " << geo::as_text(f.values[i_kept]) << ", rejected "
                      << geo::as_text(f.values[i_rej]) << "; sha256 " << geo::as_text(f.values[i_sha]).substr(0, 16) << "…; vintage "
                      << geo::as_text(f.values[i_vin]) << "; imported " << geo::as_text(f.values[i_at]) << "\n";
        }
    }
    return 0;
}

const RegisterCommand reg{Command{"info", "print a workspace's layers, counts, CRS, extent and provenance",
                                  "usage: coldspot info WORKSPACE.gpkg\n\nLists every layer with geometry type, CRS, "
                                  "feature count and extent, then the provenance of every input.",
                                  run_info}};

} // namespace
} // namespace coldspot::cli
