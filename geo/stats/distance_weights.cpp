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
    std::vector<std::pair<double, FeatureIndex>> ranked;
    for (std::size_t i = 0; i < points.size(); ++i) {
        hits.clear();
        tree.query(bgi::nearest(points[i], k + 1), std::back_inserter(hits));
        ranked.clear();
        for (const auto& [q, j] : hits)
            if (j != i) ranked.emplace_back(squared_distance(points[i], q), j);
        std::sort(ranked.begin(), ranked.end());
        if (ranked.size() > k) ranked.resize(k);
        for (const auto& r : ranked) lists[i].push_back(r.second);
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
