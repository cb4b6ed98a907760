// Internal to the simplifier (simplify.cpp: local rewrites; inline.cpp: the whole-program
// driver and inlining decisions). See simplify.hpp for what the rewrites are.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>

#include "core/copy.hpp"
#include "core/simplify.hpp"

namespace weir::core::simp {

using core::copyFresh;   // core/copy.hpp

// `let params[i] = call.args[i + 1] in body`, in order; operands beyond the parameters are
// let-bound to fresh variables too (so all are evaluated before the body, as in the call) and
// the body's result is applied to them.
ExprPtr bindArgs(const std::vector<VarId>& params, ExprPtr body, const Expr& call, VarId& next);

// Rewrites one body (see simplify.hpp). `inliner`, if set, is asked about every saturated or
// over-saturated call of a global (its operands already simplified) and returns the code to
// replace it with (let-bound operands around a fresh copy of the body) or nullptr.
struct Rewriter {
  Program& p;
  const SimplifyOptions& opts;
  SimplifyStats& stats;
  std::function<ExprPtr(const Expr& call)> inliner;
  int fuel = 0;  // inlines still allowed in this body
  // Arity of each top-level function (set by the whole-program driver): tells a partial
  // application, which only allocates, from a call.
  const std::unordered_map<std::string, size_t>* arities = nullptr;

  Rewriter(Program& prog, const SimplifyOptions& o, SimplifyStats& s) : p(prog), opts(o), stats(s) {}
  ExprPtr run(const ExprPtr& body);  // simplify, then remove dead lets

 private:
  std::unordered_map<VarId, ExprPtr> sub;    // variable -> the atom that replaces it
  std::unordered_map<VarId, ExprPtr> known;  // variable -> its value: literal, or Con of atoms
  // The alternatives being rewritten, innermost last: `case x of alt` with alt.con known, so a
  // Con that rebuilds x from its own fields becomes x.
  struct Matched {
    VarId x;
    const Alt* alt;
  };
  std::vector<Matched> matched;

  VarId fresh() { return p.nextVar++; }
  ExprPtr simp(const ExprPtr& e);
  ExprPtr app(const Expr& e);
  ExprPtr let(const Expr& e);
  ExprPtr letBody(VarId x, ExprPtr rhs, const ExprPtr& body);
  ExprPtr caseOfCase(VarId x, const ExprPtr& inner, const ExprPtr& outer);
  ExprPtr caseOf(const Expr& e);
  ExprPtr litCase(const Expr& e);
  ExprPtr proj(const Expr& e);
  ExprPtr prim(const Expr& e);
  ExprPtr con(const Expr& e);
  const Expr* knownOf(const Expr& leaf) const;
  VarId scrutVar(VarId v) const;
  ExprPtr removeDeadLets(ExprPtr e, std::unordered_map<VarId, int>& uses);
};

}  // namespace weir::core::simp
