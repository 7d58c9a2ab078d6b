#pragma once
// Hand-drawn fixtures for the remit tests. Coordinates are in km (scaled to metres), so areas
// come out in round km2 that can be checked by eye.
#include "coldspot/geo/geometry.hpp"
#include "coldspot/geo/remits/inputs.hpp"

namespace coldspot::test::remits {

namespace bg = boost::geometry;
using geo::MultiPolygon;
using geo::Point;
using geo::Polygon;

inline Point km(double x, double y) { return Point(x * 1000, y * 1000); }

inline Polygon rect_polygon(double x0, double y0, double x1, double y1) {
    Polygon p;
    bg::append(p.outer(), km(x0, y0));
    bg::append(p.outer(), km(x0, y1));
    bg::append(p.outer(), km(x1, y1));
    bg::append(p.outer(), km(x1, y0));
    bg::append(p.outer(), km(x0, y0));
    bg::correct(p);
    return p;
}

inline MultiPolygon rect(double x0, double y0, double x1, double y1) { return MultiPolygon{rect_polygon(x0, y0, x1, y1)}; }

/// A rectangle with a rectangular hole.
inline MultiPolygon rect_with_hole(double x0, double y0, double x1, double y1, double hx0, double hy0, double hx1, double hy1) {
    Polygon p = rect_polygon(x0, y0, x1, y1);
    p.inners().push_back(rect_polygon(hx0, hy0, hx1, hy1).outer());
    bg::correct(p);
    return MultiPolygon{p};
}

/// The strip of three 10x10 km districts used by the overlay tests (docs in test_overlay.cpp):
///   D1 [0,10]  D2 [10,20]  D3 [20,30]  (y in [0,10])
///   T1 (tsh)   = [0,20] minus hole [2,4]x[2,4]
///   T2 (tsh)   = [10,30]
///   M1 (maths) = [0,5] + [25,35] (a multipolygon reaching 5 km beyond the study area)
inline geo::remits::RemitInputs strip_fixture() {
    using namespace geo::remits;
    RemitInputs in;
    in.districts = {Area{"E07000001", "D1", "North", {}, {}, rect(0, 0, 10, 10)},
                    Area{"E07000002", "D2", "North", {}, {}, rect(10, 0, 20, 10)},
                    Area{"E07000003", "D3", "South", {}, {}, rect(20, 0, 30, 10)}};
    in.lsoas = {Area{"E01000001", "L1", "", 1, true, rect(0, 0, 10, 10)},
                Area{"E01000002", "L2", "", 5, false, rect(10, 0, 20, 10)},
                Area{"E01000003", "L3", "", 10, false, rect(20, 0, 30, 10)}};
    in.upper_tier = {Area{"E10000001", "U1", "", {}, {}, rect(0, 0, 30, 10)}};
    MultiPolygon m1 = rect(0, 0, 5, 10);
    m1.push_back(rect_polygon(25, 0, 35, 10));
    in.hubs = {Hub{"tsh:T1", "tsh", "Hub T1", 1002, rect_with_hole(0, 0, 20, 10, 2, 2, 4, 4)},
               Hub{"tsh:T2", "tsh", "Hub T2", 1005, rect(10, 0, 30, 10)},
               Hub{"maths:M1", "maths", "Maths M1", std::nullopt, m1}};
    auto school = [](std::int64_t urn, const char* phase, std::optional<std::int64_t> pupils, std::optional<std::int64_t> trust,
                     Point p) { return School{urn, "School " + std::to_string(urn), phase, pupils, trust, "", "", p}; };
    in.schools = {school(1001, "Primary", 100, 7, km(3, 3)),      // in T1's hole, inside M1
                  school(1002, "Secondary", 1000, 8, km(1, 1)),   // T1 + M1; T1's lead school
                  school(1003, "Primary", 200, 8, km(15, 5)),     // T1 + T2 (tsh overlap)
                  school(1004, "Nursery", std::nullopt, std::nullopt, km(10, 5)), // on the D1/D2 edge and T2's edge
                  school(1005, "All-through", 300, 7, km(27, 5)), // T2 + M1; T2's lead school
                  school(1006, "Primary", 50, 8, km(33, 5))};     // beyond D3 by 3 km: only M1
    in.venues = {Venue{"maths:M1", "M1 west venue", std::nullopt, "venue", km(2, 8)},
                 Venue{"maths:M1", "M1 east venue", std::nullopt, "venue", km(30, 8)}};
    return in;
}

} // namespace coldspot::test::remits
