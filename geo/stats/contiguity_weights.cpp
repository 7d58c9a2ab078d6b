#include "coldspot/geo/stats/detail/contiguity_weights.hpp"

#include "coldspot/geo/error.hpp"

#include <boost/geometry/index/rtree.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace coldspot::geo::stats {

namespace {

namespace bgi = boost::geometry::index;

struct Cell {
    std::int64_t x;
    std::int64_t y;
    bool operator==(const Cell&) const = default;
};

struct CellHash {
    std::size_t operator()(const Cell& c) const noexcept {
        return std::hash<std::int64_t>{}(c.x * 0x9E3779B97F4A7C15LL ^ c.y);
    }
};

struct Vertex {
    FeatureIndex polygon;
    Point at;
};

template <typename Visit>
void for_each_vertex(const MultiPolygon& mp, Visit&& visit) {
    for (const auto& poly : mp) {
        for (const auto& p : poly.outer()) visit(p);
        for (const auto& ring : poly.inners())
            for (const auto& p : ring) visit(p);
    }
}

} // namespace

SpatialWeights queen_weights(std::span<const MultiPolygon> polygons, const QueenOptions& options) {
    const double tol = options.snap_tolerance;
    if (!(tol > 0) || !std::isfinite(tol))
        throw InvalidArgumentError("queen contiguity snap tolerance must be positive, got " + std::to_string(tol));
    const std::size_t n = polygons.size();

    // Pass 1: shared vertices. Every vertex goes into a grid cell of side `tol`; two vertices
    // within `tol` of each other are then in the same or adjacent cells, so each cell is compared
    // with itself and four of its neighbours (the other four see it from their side).
    std::unordered_map<Cell, std::vector<Vertex>, CellHash> grid;
    for (std::size_t i = 0; i < n; ++i) {
        for_each_vertex(polygons[i], [&](const Point& p) {
            if (!std::isfinite(p.x()) || !std::isfinite(p.y()))
                throw GeometryError("polygon " + std::to_string(i) + " has a non-finite coordinate");
            const Cell c{static_cast<std::int64_t>(std::floor(p.x() / tol)),
                         static_cast<std::int64_t>(std::floor(p.y() / tol))};
            auto& bucket = grid[c];
            // A ring repeats its first vertex; one entry per polygon per cell is enough.
            const bool seen = std::any_of(bucket.begin(), bucket.end(), [&](const Vertex& v) {
                return v.polygon == i && bg::comparable_distance(v.at, p) == 0;
            });
            if (!seen) bucket.push_back(Vertex{static_cast<FeatureIndex>(i), p});
        });
    }
    std::vector<std::vector<FeatureIndex>> lists(n);
    const double tol2 = tol * tol;
    auto link_cells = [&](const std::vector<Vertex>& a, const std::vector<Vertex>& b, bool same) {
        for (std::size_t s = 0; s < a.size(); ++s)
            for (std::size_t t = same ? s + 1 : 0; t < b.size(); ++t) {
                if (a[s].polygon == b[t].polygon) continue;
                const double dx = a[s].at.x() - b[t].at.x();
                const double dy = a[s].at.y() - b[t].at.y();
                if (dx * dx + dy * dy > tol2) continue;
                lists[a[s].polygon].push_back(b[t].polygon);
                lists[b[t].polygon].push_back(a[s].polygon);
            }
    };
    static constexpr std::pair<int, int> kForward[] = {{1, 0}, {0, 1}, {1, 1}, {1, -1}};
    for (const auto& [cell, bucket] : grid) {
        link_cells(bucket, bucket, true);
        for (const auto& [dx, dy] : kForward)
            if (auto it = grid.find(Cell{cell.x + dx, cell.y + dy}); it != grid.end())
                link_cells(bucket, it->second, false);
    }
    for (auto& l : lists) {
        std::sort(l.begin(), l.end());
        l.erase(std::unique(l.begin(), l.end()), l.end());
    }

    // Pass 2: boundaries that touch without a shared vertex. Candidates are pairs whose envelopes
    // (grown by the tolerance) overlap and that pass 1 did not link; Boost.Geometry decides.
    if (options.link_touching_edges) {
        using Entry = std::pair<Box, FeatureIndex>;
        std::vector<Entry> boxes;
        boxes.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            if (polygons[i].empty()) continue;
            // By hand rather than bg::envelope, whose multi-polygon state trips GCC 12's
            // maybe-uninitialized warning.
            // cppcheck-suppress duplicateAssignExpression ; an empty box: both maxima start at -infinity
            double x0 = std::numeric_limits<double>::infinity(), y0 = x0, x1 = -x0, y1 = -x0;
            for_each_vertex(polygons[i], [&](const Point& p) {
                x0 = std::min(x0, p.x());
                y0 = std::min(y0, p.y());
                x1 = std::max(x1, p.x());
                y1 = std::max(y1, p.y());
            });
            if (x0 > x1) continue;
            boxes.emplace_back(Box{Point{x0 - tol, y0 - tol}, Point{x1 + tol, y1 + tol}}, static_cast<FeatureIndex>(i));
        }
        const bgi::rtree<Entry, bgi::rstar<16>> tree(boxes.begin(), boxes.end());
        std::vector<Entry> hits;
        std::vector<std::pair<FeatureIndex, FeatureIndex>> extra;
        for (const auto& [box, i] : boxes) {
            hits.clear();
            tree.query(bgi::intersects(box), std::back_inserter(hits));
            for (const auto& [other, j] : hits) {
                if (j <= i || std::binary_search(lists[i].begin(), lists[i].end(), j)) continue;
                bool touching = false;
                try {
                    touching = bg::intersects(polygons[i], polygons[j]);
                } catch (const std::exception&) {
                    // Boost.Geometry may refuse badly invalid input; such a pair stays unlinked
                    // unless pass 1 linked it.
                    touching = false;
                }
                if (touching) extra.emplace_back(i, j);
            }
        }
        for (const auto& [i, j] : extra) {
            lists[i].push_back(j);
            lists[j].push_back(i);
        }
    }
    return SpatialWeights::from_neighbours(lists);
}

} // namespace coldspot::geo::stats
