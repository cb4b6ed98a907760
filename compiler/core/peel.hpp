// Peeling the base cases of recursive calls: a non-tail call of a recursive function whose body
// starts by matching a parameter answers its cheap cases at the call site instead of in a call.
//
// A tree walk calls itself once per child, and half of the children of a full binary tree are
// leaves: `go (Node l r) acc = go l (go r (acc + 1)); go Nil acc = acc` spends half of its calls
// entering a frame only to return `acc`. For a callee g whose body is `case p of alts` (or a
// literal case) on one of its parameters, with at least one *cheap* alternative (a body that is
// a variable, a literal, a global or a constructor of those: no call, no case, no let) and at
// least one that is not, a saturated call of g in a non-tail position of g itself (or of its trmc
// worker, core/trmc.hpp) becomes
//
//     let a1 = arg1 in ... let an = argn in          -- the arguments, in order, evaluated once
//     case a_k of cheap alternatives (g's, parameters renamed to the a_i, binders fresh)
//                 every other alternative -> @g(a1, ..., an)
//
// so `go r (acc + 1)` is `let a = acc + 1 in case r of Nil -> a; _ -> go r a`. Tail calls are left
// alone (they are jumps, or loops, already), and so are calls from other functions (one call
// saved per outer call is not worth the copy). Only the original call site is peeled: the call
// left in the default branch is not peeled again, so code grows by the cheap alternatives once
// per recursive call site.
//
// A function whose peeled case would have more than eight alternatives is not peeled (a table of
// literal clauses is not copied to each call site).
//
// Runs after lift-letrec (local walks are top-level functions by then, so their self-calls are
// visible) and trmc-lifted, before borrow and rc, which see the peeled case as ordinary Core.
// `WEIR_PEEL=0` (or `--pass-off=peel`) leaves the calls as they are.
#pragma once
#include "core/core.hpp"

namespace weir::core {

// Peels the qualifying call sites of p in place; returns how many were peeled. Uses and updates
// Program::nextVar.
int peelBaseCases(Program& p);

}  // namespace weir::core
