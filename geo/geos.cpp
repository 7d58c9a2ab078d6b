#include "coldspot/geo/geos.hpp"

#include "coldspot/geo/error.hpp"
#include "coldspot/geo/detail/wkb.hpp"

#include <geos_c.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace coldspot::geo {

namespace detail {

/// A GEOS context handle that collects error messages instead of printing them.
class GeosContext {
public:
    GeosContext() : h_(GEOS_init_r()) {
        if (!h_) throw GeometryError("GEOS: cannot create a context");
        GEOSContext_setErrorMessageHandler_r(h_, &GeosContext::on_error, this);
        GEOSContext_setNoticeMessageHandler_r(h_, &GeosContext::on_notice, nullptr);
    }
    ~GeosContext() { GEOS_finish_r(h_); }
    GeosContext(const GeosContext&) = delete;
    GeosContext& operator=(const GeosContext&) = delete;
    GEOSContextHandle_t get() const noexcept { return h_; }
    [[noreturn]] void fail(const char* what) const { throw GeometryError(std::string("GEOS ") + what + ": " + last_error_); }

private:
    static void on_error(const char* message, void* userdata) {
        static_cast<GeosContext*>(userdata)->last_error_ = message ? message : "";
    }
    static void on_notice(const char*, void*) {}
    GEOSContextHandle_t h_;
    std::string last_error_;
};

/// Owns one GEOSGeometry.
class GeosGeometry {
public:
    GeosGeometry(const GeosContext& ctx, GEOSGeometry* g) : ctx_(&ctx), g_(g) {}
    ~GeosGeometry() {
        if (g_) GEOSGeom_destroy_r(ctx_->get(), g_);
    }
    GeosGeometry(GeosGeometry&& o) noexcept : ctx_(o.ctx_), g_(std::exchange(o.g_, nullptr)) {}
    GeosGeometry(const GeosGeometry&) = delete;
    GeosGeometry& operator=(const GeosGeometry&) = delete;
    GEOSGeometry* get() const noexcept { return g_; }
    GEOSGeometry* release() noexcept { return std::exchange(g_, nullptr); }

private:
    const GeosContext* ctx_;
    GEOSGeometry* g_;
};

GeosGeometry to_geos(const GeosContext& ctx, const Geometry& g) {
    const auto wkb = to_wkb(g);
    GEOSWKBReader* reader = GEOSWKBReader_create_r(ctx.get());
    GEOSGeometry* out = GEOSWKBReader_read_r(ctx.get(), reader, wkb.data(), wkb.size());
    GEOSWKBReader_destroy_r(ctx.get(), reader);
    if (!out) ctx.fail("cannot read geometry");
    return GeosGeometry(ctx, out);
}

Geometry from_geos(const GeosContext& ctx, const GEOSGeometry* g) {
    GEOSWKBWriter* writer = GEOSWKBWriter_create_r(ctx.get());
    GEOSWKBWriter_setByteOrder_r(ctx.get(), writer, GEOS_WKB_NDR);
    GEOSWKBWriter_setOutputDimension_r(ctx.get(), writer, 2);
    std::size_t size = 0;
    unsigned char* buf = GEOSWKBWriter_write_r(ctx.get(), writer, g, &size);
    GEOSWKBWriter_destroy_r(ctx.get(), writer);
    if (!buf) ctx.fail("cannot write geometry");
    Geometry out;
    try {
        out = from_wkb(std::span<const std::uint8_t>(buf, size));
    } catch (...) {
        GEOSFree_r(ctx.get(), buf);
        throw;
    }
    GEOSFree_r(ctx.get(), buf);
    return out;
}

/// Keeps the polygonal parts of any GEOS result (collections from MakeValid or overlay).
MultiPolygon polygonal_part(const GeosContext& ctx, const GEOSGeometry* g) {
    MultiPolygon out;
    const int type = GEOSGeomTypeId_r(ctx.get(), g);
    if (type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON) {
        if (GEOSisEmpty_r(ctx.get(), g)) return out;
        Geometry geom = from_geos(ctx, g);
        if (auto* mp = std::get_if<MultiPolygon>(&geom)) return std::move(*mp);
        return out;
    }
    if (type == GEOS_GEOMETRYCOLLECTION) {
        const int n = GEOSGetNumGeometries_r(ctx.get(), g);
        for (int i = 0; i < n; ++i) {
            MultiPolygon part = polygonal_part(ctx, GEOSGetGeometryN_r(ctx.get(), g, i));
            for (auto& p : part) out.push_back(std::move(p));
        }
    }
    return out;
}

} // namespace detail

