#pragma once
// Neighbours by distance between points (in a projected CRS, metres): a fixed distance band, or the
// k nearest. Both query a Boost.Geometry R-tree, so building is O(n log n).
#include "coldspot/geo/geometry.hpp"
#include "coldspot/geo/stats/spatial_weights.hpp"

#include <span>

namespace coldspot::geo::stats {

/// j != i is a neighbour of i when d(i, j) <= band, coincident points included, as spdep's
/// dnearneigh(coords, 0, band) (bounds "GE", "LE") defines it.
/// Throws InvalidArgumentError when band is not positive and finite.
SpatialWeights distance_band_weights(std::span<const Point> points, double band);

/// The k nearest other features of each point, plus every other feature tied with the k-th at
/// exactly its distance (so a list may hold more than k, and the neighbour sets do not depend on
/// the order of the input). Without ties it is spdep's knn2nb(knearneigh(coords, k)). Asymmetric in
/// general. Throws InvalidArgumentError when k is 0 or k >= n.
SpatialWeights k_nearest_weights(std::span<const Point> points, unsigned k);

/// Smallest band that gives every point at least one neighbour (the largest nearest-neighbour
/// distance), the usual default band when none is given.
double min_threshold_distance(std::span<const Point> points);

} // namespace coldspot::geo::stats
