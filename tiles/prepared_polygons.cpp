#include "coldspot/tiles/prepared_polygons.hpp"

#include "coldspot/geo/error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace coldspot::tiles {

namespace bg = boost::geometry;
using geo::Point;

namespace {

geo::MultiPolygon to_world_units(const geo::MultiPolygon& g, double scale) {
    return detail::map_polygons(g, [&](const Point& p) {
        return Point{(p.x() + kWebMercatorHalfWorld) * scale, (p.y() + kWebMercatorHalfWorld) * scale};
    });
}

geo::MultiPolygon unit_square(double x, double y, double side) {
    geo::Polygon sq;
    sq.outer() = {Point{x, y}, Point{x, y + side}, Point{x + side, y + side}, Point{x + side, y}, Point{x, y}};
    return {sq};
}

/// Bounding box of outer rings (holes lie inside them).
geo::Box outer_envelope(const geo::MultiPolygon& mp) {
    geo::Box b = geo::empty_box();
    for (const auto& poly : mp) bg::expand(b, bg::return_envelope<geo::Box>(poly.outer()));
    return b;
}

/// Sutherland-Hodgman against one side of the buffered tile: keeps points with
/// sign * (coordinate axis) <= sign * c, adding the crossing points (rounded later).
void clip_side(const std::vector<Point>& in, std::vector<Point>& out, int axis, double c, double sign) {
    out.clear();
    const std::size_t n = in.size();
    if (n == 0) return;
    const auto coord = [axis](const Point& p) { return axis == 0 ? p.x() : p.y(); };
    const auto inside = [&](const Point& p) { return sign * coord(p) <= sign * c; };
    for (std::size_t i = 0; i < n; ++i) {
        const Point& a = in[(i + n - 1) % n];
        const Point& b = in[i];
        const bool ia = inside(a), ib = inside(b);
        if (ia != ib) {
            const double t = (c - coord(a)) / (coord(b) - coord(a));
            if (axis == 0)
                out.emplace_back(c, a.y() + t * (b.y() - a.y()));
            else
                out.emplace_back(a.x() + t * (b.x() - a.x()), c);
        }
        if (ib) out.push_back(b);
    }
}

/// The fast clip for a polygon crossing the buffered tile edge: Sutherland-Hodgman of each ring
/// against the rectangle, new vertices rounded, then the usual validity check. Sutherland-Hodgman
/// is exact for a ring whose part inside the rectangle is connected; when it is not (a concave
/// ring leaving and re-entering so the inside falls apart), or a hole crosses the edge (it would
/// touch the exterior along the edge), or rounding breaks validity, it returns false and the
/// caller takes the general overlay (Boost.Geometry, GEOS repair), as before.
bool rectangle_clip(const PreparedZoom& pz, const PreparedPolygon& pf, std::int64_t k, std::int64_t ox,
                    std::int64_t oy, std::int64_t lo, std::int64_t hi, PolygonOutcome& out) {
    thread_local std::vector<Point> a, b;
    geo::MultiPolygon mp;
    bool kept_any = false;
    const auto flo = static_cast<double>(lo), fhi = static_cast<double>(hi);
    for (std::uint32_t r = pf.first_ring; r < pf.first_ring + pf.ring_count; ++r) {
        const PreparedRing& pr = pz.rings[r];
        a.clear();
        bool any_out = false, any_in = false;
        for (std::uint32_t p = pr.first_point; p < pr.first_point + pr.size; ++p) {
            const TilePoint& w = pz.points[p];
            const std::int64_t x = w.x * k - ox, y = w.y * k - oy;
            const bool in = x >= lo && x <= hi && y >= lo && y <= hi;
            any_out |= !in;
            any_in |= in;
            a.emplace_back(static_cast<double>(x), static_cast<double>(y));
        }
        // Exteriors are clockwise in Boost's y-up frame (negative surveyor's sum), holes not.
        double twice_area = 0;
        for (std::size_t i = 0, n = a.size(); i < n; ++i) {
            const Point& p = a[i];
            const Point& q = a[(i + 1) % n];
            twice_area += p.x() * q.y() - q.x() * p.y();
        }
        const bool hole = twice_area > 0;
        // A hole across the edge, wholly outside the box or around it: the general overlay's business.
        if (hole && any_out) return false;
        if (hole) {
            if (mp.empty()) return false;
            geo::Ring h(a.begin(), a.end());
            h.push_back(h.front());
            mp.back().inners().push_back(std::move(h));
            continue;
        }
        if (any_out) {
            clip_side(a, b, 0, flo, -1);
            clip_side(b, a, 0, fhi, 1);
            clip_side(a, b, 1, flo, -1);
            clip_side(b, a, 1, fhi, 1);
        }
        mp.emplace_back();
        if (a.size() < 3) continue; // outside the box; removed as collapsed below
        kept_any = true;
        geo::Ring& ring = mp.back().outer();
        ring.reserve(a.size() + 1);
        for (const Point& p : a) ring.emplace_back(std::round(p.x()), std::round(p.y()));
        ring.push_back(ring.front());
    }
    // quantise() rounds (a no-op now), drops repeats, spikes and collapsed rings, fixes the
    // orientation and rejects anything invalid: a disconnected inside shows up here as the
    // Sutherland-Hodgman bridge running along the box edge and back.
    for (auto& poly : mp)
        if (poly.outer().empty() && !poly.inners().empty()) return false; // hole of a ring outside the box
    if (!detail::quantise(mp)) return false;
    // Something inside that rounds away is written as a placeholder square: the general path does that.
    if (mp.empty()) return !kept_any;
    out.rectangle_clip = true;
    out.area_units = bg::area(mp);
    out.rings = detail::to_paths(mp, pz.extent);
    return true;
}

} // namespace

