#pragma once
// Queen contiguity for polygons: two polygons are neighbours when they share at least one boundary
// point (a vertex or part of an edge).
#include "coldspot/geo/geometry.hpp"
#include "coldspot/geo/stats/spatial_weights.hpp"

#include <span>

namespace coldspot::geo::stats {

struct QueenOptions {
    /// Vertices closer than this (CRS units) count as the same point. spdep's poly2nb default is
    /// sqrt(double epsilon); boundaries from one topology share vertices exactly, so a tiny
    /// tolerance only absorbs the rounding of a reprojection.
    double snap_tolerance = 1e-3;
    /// Also link polygons whose boundaries touch without sharing a vertex (a vertex of one on an
    /// edge of the other, "T-junctions"), found by an R-tree candidate pass and a Boost.Geometry
    /// intersects test. poly2nb does not do this; it matters for boundaries not built from one
    /// topology.
    bool link_touching_edges = true;
};

SpatialWeights queen_weights(std::span<const MultiPolygon> polygons, const QueenOptions& options = {});

} // namespace coldspot::geo::stats
