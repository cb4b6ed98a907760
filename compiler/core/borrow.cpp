#include "core/borrow.hpp"

#include <unordered_map>
#include <unordered_set>

#include "core/lift.hpp"

namespace weir::core {

bool immortalAtom(const Expr& e) {
  switch (e.kind) {
    case Expr::Global: case Expr::LitInt: case Expr::LitFloat: case Expr::LitChar: case Expr::LitString:
      return true;
    case Expr::Con: return e.args.empty();
    default: return false;
  }
}

namespace {

// Does e build a constructor with n fields (a candidate for reusing a matched cell of that size)?
bool buildsCon(const Expr& e, size_t n) {
  if (e.kind == Expr::Con && e.args.size() == n) return true;
  bool found = false;
  forEachChild(const_cast<Expr&>(e), [&](const ExprPtr& c) { found = found || buildsCon(*c, n); });
  return found;
}

struct Infer {
  const Program& prog;
  std::unordered_map<std::string, Function*> byName;
  bool changed = false;
  explicit Infer(const Program& p) : prog(p) {}

  // per function
  Function* cur = nullptr;
  std::unordered_map<VarId, size_t> paramIndex;  // parameters of cur (outside lambdas)
  std::unordered_set<VarId> derived;             // borrowed params and fields matched out of them
  std::unordered_map<VarId, VarId> fieldOf;      // field -> scrutinee, below a parameter

  void own(Function& f, size_t k) {
    if (f.isBorrowed(k)) {
      f.borrowed[k] = false;
      changed = true;
    }
  }
  // A consumed field makes the parameter it came from owned too: from a unique owned cell the
  // field is moved out for free, from a borrowed one it would cost a dup (and the caller's
  // later drop of the cell a decrement).
  void ownVar(VarId v) {
    for (;;) {
      auto it = paramIndex.find(v);
      if (it != paramIndex.end()) { own(*cur, it->second); return; }
      auto f = fieldOf.find(v);
      if (f == fieldOf.end()) return;
      v = f->second;
    }
  }

  // The function a saturated direct call calls, or null.
  Function* callee(const Expr& e) {
    if (e.kind != Expr::App || e.args[0]->kind != Expr::Global) return nullptr;
    auto it = byName.find(e.args[0]->name);
    if (it == byName.end() || it->second->params.size() + 1 != e.args.size()) return nullptr;
    return it->second;
  }

  // e's value is consumed (a Var here is a consuming use); tail: e is in tail position.
  void walk(const Expr& e, bool tail) {
    switch (e.kind) {
      case Expr::Var: ownVar(e.var); return;
      case Expr::Global: case Expr::LitInt: case Expr::LitFloat: case Expr::LitChar:
      case Expr::LitString: case Expr::Error:
        return;
      case Expr::App: {
        Function* g = callee(e);
        if (!g) {
          for (auto& a : e.args) walk(*a, false);
          return;
        }
        for (size_t i = 1; i < e.args.size(); i++) {
          const Expr& a = *e.args[i];
          if (!g->isBorrowed(i - 1)) { walk(a, false); continue; }
          if (immortalAtom(a)) continue;
          bool keepsTail = a.kind == Expr::Var && derived.count(a.var);
          if (a.kind != Expr::Var) walk(a, false);
          if (tail && !keepsTail) own(*g, i - 1);  // the caller would drop it after the call
        }
        return;
      }
      case Expr::Prim: {
        bool reads = primBorrows(e.prim);
        for (auto& a : e.args)
          if (!(reads && a->kind == Expr::Var)) walk(*a, false);
        return;
      }
      case Expr::Con: case Expr::Proj:
        for (auto& a : e.args) walk(*a, false);
        return;
      case Expr::Lam: {
        for (VarId v : freeVars(e)) ownVar(v);  // captured: the closure owns a reference
        auto savedParams = std::move(paramIndex);
        auto savedDerived = std::move(derived);
        auto savedFields = std::move(fieldOf);
        paramIndex.clear();
        derived.clear();
        fieldOf.clear();
        walk(*e.args[0], true);  // the lambda's code owns its parameters and captures
        paramIndex = std::move(savedParams);
        derived = std::move(savedDerived);
        fieldOf = std::move(savedFields);
        return;
      }
      case Expr::Let:
        walk(*e.args[0], false);
        walk(*e.args[1], tail);
        return;
      case Expr::Case: {
        bool fromBorrowed = derived.count(e.scrut) > 0;
        bool param = paramIndex.count(e.scrut) > 0;
        bool belowParam = param || fieldOf.count(e.scrut) > 0;
        for (auto& a : e.alts) {
          if (fromBorrowed) derived.insert(a.fields.begin(), a.fields.end());
          // a raw field (core::ConLayout) is a copied word: consuming it owns nothing
          if (belowParam)
            for (size_t k = 0; k < a.fields.size(); k++)
              if (a.con.empty() || prog.fieldRep(a.con, k) == Rep::Boxed) fieldOf[a.fields[k]] = e.scrut;
          if (param && !a.fields.empty() && buildsCon(*a.body, a.fields.size())) ownVar(e.scrut);
          walk(*a.body, tail);
        }
        if (e.deflt) walk(*e.deflt, tail);
        return;
      }
      case Expr::LitCase:
        for (auto& a : e.litAlts) walk(*a.body, tail);
        if (e.deflt) walk(*e.deflt, tail);
        return;
      case Expr::LetRec: case Expr::Dup: case Expr::Drop:
        // not expected here (lifted / inserted later): be safe, everything it touches is owned
        for (auto& a : e.args) walk(*a, false);
        return;
    }
  }

  void function(Function& f) {
    cur = &f;
    paramIndex.clear();
    derived.clear();
    fieldOf.clear();
    for (size_t k = 0; k < f.params.size(); k++) {
      paramIndex[f.params[k]] = k;
      if (f.isBorrowed(k)) derived.insert(f.params[k]);
    }
    walk(*f.body, true);
  }
};

}  // namespace

void inferBorrowed(Program& p) {
  Infer in(p);
  for (auto& f : p.functions) {
    in.byName[f.name] = &f;
    f.borrowed.assign(f.params.size(), f.name != p.entry);
  }
  // Globals only call: their tail calls constrain the callees' parameters too.
  do {
    in.changed = false;
    for (auto& f : p.functions) in.function(f);
    for (auto& g : p.globals) {
      in.cur = nullptr;
      in.paramIndex.clear();
      in.derived.clear();
      in.walk(*g.body, true);
    }
  } while (in.changed);
}

}  // namespace weir::core
