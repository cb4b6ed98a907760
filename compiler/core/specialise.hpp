// Whole-program specialisation of Core (the monomorphisation step of DESIGN.md).
//
// Type classes are elaborated to dictionary arguments and higher-order functions take
// function arguments, so `sum [1, 2, 3 :: Int]` would reach `(+)` through a dictionary
// field and `foldl` would call it through a closure: two indirect calls per element.
// Wherever a call passes a *known* top-level value for a parameter — a constant
// dictionary or a top-level function — this pass makes a copy of the callee with that
// parameter replaced by the value, then simplifies the copy:
//   - a field of a constant dictionary becomes the method itself (`Proj(dict, i)` → global);
//   - `(f a) b` with `f a` a partial application becomes the saturated call `f a b`;
//   - a call of a primitive's wrapper becomes the primitive (`$fNum$Int$+ x y` → `IntAdd`);
//   - an instance function applied to constant dictionaries (`Show [Int]` from `Show Int`)
//     becomes a new constant dictionary.
// Recursive calls with the same known arguments reuse the copy, so `foldl (+)` becomes one
// loop with an `add` instruction. Budgets bound code growth (see specialise.cpp).
#pragma once

#include "core/core.hpp"

namespace weir::core {

struct SpecialiseStats {
  int clones = 0;        // specialised copies of functions made
  int dictionaries = 0;  // constant dictionaries made from instance functions
};

// Rewrites `p` in place; run before pruning of unreachable code, RC insertion and lifting.
SpecialiseStats specialise(Program& p);

}  // namespace weir::core