PreparedZoom prepare_polygons(const std::vector<const geo::MultiPolygon*>& geometries, std::uint32_t z,
                              const PrepareOptions& o) {
    // World width at z15 with extent 4096 is 2^27 units; the int32 grid holds up to z19 for
    // 4096, but keep well clear so coarser levels (x4, x16) never overflow either.
    if (z > 15 || static_cast<double>(o.extent) * std::ldexp(1.0, static_cast<int>(z)) > std::ldexp(1.0, 27))
        throw InvalidArgumentError("prepared polygons: zoom " + std::to_string(z) + " with extent " +
                                   std::to_string(o.extent) + " does not fit the int32 world grid");
    PreparedZoom out;
    out.z = z;
    out.extent = o.extent;
    out.tiny_area = o.tiny_area;
    out.features.resize(geometries.size());
    const double scale = static_cast<double>(o.extent) * std::ldexp(1.0, static_cast<int>(z)) / (2 * kWebMercatorHalfWorld);
    for (std::size_t i = 0; i < geometries.size(); ++i) {
        if (!geometries[i] || geometries[i]->empty()) continue;
        PreparedPolygon& pf = out.features[i];
        const geo::MultiPolygon units = to_world_units(*geometries[i], scale);
        const geo::Box env = outer_envelope(units);
        if (geo::is_empty(env)) continue;
        pf.area = std::abs(bg::area(units));
        const double cx = std::floor((env.min_corner().x() + env.max_corner().x()) / 2);
        const double cy = std::floor((env.min_corner().y() + env.max_corner().y()) / 2);
        const auto centre_cell = [&](PreparedKind kind, double x, double y) {
            pf.kind = kind;
            pf.x0 = pf.x1 = static_cast<std::int32_t>(x);
            pf.y0 = pf.y1 = static_cast<std::int32_t>(y);
            pf.grid_area = 1;
        };
        const bool sub_unit = env.max_corner().x() - env.min_corner().x() < 1 && env.max_corner().y() - env.min_corner().y() < 1;
        if (o.tiny_area > 0 && pf.area < o.tiny_area) {
            centre_cell(PreparedKind::Tiny, cx, cy);
            ++out.stats.tiny;
            continue;
        }
        if (sub_unit) {
            centre_cell(PreparedKind::Placeholder, cx, cy);
            ++out.stats.placeholders;
            continue;
        }
        const geo::MultiPolygon simplified = detail::simplify_polygons(units, o.simplify_units);
        geo::MultiPolygon q;
        const auto [repaired, invalid] = detail::quantise_or_repair(simplified, {&simplified, &units}, q);
        out.stats.repaired += repaired;
        out.stats.invalid += invalid;
        if (q.empty()) {
            // Rounded away (a sliver): keep it visible as a one-unit square at its centre.
            centre_cell(PreparedKind::Placeholder, cx, cy);
            ++out.stats.placeholders;
            continue;
        }
        pf.kind = PreparedKind::Rings;
        pf.grid_area = bg::area(q);
        pf.first_ring = static_cast<std::uint32_t>(out.rings.size());
        constexpr auto kMax = std::numeric_limits<std::int32_t>::max(), kMin = std::numeric_limits<std::int32_t>::min();
        std::int32_t x0 = kMax, y0 = kMax, x1 = kMin, y1 = kMin;
        const auto add_ring = [&](const geo::Ring& r) {
            PreparedRing pr;
            pr.first_point = static_cast<std::uint32_t>(out.points.size());
            for (std::size_t k = 0; k + 1 < r.size(); ++k) {
                const TilePoint p{static_cast<std::int32_t>(r[k].x()), static_cast<std::int32_t>(r[k].y())};
                x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
                out.points.push_back(p);
            }
            pr.size = static_cast<std::uint32_t>(out.points.size()) - pr.first_point;
            out.rings.push_back(pr);
        };
        for (const auto& poly : q) {
            add_ring(poly.outer());
            for (const auto& h : poly.inners()) add_ring(h);
        }
        pf.ring_count = static_cast<std::uint32_t>(out.rings.size()) - pf.first_ring;
        pf.x0 = x0, pf.y0 = y0, pf.x1 = x1, pf.y1 = y1;
        ++out.stats.rings;
    }
    return out;
}

