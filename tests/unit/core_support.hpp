// Builders for small Core inputs in the core pass tests (a list is Nil | Cons h t).
#pragma once

#include <utility>
#include <vector>

#include "core/core.hpp"

namespace core_test {
using namespace weir::core;
inline ExprPtr v(VarId x) { return mkVar(x); }
inline ExprPtr call(const char* f, std::vector<ExprPtr> args) { return mkApp(mkGlobal(f), std::move(args)); }
inline ExprPtr nil() { return mkCon(0, "Nil", {}); }
inline ExprPtr cons(ExprPtr h, ExprPtr t) { return mkCon(1, "Cons", {std::move(h), std::move(t)}); }
}  // namespace core_test
