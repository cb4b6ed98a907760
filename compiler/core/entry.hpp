// The entry point as a function of the world (run before the simplifier, core/lower/lower.cpp).
//
// `main = do let e = build; ...` lowers to a global (a CAF) whose body computes `e` and returns
// the IO action, a closure capturing `e`. Globals are evaluated at start-up and made immortal
// (codegen: weir_mark_immortal), so `e` -- and everything the action captures -- was immortal
// for the whole run: never freed, never reused in place (cfold's 40 MB tree was copied by
// `reassoc` instead of being rebuilt in place, and never freed).
// When no code refers to the entry global, it becomes `fun main(w) = body w` instead: the same
// evaluation (once, before the action runs), but `e` is an ordinary owned value that dies after
// its last use. The application `body w` is pushed under the lets of body and, when body is a
// call, added to its operands, so the simplifier sees a saturated call (`primBindIO(a, k, w)`).
#pragma once

#include "core/core.hpp"

namespace weir::core {

// Rewrites p in place; true when the entry global was turned into a function.
bool entryAsFunction(Program& p);

}  // namespace weir::core
