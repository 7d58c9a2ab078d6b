#include "coldspot/geo/demo/detail/perturbed_lattice.hpp"

#include "coldspot/geo/error.hpp"

#include <string>

namespace coldspot::geo::demo {

PerturbedLattice::PerturbedLattice(Point origin, double cell_m, int cells_x, int cells_y, double jitter,
                                   detail::DemoRandom& random)
    : origin_(origin), cell_m_(cell_m), cells_x_(cells_x), cells_y_(cells_y) {
    if (cells_x < 1 || cells_y < 1 || !(cell_m > 0))
        throw InvalidArgumentError("perturbed lattice needs at least one cell of positive size");
    if (!(jitter >= 0.0 && jitter <= 0.3))
        throw InvalidArgumentError("perturbed lattice jitter must be in [0, 0.3], got " + std::to_string(jitter));
    vertices_.reserve(static_cast<std::size_t>(cells_x + 1) * static_cast<std::size_t>(cells_y + 1));
    for (int j = 0; j <= cells_y; ++j) {
        for (int i = 0; i <= cells_x; ++i) {
            // Both draws are taken for every vertex, so the sequence (and the whole demo) does not
            // depend on which vertices happen to be on the border.
            const double dx = random.uniform(-jitter, jitter) * cell_m;
            const double dy = random.uniform(-jitter, jitter) * cell_m;
            const bool x_fixed = i == 0 || i == cells_x;
            const bool y_fixed = j == 0 || j == cells_y;
            const Point p = regular_vertex(i, j);
            vertices_.emplace_back(p.x() + (x_fixed ? 0.0 : dx), p.y() + (y_fixed ? 0.0 : dy));
        }
    }
}

Point PerturbedLattice::regular_vertex(int i, int j) const {
    return Point{origin_.x() + i * cell_m_, origin_.y() + j * cell_m_};
}

Point PerturbedLattice::vertex(int i, int j) const {
    if (i < 0 || j < 0 || i > cells_x_ || j > cells_y_)
        throw InvalidArgumentError("lattice vertex (" + std::to_string(i) + ", " + std::to_string(j) + ") is outside the lattice");
    return vertices_[static_cast<std::size_t>(j) * static_cast<std::size_t>(cells_x_ + 1) + static_cast<std::size_t>(i)];
}

MultiPolygon PerturbedLattice::square(int i, int j, int size) const {
    if (size < 1 || i < 0 || j < 0 || i + size > cells_x_ || j + size > cells_y_)
        throw InvalidArgumentError("lattice square at (" + std::to_string(i) + ", " + std::to_string(j) + ") of size " +
                                   std::to_string(size) + " is outside the lattice");
    MultiPolygon out;
    out.resize(1);
    auto& ring = out[0].outer();
    ring.reserve(4 * static_cast<std::size_t>(size) + 1);
    // Clockwise with y up: up the west side, east along the north, down the east, west along the south.
    for (int k = 0; k < size; ++k) ring.push_back(vertex(i, j + k));
    for (int k = 0; k < size; ++k) ring.push_back(vertex(i + k, j + size));
    for (int k = 0; k < size; ++k) ring.push_back(vertex(i + size, j + size - k));
    for (int k = 0; k < size; ++k) ring.push_back(vertex(i + size - k, j));
    ring.push_back(ring.front());
    return out;
}

Box PerturbedLattice::bounds() const { return Box{regular_vertex(0, 0), regular_vertex(cells_x_, cells_y_)}; }

} // namespace coldspot::geo::demo
