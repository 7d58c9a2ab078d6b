# test_xlsx_workbook.cpp reads the workbook back with GDAL's C API (gdal.h, ogr_api.h).
target_link_libraries(test_geo PRIVATE GDAL::GDAL)
