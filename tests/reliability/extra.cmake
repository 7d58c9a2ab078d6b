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
