#include "coldspot/geo/remits/polygon_index.hpp"
#include "bounds.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/geos.hpp"

#include <boost/geometry/index/rtree.hpp>

#include <algorithm>
#include <limits>

namespace coldspot::geo::remits {

namespace bgi = boost::geometry::index;

std::string_view to_string(Placement p) noexcept {
    switch (p) {
    case Placement::Interior: return "interior";
    case Placement::Boundary: return "boundary";
    case Placement::Snapped: return "snapped";
    }
    return "interior";
}

namespace detail {

enum class Side : std::uint8_t { Outside, Boundary, Interior };

/// One polygon with whichever exact test suits its size.
struct IndexedPolygon {
    MultiPolygon geometry;                     ///< kept for small polygons (Boost tests)
    std::unique_ptr<PreparedPolygon> prepared; ///< set for large polygons

    Side side(const Point& p) const {
        if (prepared) {
            if (prepared->contains(p)) return Side::Interior;
            return prepared->covers(p) ? Side::Boundary : Side::Outside;
        }
        if (bg::within(p, geometry)) return Side::Interior;
        return bg::covered_by(p, geometry) ? Side::Boundary : Side::Outside;
    }
    double distance(const Point& p) const { return prepared ? prepared->distance(p) : bg::distance(p, geometry); }
};

} // namespace detail

struct PolygonIndex::Impl {
    using Entry = std::pair<Box, std::size_t>;
    std::vector<detail::IndexedPolygon> polygons;
    std::vector<std::string> keys;
    std::size_t prepared = 0;
    bgi::rtree<Entry, bgi::rstar<16>> rtree;

    bool key_less(std::size_t a, std::size_t b) const {
        if (!keys.empty() && keys[a] != keys[b]) return keys[a] < keys[b];
        return a < b;
    }
    std::vector<std::size_t> candidates(const Box& box) const {
        std::vector<Entry> found;
        rtree.query(bgi::intersects(box), std::back_inserter(found));
        std::vector<std::size_t> out;
        out.reserve(found.size());
        for (const auto& e : found) out.push_back(e.second);
        std::sort(out.begin(), out.end(), [this](std::size_t a, std::size_t b) { return key_less(a, b); });
        return out;
    }
};

PolygonIndex::PolygonIndex(std::vector<MultiPolygon> polygons, std::vector<std::string> keys,
                           std::size_t prepare_threshold)
    : impl_(std::make_unique<Impl>()) {
    if (!keys.empty() && keys.size() != polygons.size())
        throw InvalidArgumentError("PolygonIndex: " + std::to_string(keys.size()) + " keys for " +
                                   std::to_string(polygons.size()) + " polygons");
    impl_->keys = std::move(keys);
    std::vector<Impl::Entry> entries;
    entries.reserve(polygons.size());
    impl_->polygons.resize(polygons.size());
    for (std::size_t i = 0; i < polygons.size(); ++i) {
        auto& slot = impl_->polygons[i];
        if (!polygons[i].empty()) entries.emplace_back(detail::bounds(polygons[i]), i);
        if (bg::num_points(polygons[i]) > prepare_threshold) {
            slot.prepared = std::make_unique<PreparedPolygon>(polygons[i]);
            ++impl_->prepared;
        } else {
            slot.geometry = std::move(polygons[i]);
        }
    }
    // The packing constructor (STR bulk load) gives a better tree than repeated inserts.
    impl_->rtree = bgi::rtree<Impl::Entry, bgi::rstar<16>>(entries.begin(), entries.end());
}

PolygonIndex::~PolygonIndex() = default;
PolygonIndex::PolygonIndex(PolygonIndex&&) noexcept = default;
PolygonIndex& PolygonIndex::operator=(PolygonIndex&&) noexcept = default;

std::size_t PolygonIndex::size() const noexcept { return impl_->polygons.size(); }
std::size_t PolygonIndex::prepared_count() const noexcept { return impl_->prepared; }

std::vector<PolygonHit> PolygonIndex::locate_all(const Point& p, Metres snap_distance) const {
    const double snap_distance_m = snap_distance.value();
    std::vector<PolygonHit> hits;
    std::optional<std::size_t> boundary;
    for (std::size_t i : impl_->candidates(Box(p, p))) {
        switch (impl_->polygons[i].side(p)) {
        case detail::Side::Interior: hits.push_back({i, Placement::Interior, 0.0}); break;
        case detail::Side::Boundary:
            if (!boundary) boundary = i; // candidates come in key order
            break;
        case detail::Side::Outside: break;
        }
    }
    if (!hits.empty()) return hits;
    if (boundary) return {{*boundary, Placement::Boundary, 0.0}};
    if (!(snap_distance_m > 0)) return {};
    const Box search(Point(p.x() - snap_distance_m, p.y() - snap_distance_m),
                     Point(p.x() + snap_distance_m, p.y() + snap_distance_m));
    // Every polygon at the minimum distance: the nearest land point lies in all of them (two hub
    // footprints sharing a district). Candidates come in key order, so locate() takes the lowest.
    constexpr double kSameDistance = 1e-3; // 1 mm, far below the coordinates' precision
    std::vector<PolygonHit> nearest;
    for (std::size_t i : impl_->candidates(search)) {
        const double d = impl_->polygons[i].distance(p);
        if (d > snap_distance_m) continue;
        if (!nearest.empty() && d < nearest.front().distance_m - kSameDistance) nearest.clear();
        if (nearest.empty() || d <= nearest.front().distance_m + kSameDistance) nearest.push_back({i, Placement::Snapped, d});
    }
    // A later, nearer candidate may have left farther ones behind the first entry.
    if (!nearest.empty()) {
        double best = nearest.front().distance_m;
        for (const auto& h : nearest) best = std::min(best, h.distance_m);
        std::erase_if(nearest, [&](const PolygonHit& h) { return h.distance_m > best + kSameDistance; });
    }
    return nearest;
}

std::optional<PolygonHit> PolygonIndex::locate(const Point& p, Metres snap_distance) const {
    auto hits = locate_all(p, snap_distance);
    if (hits.empty()) return std::nullopt;
    return hits.front(); // key order
}

} // namespace coldspot::geo::remits
