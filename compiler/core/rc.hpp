// Reference-count insertion (Perceus style) and its verifier.
//
// Ownership rules (what the inserted Dup/Drop implement, and what codegen/runtime assume):
//  1. Every local variable is OWNED: function and lambda parameters, Let-bound variables, the
//     captured free variables inside a Lam body (the closure's code unpacks its environment on
//     entry: it owns one reference to every captured value and gives up the closure), and the
//     fields of a Case alternative once they have been Dup'ed.
//  2. Every owned variable is consumed EXACTLY ONCE on every path. Consuming uses are: an
//     occurrence as an argument of App/Con/Prim, as the object of Proj, as the result of an
//     expression, and capture by a Lam (the closure owns its environment). Non-scalar
//     primitives (strings, show, IO, Error) consume their operands.
//  3. Borrowing: scalar primitives (core::primBorrows: Int/Float/Char arithmetic, comparisons,
//     conversions) only READ a variable operand; codegen reads each operand right after
//     evaluating it. If that read is the variable's last use the pass wraps the primitive as
//     `let t = prim(..x..) in drop x; t`. Non-variable operands are temporaries that codegen
//     drops right after reading them.
//  4. Evaluation order is left to right: among the children of App/Con/Prim/Proj and a Let's
//     rhs/body, the LAST consumer of an owned variable gets the reference; earlier consumers
//     borrow it and Dup at the use (a Var in consuming position that is only borrowed becomes
//     `dup x; x`, a Lam capturing a borrowed variable is preceded by `dup x`). A variable
//     that a branch (or a Let body, or a function body) does not use is Dropped at the start
//     of that branch / right after it is bound.
//  5. Case x of alternatives: the fields are borrowed from x. At the start of an alternative
//     the fields the body uses are Dup'ed (in field order), THEN x is Dropped unless the body
//     still uses x, then the other dead variables are Dropped. Unused fields are never touched.
//     (Reusing x's cell for a constructor allocated in the branch is a later optimisation; a
//     codegen peephole already frees x's cell without touching the fields when x is unique.)
//  6. Proj dups the projected field then drops the object (done by codegen, the pass treats
//     Proj as consuming its operand).
//  7. Globals, literals and nullary constructors are immortal and never counted.
//  8. A path that ends in Error drops nothing: what is owned there is dropped by the landing pad
//     of the failing call (codegen), if the error is caught (weir_catch, an actor's turn).
//  9. Borrowed parameters (core/borrow.hpp; inferred first, recorded in Function::borrowed,
//     printed `^v`): exceptions to rule 1. A borrowed parameter is alive for the whole body and
//     never consumed (a consuming use dups it); a Case on a variable the code does not own
//     (a borrowed parameter, or a variable borrowed from an enclosing expression) lends its
//     fields, which are dup'ed only where consumed. A saturated direct call only reads the
//     variables in its borrowed positions (like rule 3, but the variable must stay alive during
//     the whole call: an owned variable lent there is dropped after the call, and another
//     argument of the same call that consumes it gets a dup); any other argument in a borrowed
//     position is first let-bound, so that it is a variable dropped after the call. Literals,
//     globals and nullary constructors may stand there as they are.
// 10. Owning walks: when the variable lent to a borrowed parameter is owned and this call is
//     its last use, and the callee WALKS that parameter (calls itself with a field matched out
//     of it there: `length`, `sum`, a tree's size), the call goes to an owning copy `f$own`
//     instead, made on demand from f's body before rc: parameter k owned, so the walk frees
//     each unique cell as it passes it (rule 5 and codegen's in-place free) and hands the
//     fields on owned, instead of a second walk freeing the structure after the call (a third
//     of binarytrees). A shared value would cost two count changes per cell that way, so the
//     copy starts with `let u = %UniqueOrStatic(x) in case u of True -> <f's body, x owned>;
//     False -> f(.., x, ..)` then drops x: the borrowing walk, for a value someone else also
//     holds. Not for the entry function, trmc workers or IO functions; WEIR_OWNED_WALKS=0
//     switches it off.
// The pass requires that LetRec has been lifted (core/lift.hpp); insertRc runs liftLetRec
// first if it finds one.
#pragma once
#include <string>

#include "core/core.hpp"

namespace weir::core {

// Inserts Dup/Drop into every function and global of p (in place) and sets p.rcInserted.
// p must contain no Dup/Drop. First infers the borrowed parameters (core/borrow.hpp) unless
// inferBorrow is false (the pipeline runs that as its own pass, "borrow").
void insertRc(Program& p, bool inferBorrow = true);

// Checks the ownership discipline above on a program that went through insertRc: every owned
// variable is consumed exactly once on every path, no variable is used after it is consumed,
// fields are only Dup'ed while their scrutinee is alive, and all branches of a Case consume
// the same variables. Returns false with a message naming the function on failure.
bool verifyRc(const Program& p, std::string& error);

}  // namespace weir::core