PolygonOutcome prepared_to_tile(const PreparedZoom& pz, std::size_t i, const TileId& tile, std::uint32_t shift,
                                std::uint32_t buffer, TinyAccumulator& tiny) {
    PolygonOutcome out;
    const PreparedPolygon& pf = pz.features[i];
    if (pf.kind == PreparedKind::Empty) return out;
    const std::int64_t k = std::int64_t{1} << shift;
    const std::int64_t ext = pz.extent;
    const std::int64_t ox = std::int64_t{tile.x} * ext;
    const std::int64_t oy = ((std::int64_t{1} << tile.z) - 1 - tile.y) * ext; // y up
    const std::int64_t bx0 = pf.x0 * k - ox, by0 = pf.y0 * k - oy;

    if (pf.kind == PreparedKind::Placeholder || pf.kind == PreparedKind::Tiny) {
        // Owned by the tile holding the square's corner cell, so it is written (or reduced) once per zoom.
        if (bx0 < 0 || by0 < 0 || bx0 >= ext || by0 >= ext) return out;
        if (pf.kind == PreparedKind::Tiny) {
            tiny.area += pf.area;
            if (tiny.area < pz.tiny_area) {
                out.reduced = true;
                return out;
            }
            tiny.area -= pz.tiny_area;
        }
        const auto side = static_cast<double>(k);
        out.placeholder = true;
        out.area_units = side * side;
        out.rings = detail::to_paths(unit_square(static_cast<double>(bx0), static_cast<double>(by0), side), pz.extent);
        return out;
    }

    const std::int64_t bx1 = pf.x1 * k - ox, by1 = pf.y1 * k - oy;
    const std::int64_t lo = -static_cast<std::int64_t>(buffer), hi = ext + buffer;
    if (bx1 < lo || by1 < lo || bx0 > hi || by0 > hi) return out;
    const double kk = static_cast<double>(k);
    if (bx0 >= lo && by0 >= lo && bx1 <= hi && by1 <= hi) {
        // Trivial accept: whole-unit translation of a ring set already valid on the grid.
        out.rings.reserve(pf.ring_count);
        for (std::uint32_t r = pf.first_ring; r < pf.first_ring + pf.ring_count; ++r) {
            const PreparedRing& pr = pz.rings[r];
            TilePath path;
            path.reserve(pr.size);
            for (std::uint32_t p = pr.first_point; p < pr.first_point + pr.size; ++p) {
                const TilePoint& w = pz.points[p];
                path.push_back(TilePoint{static_cast<std::int32_t>(w.x * k - ox), static_cast<std::int32_t>(ext - (w.y * k - oy))});
            }
            out.rings.push_back(std::move(path));
        }
        out.area_units = pf.grid_area * kk * kk;
        return out;
    }

    // Crosses the buffered edge: clip in tile units, then round the new edge vertices and check.
    out.clipped = true;
    if (rectangle_clip(pz, pf, k, ox, oy, lo, hi, out)) return out;
    geo::MultiPolygon units;
    for (std::uint32_t r = pf.first_ring; r < pf.first_ring + pf.ring_count; ++r) {
        const PreparedRing& pr = pz.rings[r];
        geo::Ring ring;
        ring.reserve(pr.size + 1);
        for (std::uint32_t p = pr.first_point; p < pr.first_point + pr.size; ++p) {
            const TilePoint& w = pz.points[p];
            ring.emplace_back(static_cast<double>(w.x * k - ox), static_cast<double>(w.y * k - oy));
        }
        ring.push_back(ring.front());
        // Exteriors have Boost's orientation (clockwise, negative surveyor's sum); holes the other.
        if (bg::area(ring) > 0) {
            units.emplace_back();
            units.back().outer() = std::move(ring);
        } else if (!units.empty()) {
            units.back().inners().push_back(std::move(ring));
        }
    }
    const geo::Box box{Point{static_cast<double>(lo), static_cast<double>(lo)}, Point{static_cast<double>(hi), static_cast<double>(hi)}};
    const geo::MultiPolygon clipped = detail::clip_to_box(units, box);
    if (clipped.empty()) return out;
    geo::MultiPolygon q;
    const auto [repaired, invalid] = detail::quantise_or_repair(clipped, {&clipped}, q);
    out.repaired = repaired;
    out.invalid = invalid;
    if (q.empty()) {
        const geo::Box e = outer_envelope(clipped);
        const double cx = std::floor((e.min_corner().x() + e.max_corner().x()) / 2);
        const double cy = std::floor((e.min_corner().y() + e.max_corner().y()) / 2);
        if (cx < 0 || cy < 0 || cx >= static_cast<double>(ext) || cy >= static_cast<double>(ext)) return out;
        q = unit_square(cx, cy, 1);
        out.placeholder = true;
    }
    out.area_units = bg::area(q);
    out.rings = detail::to_paths(q, pz.extent);
    return out;
}

} // namespace coldspot::tiles
