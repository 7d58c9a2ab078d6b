# Static analysis (docs/reliability.md, "Static analysis"): cppcheck and clang-tidy over every source
# of geo/ tiles/ service/ tools/ must be clean (tools/lint; suppressions in .clang-tidy,
# tools/cppcheck-suppressions.txt and inline, each with its reason). clang-tidy runs over unity
# translation units (tools/lint-units), about 10 minutes of CPU for the whole tree.
add_test(NAME lint.cppcheck COMMAND ${PROJECT_SOURCE_DIR}/tools/lint --cppcheck ${CMAKE_BINARY_DIR})
set_tests_properties(lint.cppcheck PROPERTIES LABELS lint TIMEOUT 600)
add_test(NAME lint.clang_tidy COMMAND ${PROJECT_SOURCE_DIR}/tools/lint --clang-tidy ${CMAKE_BINARY_DIR})
set_tests_properties(lint.clang_tidy PROPERTIES LABELS lint TIMEOUT 2400)
