# Static analysis (docs/reliability.md, "Static analysis"): cppcheck over every source of geo/ tiles/
# service/ tools/ must be clean (tools/lint; suppressions in tools/cppcheck-suppressions.txt and
# inline, each with its reason). clang-tidy (.clang-tidy) is `tools/lint --clang-tidy`.
add_test(NAME lint.cppcheck COMMAND ${PROJECT_SOURCE_DIR}/tools/lint --cppcheck ${CMAKE_BINARY_DIR})
set_tests_properties(lint.cppcheck PROPERTIES LABELS lint TIMEOUT 600)
