// geo::XlsxWorkbook (`coldspot export --xlsx`): several layers in one workbook, read back by GDAL's
// XLSX driver. The values of each sheet are checked against the GeoJSON by tests/clients/formats_test.py.
#include "coldspot/geo/error.hpp"
#include "coldspot/geo/feature_writers.hpp"
#include "test_support.hpp"

#include <gdal.h>
#include <ogr_api.h>

#include <gtest/gtest.h>

#include <fstream>

using namespace coldspot;
using namespace coldspot::geo;

namespace {

ExportLayout layout(const std::string& name, GeometryType type) {
    ExportLayout l;
    l.layer_name = name;
    l.geometry_type = type;
    l.epsg = 27700;
    l.decimals = 2;
    l.fields = {{"name", FieldType::String}, {"pupils", FieldType::Integer}};
    return l;
}

} // namespace

TEST(XlsxWorkbook, OneSheetPerLayerInOrder) {
    test::TempDir dir;
    const auto path = dir / "book.xlsx";
    {
        std::ofstream out(path, std::ios::binary);
        XlsxWorkbook book([&](std::string_view b) { out.write(b.data(), static_cast<std::streamsize>(b.size())); });
        auto& schools = book.add_sheet(layout("schools", GeometryType::Point));
        schools.write(7, Point{512345.678, 201234.561}, {std::string("Ash"), std::int64_t{120}});
        schools.write(9, Point{512000.0, 201000.0}, {std::string("Elm"), std::int64_t{300}});
        auto& areas = book.add_sheet(layout("a_layer_name_longer_than_thirty_one_characters", GeometryType::MultiPolygon));
        areas.write(1, MultiPolygon{}, {std::string("E01"), Value{}});
        book.finish();
    }
    GDALAllRegister();
    const char* drivers[] = {"XLSX", nullptr};
    const char* options[] = {"HEADERS=FORCE", "FIELD_TYPES=AUTO", nullptr};
    GDALDatasetH ds = GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, options, nullptr);
    ASSERT_NE(ds, nullptr);
    ASSERT_EQ(GDALDatasetGetLayerCount(ds), 2);
    OGRLayerH first = GDALDatasetGetLayer(ds, 0), second = GDALDatasetGetLayer(ds, 1);
    EXPECT_STREQ(OGR_L_GetName(first), "schools");
    EXPECT_STREQ(OGR_L_GetName(second), "a_layer_name_longer_than_thirty"); // Excel's 31 characters
    EXPECT_EQ(OGR_L_GetFeatureCount(first, TRUE), 2);
    EXPECT_EQ(OGR_L_GetFeatureCount(second, TRUE), 1);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(first);
    ASSERT_EQ(OGR_FD_GetFieldCount(defn), 5); // id, name, pupils, x, y
    EXPECT_STREQ(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, 3)), "x");
    EXPECT_EQ(OGR_FD_GetFieldCount(OGR_L_GetLayerDefn(second)), 3); // no geometry columns for areas
    OGRFeatureH f = OGR_L_GetNextFeature(first);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(OGR_F_GetFieldAsInteger64(f, 0), 7);
    EXPECT_STREQ(OGR_F_GetFieldAsString(f, 1), "Ash");
    EXPECT_EQ(OGR_F_GetFieldAsInteger64(f, 2), 120);
    EXPECT_DOUBLE_EQ(OGR_F_GetFieldAsDouble(f, 3), 512345.68); // rounded to 2 decimals
    EXPECT_DOUBLE_EQ(OGR_F_GetFieldAsDouble(f, 4), 201234.56);
    OGR_F_Destroy(f);
    GDALClose(ds);
}

TEST(XlsxWorkbook, RefusesNamesExcelWouldConfuseAndAnEmptyBook) {
    XlsxWorkbook book([](std::string_view) {});
    book.add_sheet(layout("a_layer_name_longer_than_thirty_one_characters_1", GeometryType::Point));
    try {
        book.add_sheet(layout("A_LAYER_NAME_LONGER_THAN_THIRTY_one_characters_2", GeometryType::Point));
        ADD_FAILURE() << "two sheets named alike to Excel were accepted";
    } catch (const InvalidArgumentError& e) {
        EXPECT_NE(std::string(e.what()).find("A_LAYER_NAME_LONGER_THAN_THIRTY_one_characters_2"), std::string::npos) << e.what();
    }
    XlsxWorkbook empty([](std::string_view) {});
    try {
        empty.finish();
        ADD_FAILURE() << "a workbook without sheets was written";
    } catch (const InvalidArgumentError& e) {
        EXPECT_NE(std::string(e.what()).find("at least one sheet"), std::string::npos) << e.what();
    }
}
