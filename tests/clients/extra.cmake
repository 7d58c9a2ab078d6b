# Client tests (docs/clients.md): `coldspot serve` used by GDAL's command-line tools, QGIS 3.22 (pyqgis,
# offscreen) and MapLibre GL JS in headless Chromium. Script tests: exit 77 = skipped (a client is not
# installed), which under CI=true is a failure instead. Packages: python3-qgis, qgis-providers, chromium
# (tools/deps/test.txt); npm packages come from tools/web/package-lock.json (npm ci, run by
# clients.maplibre_chromium when they are missing).
set(COLDSPOT_CLIENTS_DIR ${CMAKE_CURRENT_BINARY_DIR}/clients)
set(COLDSPOT_CLIENTS_WORKSPACE ${COLDSPOT_CLIENTS_DIR}/workspace/demo/demo.gpkg)

# One analysed demo workspace (demo, remits, access, coldspots) shared read-only by every client test.
add_test(NAME clients.workspace
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/clients/harness.py
                 --cli $<TARGET_FILE:coldspot> --work ${COLDSPOT_CLIENTS_DIR}/workspace)
set_tests_properties(clients.workspace PROPERTIES FIXTURES_SETUP clients_workspace TIMEOUT 300 LABELS clients)

foreach(section schools areas crs field_types)
  add_test(NAME clients.qgis_oapif_${section}
           COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/clients/qgis_oapif_test.py --section ${section}
                   --cli $<TARGET_FILE:coldspot> --work ${COLDSPOT_CLIENTS_DIR}/qgis_oapif_${section}
                   --workspace ${COLDSPOT_CLIENTS_WORKSPACE})
  set_tests_properties(clients.qgis_oapif_${section} PROPERTIES ENVIRONMENT QT_QPA_PLATFORM=offscreen
                       FIXTURES_REQUIRED clients_workspace SKIP_RETURN_CODE 77 TIMEOUT 300 LABELS clients)
endforeach()

add_test(NAME clients.gdal_cli
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/clients/gdal_cli_test.py
                 --cli $<TARGET_FILE:coldspot> --work ${COLDSPOT_CLIENTS_DIR}/gdal_cli
                 --workspace ${COLDSPOT_CLIENTS_WORKSPACE})
set_tests_properties(clients.gdal_cli PROPERTIES
                     FIXTURES_REQUIRED clients_workspace SKIP_RETURN_CODE 77 TIMEOUT 300 LABELS clients)

add_test(NAME clients.qgis_vector_tiles
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/clients/qgis_vector_tiles_test.py
                 --cli $<TARGET_FILE:coldspot> --work ${COLDSPOT_CLIENTS_DIR}/qgis_vector_tiles
                 --workspace ${COLDSPOT_CLIENTS_WORKSPACE})
set_tests_properties(clients.qgis_vector_tiles PROPERTIES ENVIRONMENT QT_QPA_PLATFORM=offscreen
                     FIXTURES_REQUIRED clients_workspace SKIP_RETURN_CODE 77 TIMEOUT 300 LABELS clients)

# TIMEOUT covers a first `npm ci` on a clean machine.
add_test(NAME clients.maplibre_chromium
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/clients/maplibre_chromium_test.py
                 --cli $<TARGET_FILE:coldspot> --work ${COLDSPOT_CLIENTS_DIR}/maplibre_chromium
                 --workspace ${COLDSPOT_CLIENTS_WORKSPACE})
set_tests_properties(clients.maplibre_chromium PROPERTIES
                     FIXTURES_REQUIRED clients_workspace SKIP_RETURN_CODE 77 TIMEOUT 600 LABELS clients)
