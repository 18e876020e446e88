# With an example broken driver patch (kernel-patches/examples/EXAMPLE) applied
# through VTDSIM_EXTRA_KERNEL_PATCHES, the driver tests must fail, and the
# failure must say what is wrong (REGEX: the checker's report of the missing
# invalidation, the fault the bad entry causes).
#   cmake -DSRC=... -DBIN=... -DEXAMPLE=... -DREGEX=... [-DGENEROUS=SCENARIO]
#         -P broken_patch.cmake
# One build for all examples: the kernel tree is prepared once, and switching
# VTDSIM_EXTRA_KERNEL_PATCHES recompiles only what the patches touch.
set(B ${BIN}/broken-examples)
set(P ${SRC}/kernel-patches/examples/${EXAMPLE})
get_filename_component(cmake_dir ${CMAKE_COMMAND} DIRECTORY)
find_program(CTEST ctest HINTS ${cmake_dir} REQUIRED)
execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${SRC} -B ${B} -DCMAKE_BUILD_TYPE=RelWithDebInfo
          -DVTDSIM_EXTRA_KERNEL_PATCHES=${P}
  RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "configuring the ${EXAMPLE} build failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${B} --target test_driver vtdsim-linux -j 2
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc)
  message(FATAL_ERROR "building the driver with ${EXAMPLE} failed:\n${out}")
endif()
file(READ ${B}/kernel/applied-patches.txt applied)
if(NOT applied MATCHES "examples/${EXAMPLE}/0001-EXAMPLE-BROKEN")
  message(FATAL_ERROR "the example patch was not applied:\n${applied}")
endif()
execute_process(COMMAND ${CTEST} --test-dir ${B} -L driver --output-on-failure
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}")
if(rc EQUAL 0)
  message(FATAL_ERROR "the driver tests passed with ${EXAMPLE}")
endif()
if(NOT out MATCHES "${REGEX}")
  message(FATAL_ERROR "the failure does not say what is wrong (expected: ${REGEX})")
endif()
message("${EXAMPLE}: the driver tests fail and say why, as they must")
# GENEROUS: a scenario the broken driver passes on a unit that invalidates
# generously (inv_mode=generous): the error only strict mode shows.
if(DEFINED GENEROUS)
  execute_process(COMMAND ${B}/vtdsim-linux --set inv_mode=generous ${GENEROUS}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${GENEROUS} fails on a generous unit too:\n${out}")
  endif()
  message("${EXAMPLE}: ${GENEROUS} passes on a generous unit: only strict mode catches it")
endif()
