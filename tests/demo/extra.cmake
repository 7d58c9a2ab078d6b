# tools/demo (the README quick start) without install, build or serve: see demo_script_test.sh.
add_test(NAME demo.tools_demo_script
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/demo/demo_script_test.sh ${PROJECT_SOURCE_DIR} $<TARGET_FILE:coldspot>
                 ${CMAKE_CURRENT_BINARY_DIR}/demo-script-test)
set_tests_properties(demo.tools_demo_script PROPERTIES TIMEOUT 600 LABELS demo)
