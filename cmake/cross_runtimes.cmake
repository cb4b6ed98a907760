# The runtime for other CPUs (weir build --target TRIPLE, docs/deploy.md): runtime/ configured
# on its own with cmake/TRIPLE.cmake into build/runtime-TRIPLE/, where the driver looks for
# libweir_rt.a and libsimdjson.a (compiler/driver/target.cpp). Built as part of the normal
# build when the cross compiler is installed (scripts/setup installs it); without it,
# `weir build --target TRIPLE` says E0905 and which packages to install.
include(ExternalProject)
set(WEIR_CROSS_TARGETS aarch64-linux-gnu CACHE STRING "Triples to build the runtime for (need TRIPLE-g++)")
foreach(triple ${WEIR_CROSS_TARGETS})
  find_program(WEIR_CROSS_CXX_${triple} ${triple}-g++)
  if(NOT WEIR_CROSS_CXX_${triple} OR NOT EXISTS /usr/lib/${triple}/libssl.a)
    message(STATUS "no ${triple} cross compiler or libssl-dev for it: `weir build --target ${triple}` "
                   "will say what to install (scripts/setup installs it)")
    continue()
  endif()
  set(launchers)
  if(CMAKE_CXX_COMPILER_LAUNCHER)
    list(APPEND launchers -DCMAKE_C_COMPILER_LAUNCHER=${CMAKE_C_COMPILER_LAUNCHER}
                          -DCMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER})
  endif()
  ExternalProject_Add(weir_rt_${triple}
    SOURCE_DIR ${PROJECT_SOURCE_DIR}/runtime
    BINARY_DIR ${PROJECT_BINARY_DIR}/runtime-${triple}
    CMAKE_ARGS -DCMAKE_TOOLCHAIN_FILE=${PROJECT_SOURCE_DIR}/cmake/${triple}.cmake
               -DCMAKE_BUILD_TYPE=Release
               -DWEIR_SIMDJSON_SOURCE=${WEIR_SIMDJSON_SOURCE}
               -DWEIR_RULE_OPT=${WEIR_RULE_OPT}
               ${launchers}
    # Two jobs: the machines that build Weir (CI) have two cores.
    BUILD_COMMAND ${CMAKE_COMMAND} --build <BINARY_DIR> --parallel 2
    BUILD_ALWAYS ON   # runtime sources change: let its own build decide what is out of date
    INSTALL_COMMAND ""
    BUILD_BYPRODUCTS ${PROJECT_BINARY_DIR}/runtime-${triple}/libweir_rt.a
                     ${PROJECT_BINARY_DIR}/runtime-${triple}/libweir_rt_notls.a
                     ${PROJECT_BINARY_DIR}/runtime-${triple}/libsimdjson.a)
  # An installed weir looks for it in lib/weir/TRIPLE/ (compiler/driver/target.cpp).
  install(FILES ${PROJECT_BINARY_DIR}/runtime-${triple}/libweir_rt.a ${PROJECT_BINARY_DIR}/runtime-${triple}/libsimdjson.a
                ${PROJECT_BINARY_DIR}/runtime-${triple}/libweir_rt_notls.a
          DESTINATION lib/weir/${triple} OPTIONAL)
  list(APPEND WEIR_BUILT_CROSS_TARGETS ${triple})
endforeach()
