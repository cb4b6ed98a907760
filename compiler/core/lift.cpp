#include "core/lift.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

namespace weir::core {

namespace {

void fvInto(const Expr& e, std::set<VarId>& bound, std::set<VarId>& out);

void fvChildren(const Expr& e, std::set<VarId>& bound, std::set<VarId>& out) {
  for (auto& a : e.args) fvInto(*a, bound, out);
}

// Collect free variables of e given the set of variables bound by enclosing binders of e
// *inside the expression being analysed*. Ids are unique within a function, so binders never
// shadow and a simple "bound" set is exact.
void fvInto(const Expr& e, std::set<VarId>& bound, std::set<VarId>& out) {
  auto use = [&](VarId v) { if (!bound.count(v)) out.insert(v); };
  switch (e.kind) {
    case Expr::Var: use(e.var); return;
    case Expr::Global: case Expr::LitInt: case Expr::LitFloat: case Expr::LitChar:
    case Expr::LitString: case Expr::Error:
      return;
    case Expr::Lam:
      for (VarId p : e.params) bound.insert(p);
      fvChildren(e, bound, out);
      return;
    case Expr::Let:
      fvInto(*e.args[0], bound, out);
      bound.insert(e.var);
      fvInto(*e.args[1], bound, out);
      return;
    case Expr::LetRec:
      for (auto& b : e.binds) bound.insert(b.var);
      for (auto& b : e.binds) fvInto(*b.lam, bound, out);
      fvChildren(e, bound, out);
      return;
    case Expr::Case:
      use(e.scrut);
      for (auto& a : e.alts) {
        for (VarId f : a.fields) bound.insert(f);
        fvInto(*a.body, bound, out);
      }
      if (e.deflt) fvInto(*e.deflt, bound, out);
      return;
    case Expr::LitCase:
      use(e.scrut);
      for (auto& a : e.litAlts) fvInto(*a.body, bound, out);
      if (e.deflt) fvInto(*e.deflt, bound, out);
      return;
    case Expr::Dup: case Expr::Drop:
      use(e.var);
      fvChildren(e, bound, out);
      return;
    case Expr::App: case Expr::Con: case Expr::Proj: case Expr::Prim:
      fvChildren(e, bound, out);
      return;
  }
}

struct Group {
  std::vector<VarId> env;  // E
  std::map<VarId, std::pair<std::string, size_t>> members;  // var -> (function name, arity)
};

struct Lifter {
  Program& p;
  std::set<std::string> names;
  // Active substitutions: var -> group index
  std::map<VarId, const Group*> subst;

  explicit Lifter(Program& prog) : p(prog) {
    for (auto& f : p.functions) names.insert(f.name);
    for (auto& g : p.globals) names.insert(g.name);
  }

  std::vector<ExprPtr> envArgs(const Group& g) {
    std::vector<ExprPtr> r;
    for (VarId v : g.env) r.push_back(mkVar(v));
    return r;
  }

  ExprPtr closureFor(VarId v) {
    const Group& g = *subst.at(v);
    auto& [name, arity] = g.members.at(v);
    if (g.env.empty()) return mkGlobal(name);
    std::vector<VarId> qs;
    auto args = envArgs(g);
    for (size_t k = 0; k < arity; k++) {
      qs.push_back(p.nextVar++);
      args.push_back(mkVar(qs.back()));
    }
    return mkLam(qs, mkApp(mkGlobal(name), std::move(args)));
  }

