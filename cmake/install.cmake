# Installing weir anywhere: `cmake --install build --prefix P` (or `make install PREFIX=P`) lays out
#   P/bin/weir                     the compiler
#   P/lib/weir/libweir_rt.a        the runtime every program links (utf8proc is inside it)
#   P/lib/weir/libweir_rt_notls.a  the same without TLS (weir build --no-tls)
#   P/lib/weir/libsimdjson.a       simdjson for static executables (weir build --static)
#   P/lib/weir/TRIPLE/             the same three for a cross target (cmake/cross_runtimes.cmake)
#   P/share/weir/stdlib/           the standard library (*.weir)
#   P/share/doc/weir/              the documentation
# `weir` finds lib/weir and share/weir relative to its own executable (compiler/driver/driver.cpp),
# so an installed compiler works from any folder, with no source checkout.
install(TARGETS weir RUNTIME DESTINATION bin)
install(TARGETS weir_rt ARCHIVE DESTINATION lib/weir)
install(FILES ${PROJECT_BINARY_DIR}/runtime/libweir_rt_notls.a DESTINATION lib/weir)
if(TARGET weir_simdjson)  # built when simdjson's source is there (scripts/setup)
  install(TARGETS weir_simdjson ARCHIVE DESTINATION lib/weir)
endif()
# `cmake --install --strip` and the package drop the runtime's debug information (45 MB -> a few),
# keeping its symbols: `strip --strip-debug`, not the full strip CMake gives executables.
install(CODE "if(CMAKE_INSTALL_DO_STRIP)
  execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-debug \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/lib/weir/$<TARGET_FILE_NAME:weir_rt>\")
  execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-debug \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/lib/weir/libweir_rt_notls.a\")
endif()")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/stdlib/ DESTINATION share/weir/stdlib FILES_MATCHING PATTERN "*.weir")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION share/doc/weir FILES_MATCHING PATTERN "*.md")
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/weir)

# `make package` (cpack -G DEB): build/weir_VERSION_ARCH.deb, installing under /usr.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME weir)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Compiler for Weir, a typed language for MQTT rule programs")
set(CPACK_PACKAGE_CONTACT "Weir developers <weir@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# The compiler's own shared libraries come from dpkg-shlibdeps (LLVM, libstdc++ and fmt are
# linked into `weir`: libc, libm, zlib, zstd, tinfo remain). What `weir build` runs and links
# (compiler/codegen/link.cpp, link_cache.cpp): clang-16, which works out the link command (it
# brings libc6-dev and libstdc++-12-dev), ld.lld-16, and the libraries the
# runtime needs at link time: -lsimdjson (libsimdjson-dev has the .so), -lssl -lcrypto.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "clang-16, lld-16, libsimdjson-dev, libssl-dev")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "mosquitto-clients")
# Debug information stays in the build tree; the package carries stripped files.
set(CPACK_STRIP_FILES TRUE)
include(CPack)