using detail::GeosContext;
using detail::GeosGeometry;

std::string invalid_reason(const MultiPolygon& g) {
    GeosContext ctx;
    GeosGeometry geom = detail::to_geos(ctx, g);
    const char v = GEOSisValid_r(ctx.get(), geom.get());
    if (v == 1) return {};
    char* reason = GEOSisValidReason_r(ctx.get(), geom.get());
    std::string out = reason ? reason : "invalid";
    if (reason) GEOSFree_r(ctx.get(), reason);
    return out;
}

MultiPolygon make_valid(const MultiPolygon& g) {
    GeosContext ctx;
    GeosGeometry geom = detail::to_geos(ctx, g);
    GeosGeometry fixed(ctx, GEOSMakeValid_r(ctx.get(), geom.get()));
    if (!fixed.get()) ctx.fail("MakeValid failed");
    return detail::polygonal_part(ctx, fixed.get());
}

MultiPolygon snap_to_grid(const MultiPolygon& g, double grid_size) {
    GeosContext ctx;
    GeosGeometry geom = detail::to_geos(ctx, g);
    // Flags 0: GEOS snap-rounds with OverlayNG, so the result is valid and collapsed parts vanish.
    GeosGeometry snapped(ctx, GEOSGeom_setPrecision_r(ctx.get(), geom.get(), grid_size, 0));
    if (!snapped.get()) ctx.fail("setPrecision failed");
    return detail::polygonal_part(ctx, snapped.get());
}

MultiPolygon union_all(const std::vector<MultiPolygon>& parts) {
    if (parts.empty()) return {};
    GeosContext ctx;
    std::vector<GEOSGeometry*> geoms;
    geoms.reserve(parts.size());
    try {
        for (const auto& p : parts) geoms.push_back(detail::to_geos(ctx, p).release());
    } catch (...) {
        for (auto* g : geoms) GEOSGeom_destroy_r(ctx.get(), g);
        throw;
    }
    // The collection takes ownership of its members.
    GeosGeometry coll(ctx, GEOSGeom_createCollection_r(ctx.get(), GEOS_GEOMETRYCOLLECTION, geoms.data(),
                                                       static_cast<unsigned>(geoms.size())));
    if (!coll.get()) ctx.fail("cannot build a collection");
    GeosGeometry result(ctx, GEOSUnaryUnion_r(ctx.get(), coll.get()));
    if (!result.get()) ctx.fail("union failed");
    return detail::polygonal_part(ctx, result.get());
}

namespace {
template <typename Op>
MultiPolygon binary_op(const MultiPolygon& a, const MultiPolygon& b, Op op, const char* name) {
    GeosContext ctx;
    GeosGeometry ga = detail::to_geos(ctx, a), gb = detail::to_geos(ctx, b);
    GeosGeometry result(ctx, op(ctx.get(), ga.get(), gb.get()));
    if (!result.get()) ctx.fail(name);
    return detail::polygonal_part(ctx, result.get());
}
} // namespace

MultiPolygon intersection(const MultiPolygon& a, const MultiPolygon& b) {
    if (a.empty() || b.empty()) return {};
    return binary_op(a, b, GEOSIntersection_r, "intersection failed");
}

