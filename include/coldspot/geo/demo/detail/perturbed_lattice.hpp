#pragma once
// A square lattice whose vertices are jittered, used to cut the demo region into LSOA-like areas.
// Squares of any power-of-two size are traced through every lattice vertex on their border, so two
// neighbouring squares of different sizes share exactly the same vertices along their common edge:
// the squares tile the region with no gaps, no overlaps and no T-junctions.
#include "coldspot/geo/demo/detail/random.hpp"
#include "coldspot/geo/geometry.hpp"

#include <vector>

namespace coldspot::geo::demo {

class PerturbedLattice {
public:
    /// `cells_x` by `cells_y` cells of `cell_m` metres from `origin` (south-west corner). Interior
    /// vertices move by up to `jitter` cell sizes in x and y; vertices on the region's border move
    /// only along it and the four corners stay put, so the region stays an exact rectangle.
    /// `jitter` must be in [0, 0.3]: below a third of a cell no traced ring can self-intersect.
    PerturbedLattice(Point origin, double cell_m, int cells_x, int cells_y, double jitter, detail::DemoRandom& random);

    int cells_x() const noexcept { return cells_x_; }
    int cells_y() const noexcept { return cells_y_; }
    double cell_m() const noexcept { return cell_m_; }
    /// Vertex (i, j), 0 <= i <= cells_x, 0 <= j <= cells_y.
    Point vertex(int i, int j) const;
    /// Where vertex (i, j) would be without jitter.
    Point regular_vertex(int i, int j) const;
    /// The square of `size` x `size` cells with south-west vertex (i, j), as a clockwise ring
    /// through every lattice vertex on its border. Throws InvalidArgumentError outside the lattice.
    MultiPolygon square(int i, int j, int size) const;
    /// The whole region: an exact rectangle.
    Box bounds() const;

private:
    Point origin_;
    double cell_m_;
    int cells_x_;
    int cells_y_;
    std::vector<Point> vertices_; // row-major, (cells_x + 1) per row
};

} // namespace coldspot::geo::demo