  ExprPtr go(const ExprPtr& e, const std::string& ctx) {
    switch (e->kind) {
      case Expr::Var:
        if (subst.count(e->var)) return closureFor(e->var);
        return e;
      case Expr::App: {
        const Expr& f = *e->args[0];
        if (f.kind == Expr::Var && subst.count(f.var)) {
          const Group& g = *subst.at(f.var);
          auto& [name, arity] = g.members.at(f.var);
          size_t n = e->args.size() - 1;
          if (n >= arity) {
            auto args = envArgs(g);
            for (size_t k = 1; k <= arity; k++) args.push_back(go(e->args[k], ctx));
            ExprPtr call = mkApp(mkGlobal(name), std::move(args));
            if (n == arity) return call;
            std::vector<ExprPtr> rest;
            for (size_t k = arity + 1; k <= n; k++) rest.push_back(go(e->args[k], ctx));
            return mkApp(call, std::move(rest));
          }
        }
        break;
      }
      case Expr::LetRec: return liftGroup(*e, ctx);
      case Expr::Case: case Expr::LitCase:
        if (subst.count(e->scrut)) {  // (ill-typed: a function scrutinised) keep it well-scoped
          auto r = std::make_shared<Expr>(*e);
          r->scrut = p.nextVar++;
          return go(mkLet(r->scrut, mkVar(e->scrut), r), ctx);
        }
        break;
      default: break;
    }
    // Rebuild with transformed children.
    auto r = std::make_shared<Expr>(*e);
    for (auto& a : r->args) a = go(a, ctx);
    for (auto& a : r->alts) a.body = go(a.body, ctx);
    for (auto& a : r->litAlts) a.body = go(a.body, ctx);
    if (r->deflt) r->deflt = go(r->deflt, ctx);
    return r;
  }

  ExprPtr liftGroup(const Expr& e, const std::string& ctx) {
    auto group = std::make_unique<Group>();
    std::set<VarId> gv;
    for (auto& b : e.binds) gv.insert(b.var);
    std::set<VarId> env;
    for (auto& b : e.binds) {
      if (b.lam->kind != Expr::Lam) throw std::logic_error("LetRec binding is not a Lam");
      for (VarId v : freeVars(*b.lam))
        if (!gv.count(v)) env.insert(v);
    }
    // Free variables that are themselves members of an enclosing (already substituted) group
    // are not real variables any more: replace them by that group's environment.
    std::set<VarId> realEnv;
    for (VarId v : env) {
      if (subst.count(v)) for (VarId w : subst.at(v)->env) realEnv.insert(w);
      else realEnv.insert(v);
    }
    group->env.assign(realEnv.begin(), realEnv.end());
    for (auto& b : e.binds) {
      std::string name = ctx + "$rec" + std::to_string(b.var);
      while (names.count(name)) name += "'";
      names.insert(name);
      group->members[b.var] = {name, b.lam->params.size()};
    }
    const Group* gp = group.get();
    groups.push_back(std::move(group));
    for (auto& b : e.binds) subst[b.var] = gp;
    for (auto& b : e.binds) {
      Function f;
      f.name = gp->members.at(b.var).first;
      f.params = gp->env;
      for (VarId q : b.lam->params) f.params.push_back(q);
      auto at = locs.find(ctx);
      if (at != locs.end()) f.loc = locs[f.name] = at->second;  // a local function: its enclosing definition
      f.body = go(b.lam->args[0], f.name);
      p.functions.push_back(std::move(f));
    }
    return go(e.args[0], ctx);
  }

  std::vector<std::unique_ptr<Group>> groups;
  std::map<std::string, std::string> locs;  // function -> source location (for stack traces)
};

}  // namespace

std::vector<VarId> freeVars(const Expr& e) {
  std::set<VarId> bound, out;
  fvInto(e, bound, out);
  return {out.begin(), out.end()};
}

void liftLetRec(Program& p) {
  Lifter l(p);
  size_t nf = p.functions.size();
  for (auto& f : p.functions) if (!f.loc.empty()) l.locs[f.name] = f.loc;
  for (size_t k = 0; k < nf; k++) {
    ExprPtr body = p.functions[k].body;
    std::string name = p.functions[k].name;
    body = l.go(body, name);
    p.functions[k].body = body;  // (p.functions may have grown: index again)
    l.subst.clear();
  }
  for (auto& g : p.globals) {
    g.body = l.go(g.body, g.name);
    l.subst.clear();
  }
}

}  // namespace weir::core
