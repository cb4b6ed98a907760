// Core utilities used by the back end: free variables and lambda lifting of LetRec.
#pragma once
#include <vector>

#include "core/core.hpp"

namespace weir::core {

// Free local variables of e, sorted ascending, without duplicates.
std::vector<VarId> freeVars(const Expr& e);

// Lifts every LetRec group to top-level Functions so that codegen and the RC pass never see
// LetRec (recursive closures would form reference cycles that counting cannot free).
// For a group { f_i = \ps_i -> b_i } whose free variables outside the group are E = e_1..e_k:
//  - each f_i becomes a Function "<enclosing>$rec<var>" with parameters E ++ ps_i;
//  - a saturated call f_j(args) (anywhere in the group or in the LetRec body) becomes the direct
//    call @F_j(E ++ args); an over-saturated call calls @F_j then applies the result;
//  - any other occurrence of f_j becomes a closure: @F_j itself when E is empty, otherwise
//    \qs -> @F_j(E ++ qs) with fresh qs (a Lam capturing E).
// Uses and updates Program::nextVar for fresh variables.
void liftLetRec(Program& p);

}  // namespace weir::core
