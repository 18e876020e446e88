# Run `vtdsim replay TRACE` and require exit code EXPECT (negative traces).
execute_process(COMMAND ${CMD} replay --quiet ${TRACE}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT "${rc}" STREQUAL "${EXPECT}")
  message(FATAL_ERROR "${TRACE}: exit code ${rc}, expected ${EXPECT}")
endif()
