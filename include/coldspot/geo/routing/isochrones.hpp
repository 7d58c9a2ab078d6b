#pragma once
// Isochrone polygons from node times: the times are rasterised onto a grid (each cell takes the
// best time of the nodes near it plus the off-road walk from the node to the cell centre), then
// GDAL's contour generator polygonises the grid below each threshold and GEOS repairs the result.
#include "coldspot/geo/geometry.hpp"
#include "coldspot/geo/routing/road_graph.hpp"

#include <span>
#include <vector>

namespace coldspot::geo::routing {

struct IsochroneOptions {
    std::vector<double> minutes{15, 30, 45, 60};
    double cell_m = 100;
    /// Cells within this distance of a reached node count as reached, at access_kph (walking
    /// from the road to the cell): roads are lines, areas are not.
    double access_radius_m = 300;
    double access_kph = 5;
};

/// One valid MultiPolygon (EPSG:27700, possibly empty) per entry of options.minutes, in order.
/// node_time[i] is node i's time in ms (kUnreachable when not reached).
/// Throws InvalidArgumentError for a non-positive cell size or threshold.
std::vector<MultiPolygon> isochrone_polygons(const RoadGraph& graph, std::span<const TimeMs> node_time,
                                             const IsochroneOptions& options);

} // namespace coldspot::geo::routing
