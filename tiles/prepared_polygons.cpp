#include "coldspot/tiles/detail/prepared_polygons.hpp"

#include "coldspot/geo/error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace coldspot::tiles {

namespace bg = boost::geometry;
using geo::Point;
using detail::GridPoint;

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

/// A prepared ring moved into the tile's frame (x k, minus the tile origin), as doubles for the
/// clip, with what both clips need to know of it.
struct TranslatedRing {
    bool any_in = false, any_out = false; ///< points inside / outside the box [lo, hi]^2
    std::int64_t twice_area = 0;          ///< surveyor's sum, exact: exteriors negative (y up)
};
TranslatedRing translate_ring(const PreparedZoom& pz, const PreparedRing& pr, std::int64_t k, std::int64_t ox, std::int64_t oy,
                              std::int64_t lo, std::int64_t hi, std::vector<Point>& a) {
    TranslatedRing t;
    a.clear();
    std::int64_t px = 0, py = 0, fx = 0, fy = 0;
    for (std::uint32_t p = pr.first_point; p < pr.first_point + pr.size; ++p) {
        const TilePoint& w = pz.points[p];
        const std::int64_t x = w.x * k - ox, y = w.y * k - oy;
        const bool in = x >= lo && x <= hi && y >= lo && y <= hi;
        t.any_out |= !in;
        t.any_in |= in;
        if (p == pr.first_point) fx = x, fy = y;
        else t.twice_area += px * y - x * py;
        px = x, py = y;
        a.emplace_back(static_cast<double>(x), static_cast<double>(y));
    }
    t.twice_area += px * fy - fx * py;
    return t;
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
        const auto [any_in, any_out, twice_area] = translate_ring(pz, pz.rings[r], k, ox, oy, lo, hi, a);
        // Exteriors are clockwise in Boost's y-up frame (negative surveyor's sum), holes not.
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

/// Twice the signed area (surveyor's sum) of a ring of integer points; exact.
std::int64_t twice_area(const std::vector<GridPoint>& q) {
    std::int64_t sum = 0;
    for (std::size_t i = 0, n = q.size(); i < n; ++i) {
        const GridPoint& p = q[i];
        const GridPoint& r = q[i + 1 == n ? 0 : i + 1];
        sum += p.x * r.y - r.x * p.y;
    }
    return sum;
}

std::int64_t orient(const GridPoint& a, const GridPoint& b, const GridPoint& c) {
    return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}
/// c on the closed segment ab, given that the three are collinear.
bool within_span(const GridPoint& a, const GridPoint& b, const GridPoint& c) {
    return std::min(a.x, b.x) <= c.x && c.x <= std::max(a.x, b.x) && std::min(a.y, b.y) <= c.y && c.y <= std::max(a.y, b.y);
}

} // namespace

namespace detail {

bool segments_meet(const GridPoint& a, const GridPoint& b, const GridPoint& c, const GridPoint& d) {
    if (std::max(a.x, b.x) < std::min(c.x, d.x) || std::max(c.x, d.x) < std::min(a.x, b.x) ||
        std::max(a.y, b.y) < std::min(c.y, d.y) || std::max(c.y, d.y) < std::min(a.y, b.y))
        return false;
    const std::int64_t d1 = orient(c, d, a), d2 = orient(c, d, b), d3 = orient(a, b, c), d4 = orient(a, b, d);
    if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
    return (d1 == 0 && within_span(c, d, a)) || (d2 == 0 && within_span(c, d, b)) || (d3 == 0 && within_span(a, b, c)) ||
           (d4 == 0 && within_span(a, b, d));
}

bool clipped_ring_is_simple(const std::vector<GridPoint>& q, std::int64_t lo, std::int64_t hi) {
    const std::size_t n = q.size();
    if (n < 3) return false;
    // Folds: an edge turning straight back along the previous one (a spike, or the bridge
    // Sutherland-Hodgman lays along the box edge between two parts of the inside).
    for (std::size_t i = 0; i < n; ++i) {
        const GridPoint& a = q[i == 0 ? n - 1 : i - 1];
        const GridPoint& b = q[i];
        const GridPoint& c = q[i + 1 == n ? 0 : i + 1];
        const std::int64_t ux = b.x - a.x, uy = b.y - a.y, vx = c.x - b.x, vy = c.y - b.y;
        if (ux * vy - uy * vx == 0 && ux * vx + uy * vy <= 0) return false;
    }
    // Every vertex the clip made (crossing points and corners, rounded) lies on a box line, so an
    // edge with neither end there joins two vertices of the prepared ring that were consecutive
    // in it, and two such edges cannot meet: the prepared ring is simple. Only edges touching a
    // box line can meet another edge.
    const auto on_line = [&](const GridPoint& p) { return p.x == lo || p.x == hi || p.y == lo || p.y == hi; };
    for (std::size_t i = 0; i < n; ++i) {
        const GridPoint& a = q[i];
        const GridPoint& b = q[i + 1 == n ? 0 : i + 1];
        if (!on_line(a) && !on_line(b)) continue;
        // Every edge j except i and its two neighbours (which share a vertex with it and were
        // checked for folds above). An edge pair both on lines is tested twice; cheap enough.
        for (std::size_t j = 0; j < n; ++j) {
            if (j == i || j + 1 == i || (i == 0 && j == n - 1) || j == i + 1 || (i == n - 1 && j == 0)) continue;
            if (segments_meet(a, b, q[j], q[j + 1 == n ? 0 : j + 1])) return false;
        }
    }
    return true;
}

} // namespace detail

