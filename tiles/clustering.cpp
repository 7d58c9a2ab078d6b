// Point layers in tiles: every point with its own attributes, or, on low zooms, grid clusters with
// a member count and the sums of the summable fields (which fields those are comes from the model).
#include "tileset_impl.hpp"

#include "coldspot/geo/model/catalogue.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <variant>

namespace coldspot::tiles {

namespace {

/// Identifiers, codes, ranks and coordinates are numbers but their sum means nothing (the model
/// says which they are).
bool summable(const geo::Field& f) { return f.type != geo::FieldType::String && !geo::model::is_identifier_field(f.name); }

/// A point of a point layer placed in tile units.
struct PlacedPoint {
    std::uint32_t index;
    TilePoint p;
};

/// Encodes points with the layer's pre-encoded values, numbered per tile; cluster counts and sums
/// share a value with an attribute of the same bytes (the table is deduplicated by message, as
/// MvtLayerBuilder does it).
class PointEncoder {
public:
    PointEncoder(const ResolvedLayer& rl, RenderScratch& s) : rl_(rl), L_(*rl.layer), builder_(s.encoder), tags_(s.tags) {
        builder_.reset(L_.value_messages.size());
    }

    /// A point with its own attributes.
    void add(const PlacedPoint& p) {
        tags_.clear();
        for (auto t = L_.tag_offsets[p.index]; t < L_.tag_offsets[p.index + 1]; ++t) {
            tags_.push_back(L_.field_keys[L_.tags[t].first]);
            tags_.push_back(builder_.value(L_.tags[t].second));
        }
        builder_.add_point(rl_.ids[p.index], p.p, tags_.data(), tags_.size());
    }

    /// A cluster of `members` (two or more, source order) at `centre`: the cluster flag, the count,
    /// and the sum of each summable field the members have a value for.
    void add_cluster(std::uint64_t id, const TilePoint& centre, std::span<const std::pair<std::int64_t, const PlacedPoint*>> members) {
        const geo::FeatureTable& T = L_.table;
        tags_.clear();
        tags_.push_back(rl_.k_cluster);
        tags_.push_back(value(MvtValue::of_bool(true)));
        tags_.push_back(rl_.k_count);
        tags_.push_back(value(MvtValue::of_int(static_cast<std::int64_t>(members.size()))));
        for (std::size_t k = 0; k < rl_.sum_fields.size(); ++k) {
            const auto fi = rl_.sum_fields[k];
            const bool integral = T.fields[fi].type == geo::FieldType::Integer;
            std::int64_t isum = 0;
            double dsum = 0;
            bool any = false;
            for (const auto& m : members) {
                const auto& v = T.features[m.second->index].values[fi];
                if (const auto* iv = std::get_if<std::int64_t>(&v)) isum += *iv, dsum += *iv, any = true;
                else if (const auto* dv = std::get_if<double>(&v)) dsum += *dv, any = true;
            }
            if (!any) continue;
            tags_.push_back(rl_.sum_keys[k]);
            tags_.push_back(value(integral ? MvtValue::of_int(isum) : MvtValue::of_double(dsum)));
        }
        builder_.add_point(id, centre, tags_.data(), tags_.size());
    }

    detail::IndexedLayerEncoder& builder() { return builder_; }

private:
    std::uint32_t value(const MvtValue& v) {
        std::string message = MvtLayerBuilder::encode_value(v);
        const auto it = L_.value_ids.find(message);
        return it != L_.value_ids.end() ? builder_.value(it->second) : builder_.extra_value(std::move(message));
    }

