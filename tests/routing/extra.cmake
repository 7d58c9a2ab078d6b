# pgRouting as an independent peer: the benchmark script on a small grid plus the Rutland and
# Cambridge graphs; it fails when any multi-source answer differs from pgr_drivingDistance's.
# Needs root (PostgreSQL runs as user postgres) and postgresql-15-pgrouting (tools/deps/test.txt).
add_test(NAME routing_pgrouting_agreement
         COMMAND ${PROJECT_SOURCE_DIR}/tools/bench/routing ${CMAKE_BINARY_DIR} 120)
set_tests_properties(routing_pgrouting_agreement PROPERTIES
  LABELS routing TIMEOUT 600 SKIP_RETURN_CODE 77
  ENVIRONMENT "COLDSPOT_SHARED_DATA_DIR=${COLDSPOT_SHARED_DATA_DIR};ROUTING_BENCH_PORT=54349;COLDSPOT_BENCH_CXXFLAGS=$<$<BOOL:${COLDSPOT_SANITIZE}>:-fsanitize=address,undefined>")
