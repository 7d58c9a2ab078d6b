#include "coldspot/geo/crs.hpp"

#include "coldspot/geo/error.hpp"

#include <proj.h>

#include <algorithm>
#include <cmath>

namespace coldspot::geo {

namespace {

struct ContextDeleter {
    void operator()(PJ_CONTEXT* c) const noexcept { proj_context_destroy(c); }
};
struct PjDeleter {
    void operator()(PJ* p) const noexcept { proj_destroy(p); }
};
using ContextHandle = std::unique_ptr<PJ_CONTEXT, ContextDeleter>;
using PjHandle = std::unique_ptr<PJ, PjDeleter>;

ContextHandle make_context() {
    ContextHandle ctx(proj_context_create());
    if (!ctx) throw CrsError("PROJ: cannot create a context");
    // Never reach for the network (CI has none); grids come from proj-data when installed.
    proj_context_set_enable_network(ctx.get(), 0);
    // PROJ prints its own diagnostics to stderr by default; we turn them into exceptions.
    proj_log_level(ctx.get(), PJ_LOG_NONE);
    return ctx;
}

std::string last_error(PJ_CONTEXT* ctx) {
    const int err = proj_context_errno(ctx);
    return err ? proj_context_errno_string(ctx, err) : "unknown error";
}

} // namespace

std::string epsg_code(Epsg epsg) { return "EPSG:" + std::to_string(epsg.value()); }

struct CrsTransform::Impl {
    ContextHandle ctx;
    PjHandle pj;
    bool identity = false;
};

CrsTransform::CrsTransform(const std::string& from, const std::string& to) : impl_(std::make_unique<Impl>()) {
    impl_->ctx = make_context();
    PjHandle src(proj_create(impl_->ctx.get(), from.c_str()));
    if (!src) throw CrsError("unknown CRS '" + from + "': " + last_error(impl_->ctx.get()));
    PjHandle dst(proj_create(impl_->ctx.get(), to.c_str()));
    if (!dst) throw CrsError("unknown CRS '" + to + "': " + last_error(impl_->ctx.get()));
    impl_->identity = proj_is_equivalent_to(src.get(), dst.get(), PJ_COMP_EQUIVALENT) != 0;
    PjHandle raw(proj_create_crs_to_crs_from_pj(impl_->ctx.get(), src.get(), dst.get(), nullptr, nullptr));
    if (!raw) throw CrsError("no transformation from '" + from + "' to '" + to + "': " + last_error(impl_->ctx.get()));
    impl_->pj.reset(proj_normalize_for_visualization(impl_->ctx.get(), raw.get()));
    if (!impl_->pj) throw CrsError("cannot normalise axis order for '" + from + "' -> '" + to + "'");
}

CrsTransform::CrsTransform(Epsg from, Epsg to) : CrsTransform(epsg_code(from), epsg_code(to)) {}
CrsTransform::~CrsTransform() = default;
CrsTransform::CrsTransform(CrsTransform&&) noexcept = default;
CrsTransform& CrsTransform::operator=(CrsTransform&&) noexcept = default;


Point CrsTransform::operator()(const Point& p) const {
    if (impl_->identity) return p;
    PJ_COORD c = proj_coord(p.x(), p.y(), 0, 0);
    PJ_COORD r = proj_trans(impl_->pj.get(), PJ_FWD, c);
    if (!std::isfinite(r.xy.x) || !std::isfinite(r.xy.y) || r.xy.x == HUGE_VAL)
        throw CrsError("cannot transform point (" + std::to_string(p.x()) + ", " + std::to_string(p.y()) + ")");
    return Point{r.xy.x, r.xy.y};
}

namespace {
static_assert(sizeof(Point) == 2 * sizeof(double), "Point must be two packed doubles for proj_trans_generic");
} // namespace

// Whole coordinate arrays go through proj_trans_generic in one call: several times faster than
// a call per point on national boundary files.
template <typename Range>
void CrsTransform::transform_range(Range& pts) const {
    if (pts.empty()) return;
    auto* xy = reinterpret_cast<double*>(&*pts.begin());
    const std::size_t n = pts.size();
    const std::size_t moved = proj_trans_generic(impl_->pj.get(), PJ_FWD, xy, sizeof(Point), n, xy + 1, sizeof(Point), n,
                                                  nullptr, 0, 0, nullptr, 0, 0);
    if (moved != n) throw CrsError("coordinate transformation failed for part of a geometry");
    for (const auto& p : pts)
        if (!std::isfinite(p.x()) || !std::isfinite(p.y()) || p.x() == HUGE_VAL)
            throw CrsError("coordinate transformation failed: a point is out of the CRS's domain");
}

void CrsTransform::apply(MultiPolygon& g) const {
    if (impl_->identity) return;
    for (auto& poly : g) {
        transform_range(poly.outer());
        for (auto& inner : poly.inners()) transform_range(inner);
    }
}

void CrsTransform::apply(MultiLineString& g) const {
    if (impl_->identity) return;
    for (auto& line : g) transform_range(line);
}

void CrsTransform::apply(Geometry& g) const {
    if (impl_->identity) return;
    std::visit(
        [&](auto& geom) {
            using T = std::decay_t<decltype(geom)>;
            if constexpr (std::is_same_v<T, Point>) geom = (*this)(geom);
            else if constexpr (!std::is_same_v<T, std::monostate>) apply(geom);
        },
        g);
}

Box CrsTransform::apply(const Box& b) const {
    if (impl_->identity || is_empty(b)) return b;
    Box out = empty_box();
    constexpr int steps = 20;
    const double x0 = b.min_corner().x(), y0 = b.min_corner().y();
    const double dx = (b.max_corner().x() - x0) / steps, dy = (b.max_corner().y() - y0) / steps;
    for (int i = 0; i <= steps; ++i) {
        for (const Point& p : {Point{x0 + i * dx, y0}, Point{x0 + i * dx, y0 + steps * dy}, Point{x0, y0 + i * dy},
                               Point{x0 + steps * dx, y0 + i * dy}}) {
            const Point q = (*this)(p);
            bg::expand(out, q);
        }
    }
    return out;
}

void validate_crs(const std::string& definition) {
    ContextHandle ctx = make_context();
    PjHandle pj(proj_create(ctx.get(), definition.c_str()));
    if (!pj) throw CrsError("unknown CRS '" + definition + "': " + last_error(ctx.get()));
}

} // namespace coldspot::geo
