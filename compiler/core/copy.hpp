// Deep copies of Core expressions with fresh variables: what inlining (simplify/inline.cpp) and
// specialisation (specialise.cpp) need when one body is copied into another place, since every
// variable id must stay bound once in a program.
#pragma once

#include <map>
#include <unordered_map>

#include "core/core.hpp"

namespace weir::core {

// A copy of e with every variable e binds renamed to a fresh one (ids from `next`); free
// variables listed in `ren` (e.g. a function's parameters) renamed as given, and, when `subst`
// is given, free variables listed there replaced by a copy of their closed expression.
ExprPtr copyFresh(const Expr& e, VarId& next, std::unordered_map<VarId, VarId> ren = {},
                  const std::map<VarId, ExprPtr>* subst = nullptr);

}  // namespace weir::core
