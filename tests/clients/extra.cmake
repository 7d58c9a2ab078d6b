# Client tests (docs/clients.md): `coldspot serve` used by GDAL's command-line tools, QGIS 3.22 (pyqgis,
# offscreen) and MapLibre GL JS in headless Chromium. Script tests: exit 77 = skipped (a client is not
# installed), which under CI=true is a failure instead. Packages: python3-qgis, qgis-providers, chromium
# (tools/deps/test.txt); npm packages come from tools/web/package-lock.json, installed once by
# tools/js-deps (tools/test runs it before ctest), and JavaScript runs on Debian's Node.js 18 (tools/node).
set(COLDSPOT_CLIENTS_DIR ${CMAKE_CURRENT_BINARY_DIR}/clients)
set(COLDSPOT_CLIENTS_WORKSPACE ${COLDSPOT_CLIENTS_DIR}/workspace/demo/demo.gpkg)

# One analysed demo workspace (demo, remits, access, coldspots) shared read-only by every client test.
add_test(NAME clients.workspace
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/clients/harness.py
                 --cli $<TARGET_FILE:coldspot> --work ${COLDSPOT_CLIENTS_DIR}/workspace)
set_tests_properties(clients.workspace PROPERTIES FIXTURES_SETUP clients_workspace TIMEOUT 300 LABELS clients)

# coldspot_client_test(NAME SCRIPT TIMEOUT [extra script arguments...]): one client script on the shared
# workspace; QT_QPA_PLATFORM=offscreen lets QGIS run without a display.
function(coldspot_client_test name script timeout)
  add_test(NAME clients.${name}
           COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/clients/${script} ${ARGN}
                   --cli $<TARGET_FILE:coldspot> --work ${COLDSPOT_CLIENTS_DIR}/${name}
                   --workspace ${COLDSPOT_CLIENTS_WORKSPACE})
  set_tests_properties(clients.${name} PROPERTIES ENVIRONMENT QT_QPA_PLATFORM=offscreen
                       FIXTURES_REQUIRED clients_workspace SKIP_RETURN_CODE 77 TIMEOUT ${timeout} LABELS clients)
endfunction()

foreach(section schools areas crs field_types)
  coldspot_client_test(qgis_oapif_${section} qgis_oapif_test.py 300 --section ${section})
endforeach()
coldspot_client_test(gdal_cli gdal_cli_test.py 300)
coldspot_client_test(qgis_vector_tiles qgis_vector_tiles_test.py 300)
coldspot_client_test(analysis_swap analysis_swap_test.py 300)
coldspot_client_test(maplibre_chromium maplibre_chromium_test.py 300)
# The partnership map page (docs/map.md): the demo workspace, and the East of England one built from
# ../shared/data (Saffron Teaching School Hub); each about a minute on an idle machine.
coldspot_client_test(map_page map_page_test.py 600)
coldspot_client_test(map_page_east_of_england map_page_test.py 600 --region east_of_england)
coldspot_client_test(qgis_project qgis_project_test.py 300)
coldspot_client_test(formats formats_test.py 300)
coldspot_client_test(ogc_tiles_gdal ogc_tiles_gdal_test.py 300)
