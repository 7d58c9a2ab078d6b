#include "coldspot/geo/detail/wkb.hpp"

#include "coldspot/geo/error.hpp"

#include <bit>
#include <cmath>
#include <cstring>

namespace coldspot::geo {

namespace {

enum : std::uint32_t { kPoint = 1, kLineString = 2, kPolygon = 3, kMultiPoint = 4, kMultiLineString = 5, kMultiPolygon = 6 };

class Writer {
public:
    void byte_order() { out_.push_back(1); }
    void u32(std::uint32_t v) { put(&v, sizeof v); }
    void f64(double v) { put(&v, sizeof v); }
    void point(const Point& p) { f64(p.x()); f64(p.y()); }
    template <typename Range>
    void points(const Range& r) {
        u32(static_cast<std::uint32_t>(r.size()));
        for (const auto& p : r) point(p);
    }
    void polygon(const Polygon& poly) {
        byte_order();
        u32(kPolygon);
        u32(static_cast<std::uint32_t>(1 + poly.inners().size()));
        points(poly.outer());
        for (const auto& inner : poly.inners()) points(inner);
    }
    std::vector<std::uint8_t> take() { return std::move(out_); }

private:
    void put(const void* p, std::size_t n) {
        static_assert(std::endian::native == std::endian::little, "WKB writer assumes a little-endian host");
        const auto* b = static_cast<const std::uint8_t*>(p);
        out_.insert(out_.end(), b, b + n);
    }
    std::vector<std::uint8_t> out_;
};

class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> in) : in_(in) {}

    Geometry geometry() {
        const auto header = read_header();
        switch (header.type) {
        case kPoint: return point_body(header);
        case kLineString: {
            MultiLineString m;
            m.push_back(line_body(header));
            return m;
        }
        case kMultiLineString: {
            MultiLineString m;
            const std::uint32_t n = count(header);
            for (std::uint32_t i = 0; i < n; ++i) {
                const auto h = read_header();
                if (h.type != kLineString) throw GeometryError("WKB: MultiLineString member is not a LineString");
                m.push_back(line_body(h));
            }
            return m;
        }
        case kPolygon: {
            MultiPolygon m;
            m.push_back(polygon_body(header));
            return m;
        }
        case kMultiPolygon: {
            MultiPolygon m;
            const std::uint32_t n = count(header);
            for (std::uint32_t i = 0; i < n; ++i) {
                const auto h = read_header();
                if (h.type != kPolygon) throw GeometryError("WKB: MultiPolygon member is not a Polygon");
                m.push_back(polygon_body(h));
            }
            return m;
        }
        default: throw GeometryError("WKB: unsupported geometry type " + std::to_string(header.type));
        }
    }

private:
    struct Header {
        bool swap = false;
        std::uint32_t type = 0;
        int dims = 2;
    };

    Header read_header() {
        Header h;
        const std::uint8_t order = byte();
        if (order > 1) throw GeometryError("WKB: bad byte order marker");
        h.swap = (order == 1) != (std::endian::native == std::endian::little);
        std::uint32_t raw = u32(h.swap);
        // EWKB flags (PostGIS) and ISO Z/M codes (1000s) are both accepted; only x/y are kept.
        const bool ewkb_z = raw & 0x80000000u, ewkb_m = raw & 0x40000000u, ewkb_srid = raw & 0x20000000u;
        raw &= 0x0fffffffu;
        if (ewkb_srid) (void)u32(h.swap);
        h.dims = 2 + (ewkb_z ? 1 : 0) + (ewkb_m ? 1 : 0);
        const std::uint32_t iso = raw / 1000;
        h.type = raw % 1000;
        if (iso == 1 || iso == 2) h.dims = 3;
        else if (iso == 3) h.dims = 4;
        return h;
    }

    std::uint32_t count(const Header& h) {
        const std::uint32_t n = u32(h.swap);
        // Each element needs at least a few bytes: reject counts the buffer cannot hold.
        if (n > remaining()) throw GeometryError("WKB: element count exceeds the data");
        return n;
    }

    Point read_point(const Header& h) {
        const double x = f64(h.swap), y = f64(h.swap);
        for (int i = 2; i < h.dims; ++i) (void)f64(h.swap);
        return Point{x, y};
    }

    Geometry point_body(const Header& h) {
        Point p = read_point(h);
        if (std::isnan(p.x()) && std::isnan(p.y())) return std::monostate{}; // empty point
        return p;
    }

    LineString line_body(const Header& h) {
        LineString line;
        const std::uint32_t n = count(h);
        line.reserve(n);
        for (std::uint32_t i = 0; i < n; ++i) line.push_back(read_point(h));
        return line;
    }

    template <typename RingT>
    void ring(const Header& h, RingT& r) {
        const std::uint32_t n = count(h);
        r.reserve(n);
        for (std::uint32_t i = 0; i < n; ++i) r.push_back(read_point(h));
    }

    Polygon polygon_body(const Header& h) {
        Polygon poly;
        const std::uint32_t rings = count(h);
        for (std::uint32_t i = 0; i < rings; ++i) {
            if (i == 0) ring(h, poly.outer());
            else {
                poly.inners().emplace_back();
                ring(h, poly.inners().back());
            }
        }
        // WKB carries no winding rule; Boost wants clockwise outers and counter-clockwise holes.
        bg::correct(poly);
        return poly;
    }

    std::size_t remaining() const { return in_.size() - pos_; }
    std::uint8_t byte() {
        need(1);
        return in_[pos_++];
    }
    void need(std::size_t n) const {
        if (remaining() < n) throw GeometryError("WKB: truncated geometry");
    }
    std::uint32_t u32(bool swap) {
        need(4);
        std::uint32_t v;
        std::memcpy(&v, in_.data() + pos_, 4);
        pos_ += 4;
        return swap ? __builtin_bswap32(v) : v;
    }
    double f64(bool swap) {
        need(8);
        std::uint64_t v;
        std::memcpy(&v, in_.data() + pos_, 8);
        pos_ += 8;
        if (swap) v = __builtin_bswap64(v);
        return std::bit_cast<double>(v);
    }

    std::span<const std::uint8_t> in_;
    std::size_t pos_ = 0;
};

} // namespace

std::vector<std::uint8_t> to_wkb(const Geometry& g) {
    Writer w;
    std::visit(
        [&](const auto& geom) {
            using T = std::decay_t<decltype(geom)>;
            if constexpr (std::is_same_v<T, Point>) {
                w.byte_order();
                w.u32(kPoint);
                w.point(geom);
            } else if constexpr (std::is_same_v<T, MultiLineString>) {
                w.byte_order();
                w.u32(kMultiLineString);
                w.u32(static_cast<std::uint32_t>(geom.size()));
                for (const auto& line : geom) {
                    w.byte_order();
                    w.u32(kLineString);
                    w.points(line);
                }
            } else if constexpr (std::is_same_v<T, MultiPolygon>) {
                w.byte_order();
                w.u32(kMultiPolygon);
                w.u32(static_cast<std::uint32_t>(geom.size()));
                for (const auto& poly : geom) w.polygon(poly);
            } else {
                throw GeometryError("WKB: cannot encode an empty geometry");
            }
        },
        g);
    return w.take();
}

Geometry from_wkb(std::span<const std::uint8_t> wkb) {
    Reader r(wkb);
    return r.geometry();
}

} // namespace coldspot::geo
