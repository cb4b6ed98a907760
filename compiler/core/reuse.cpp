// Perceus reuse tokens (see reuse.hpp).
#include "core/reuse.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <string>

#include "support/scc.hpp"

namespace weir::core {

namespace {

struct Reuse {
  Program& prog;
  std::map<std::string, size_t> component;  // each function's strongly connected component of calls
  size_t current = static_cast<size_t>(-1);  // the component of the function being walked
  size_t made = 0;

  // Which functions call each other (directly or through others): the recursions.
  void findRecursions() {
    std::map<std::string, size_t> index;
    for (auto& f : prog.functions) index.emplace(f.name, index.size());
    std::vector<std::vector<size_t>> calls(prog.functions.size());
    std::function<void(const Expr&, std::vector<size_t>&)> collect = [&](const Expr& e, std::vector<size_t>& out) {
      if (e.kind == Expr::Global)
        if (auto it = index.find(e.name); it != index.end()) out.push_back(it->second);
      forEachChild(const_cast<Expr&>(e), [&](ExprPtr& c) { collect(*c, out); });
    };
    for (size_t k = 0; k < prog.functions.size(); k++) collect(*prog.functions[k].body, calls[k]);
    auto comps = support::stronglyConnected(calls);
    for (size_t c = 0; c < comps.size(); c++)
      for (size_t f : comps[c]) component[prog.functions[f].name] = c;
  }

  // Is e a constant codegen makes a static object of (codegen/statics.cpp, staticValue)?
  bool isStatic(const Expr& e) const {
    switch (e.kind) {
      case Expr::LitInt: case Expr::LitFloat: case Expr::LitChar: case Expr::LitString: return true;
      case Expr::Global: return component.count(e.name) > 0;  // a function: its static closure
      case Expr::Con:
        return std::all_of(e.args.begin(), e.args.end(), [&](const ExprPtr& a) { return isStatic(*a); });
      default: return false;
    }
  }

  // What a walk of e did with token t: gave it to a constructor on every path (Used), found
  // nothing to give it to (Unused), or reached a call back into the current recursion first
  // (Stop: held across it, one cell per frame of a deep recursion would be kept aside -- the
  // memory frame-limited reuse bounds, Lorenzen & Leijen ICFP'22 -- so it is freed before).
  enum class Took { Used, Unused, Stop };

  // Gives token t (a cell of n fields) to the first constructor of n fields on every path of e,
  // in evaluation order; a branch of a case that cannot use it frees it first. e is left as it
  // was unless the result is Used.
  Took place(ExprPtr& e, VarId t, size_t n) {
    switch (e->kind) {
      case Expr::Var: case Expr::Global: case Expr::LitInt: case Expr::LitFloat: case Expr::LitChar:
      case Expr::LitString: case Expr::Error:
      case Expr::Lam:     // runs later, perhaps many times
      case Expr::LetRec:  // lifted before rc
        return Took::Unused;
      case Expr::Con: {
        Took a = operands(e->args, t, n);
        if (a != Took::Unused) return a;
        if (e->args.size() != n || e->token >= 0 || isStatic(*e)) return Took::Unused;
        e->token = t;
        return Took::Used;
      }
      case Expr::App: {
        Took a = operands(e->args, t, n);
        if (a != Took::Unused) return a;
        return recursive(*e->args[0]) ? Took::Stop : Took::Unused;
      }
      case Expr::Prim: case Expr::Proj: case Expr::Let: case Expr::Dup: case Expr::Drop: case Expr::FreeReuse:
        return operands(e->args, t, n);  // operands, then a let's or a dup's continuation
      case Expr::Case: case Expr::LitCase: {
        std::vector<ExprPtr*> branches;
        for (auto& a : e->alts) branches.push_back(&a.body);
        for (auto& a : e->litAlts) branches.push_back(&a.body);
        if (e->deflt) branches.push_back(&e->deflt);
        std::vector<bool> used;
        bool stop = false;
        for (ExprPtr* b : branches) {
          Took r = place(*b, t, n);
          used.push_back(r == Took::Used);
          stop = stop || r == Took::Stop;
        }
        // None can use it: free it before the case if a branch calls back into the recursion
        // (code after the case must not hold it across that call either).
        if (std::none_of(used.begin(), used.end(), [](bool u) { return u; })) return stop ? Took::Stop : Took::Unused;
        for (size_t k = 0; k < branches.size(); k++) {
          if (used[k]) continue;
          // after the alternative's own drop of its scrutinee, which codegen wants first
          Expr* d = k < e->alts.size() ? scrutineeDrop(e->alts[k], e->scrut) : nullptr;
          ExprPtr& at = d ? d->args[0] : *branches[k];
          at = mkFreeReuse(t, at);
        }
        return Took::Used;
      }
    }
    return Took::Unused;
  }
  Took operands(std::vector<ExprPtr>& es, VarId t, size_t n) {
    for (auto& a : es)
      if (Took r = place(a, t, n); r != Took::Unused) return r;
    return Took::Unused;
  }
  // A call of a function in the same recursion as the one being walked.
  bool recursive(const Expr& callee) const {
    if (callee.kind != Expr::Global) return false;
    auto it = component.find(callee.name);
    return it != component.end() && it->second == current;
  }

  void walk(ExprPtr& e) {
    if (e->kind == Expr::Case)
      for (auto& a : e->alts) {
        if (a.fields.empty()) continue;
        Expr* d = scrutineeDrop(a, e->scrut);
        if (d && d->token < 0 && place(d->args[0], prog.nextVar, a.fields.size()) == Took::Used) {
          d->token = prog.nextVar++;
          made++;
        }
      }
    forEachChild(*e, [&](ExprPtr& c) { walk(c); });
  }
};

}  // namespace

size_t insertReuse(Program& p) {
  Reuse r{p};
  r.findRecursions();
  for (auto& f : p.functions) {
    r.current = r.component[f.name];
    r.walk(f.body);
  }
  r.current = static_cast<size_t>(-1);
  for (auto& g : p.globals) r.walk(g.body);
  return r.made;
}

}  // namespace weir::core
