#include "polygon_lookup.hpp"

#include <limits>

namespace coldspot::geo::import::detail {

PolygonLookup::PolygonLookup(const FeatureTable& table, const std::string& code_field)
    : table_(table), code_field_(table.require_field(code_field)) {
    std::vector<Entry> entries;
    prepared_.reserve(table.features.size());
    for (std::size_t i = 0; i < table.features.size(); ++i) {
        const auto& mp = std::get<MultiPolygon>(table.features[i].geometry);
        prepared_.emplace_back(mp);
        entries.emplace_back(envelope(table.features[i].geometry), i);
    }
    rtree_ = decltype(rtree_)(entries.begin(), entries.end());
}

std::optional<PolygonLookup::Hit> PolygonLookup::find(const Point& p, double snap_distance) const {
    std::optional<Hit> best;
    auto better = [&](std::size_t i) {
        return !best || as_text(table_.features[i].values[code_field_]) < as_text(table_.features[best->feature].values[code_field_]);
    };
    for (auto it = rtree_.qbegin(bg::index::intersects(p)); it != rtree_.qend(); ++it) {
        if (prepared_[it->second].covers(p) && better(it->second)) best = Hit{it->second, 0};
    }
    if (best || snap_distance <= 0) return best;
    const Box search{Point{p.x() - snap_distance, p.y() - snap_distance}, Point{p.x() + snap_distance, p.y() + snap_distance}};
    double best_d = std::numeric_limits<double>::infinity();
    for (auto it = rtree_.qbegin(bg::index::intersects(search)); it != rtree_.qend(); ++it) {
        const double d = prepared_[it->second].distance(p);
        if (d <= snap_distance && (d < best_d || (d == best_d && better(it->second)))) {
            best_d = d;
            best = Hit{it->second, d};
        }
    }
    return best;
}

} // namespace coldspot::geo::import::detail
