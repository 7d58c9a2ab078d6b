# PostGIS as a workspace engine (docs/deployment.md). One throwaway PostgreSQL 15 + PostGIS cluster
# (tools/pg-cluster, under /tmp so that user postgres can reach it) serves every test of the label;
# the fixture starts it and stops it. Needs postgresql-15-postgis-3 and python3-gdal
# (tools/deps/test.txt): without them the tests fail, they never skip.
string(MD5 COLDSPOT_PG_KEY "${CMAKE_BINARY_DIR}")
string(SUBSTRING "${COLDSPOT_PG_KEY}" 0 10 COLDSPOT_PG_KEY)
set(COLDSPOT_PG_CLUSTER /tmp/coldspot-pgtest-${COLDSPOT_PG_KEY})
add_test(NAME postgis.cluster_start COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/postgis/cluster.sh start ${COLDSPOT_PG_CLUSTER})
add_test(NAME postgis.cluster_stop COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/postgis/cluster.sh stop ${COLDSPOT_PG_CLUSTER})
set_tests_properties(postgis.cluster_start PROPERTIES FIXTURES_SETUP postgis_cluster LABELS postgis TIMEOUT 120)
set_tests_properties(postgis.cluster_stop PROPERTIES FIXTURES_CLEANUP postgis_cluster LABELS postgis TIMEOUT 60)
foreach(t pipeline bad_input serve)
  add_test(NAME postgis.${t}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/postgis/${t}_test.sh ${COLDSPOT_PG_CLUSTER} $<TARGET_FILE:coldspot>
                   ${CMAKE_CURRENT_BINARY_DIR}/postgis-${t})
  set_tests_properties(postgis.${t} PROPERTIES FIXTURES_REQUIRED postgis_cluster LABELS postgis TIMEOUT 300 RESOURCE_LOCK postgis_cluster)
endforeach()
# Two servers behind nginx (round robin) under load while analyses are published (nginx-light, wrk).
add_test(NAME postgis.nginx
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/postgis/nginx_test.py ${COLDSPOT_PG_CLUSTER} $<TARGET_FILE:coldspot>
                 ${CMAKE_CURRENT_BINARY_DIR}/postgis-nginx)
set_tests_properties(postgis.nginx PROPERTIES FIXTURES_REQUIRED postgis_cluster LABELS postgis TIMEOUT 300 RESOURCE_LOCK postgis_cluster)
# Static tiles: PMTiles exported from PostGIS on nginx (ranges), drawn by MapLibre through the pmtiles
# protocol in headless Chromium (npm packages from tools/web and tests/tiles/node, tools/js-deps).
add_test(NAME postgis.static_tiles
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/postgis/static_tiles_test.py ${COLDSPOT_PG_CLUSTER} $<TARGET_FILE:coldspot>
                 ${CMAKE_CURRENT_BINARY_DIR}/postgis-static_tiles)
set_tests_properties(postgis.static_tiles PROPERTIES FIXTURES_REQUIRED postgis_cluster LABELS postgis TIMEOUT 300 RESOURCE_LOCK postgis_cluster)
