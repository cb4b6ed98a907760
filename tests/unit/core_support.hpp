// Builders for small Core inputs in the core pass tests (a list is Nil | Cons h t), and what
// those tests check on the output: how often a text occurs in printed Core, whether every
// variable of a function is bound once (rc insertion and codegen key their maps on variable ids).
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/core.hpp"

namespace core_test {
using namespace weir::core;
inline ExprPtr v(VarId x) { return mkVar(x); }
inline ExprPtr call(const char* f, std::vector<ExprPtr> args) { return mkApp(mkGlobal(f), std::move(args)); }
inline ExprPtr nil() { return mkCon(0, "Nil", {}); }
inline ExprPtr cons(ExprPtr h, ExprPtr t) { return mkCon(1, "Cons", {std::move(h), std::move(t)}); }

inline int count(const std::string& s, const std::string& needle) {
  int n = 0;
  for (size_t pos = s.find(needle); pos != std::string::npos; pos = s.find(needle, pos + 1)) n++;
  return n;
}

inline void collectBinders(const Expr& e, std::set<VarId>& seen, bool& twice) {
  auto bind = [&](VarId x) { if (!seen.insert(x).second) twice = true; };
  if (e.kind == Expr::Let) bind(e.var);
  for (VarId q : e.params) bind(q);
  for (auto& b : e.binds) bind(b.var);
  for (auto& a : e.alts) for (VarId f : a.fields) bind(f);
  forEachChild(const_cast<Expr&>(e), [&](ExprPtr& c) { collectBinders(*c, seen, twice); });
}
inline bool eachVariableBoundOnce(const Function& f) {
  std::set<VarId> seen(f.params.begin(), f.params.end());
  bool twice = false;
  collectBinders(*f.body, seen, twice);
  return !twice;
}
}  // namespace core_test
