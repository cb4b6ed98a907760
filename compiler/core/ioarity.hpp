// IO arity expansion (GHC's "state hack"): functions and lambdas whose result is an IO action
// take the world as one more parameter, so a `do` block runs as straight-line calls instead of
// building one closure per statement and applying it.
//
// IO is world-passing (core.hpp): an action is a closure taking the world token (unit), and
// `primBindIO m k` is the closure `\w -> k (m w) w`. A handler `ping st msg = do { p ! x; pure
// (Continue st) }` was the partial application `primBindIO(p ! x, \_ -> primPureIO(..))`: two
// closures built per call, then applied through the generic apply. After this pass it is
//     fun ping(st, msg, ~w) = let _ = (!)(p, x, w) in Continue(st)
// and the runtime calls it with the world at once (weir_apply3, runtime/sched/lang.c).
//
// Which expressions are IO actions: Core is untyped, but a well-typed body has one type at all
// its results (the leaves through let, letrec and case). So a body is an action when one of its
// leaves manifestly is: a call of a function whose last parameter is the world (Function::world:
// the IO primitives, IO foreign imports, and what this pass expanded) with all arguments but the
// world, a saturated call of a function (or let-bound lambda) found to return an action, or a
// global or variable holding one. Found by a fixpoint over the whole program, from the
// primitives up. Then:
//  - such a function f(xs) becomes f(xs, ~w) with body `run(body, w)`; such a lambda gets the
//    world parameter the same way; a global (CAF) holding an action, e.g. `main`, becomes a
//    function of the world;
//  - run(e, w), the code that runs action e with world w: goes through let, letrec and case
//    into the leaves; `primBindIO(m, \x -> b)` becomes `let x = run(m, w) in run(b, w)`,
//    `primPureIO(x)` becomes x, and any other leaf `f(as)` becomes the call `f(as, w)` (a
//    direct saturated call for known functions, the generic apply otherwise).
//
// What it changes in meaning: the pure part of an expanded function's body (before its first
// effect) is evaluated when the action runs, every time it runs, instead of once when the
// action is built (as in Haskell; an `error` there is raised when the action runs). Effects
// are untouched: they happen when the world is applied, in the same order, once per run; an
// action bound to a variable and run twice (`let a = putStrLn "x" in a >> a`) is built once and
// applied twice. Arguments are still evaluated where the action is built.
//
// Runs after specialisation and call-site marking, before the simplifier (which then inlines
// the small calls it exposes). WEIR_IO_ARITY=0 turns it off (for measurements).
#pragma once
#include "core/core.hpp"

namespace weir::core {

struct IOArityStats {
  int functions = 0;  // top-level functions given a world parameter
  int globals = 0;    // CAFs holding an action turned into functions of the world
  int lambdas = 0;    // lambdas (local functions included) given a world parameter
  int binds = 0;      // primBindIO applications turned into straight-line code
};

IOArityStats ioArity(Program& p);

}  // namespace weir::core
