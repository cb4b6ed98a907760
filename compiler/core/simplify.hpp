// The Core simplifier: inlining, beta reduction, case-of-known-constructor, case-of-case and
// dead-let elimination, run on the whole program after specialisation, before trmc (core/trmc.hpp:
// it then sees the inlined code) and before reference counting (so the Dup/Drop inserted later
// stay exact for the simplified code).
//
// What it does, on each function (callees first, so a callee is simplified before it is
// copied into its callers) and then on each global:
//  - inlining (inline.cpp): a saturated call `(@f)(a1..an)` of a small non-recursive function
//    (body of at most SimplifyOptions::inlineSize Core nodes, or any size when it is the only
//    call of f in the program) becomes `let p1 = a1 in .. let pn = an in body` with the body
//    copied under fresh variables. Arguments are let-bound, never substituted into the body,
//    so an argument used twice is evaluated once (sharing kept, evaluation order kept: Core is
//    strict). Functions in a recursive group are never inlined.
//  - beta reduction: `(\ps -> b)(as)` becomes lets, the same way;
//  - let floating: `let x = (let y = e1 in e2) in b` becomes `let y = e1 in let x = e2 in b`;
//  - atoms: `let x = y in b` substitutes y for x (a literal or a global only where a value may
//    stand, never as a case scrutinee);
//  - case-of-known-constructor: `let x = C(e1..en) in .. case x of C(y1..yn) -> b` binds
//    e1..en to variables first (in order) and becomes `b[yi := those]`, without looking at the
//    cell; so do a projection of x, a case on x inside an alternative that already matched x,
//    and a literal case on a variable bound to a literal. Comparisons and +, -, * of literal
//    Ints are folded, so `if 2 == 0 then ..` picks its branch;
//  - case-of-case: `let x = (case y of alts) in case x of alts'` becomes
//    `case y of alt -> (let x = leaf in case x of alts')` for each leaf of the inner case, when
//    at least one leaf is a known constructor and the code copied is within
//    SimplifyOptions::caseOfCaseSize nodes; each copy then resolves by case-of-known;
//  - partial applications: `let x = f(atoms) in b`, f a known function given fewer arguments
//    than it takes, with x used once in b and not inside a lambda, is built where it is used
//    (e.g. in the one branch that runs it: `when c (putStrLn s)` inlined allocates nothing
//    when c is false, and applied to the world there it becomes a direct call);
//  - matched values shared, not rebuilt: inside `case x of C(y1..yn) -> b`, a `C(y1..yn)` in b
//    (the same constructor, by name, applied to exactly those variables) becomes x, as GHC's
//    case binder does: `add f (Val n) = add (Val n) f` and deriv's `pow f g = Pow f g` on a
//    matched `Pow f g` return the matched cell (shared: one more reference) instead of a copy.
//    Rebuilding a shared cell allocated a second one holding the same fields; a unique one was
//    reused in place by codegen, which is what sharing it amounts to;
//  - dead lets: `let x = e in b` with x unused in b and e free of effects (no call, no
//    failing primitive) is removed, so a constructor built and matched right away is never
//    allocated.
// Functions that are no longer called after inlining are removed.
// Run-time error locations stay the user's: a call site recorded for a library function that
// can fail (callsite.hpp) is inlined only when the callee's failing operations can take that
// location directly.
#pragma once

#include "core/core.hpp"

namespace weir::core {

struct SimplifyOptions {
  int inlineSize = 30;          // callee body size (Core nodes) inlined at every call
  int inlineOnceSize = 400;     // callee body size inlined at its only call site
  int caseOfCaseSize = 60;      // Core nodes case-of-case may copy
  int inlinesPerFunction = 64;  // inlining into one function stops after this many calls
};

struct SimplifyStats {
  int inlined = 0;       // calls replaced by the callee's body
  int beta = 0;          // lambdas applied in place
  int knownCases = 0;    // cases and projections resolved on a known constructor or literal
  int caseOfCase = 0;    // cases pushed into the branches of the case they scrutinise
  int deadLets = 0;      // unused lets without effects removed
  int papsMoved = 0;     // partial applications built at their only use
  int rebuilds = 0;      // constructors rebuilding a matched value, replaced by that value
  int removed = 0;       // functions no longer called, removed
};

// Rewrites p in place (p must not contain Dup/Drop). Uses and advances Program::nextVar.
SimplifyStats simplify(Program& p, const SimplifyOptions& opts = {});

// One function or global body on its own, without inlining (for unit tests and other passes).
ExprPtr simplifyExpr(const ExprPtr& e, Program& p, SimplifyStats* stats = nullptr);

// Size in Core nodes (what the budgets count).
int coreSize(const Expr& e);

}  // namespace weir::core
