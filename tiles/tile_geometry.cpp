#include "coldspot/tiles/detail/tile_geometry.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/geos.hpp"

#include <algorithm>
#include <cmath>

namespace coldspot::tiles {

namespace bg = boost::geometry;
using geo::Point;

TileFrame::TileFrame(const TileId& t, std::uint32_t ext, std::uint32_t buf) : tile(t), extent(ext), buffer(buf) {
    const geo::Box b = bounds_3857(t);
    minx = b.min_corner().x();
    miny = b.min_corner().y();
    const double size = b.max_corner().x() - minx;
    scale = ext / size;
    const double m = buf / scale;
    clip_box = geo::Box{Point{minx - m, miny - m}, Point{b.max_corner().x() + m, b.max_corner().y() + m}};
}

namespace detail {

namespace {
double segment_distance2(const Point& p, const Point& a, const Point& b) {
    const double dx = b.x() - a.x(), dy = b.y() - a.y();
    const double len2 = dx * dx + dy * dy;
    double t = len2 > 0 ? ((p.x() - a.x()) * dx + (p.y() - a.y()) * dy) / len2 : 0;
    t = std::clamp(t, 0.0, 1.0);
    const double ex = a.x() + t * dx - p.x(), ey = a.y() + t * dy - p.y();
    return ex * ex + ey * ey;
}
} // namespace

std::vector<Point> simplify_path(const std::vector<Point>& path, double tolerance, bool closed) {
    if (tolerance <= 0 || path.size() <= (closed ? 4u : 2u)) return path;
    const double tol2 = tolerance * tolerance;
    std::vector<char> keep(path.size(), 0);
    keep.front() = keep.back() = 1;
    std::vector<std::pair<std::size_t, std::size_t>> stack{{0, path.size() - 1}};
    if (closed) {
        // A closed ring's end points coincide, so split first at the vertex farthest from them.
        std::size_t far = 0;
        double best = -1;
        for (std::size_t i = 1; i + 1 < path.size(); ++i) {
            const double d = bg::comparable_distance(path[i], path[0]);
            if (d > best) best = d, far = i;
        }
        keep[far] = 1;
        stack = {{0, far}, {far, path.size() - 1}};
    }
    while (!stack.empty()) {
        const auto [first, last] = stack.back();
        stack.pop_back();
        double best = -1;
        std::size_t idx = 0;
        for (std::size_t i = first + 1; i < last; ++i) {
            const double d = segment_distance2(path[i], path[first], path[last]);
            if (d > best) best = d, idx = i;
        }
        if (best > tol2) {
            keep[idx] = 1;
            stack.emplace_back(first, idx);
            stack.emplace_back(idx, last);
        }
    }
    std::vector<Point> out;
    for (std::size_t i = 0; i < path.size(); ++i)
        if (keep[i]) out.push_back(path[i]);
    if (closed && out.size() < 4) return path;
    return out;
}

} // namespace detail

namespace {

/// Rounds a ring to the grid and drops repeated vertices; the result is closed.
geo::Ring round_ring(const geo::Ring& r) {
    geo::Ring out;
    out.reserve(r.size());
    for (const auto& p : r) {
        const Point q{std::round(p.x()), std::round(p.y())};
        if (out.empty() || !bg::equals(out.back(), q)) out.push_back(q);
    }
    if (out.size() > 1 && bg::equals(out.front(), out.back())) out.pop_back();
    // Remove spikes (a -> b -> a) that rounding creates; they make rings invalid.
    bool changed = true;
    while (changed && out.size() >= 3) {
        changed = false;
        for (std::size_t i = 0; i < out.size() && out.size() >= 3; ++i) {
            const auto& a = out[(i + out.size() - 1) % out.size()];
            const auto& c = out[(i + 1) % out.size()];
            if (bg::equals(a, c)) {
                // drop b and one copy of a
                const std::size_t ib = i, ic = (i + 1) % out.size();
                std::vector<std::size_t> rm{ib, ic};
                std::sort(rm.rbegin(), rm.rend());
                for (auto k : rm) out.erase(out.begin() + static_cast<std::ptrdiff_t>(k));
                changed = true;
                break;
            }
        }
    }
    if (out.size() >= 3) out.push_back(out.front());
    return out;
}

/// Degeneracies Boost's is_valid lets through but GEOS and renderers do not: a vertex repeated
/// within a ring (the ring touches itself) and a spike that doubles back along its own edge.
bool has_degenerate_ring(const geo::MultiPolygon& mp) {
    std::vector<std::pair<double, double>> pts;
    const auto bad = [&](const geo::Ring& r) {
        const std::size_t n = r.size() - 1; // closed
        pts.clear();
        for (std::size_t i = 0; i < n; ++i) pts.emplace_back(r[i].x(), r[i].y());
        std::sort(pts.begin(), pts.end());
        if (std::adjacent_find(pts.begin(), pts.end()) != pts.end()) return true;
        for (std::size_t i = 0; i < n; ++i) {
            const Point& a = r[(i + n - 1) % n];
            const Point& b = r[i];
            const Point& c = r[(i + 1) % n];
            const double ux = b.x() - a.x(), uy = b.y() - a.y(), vx = c.x() - b.x(), vy = c.y() - b.y();
            if (ux * vy - uy * vx == 0 && ux * vx + uy * vy < 0) return true;
        }
        return false;
    };
    for (const auto& poly : mp) {
        if (bad(poly.outer())) return true;
        for (const auto& h : poly.inners())
            if (bad(h)) return true;
    }
    return false;
}

} // namespace

namespace detail {

bool quantise(geo::MultiPolygon& mp) {
    geo::MultiPolygon out;
    for (const auto& poly : mp) {
        geo::Polygon q;
        q.outer() = round_ring(poly.outer());
        if (q.outer().size() < 4 || bg::area(q.outer()) == 0) continue;
        for (const auto& hole : poly.inners()) {
            geo::Ring h = round_ring(hole);
            if (h.size() >= 4 && bg::area(h) != 0) q.inners().push_back(std::move(h));
        }
        out.push_back(std::move(q));
    }
    bg::correct(out);
    mp = std::move(out);
    return mp.empty() || (!has_degenerate_ring(mp) && bg::is_valid(mp));
}

bool snap_quantise(const geo::MultiPolygon& in, geo::MultiPolygon& out) {
    try {
        out = geo::snap_to_grid(in, 1.0);
    } catch (const GeometryError&) {
        return false; // GEOS rejects some invalid inputs; the caller falls back
    }
    return quantise(out);
}

std::pair<bool, bool> quantise_or_repair(const geo::MultiPolygon& in, const std::vector<const geo::MultiPolygon*>& fallbacks,
                                         geo::MultiPolygon& out) {
    out = in;
    if (quantise(out)) return {false, false};
    // Rounding made rings cross, touch or spike: snap-round with GEOS instead.
    for (const auto* f : fallbacks)
        if (snap_quantise(*f, out)) return {true, false};
    const geo::MultiPolygon& last = fallbacks.empty() ? in : *fallbacks.back();
    if (snap_quantise(geo::make_valid(last), out)) return {true, false};
    return {true, true};
}

} // namespace detail

namespace {

geo::MultiPolygon to_units(const geo::MultiPolygon& g, const TileFrame& f) {
    return detail::map_polygons(g, [&](const Point& p) { return Point{f.u(p.x()), f.v(p.y())}; });
}

} // namespace

namespace detail {

geo::MultiPolygon clip_to_box(const geo::MultiPolygon& g, const geo::Box& box) {
    geo::MultiPolygon out;
    try {
        bg::intersection(g, box, out);
    } catch (const bg::exception&) {
        // Boost refuses some invalid inputs; GEOS copes with them.
        geo::MultiPolygon boxpoly;
        boxpoly.emplace_back();
        bg::convert(box, boxpoly[0]);
        out = geo::intersection(geo::make_valid(g), boxpoly);
    }
    return out;
}

geo::MultiPolygon simplify_polygons(const geo::MultiPolygon& g, double tol) {
    if (tol <= 0) return g;
    geo::MultiPolygon out;
    out.reserve(g.size());
    const auto simp = [&](const geo::Ring& r) {
        std::vector<Point> path(r.begin(), r.end());
        auto s = detail::simplify_path(path, tol, true);
        return geo::Ring(s.begin(), s.end());
    };
    for (const auto& poly : g) {
        geo::Polygon p;
        p.outer() = simp(poly.outer());
        for (const auto& h : poly.inners()) p.inners().push_back(simp(h));
        out.push_back(std::move(p));
    }
    return out;
}

std::vector<TilePath> to_paths(const geo::MultiPolygon& mp, std::uint32_t extent) {
    std::vector<TilePath> rings;
    const auto emit = [&](const geo::Ring& r) {
        TilePath path;
        path.reserve(r.size());
        for (std::size_t i = 0; i + 1 < r.size(); ++i)
            path.push_back(TilePoint{static_cast<std::int32_t>(r[i].x()),
                                     static_cast<std::int32_t>(static_cast<double>(extent) - r[i].y())});
        rings.push_back(std::move(path));
    };
    for (const auto& poly : mp) {
        emit(poly.outer());
        for (const auto& h : poly.inners()) emit(h);
    }
    return rings;
}

} // namespace detail

using namespace detail;

PolygonOutcome polygon_to_tile(const geo::MultiPolygon& g3857, const geo::Box& env, const TileFrame& f, double tol) {
    PolygonOutcome out;
    const double lo = -static_cast<double>(f.buffer), hi = static_cast<double>(f.extent + f.buffer);
    const geo::Box box{Point{lo, lo}, Point{hi, hi}};
    // Smaller than one unit both ways: straight to the placeholder square, skipping the geometry
    // work (most LSOAs at z6-z8 are this).
    const double eu0 = f.u(env.min_corner().x()), eu1 = f.u(env.max_corner().x());
    const double ev0 = f.v(env.min_corner().y()), ev1 = f.v(env.max_corner().y());
    if (eu1 - eu0 < 1 && ev1 - ev0 < 1) {
        const double cx = std::floor((eu0 + eu1) / 2), cy = std::floor((ev0 + ev1) / 2);
        // Written so that a NaN centre (a NaN coordinate in the input) is outside too (found by libFuzzer).
        if (!(cx >= 0 && cy >= 0 && cx < f.extent && cy < f.extent)) return out;
        geo::Polygon sq;
        sq.outer() = {Point{cx, cy}, Point{cx, cy + 1}, Point{cx + 1, cy + 1}, Point{cx + 1, cy}, Point{cx, cy}};
        out.placeholder = true;
        out.area_units = 1;
        out.rings = to_paths(geo::MultiPolygon{sq}, f.extent);
        return out;
    }
    geo::MultiPolygon units = to_units(g3857, f);
    if (!bg::within(env, f.clip_box)) units = clip_to_box(units, box);
    if (units.empty()) return out;

    const geo::MultiPolygon simplified = simplify_polygons(units, tol);
    geo::MultiPolygon q = simplified;
    if (!quantise(q)) {
        // Rounding made rings cross, touch or spike: snap-round with GEOS instead, from the
        // simplified shape, else from the clipped one, else from a MakeValid repair of it.
        out.repaired = true;
        out.invalid = !(snap_quantise(simplified, q) || snap_quantise(units, q) || snap_quantise(geo::make_valid(units), q));
    }
    if (q.empty()) {
        // Smaller than a tile unit: keep the feature as a one-unit square where its centre falls,
        // so it stays visible and clickable; the neighbour tile owns it when the centre is outside.
        double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
        for (const auto& poly : units)
            for (const auto& p : poly.outer()) {
                x0 = std::min(x0, p.x()), y0 = std::min(y0, p.y());
                x1 = std::max(x1, p.x()), y1 = std::max(y1, p.y());
            }
        const double cx = std::floor((x0 + x1) / 2);
        const double cy = std::floor((y0 + y1) / 2);
        // Written so that a NaN centre (a NaN coordinate in the input) is outside too (found by libFuzzer).
        if (!(cx >= 0 && cy >= 0 && cx < f.extent && cy < f.extent)) return out;
        geo::Polygon sq;
        sq.outer() = {Point{cx, cy}, Point{cx, cy + 1}, Point{cx + 1, cy + 1}, Point{cx + 1, cy}, Point{cx, cy}};
        q = {sq};
        out.placeholder = true;
    }
    out.area_units = bg::area(q);
    out.rings = to_paths(q, f.extent);
    return out;
}

std::vector<TilePath> lines_to_tile(const geo::MultiLineString& g, const TileFrame& f, double tol) {
    const double lo = -static_cast<double>(f.buffer), hi = static_cast<double>(f.extent + f.buffer);
    const geo::Box box{Point{lo, lo}, Point{hi, hi}};
    std::vector<TilePath> out;
    for (const auto& line : g) {
        geo::LineString u;
        u.reserve(line.size());
        for (const auto& p : line) u.emplace_back(f.u(p.x()), f.v(p.y()));
        geo::MultiLineString clipped;
        bg::intersection(u, box, clipped);
        for (const auto& part : clipped) {
            std::vector<Point> path(part.begin(), part.end());
            path = detail::simplify_path(path, tol, false);
            TilePath tp;
            for (const auto& p : path) {
                const TilePoint t{static_cast<std::int32_t>(std::round(p.x())),
                                  static_cast<std::int32_t>(f.extent - std::round(p.y()))};
                if (tp.empty() || !(tp.back() == t)) tp.push_back(t);
            }
            if (tp.size() >= 2) out.push_back(std::move(tp));
        }
    }
    return out;
}

std::optional<TilePoint> point_to_tile(const geo::Point& p, const TileFrame& f) {
    const double u = std::floor(f.u(p.x())), v = std::floor(f.v(p.y()));
    const double lo = -static_cast<double>(f.buffer), hi = static_cast<double>(f.extent + f.buffer);
    if (u < lo || u >= hi || v < lo || v >= hi) return std::nullopt;
    // floor keeps a point in the tile tile_containing() puts it in: u in [0, extent) there.
    // In y-down units the point's cell row is extent - 1 - v.
    return TilePoint{static_cast<std::int32_t>(u), static_cast<std::int32_t>(f.extent - 1 - v)};
}

} // namespace coldspot::tiles
