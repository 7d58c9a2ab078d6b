// Label points for area names: geo::label_point (GEOS MaximumInscribedCircle on the largest part) and
// the `area_labels` layer tiles derive from authorities and districts. Shapes are hand-drawn, so the
// answers are known: a square's label is its centre; a U's is in an arm, where its centroid is not.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/geos.hpp"
#include "coldspot/geo/model/layers.hpp"
#include "coldspot/geo/style/area_labels.hpp"

#include <gtest/gtest.h>

using namespace coldspot;
using namespace coldspot::geo;

namespace {

Polygon ring(std::initializer_list<std::pair<double, double>> pts) {
    Polygon p;
    for (const auto& [x, y] : pts) p.outer().push_back(Point{x, y});
    boost::geometry::correct(p);
    return p;
}

Polygon square(double x0, double y0, double side) {
    return ring({{x0, y0}, {x0 + side, y0}, {x0 + side, y0 + side}, {x0, y0 + side}, {x0, y0}});
}

/// A U: a 300 x 300 block with the notch x 100..200, y 50..300 cut out. Its centroid, (150, 140.4), is
/// in the notch, outside the shape; its widest places are the arms (100 wide): circles of radius 50.
Polygon u_shape() {
    return ring({{0, 0}, {300, 0}, {300, 300}, {200, 300}, {200, 50}, {100, 50}, {100, 300}, {0, 300}, {0, 0}});
}

FeatureTable named_areas(const char* layer, std::vector<std::pair<Value, MultiPolygon>> areas) {
    FeatureTable t;
    t.name = layer;
    t.geometry_type = GeometryType::MultiPolygon;
    t.fields = {{"code", FieldType::String}, {"name", FieldType::String}};
    std::int64_t fid = 1;
    for (auto& [name, g] : areas) t.features.push_back({fid++, std::move(g), {std::string("E0600000") + std::to_string(fid), name}});
    return t;
}

} // namespace

TEST(LabelPoint, SquareIsLabelledAtItsCentre) {
    const Point p = label_point(MultiPolygon{square(1000, 2000, 100)}, 0.5);
    EXPECT_NEAR(p.x(), 1050, 1.0);
    EXPECT_NEAR(p.y(), 2050, 1.0);
}

TEST(LabelPoint, AUShapeIsLabelledInsideWhereItsCentroidIsNot) {
    const MultiPolygon u{u_shape()};
    Point centroid;
    boost::geometry::centroid(u, centroid);
    ASSERT_FALSE(boost::geometry::covered_by(centroid, u)); // the case a centroid label gets wrong
    const Point p = label_point(u, 1.0);
    EXPECT_TRUE(boost::geometry::within(p, u));
    // At the centre of a widest circle: 50 from the nearest edge, give or take the tolerance.
    const auto& outer = boost::geometry::exterior_ring(u.front());
    const LineString edge(outer.begin(), outer.end()); // as a line: a point inside a ring is at distance 0
    const double clearance = boost::geometry::distance(p, edge);
    EXPECT_GE(clearance, 49.0);
    EXPECT_LE(clearance, 50.0 + 1e-9);
}

TEST(LabelPoint, TheLargestPartHoldsTheLabelNotAnIsland) {
    const Point p = label_point(MultiPolygon{square(0, 0, 10), square(500, 500, 200)}, 0.5);
    EXPECT_NEAR(p.x(), 600, 1.0);
    EXPECT_NEAR(p.y(), 600, 1.0);
}

TEST(LabelPoint, EmptyPolygonIsAGeometryError) { EXPECT_THROW(label_point(MultiPolygon{}, 1.0), GeometryError); }

TEST(AreaLabels, OnePointPerNamedAuthorityAndDistrictWithKindAndArea) {
    const auto counties = named_areas(model::layer::upper_tier_authorities,
                                      {{std::string("Northshire"), MultiPolygon{square(0, 0, 10'000)}},
                                       {Value{}, MultiPolygon{square(20'000, 0, 1'000)}}}); // unnamed: no label
    const auto districts = named_areas(model::layer::local_authorities, {{std::string("Upton"), MultiPolygon{u_shape()}}});
    const auto labels = style::area_labels(&counties, &districts);
    ASSERT_TRUE(labels.has_value());
    EXPECT_EQ(labels->name, model::layer::area_labels);
    EXPECT_EQ(labels->geometry_type, GeometryType::Point);
    ASSERT_EQ(labels->features.size(), 2u);
    const auto& county = labels->features[0];
    EXPECT_EQ(std::get<std::string>(county.values[0]), "Northshire");
    EXPECT_EQ(std::get<std::string>(county.values[1]), "authority");
    EXPECT_DOUBLE_EQ(std::get<double>(county.values[2]), 100.0); // 10 km x 10 km
    EXPECT_NEAR(std::get<Point>(county.geometry).x(), 5'000, 100.0); // within 1 % of the side
    const auto& district = labels->features[1];
    EXPECT_EQ(std::get<std::string>(district.values[1]), "district");
    EXPECT_DOUBLE_EQ(std::get<double>(district.values[2]), (300.0 * 300 - 100.0 * 250) / 1e6);
    EXPECT_TRUE(boost::geometry::within(std::get<Point>(district.geometry), u_shape()));
    EXPECT_FALSE(style::area_labels(nullptr, nullptr).has_value());
}
