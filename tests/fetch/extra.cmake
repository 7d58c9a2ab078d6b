# `coldspot fetch` end to end against a loopback mirror of the publishers (tests/fetch/mirror_server.py),
# then import, access and the index on what it fetched. Exit 77 = shared data missing (a failure under CI=true).
foreach(section region region_name cache roads bad_input england)
  add_test(NAME fetch.cli_${section}
           COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/fetch/fetch_cli_test.py
                   --cli $<TARGET_FILE:coldspot> --shared ${COLDSPOT_SHARED_DATA_DIR} --section ${section})
  set_tests_properties(fetch.cli_${section} PROPERTIES LABELS fetch TIMEOUT 600 SKIP_RETURN_CODE 77)
endforeach()
