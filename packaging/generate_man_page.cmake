# cmake -DPROGRAM=<binary> -DOUTPUT=<dir/name.1> -P generate_man_page.cmake
# Writes the man page the program prints with --help-man, and a gzipped copy beside it
# (gzip -n: no name or time stamp inside, so the package is reproducible).
execute_process(COMMAND ${PROGRAM} --help-man OUTPUT_FILE ${OUTPUT}.tmp RESULT_VARIABLE rc
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} --help-man failed (${rc}): ${err}")
endif()
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
execute_process(COMMAND gzip -9 -n -k -f ${OUTPUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip ${OUTPUT} failed (${rc})")
endif()