    const ResolvedLayer& rl_;
    const IndexedLayer& L_;
    detail::IndexedLayerEncoder& builder_;
    std::vector<std::uint32_t>& tags_;
};

/// Grid clustering over the tile proper (no buffer), so every point belongs to exactly one tile's
/// cell at every clustered zoom and none is dropped. A cell of one point keeps the point.
void add_clustered(PointEncoder& enc, const std::vector<PlacedPoint>& placed, const TileId& tile, const EncodeOptions& eo) {
    const std::int32_t cell = static_cast<std::int32_t>(eo.cluster_cell_units);
    const std::int64_t cells_per_side = (eo.extent + eo.cluster_cell_units - 1) / eo.cluster_cell_units;
    // Cells in index order, members in source order: a stable sort of (cell, point) pairs rather
    // than a map of vectors (one allocation per cell).
    std::vector<std::pair<std::int64_t, const PlacedPoint*>> in_cell;
    in_cell.reserve(placed.size());
    const std::int32_t ext = static_cast<std::int32_t>(eo.extent);
    for (const auto& p : placed) {
        if (p.p.x < 0 || p.p.y < 0 || p.p.x >= ext || p.p.y >= ext) continue;
        in_cell.emplace_back(std::int64_t{p.p.y / cell} * cells_per_side + p.p.x / cell, &p);
    }
    std::stable_sort(in_cell.begin(), in_cell.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t b = 0, e = 0; b < in_cell.size(); b = e) {
        while (e < in_cell.size() && in_cell[e].first == in_cell[b].first) ++e;
        const std::int64_t cell_index = in_cell[b].first;
        if (e - b == 1) {
            enc.add(*in_cell[b].second);
            continue;
        }
        const std::size_t members = e - b;
        double sx = 0, sy = 0;
        for (std::size_t m = b; m < e; ++m) sx += in_cell[m].second->p.x, sy += in_cell[m].second->p.y;
        const TilePoint centre{static_cast<std::int32_t>(std::floor(sx / members)),
                               static_cast<std::int32_t>(std::floor(sy / members))};
        // Cluster ids live above bit 62 so they never meet a URN or a packed code: zoom and the
        // cell's world position make them stable across versions.
        const std::uint64_t gx = std::uint64_t{tile.x} * cells_per_side + (cell_index % cells_per_side);
        const std::uint64_t gy = std::uint64_t{tile.y} * cells_per_side + (cell_index / cells_per_side);
        const std::uint64_t id = (std::uint64_t{1} << 62) | (std::uint64_t{tile.z} << 56) | (gx << 28) | gy;
        enc.add_cluster(id, centre, std::span(in_cell).subspan(b, members));
    }
}

} // namespace

void resolve_clusters(ResolvedLayer& rl) {
    const geo::FeatureTable& T = rl.layer->table;
    for (std::size_t i = 0; i < T.fields.size(); ++i)
        if (summable(T.fields[i])) rl.sum_fields.push_back(i);
    rl.cluster_keys = rl.layer->keys;
    const auto key = [&](const std::string& k) {
        const auto at = std::find(rl.cluster_keys.begin(), rl.cluster_keys.end(), k);
        if (at == rl.cluster_keys.end()) rl.cluster_keys.push_back(k);
        return static_cast<std::uint32_t>(std::find(rl.cluster_keys.begin(), rl.cluster_keys.end(), k) -
                                          rl.cluster_keys.begin());
    };
    rl.k_cluster = key(kClusterKey);
    rl.k_count = key(kPointCountKey);
    for (auto fi : rl.sum_fields) rl.sum_keys.push_back(key(T.fields[fi].name + kSumSuffix));
}

void gather_points(const ResolvedLayer& rl, const std::vector<std::uint32_t>& hits, const TileFrame& frame,
                   const EncodeOptions& eo, const std::string& name, RenderScratch& s, PendingLayer& pl) {
    const IndexedLayer& L = *rl.layer;
    const geo::FeatureTable& T = L.table;
    const TileId& tile = frame.tile;
    pl.type = MvtGeomType::Point;
    PointEncoder enc(rl, s);
    std::vector<PlacedPoint> placed;
    for (auto i : hits)
        if (const auto* pt = std::get_if<geo::Point>(&T.features[i].geometry))
            if (auto tp = point_to_tile(*pt, frame)) placed.push_back({i, *tp});
    const bool cluster = rl.spec.cluster && static_cast<int>(tile.z) <= eo.cluster_max_zoom && eo.cluster_cell_units > 0;
    if (!cluster) {
        for (const auto& p : placed) enc.add(p);
    } else {
        add_clustered(enc, placed, tile, eo);
    }
    detail::IndexedLayerEncoder& builder = enc.builder();
    pl.fixed_features = builder.feature_count();
    // A clustering zoom's key table also holds the cluster keys, used or not.
    if (pl.fixed_features != 0) builder.write_to(pl.fixed, name, cluster ? rl.cluster_keys : L.keys, L.value_messages, eo.extent);
}

} // namespace coldspot::tiles
