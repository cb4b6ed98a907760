// Tail recursion modulo constructor contexts (TRMC; Leijen & Lorenzen POPL'23, OCaml's
// [@tail_mod_cons]), in destination-passing style.
//
// A function f qualifies when some tail position of its body is a constructor context around a
// saturated self-call: `Cons(g(x), @f(a, xs))`, or nested `Node(l, k, Wrap(@f(r)))`. Then
//  - a worker `f$trmc(params.., !dest)` is added: its body is f's with every tail position
//    writing its result to the destination instead of returning it (`%TrmcFill(dest, e)`), a
//    saturated self-call in tail position becoming `@f$trmc(args.., dest)`, and every qualifying
//    context becoming: allocate the constructors with a hole (`%TrmcHole()`) where the call was,
//    take the hole's address (`%TrmcField.k(cell)`), write the outer cell to dest, and tail-call
//    the worker with the hole as the new destination: a loop in constant stack;
//  - in f itself each qualifying context allocates its cells, calls the worker once to fill the
//    hole and returns the outer cell (the other branches are left as they are).
// The cells under construction are reachable only from the function, so they are uniquely
// owned: Perceus reuse still applies to them and the counts stay exact (rc sees the destination
// as an ordinary variable consumed exactly once on every path).
// Functions that call each other in tail position (one strongly connected component of the
// tail-call graph, holes included) get their workers together when any of them qualifies: a
// context's hole may be a call to any of them, and a worker's tail call to one of them goes to
// that one's worker with the destination (the inner loop of a nested list comprehension ends by
// calling the outer loop, core/lower/comprehension.cpp).
// Evaluation order is kept: the arguments evaluated before the call are let-bound first; the
// ones after it must be values without effects (variables, literals, globals, lambdas and
// constructors of those), otherwise that call is not a candidate. When a context holds several
// self-calls, the last candidate becomes the hole and the others stay ordinary calls.
//
// Runs after specialisation (pass "trmc", --emit=core shows the workers) and again after
// liftLetRec for the local functions lifted there ("trmc-lifted"; core/pipeline.cpp); a
// transformed function no longer has the shape, so running it twice changes nothing.
// WEIR_TRMC=0 (or --pass-off for both) turns it off (for measurements).
#pragma once
#include <string>

#include "core/core.hpp"

namespace weir::core {

// The worker of function `name` is `name$trmc`; trmcFunctionName gives back the function a
// worker's name belongs to (any other name unchanged). core/peel.hpp treats the two as one.
std::string trmcWorkerName(const std::string& name);
std::string trmcFunctionName(const std::string& name);

// Adds the workers and rewrites the qualifying functions of p in place; returns how many
// functions were transformed. Uses and updates Program::nextVar.
int trmc(Program& p);

}  // namespace weir::core
