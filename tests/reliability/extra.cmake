# Reliability tests (docs/reliability.md): the hostile-request matrix and the fault scripts, against
# the real CLI and server on the shared demo workspace of the client tests (fixture clients_workspace).
# Exit 77 = skipped (e.g. the full-disk section needs root to mount a tmpfs).
function(coldspot_reliability_test name script timeout)
  add_test(NAME reliability.${name}
           COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/reliability/${script} ${ARGN}
                   --cli $<TARGET_FILE:coldspot> --work ${CMAKE_CURRENT_BINARY_DIR}/reliability/${name}
                   --workspace ${COLDSPOT_CLIENTS_WORKSPACE})
  set_tests_properties(reliability.${name} PROPERTIES FIXTURES_REQUIRED clients_workspace SKIP_RETURN_CODE 77
                       TIMEOUT ${timeout} LABELS reliability)
endfunction()
coldspot_reliability_test(hostile_requests hostile_requests_test.py 600)
coldspot_reliability_test(faults_corrupt faults_test.py 300 --section corrupt)
coldspot_reliability_test(faults_disk faults_test.py 300 --section disk)
coldspot_reliability_test(faults_kills faults_test.py 900 --section kills)
coldspot_reliability_test(faults_swap faults_test.py 600 --section swap)
# Load while results change, short: tools/bench/load for 12 s at 64 connections while analyses are
# published back to back; every response checked against its version's reference (the 60 s, 256
# connection run is the command in docs/reliability.md).
add_test(NAME reliability.load_swaps
         COMMAND /usr/bin/python3 ${PROJECT_SOURCE_DIR}/tools/bench/load --cli $<TARGET_FILE:coldspot>
                 --workspace ${COLDSPOT_CLIENTS_WORKSPACE} --work ${CMAKE_CURRENT_BINARY_DIR}/reliability/load_swaps
                 --seconds 12 --connections 64 --every 0.5 --check)
set_tests_properties(reliability.load_swaps PROPERTIES FIXTURES_REQUIRED clients_workspace TIMEOUT 300 LABELS reliability)
