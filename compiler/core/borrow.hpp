// Borrowed-parameter inference (Lean 4 / Perceus style): the pipeline's pass "borrow", just
// before "rc" inserts Dup/Drop (insertRc runs it itself when called alone, as tests do).
//
// A BORROWED parameter is not owned by the callee: a saturated direct call `(@f)(.., x, ..)`
// passes x without giving up a reference (the caller keeps x alive across the call and drops
// it afterwards if that was its last use), and f's body never consumes x -- it only reads it,
// matches on it (the fields of a borrowed scrutinee are borrowed too) and passes it to other
// borrowed positions; anywhere it needs a reference of its own it dups. A function that only
// walks a shared list (`safe`, `length`, `elem`) then touches no count at all.
//
// Every parameter starts borrowed; a fixpoint marks a parameter OWNED when its function
//  - uses it in a consuming position: returned, stored in a constructor, captured by a
//    lambda, applied as a function, the object of a projection, an operand of a consuming
//    primitive, bound by a Let, or passed to an owned position of a call (any call that is not
//    a saturated direct call of a known function has only owned positions);
//  - consumes a field matched out of it (at any depth): from an owned unique cell the field is
//    moved out for free, from a borrowed one it costs a dup;
//  - matches on it in an alternative that builds a constructor of the same size (keeping it
//    owned keeps in-place reuse of its cell, codegen's Perceus reuse);
// and marks parameter j of g owned when some tail call `(@g)(..)` passes, in position j, a value
// the caller would have to drop after the call (an owned variable or a temporary): the call
// would stop being a tail call and a loop would grow the stack.
// The entry function and the closure code of lambdas keep owned parameters. Calls that are not
// saturated go through the function's closure wrapper (codegen), which owns its arguments and
// drops the borrowed ones after the call.
#pragma once
#include "core/core.hpp"

namespace weir::core {

// Sets Function::borrowed for every function of p (LetRec must have been lifted).
void inferBorrowed(Program& p);

// True for arguments that are never counted (literals, globals, nullary constructors): they
// may stand in a borrowed position as they are.
bool immortalAtom(const Expr& e);

}  // namespace weir::core
