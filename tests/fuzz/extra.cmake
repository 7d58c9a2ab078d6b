# libFuzzer targets (tests/fuzz/targets/*.cpp, one LLVMFuzzerTestOneInput each; docs/reliability.md).
# - The ordinary build links each with replay_main.cpp as fuzz_replay_<target>, and ctest runs it
#   over the committed seed corpus and crash regressions (label `fuzz`): fast, no clang needed.
# - With -DCOLDSPOT_FUZZ=ON and clang (tools/fuzz configures build-fuzz so), each is also built
#   with libFuzzer as fuzz_<target>, everything instrumented with ASan + UBSan.
set(COLDSPOT_FUZZ_DIR ${PROJECT_SOURCE_DIR}/tests/fuzz)
file(GLOB COLDSPOT_FUZZ_TARGETS CONFIGURE_DEPENDS ${COLDSPOT_FUZZ_DIR}/targets/*.cpp)
add_library(fuzz_support STATIC ${COLDSPOT_FUZZ_DIR}/fuzz_support.cpp)
target_link_libraries(fuzz_support PUBLIC service)
target_include_directories(fuzz_support PUBLIC ${COLDSPOT_FUZZ_DIR})
foreach(source ${COLDSPOT_FUZZ_TARGETS})
  get_filename_component(name ${source} NAME_WE)
  if(COLDSPOT_FUZZ)
    add_executable(fuzz_${name} ${source})
    target_link_libraries(fuzz_${name} PRIVATE fuzz_support ZLIB::ZLIB)
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
  else()
    add_executable(fuzz_replay_${name} ${source} ${COLDSPOT_FUZZ_DIR}/replay_main.cpp)
    target_link_libraries(fuzz_replay_${name} PRIVATE fuzz_support ZLIB::ZLIB)
    set(inputs ${COLDSPOT_FUZZ_DIR}/corpus/${name})
    if(EXISTS ${COLDSPOT_FUZZ_DIR}/regressions/${name})
      list(APPEND inputs ${COLDSPOT_FUZZ_DIR}/regressions/${name})
    endif()
    add_test(NAME fuzz.${name}.corpus COMMAND fuzz_replay_${name} ${inputs})
    set_tests_properties(fuzz.${name}.corpus PROPERTIES LABELS fuzz TIMEOUT 300)
  endif()
endforeach()
