// Call sites for run-time errors raised inside the standard library.
//
// `head []` fails in the Prelude, but the line a user needs is the call of `head` in their
// own code (what GHC's HasCallStack reports). The lowering records the source location of
// every call in user code (Expr::loc of an App); this pass keeps it only on calls of
// functions that can reach a failing operation located in the library (`error`, `div` by
// zero, ...), marks those operations' locations with the prefix "lib:", and drops the rest.
// Code generation stores a kept call's location in the runtime's `weir_rt_call_site` before
// the call; the runtime reports a "lib:" error at the latest such call site (or at the
// library location when there is none, e.g. a library function called through a closure).
// A call of the runtime's `weir_test_here` counts as such an operation: stdlib/Test.weir reads
// the latest call site with it, which puts a failed assertion at the user's assertion.
#pragma once

#include <functional>
#include <string>

#include "core/core.hpp"

namespace weir::core {

inline constexpr const char* kLibraryLocPrefix = "lib:";

void markLibraryCallSites(Program& p, const std::function<bool(const std::string& loc)>& inLibrary);

}  // namespace weir::core
