# Runs one libFuzzer target for CTest (cmake -P, see CMakeLists.txt):
#   -D FUZZER=<binary> -D SEEDS=<committed seed dir> -D WORK=<scratch dir> -D ARTIFACTS=<dir>
#   -D SECONDS=<max_total_time>
# The seeds are copied to a fresh scratch corpus first: libFuzzer adds the inputs it finds to its
# first corpus directory, and the checkout must never be written. On success it prints only the
# final statistics (executions, exec/s, corpus size) so that CI logs can report them; on any
# crash, leak, UB report, timeout or broken invariant it prints the whole log and fails.
foreach(var FUZZER SEEDS WORK ARTIFACTS SECONDS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_fuzzer.cmake: -D ${var}=... is missing")
  endif()
endforeach()
get_filename_component(name "${FUZZER}" NAME)

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}" "${ARTIFACTS}")
file(GLOB seeds "${SEEDS}/*")
list(LENGTH seeds seed_count)
if(seed_count EQUAL 0)
  message(FATAL_ERROR "${name}: no seeds in ${SEEDS}")
endif()
file(COPY ${seeds} DESTINATION "${WORK}")

# -timeout: one input taking 10 s is a hang; -rss_limit_mb: a parser allocating GBs is a bug.
execute_process(
  COMMAND "${FUZZER}" -max_total_time=${SECONDS} -timeout=10 -rss_limit_mb=2048
          -print_final_stats=1 "-artifact_prefix=${ARTIFACTS}/${name}-" "${WORK}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE log ERROR_VARIABLE log)

file(GLOB corpus "${WORK}/*")
list(LENGTH corpus corpus_count)
if(NOT rc EQUAL 0)
  message("${log}")
  message(FATAL_ERROR "${name}: the fuzzer failed (exit ${rc}); the input is in ${ARTIFACTS}")
endif()
string(REGEX MATCHALL "[^\n]*(DONE|stat::number_of_executed_units|stat::peak_rss_mb)[^\n]*"
       summary "${log}")
string(REPLACE ";" "\n" summary "${summary}")
message("${summary}")
message("${name}: ${SECONDS} s, seeds ${seed_count}, final corpus ${corpus_count} inputs, no findings")