namespace {

enum class FastClip { Accepted, Nothing, Unsure };

/// The rectangle clip of a one-ring polygon (nearly every LSOA) with an exact integer check in
/// place of Boost's is_valid: Sutherland-Hodgman as rectangle_clip, new vertices rounded, repeats
/// dropped as quantise does; then accepted only if the ring is provably what quantise would keep
/// unchanged and valid (three or more points, the exterior orientation, no fold, no two edges
/// meeting, see clipped_ring_is_simple). Anything else is Unsure and takes rectangle_clip, so
/// the output is the same byte for byte.
FastClip clip_one_ring(const PreparedZoom& pz, const PreparedRing& pr, std::int64_t k, std::int64_t ox, std::int64_t oy,
                       std::int64_t lo, std::int64_t hi, PolygonOutcome& out, TilePaths& paths) {
    thread_local std::vector<Point> a, b;
    thread_local std::vector<GridPoint> q;
    if (pr.size == 0) return FastClip::Unsure;
    const auto [any_in, any_out, input_twice_area] = translate_ring(pz, pr, k, ox, oy, lo, hi, a);
    if (input_twice_area > 0) return FastClip::Unsure; // oriented as a hole: rectangle_clip decides
    if (any_out) {
        const auto flo = static_cast<double>(lo), fhi = static_cast<double>(hi);
        clip_side(a, b, 0, flo, -1);
        clip_side(b, a, 0, fhi, 1);
        clip_side(a, b, 1, flo, -1);
        clip_side(b, a, 1, fhi, 1);
    }
    if (a.size() < 3) return FastClip::Nothing; // the ring misses the box (rectangle_clip: nothing, no fallback)
    q.clear();
    for (const Point& p : a) {
        const GridPoint g{static_cast<std::int64_t>(std::round(p.x())), static_cast<std::int64_t>(std::round(p.y()))};
        if (q.empty() || !(q.back() == g)) q.push_back(g);
    }
    if (q.size() > 1 && q.front() == q.back()) q.pop_back();
    // Exteriors are clockwise in the y-up frame (negative surveyor's sum); zero area is collapsed.
    const std::int64_t twice = twice_area(q);
    if (q.size() < 3 || twice >= 0 || !detail::clipped_ring_is_simple(q, lo, hi)) return FastClip::Unsure;
    const std::int64_t ext = pz.extent;
    paths.paths.push_back(PathRef{static_cast<std::uint32_t>(paths.points.size()), static_cast<std::uint32_t>(q.size())});
    for (const GridPoint& g : q) paths.points.push_back(TilePoint{static_cast<std::int32_t>(g.x), static_cast<std::int32_t>(ext - g.y)});
    out.rectangle_clip = true;
    out.fast_check = true;
    out.area_units = static_cast<double>(-twice) / 2;
    return FastClip::Accepted;
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
        pf.invalid = invalid;
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

namespace {

void to_tile(const PreparedZoom& pz, std::size_t i, const TileId& tile, std::uint32_t shift, std::uint32_t buffer,
             TinyAccumulator& tiny, PolygonOutcome& out, TilePaths& paths, bool fast_check) {
    const PreparedPolygon& pf = pz.features[i];
    if (pf.kind == PreparedKind::Empty) return;
    const auto add = [&](const std::vector<TilePath>& rings) {
        for (const auto& r : rings) paths.add(r);
    };
    const std::int64_t k = std::int64_t{1} << shift;
    const std::int64_t ext = pz.extent;
    const std::int64_t ox = std::int64_t{tile.x} * ext;
    const std::int64_t oy = ((std::int64_t{1} << tile.z) - 1 - tile.y) * ext; // y up
    const std::int64_t bx0 = pf.x0 * k - ox, by0 = pf.y0 * k - oy;

    if (pf.kind == PreparedKind::Placeholder || pf.kind == PreparedKind::Tiny) {
        // Owned by the tile holding the square's corner cell, so it is written (or reduced) once per zoom.
        if (bx0 < 0 || by0 < 0 || bx0 >= ext || by0 >= ext) return;
        if (pf.kind == PreparedKind::Tiny) {
            tiny.area += pf.area;
            if (tiny.area < pz.tiny_area) {
                out.reduced = true;
                return;
            }
            tiny.area -= pz.tiny_area;
        }
        const auto side = static_cast<double>(k);
        out.placeholder = true;
        out.area_units = side * side;
        add(detail::to_paths(unit_square(static_cast<double>(bx0), static_cast<double>(by0), side), pz.extent));
        return;
    }

    const std::int64_t bx1 = pf.x1 * k - ox, by1 = pf.y1 * k - oy;
    const std::int64_t lo = -static_cast<std::int64_t>(buffer), hi = ext + buffer;
    if (bx1 < lo || by1 < lo || bx0 > hi || by0 > hi) return;
    const double kk = static_cast<double>(k);
    if (bx0 >= lo && by0 >= lo && bx1 <= hi && by1 <= hi) {
        // Trivial accept: whole-unit translation of a ring set already valid on the grid.
        for (std::uint32_t r = pf.first_ring; r < pf.first_ring + pf.ring_count; ++r) {
            const PreparedRing& pr = pz.rings[r];
            paths.paths.push_back(PathRef{static_cast<std::uint32_t>(paths.points.size()), pr.size});
            for (std::uint32_t p = pr.first_point; p < pr.first_point + pr.size; ++p) {
                const TilePoint& w = pz.points[p];
                paths.points.push_back(
                    TilePoint{static_cast<std::int32_t>(w.x * k - ox), static_cast<std::int32_t>(ext - (w.y * k - oy))});
            }
        }
        out.area_units = pf.grid_area * kk * kk;
        return;
    }

    // Crosses the buffered edge: clip in tile units, then round the new edge vertices and check.
    out.clipped = true;
    if (fast_check && pf.ring_count == 1 && !pf.invalid) {
        const FastClip fast = clip_one_ring(pz, pz.rings[pf.first_ring], k, ox, oy, lo, hi, out, paths);
        if (fast == FastClip::Accepted || fast == FastClip::Nothing) return;
    }
    if (rectangle_clip(pz, pf, k, ox, oy, lo, hi, out)) {
        add(out.rings);
        out.rings.clear();
        return;
    }
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
    if (clipped.empty()) return;
    geo::MultiPolygon q;
    const auto [repaired, invalid] = detail::quantise_or_repair(clipped, {&clipped}, q);
    out.repaired = repaired;
    out.invalid = invalid;
    if (q.empty()) {
        const geo::Box e = outer_envelope(clipped);
        const double cx = std::floor((e.min_corner().x() + e.max_corner().x()) / 2);
        const double cy = std::floor((e.min_corner().y() + e.max_corner().y()) / 2);
        if (cx < 0 || cy < 0 || cx >= static_cast<double>(ext) || cy >= static_cast<double>(ext)) return;
        q = unit_square(cx, cy, 1);
        out.placeholder = true;
    }
    out.area_units = bg::area(q);
    add(detail::to_paths(q, pz.extent));
}

PolygonOutcome collect(const PreparedZoom& pz, std::size_t i, const TileId& tile, std::uint32_t shift, std::uint32_t buffer,
                       TinyAccumulator& tiny, bool fast_check) {
    PolygonOutcome out;
    TilePaths paths;
    to_tile(pz, i, tile, shift, buffer, tiny, out, paths, fast_check);
    for (const PathRef& r : paths.paths)
        out.rings.emplace_back(paths.points.begin() + r.first, paths.points.begin() + r.first + r.size);
    return out;
}

} // namespace

void prepared_to_tile_into(const PreparedZoom& pz, std::size_t i, const TileId& tile, std::uint32_t shift,
                           std::uint32_t buffer, TinyAccumulator& tiny, PolygonOutcome& out, TilePaths& paths) {
    to_tile(pz, i, tile, shift, buffer, tiny, out, paths, true);
}

PolygonOutcome prepared_to_tile(const PreparedZoom& pz, std::size_t i, const TileId& tile, std::uint32_t shift,
                                std::uint32_t buffer, TinyAccumulator& tiny) {
    return collect(pz, i, tile, shift, buffer, tiny, true);
}

PolygonOutcome detail::prepared_to_tile_full_check(const PreparedZoom& pz, std::size_t i, const TileId& tile,
                                                   std::uint32_t shift, std::uint32_t buffer, TinyAccumulator& tiny) {
    return collect(pz, i, tile, shift, buffer, tiny, false);
}

} // namespace coldspot::tiles
