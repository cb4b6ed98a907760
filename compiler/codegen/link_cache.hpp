// Running a link without clang's driver each time. See docs/cli.md ("Files and environment").
#pragma once

#include <string>
#include <vector>

namespace weir::codegen {

// Runs the link that `driverArgs` (a clang-16 command line whose input object is objPath and
// whose output is exePath) describes; returns the exit status and sets `output` to what the
// linker printed, or on a failure to start it the reason.
//
// Why: clang's driver loads libclang-cpp and libLLVM (about 80 ms of relocations and page
// faults here) only to work out a linker command line that depends on nothing but the options,
// the installed toolchain and the two paths. The first link with given options asks clang for
// that line (`-###`) and keeps it, with the two paths as placeholders, in
// $XDG_CACHE_HOME/weir/link (or ~/.cache/weir/link), under a key that includes clang's size and
// time stamp; later links run the linker directly. A cached line that fails is removed and the
// link goes through clang again, so a stale entry costs one retry, never a wrong result.
// WEIR_LINK_CACHE=0 always goes through clang.
int runLink(const std::vector<std::string>& driverArgs, const std::string& objPath, const std::string& exePath,
            std::string& output);

// The linker's argv in clang's `-###` output, or empty when the output holds not exactly one
// command line or one that cannot be read (then the link is not cached). Public for tests.
std::vector<std::string> parseDriverCommand(const std::string& hashHashHashOutput);

}  // namespace weir::codegen