Point interior_point(const MultiPolygon& g) {
    GeosContext ctx;
    GeosGeometry geom = detail::to_geos(ctx, g);
    GeosGeometry p(ctx, GEOSPointOnSurface_r(ctx.get(), geom.get()));
    double x = 0, y = 0;
    if (!p.get() || !GEOSGeomGetX_r(ctx.get(), p.get(), &x) || !GEOSGeomGetY_r(ctx.get(), p.get(), &y)) ctx.fail("PointOnSurface failed");
    return Point{x, y};
}

Point label_point(const MultiPolygon& g, double tolerance) {
    if (g.empty()) throw GeometryError("label_point: an empty polygon has no label point");
    // The largest part holds the label: an island or an exclave is not where a reader looks for a name.
    const auto largest = std::max_element(g.begin(), g.end(), [](const Polygon& a, const Polygon& b) {
        return std::abs(boost::geometry::area(a)) < std::abs(boost::geometry::area(b));
    });
    GeosContext ctx;
    GeosGeometry geom = detail::to_geos(ctx, MultiPolygon{*largest});
    GeosGeometry circle(ctx, GEOSMaximumInscribedCircle_r(ctx.get(), geom.get(), tolerance));
    // The result is a line from the circle's centre to the nearest boundary point.
    const GEOSCoordSequence* seq = circle.get() ? GEOSGeom_getCoordSeq_r(ctx.get(), circle.get()) : nullptr;
    double x = 0, y = 0;
    if (!seq || !GEOSCoordSeq_getXY_r(ctx.get(), seq, 0, &x, &y)) ctx.fail("MaximumInscribedCircle failed");
    return Point{x, y};
}

MultiPolygon difference(const MultiPolygon& a, const MultiPolygon& b) {
    if (a.empty()) return {};
    if (b.empty()) return a;
    return binary_op(a, b, GEOSDifference_r, "difference failed");
}

struct PreparedPolygon::Impl {
    GeosContext ctx;
    GEOSGeometry* geom = nullptr;
    const GEOSPreparedGeometry* prepared = nullptr;
    ~Impl() {
        if (prepared) GEOSPreparedGeom_destroy_r(ctx.get(), prepared);
        if (geom) GEOSGeom_destroy_r(ctx.get(), geom);
    }
    GeosGeometry point(const Point& p) const {
        GEOSGeometry* g = GEOSGeom_createPointFromXY_r(ctx.get(), p.x(), p.y());
        if (!g) ctx.fail("cannot create point");
        return GeosGeometry(ctx, g);
    }
};

PreparedPolygon::PreparedPolygon(const MultiPolygon& g) : impl_(std::make_unique<Impl>()) {
    impl_->geom = detail::to_geos(impl_->ctx, g).release();
    impl_->prepared = GEOSPrepare_r(impl_->ctx.get(), impl_->geom);
    if (!impl_->prepared) impl_->ctx.fail("cannot prepare geometry");
}
PreparedPolygon::~PreparedPolygon() = default;
PreparedPolygon::PreparedPolygon(PreparedPolygon&&) noexcept = default;
PreparedPolygon& PreparedPolygon::operator=(PreparedPolygon&&) noexcept = default;

bool PreparedPolygon::covers(const Point& p) const {
    GeosGeometry pt = impl_->point(p);
    const char r = GEOSPreparedCovers_r(impl_->ctx.get(), impl_->prepared, pt.get());
    if (r == 2) impl_->ctx.fail("covers failed");
    return r == 1;
}

bool PreparedPolygon::contains(const Point& p) const {
    GeosGeometry pt = impl_->point(p);
    const char r = GEOSPreparedContains_r(impl_->ctx.get(), impl_->prepared, pt.get());
    if (r == 2) impl_->ctx.fail("contains failed");
    return r == 1;
}

double PreparedPolygon::distance(const Point& p) const {
    GeosGeometry pt = impl_->point(p);
    double d = 0;
    if (!GEOSPreparedDistance_r(impl_->ctx.get(), impl_->prepared, pt.get(), &d)) impl_->ctx.fail("distance failed");
    return d;
}

} // namespace coldspot::geo
