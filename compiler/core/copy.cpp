#include "core/copy.hpp"

namespace weir::core {

namespace {

struct Copier {
  VarId& next;
  const std::map<VarId, ExprPtr>* subst;
  std::unordered_map<VarId, VarId> ren;

  VarId bind(VarId v) { return ren[v] = next++; }
  VarId use(VarId v) const {
    auto it = ren.find(v);
    return it == ren.end() ? v : it->second;
  }

  ExprPtr copy(const Expr& e) {
    if (subst && e.kind == Expr::Var) {
      auto s = subst->find(e.var);
      if (s != subst->end()) return copy(*s->second);
    }
    auto r = std::make_shared<Expr>(e);
    switch (e.kind) {
      case Expr::Var: case Expr::Dup: case Expr::Drop: case Expr::FreeReuse:
        r->var = use(e.var);
        if (e.kind == Expr::Drop && e.token >= 0) r->token = bind(e.token);
        break;
      case Expr::Con:
        if (e.token >= 0) r->token = use(e.token);
        break;
      case Expr::Lam:
        for (auto& q : r->params) q = bind(q);
        break;
      case Expr::Let:
        r->args[0] = copy(*e.args[0]);  // the variable is not in scope in its own right-hand side
        r->var = bind(e.var);
        r->args[1] = copy(*e.args[1]);
        return r;
      case Expr::LetRec:
        for (auto& b : r->binds) b.var = bind(b.var);
        for (auto& b : r->binds) b.lam = copy(*b.lam);
        break;
      case Expr::Case: case Expr::LitCase:
        r->scrut = use(e.scrut);
        for (auto& a : r->alts) {
          for (auto& f : a.fields) f = bind(f);
          a.body = copy(*a.body);
        }
        for (auto& a : r->litAlts) a.body = copy(*a.body);
        if (e.deflt) r->deflt = copy(*e.deflt);
        break;
      default:
        break;
    }
    for (auto& a : r->args) if (a) a = copy(*a);
    return r;
  }
};

}  // namespace

ExprPtr copyFresh(const Expr& e, VarId& next, std::unordered_map<VarId, VarId> ren,
                  const std::map<VarId, ExprPtr>* subst) {
  Copier c{next, subst, std::move(ren)};
  return c.copy(e);
}

}  // namespace weir::core
