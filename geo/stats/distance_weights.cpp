#include "coldspot/geo/stats/distance_weights.hpp"

#include "coldspot/geo/error.hpp"

#include <boost/geometry/index/rtree.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace coldspot::geo::stats {

namespace {

namespace bgi = boost::geometry::index;
using IndexedPoint = std::pair<Point, FeatureIndex>;
using PointTree = bgi::rtree<IndexedPoint, bgi::rstar<16>>;

PointTree build_tree(std::span<const Point> points) {
    std::vector<IndexedPoint> items;
    items.reserve(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
        const Point& p = points[i];
        if (!std::isfinite(p.x()) || !std::isfinite(p.y()))
            throw InvalidArgumentError("point " + std::to_string(i) + " has a non-finite coordinate");
        items.emplace_back(p, static_cast<FeatureIndex>(i));
    }
    return PointTree(items.begin(), items.end()); // packing constructor: a balanced tree in O(n log n)
}

double squared_distance(const Point& a, const Point& b) noexcept {
    const double dx = a.x() - b.x();
    const double dy = a.y() - b.y();
    return dx * dx + dy * dy;
}

} // namespace

SpatialWeights distance_band_weights(std::span<const Point> points, double band) {
    if (!(band > 0) || !std::isfinite(band))
        throw InvalidArgumentError("distance band must be a positive number of metres, got " + std::to_string(band));
    const PointTree tree = build_tree(points);
    const double band2 = band * band;
    std::vector<std::vector<FeatureIndex>> lists(points.size());
    std::vector<IndexedPoint> hits;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const Point& p = points[i];
        const Box query{Point{p.x() - band, p.y() - band}, Point{p.x() + band, p.y() + band}};
        hits.clear();
        tree.query(bgi::intersects(query), std::back_inserter(hits));
        for (const auto& [q, j] : hits)
            if (j != i && squared_distance(p, q) <= band2) lists[i].push_back(j);
    }
    return SpatialWeights::from_neighbours(lists);
}

SpatialWeights k_nearest_weights(std::span<const Point> points, unsigned k) {
    if (k == 0 || k >= points.size())
        throw InvalidArgumentError("k nearest neighbours needs 0 < k < number of features (k = " + std::to_string(k) +
                                   ", " + std::to_string(points.size()) + " features)");
    const PointTree tree = build_tree(points);
    std::vector<std::vector<FeatureIndex>> lists(points.size());
    std::vector<IndexedPoint> hits;
    std::vector<double> nearest;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const Point& p = points[i];
        // The k-th smallest distance to another point: k + 1 hits hold at least k others.
        hits.clear();
        tree.query(bgi::nearest(p, k + 1), std::back_inserter(hits));
        nearest.clear();
        for (const auto& [q, j] : hits)
            if (j != i) nearest.push_back(squared_distance(p, q));
        std::nth_element(nearest.begin(), nearest.begin() + (k - 1), nearest.end());
        const double dk2 = nearest[k - 1];
        // Every other point within that distance: all of a tie at the k-th distance, so the set
        // does not depend on input order (schools sharing a postcode centroid are all in or all out).
        const double r = std::sqrt(dk2) * (1 + 1e-12) + 1e-9;
        hits.clear();
        tree.query(bgi::intersects(Box{Point{p.x() - r, p.y() - r}, Point{p.x() + r, p.y() + r}}), std::back_inserter(hits));
        for (const auto& [q, j] : hits)
            if (j != i && squared_distance(p, q) <= dk2) lists[i].push_back(j);
        std::sort(lists[i].begin(), lists[i].end());
    }
    return SpatialWeights::from_neighbours(lists);
}

double min_threshold_distance(std::span<const Point> points) {
    if (points.size() < 2) throw InvalidArgumentError("a distance threshold needs at least two points");
    const PointTree tree = build_tree(points);
    double worst = 0;
    std::vector<IndexedPoint> hits;
    for (std::size_t i = 0; i < points.size(); ++i) {
        hits.clear();
        tree.query(bgi::nearest(points[i], 2), std::back_inserter(hits));
        double best = std::numeric_limits<double>::infinity();
        for (const auto& [q, j] : hits)
            if (j != i) best = std::min(best, squared_distance(points[i], q));
        worst = std::max(worst, best);
    }
    return std::sqrt(worst);
}

} // namespace coldspot::geo::stats
