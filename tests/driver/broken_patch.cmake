# With kernel-patches/examples (an invalidation dropped on purpose) applied
# through VTDSIM_EXTRA_KERNEL_PATCHES, the driver tests must fail, and the
# failure must be the checker's report naming the missing invalidation.
#   cmake -DSRC=... -DBIN=... -P broken_patch.cmake
set(B ${BIN}/broken-patch)
get_filename_component(cmake_dir ${CMAKE_COMMAND} DIRECTORY)
find_program(CTEST ctest HINTS ${cmake_dir} REQUIRED)
execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${SRC} -B ${B} -DCMAKE_BUILD_TYPE=RelWithDebInfo
          -DVTDSIM_EXTRA_KERNEL_PATCHES=${SRC}/kernel-patches/examples
  RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "configuring the broken-patch build failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${B} --target test_driver vtdsim-linux -j 2
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc)
  message(FATAL_ERROR "building the driver with the example patch failed:\n${out}")
endif()
file(READ ${B}/kernel/applied-patches.txt applied)
if(NOT applied MATCHES "examples/0001-EXAMPLE-BROKEN")
  message(FATAL_ERROR "the example patch was not applied:\n${applied}")
endif()
execute_process(COMMAND ${CTEST} --test-dir ${B} -L driver --output-on-failure
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}")
if(rc EQUAL 0)
  message(FATAL_ERROR "the driver tests passed with an invalidation dropped")
endif()
if(NOT out MATCHES "checker \\(unit 0\\): stale iotlb entry[^\n]*missing IOTLB invalidation")
  message(FATAL_ERROR "the failure does not carry the checker's report of the missing invalidation")
endif()
message("broken example patch: driver tests fail with the checker's report, as they must")
