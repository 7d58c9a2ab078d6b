#include "fuzz_support.hpp"

#include "coldspot/geo/workspace.hpp"

#include <unistd.h>

namespace coldspot::fuzz {

namespace {

geo::MultiPolygon square(double x0, double y0, double x1, double y1) {
    geo::Polygon p;
    p.outer() = {{x0, y0}, {x0, y1}, {x1, y1}, {x1, y0}, {x0, y0}};
    return {p};
}

} // namespace

std::filesystem::path small_workspace() {
    static const std::filesystem::path path = [] {
        const auto p = scratch_dir() / "ws.gpkg";
        geo::FeatureTable schools;
        schools.name = "schools";
        schools.geometry_type = geo::GeometryType::Point;
        schools.fields = {{"urn", geo::FieldType::Integer}, {"name", geo::FieldType::String}, {"phase", geo::FieldType::String},
                          {"fsm_percent", geo::FieldType::Real}};
        const char* phases[] = {"Primary", "Secondary", "Nursery"};
        for (int i = 0; i < 40; ++i)
            schools.features.push_back({100000 + i, geo::Point(400000.0 + (i % 8) * 9000, 250000.0 + (i / 8) * 11000),
                                        {std::int64_t{100000 + i}, "School <" + std::to_string(i) + "> & \"co\"", std::string(phases[i % 3]),
                                         i * 1.5}});
        geo::FeatureTable areas;
        areas.name = "areas";
        areas.geometry_type = geo::GeometryType::MultiPolygon;
        areas.fields = {{"code", geo::FieldType::String}, {"imd_decile", geo::FieldType::Integer}};
        areas.features.push_back({1, square(399000, 249000, 470000, 300000), {std::string("E01000001"), std::int64_t{2}}});
        areas.features.push_back({2, square(470000, 249000, 530000, 310000), {std::string("E01000002"), std::int64_t{9}}});
        geo::FeatureTable roads;
        roads.name = "roads";
        roads.geometry_type = geo::GeometryType::MultiLineString;
        roads.fields = {{"highway", geo::FieldType::String}};
        roads.features.push_back({1, geo::MultiLineString{{{400000, 250000}, {420000, 260000}, {460000, 255000}}}, {std::string("primary")}});
        geo::WorkspaceWriter w(p);
        w.write(schools);
        w.write(areas);
        w.write(roads);
        w.commit();
        return p;
    }();
    return path;
}

} // namespace coldspot::fuzz
