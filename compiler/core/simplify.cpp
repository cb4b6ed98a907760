// Local rewrites of the simplifier (see simplify.hpp): beta reduction, let floating, atom
// substitution, case-of-known-constructor, case-of-case, literal folding, dead lets.
//
// The rewriter reads its input and builds a new tree: input nodes are never modified (Core
// trees may share subtrees), and every variable keeps its id unless code is copied, when the
// copy gets fresh ones -- so a variable id is bound once in a body and the maps below need no
// scoping, except the knowledge "x matched constructor C" inside an alternative.
#include "core/simplifier.hpp"

#include <algorithm>
#include <optional>

namespace weir::core {

int coreSize(const Expr& e) {
  int n = 1;
  forEachChild(const_cast<Expr&>(e), [&](ExprPtr& c) { n += coreSize(*c); });
  return n;
}

namespace simp {

namespace {

ExprPtr clone(const Expr& e) { return std::make_shared<Expr>(e); }

bool isBottom(const Expr& e) {
  return e.kind == Expr::Error || (e.kind == Expr::Prim && e.prim == PrimOp::Error);
}


ExprPtr boolCon(bool b) { return mkCon(b ? 1 : 0, b ? "Prelude.True" : "Prelude.False", {}); }

// Replaces the results of e (the tail positions through let, letrec and case) by f(result).
template <class F>
ExprPtr mapLeaves(const ExprPtr& e, const F& f) {
  switch (e->kind) {
    case Expr::Let: {
      auto r = clone(*e);
      r->args[1] = mapLeaves(e->args[1], f);
      return r;
    }
    case Expr::LetRec: {
      auto r = clone(*e);
      r->args[0] = mapLeaves(e->args[0], f);
      return r;
    }
    case Expr::Case: case Expr::LitCase: {
      auto r = clone(*e);
      for (auto& a : r->alts) a.body = mapLeaves(a.body, f);
      for (auto& a : r->litAlts) a.body = mapLeaves(a.body, f);
      if (r->deflt) r->deflt = mapLeaves(r->deflt, f);
      return r;
    }
    default:
      return f(e);
  }
}

template <class F>
void forLeaves(const Expr& e, const F& f) {
  switch (e.kind) {
    case Expr::Let: forLeaves(*e.args[1], f); break;
    case Expr::LetRec: forLeaves(*e.args[0], f); break;
    case Expr::Case: case Expr::LitCase:
      for (auto& a : e.alts) forLeaves(*a.body, f);
      for (auto& a : e.litAlts) forLeaves(*a.body, f);
      if (e.deflt) forLeaves(*e.deflt, f);
      break;
    default:
      f(e);
  }
}

// The alternative of a Case (or LitCase) that a known value selects; nullptr when none does
// or the value's kind does not fit.
const ExprPtr* selectAlt(const Expr& c, const Expr& value, const std::vector<VarId>** fields = nullptr) {
  if (c.kind == Expr::Case) {
    if (value.kind != Expr::Con) return nullptr;
    for (auto& a : c.alts)
      if (a.tag == value.tag) {
        if (a.fields.size() != value.args.size()) return nullptr;
        if (fields) *fields = &a.fields;
        return &a.body;
      }
    return c.deflt ? &c.deflt : nullptr;
  }
  LitAlt::Kind k;
  switch (value.kind) {
    case Expr::LitInt: k = LitAlt::Int; break;
    case Expr::LitChar: k = LitAlt::Char; break;
    case Expr::LitString: k = LitAlt::String; break;
    default: return nullptr;
  }
  for (auto& a : c.litAlts) {
    if (a.kind != k) return nullptr;
    if (k == LitAlt::String ? a.s == value.s : a.i == value.i) return &a.body;
  }
  return c.deflt ? &c.deflt : nullptr;
}

// x occurs exactly once in e, not inside a lambda; false also when e is larger than `budget`
// nodes (the question is asked for each candidate let: bounded, so long bodies stay linear).
bool usedOnceOutsideLambdas(const Expr& e, VarId x, int& budget, int& uses, bool underLam = false) {
  if (--budget < 0) return false;
  if (e.kind == Expr::Var && e.var == x && (underLam || ++uses > 1)) return false;
  if ((e.kind == Expr::Case || e.kind == Expr::LitCase) && e.scrut == x) return false;
  bool ok = true;
  bool lam = underLam || e.kind == Expr::Lam;
  forEachChild(const_cast<Expr&>(e), [&](ExprPtr& c) {
    if (ok) ok = usedOnceOutsideLambdas(*c, x, budget, uses, lam || e.kind == Expr::LetRec);
  });
  return ok;
}

void countUses(Expr& e, std::unordered_map<VarId, int>& uses, int by) {
  if (e.kind == Expr::Var) uses[e.var] += by;
  if (e.kind == Expr::Case || e.kind == Expr::LitCase) uses[e.scrut] += by;
  forEachChild(e, [&](ExprPtr& c) { countUses(*c, uses, by); });
}

}  // namespace


ExprPtr bindArgs(const std::vector<VarId>& params, ExprPtr body, const Expr& call, VarId& next) {
  std::vector<VarId> vars = params;
  std::vector<ExprPtr> extra;
  for (size_t i = params.size() + 1; i < call.args.size(); i++) {
    vars.push_back(next++);
    extra.push_back(mkVar(vars.back()));
  }
  ExprPtr r = extra.empty() ? std::move(body) : mkApp(std::move(body), std::move(extra));
  for (size_t i = vars.size(); i-- > 0;) r = mkLet(vars[i], call.args[i + 1], r);
  return r;
}

ExprPtr Rewriter::run(const ExprPtr& body) {
  ExprPtr r = simp(body);
  std::unordered_map<VarId, int> uses;
  countUses(*r, uses, 1);
  return removeDeadLets(r, uses);
}

ExprPtr Rewriter::removeDeadLets(ExprPtr e, std::unordered_map<VarId, int>& uses) {
  // A chain of lets is walked in a loop (bodies first, innermost out), not by recursion on the
  // body, so long let chains do not deepen the stack.
  std::vector<ExprPtr> chain;
  ExprPtr cur = e;
  while (cur->kind == Expr::Let) {
    chain.push_back(cur);
    cur = cur->args[1];
  }
  forEachChild(*cur, [&](ExprPtr& c) { c = removeDeadLets(c, uses); });
  ExprPtr result = cur;
  for (size_t i = chain.size(); i-- > 0;) {
    Expr& l = *chain[i];
    if (uses[l.var] == 0 && isPure(*l.args[0])) {
      countUses(*l.args[0], uses, -1);
      stats.deadLets++;
      continue;  // the let disappears: result stays its body
    }
    l.args[0] = removeDeadLets(l.args[0], uses);
    l.args[1] = result;
    result = chain[i];
  }
  return result;
}

VarId Rewriter::scrutVar(VarId v) const {
  auto it = sub.find(v);
  return it != sub.end() && it->second->kind == Expr::Var ? it->second->var : v;
}

// The known value of a result: a literal or constructor itself, or a variable bound to one.
const Expr* Rewriter::knownOf(const Expr& e) const {
  if (isLit(e) || e.kind == Expr::Con) return &e;
  if (e.kind == Expr::Var) {
    auto it = known.find(e.var);
    if (it != known.end()) return it->second.get();
  }
  return nullptr;
}

ExprPtr Rewriter::simp(const ExprPtr& ep) {
  const Expr& e = *ep;
  switch (e.kind) {
    case Expr::Var: {
      auto it = sub.find(e.var);
      return it != sub.end() ? clone(*it->second) : clone(e);
    }
    case Expr::Lam: {
      auto r = clone(e);
      r->args[0] = simp(e.args[0]);
      return r;
    }
    case Expr::LetRec: {
      auto r = clone(e);
      for (auto& b : r->binds) b.lam = simp(b.lam);
      r->args[0] = simp(e.args[0]);
      return r;
    }
    case Expr::Con: return con(e);
    case Expr::Dup: case Expr::Drop: {
      auto r = clone(e);
      for (auto& a : r->args) a = simp(a);
      return r;
    }
    case Expr::App: return app(e);
    case Expr::Let: return let(e);
    case Expr::Case: return caseOf(e);
    case Expr::LitCase: return litCase(e);
    case Expr::Proj: return proj(e);
    case Expr::Prim: return prim(e);
    default:  // Global, literals, Error
      return clone(e);
  }
}

ExprPtr Rewriter::app(const Expr& e) {
  auto r = clone(e);
  for (auto& a : r->args) a = simp(a);
  auto atoms = [&] { return std::all_of(r->args.begin() + 1, r->args.end(), [](const ExprPtr& a) { return isAtom(*a); }); };
  // `(f(as))(bs)` with atoms bs: one call `f(as, bs)` (the same steps: a saturated f is called
  // and its result applied to the rest, a partial application is completed).
  while (r->args[0]->kind == Expr::App && atoms()) {
    auto flat = clone(*r->args[0]);
    flat->args.insert(flat->args.end(), r->args.begin() + 1, r->args.end());
    r = flat;
  }
  const Expr& f = *r->args[0];
  if (f.kind == Expr::Lam && f.params.size() <= r->args.size() - 1) {  // beta
    stats.beta++;
    return simp(bindArgs(f.params, f.args[0], *r, p.nextVar));
  }
  // `(let x = e in b)(as)` and `(case y of alts)(as)` with atoms as operands: the application
  // goes into the results (the head is evaluated first, then applied, either way), where a
  // result that is a known function or a lambda becomes a direct call (e.g. `when c m` inlined
  // into IO code, core/ioarity.hpp, applied to the world).
  if ((f.kind == Expr::Let || f.kind == Expr::LetRec || f.kind == Expr::Case || f.kind == Expr::LitCase) && atoms()) {
    // Only the new applications are simplified (the rest already is): no re-walk of the head.
    std::vector<ExprPtr> as(r->args.begin() + 1, r->args.end());
    return mapLeaves(r->args[0], [&](const ExprPtr& leaf) -> ExprPtr {
      if (isBottom(*leaf)) return leaf;
      std::vector<ExprPtr> copy;
      for (auto& a : as) copy.push_back(clone(*a));
      return app(*mkApp(leaf, std::move(copy)));
    });
  }
  if (f.kind == Expr::Global && inliner && fuel > 0) {
    if (ExprPtr body = inliner(*r)) {
      fuel--;
      stats.inlined++;
      return simp(body);
    }
  }
  return r;
}

ExprPtr Rewriter::let(const Expr& e) {
  ExprPtr rhs = simp(e.args[0]);
  std::vector<ExprPtr> outer;  // let floating: the lets at the head of rhs go outside
  while (rhs->kind == Expr::Let) {
    outer.push_back(rhs);
    rhs = rhs->args[1];
  }
  ExprPtr r = letBody(e.var, rhs, e.args[1]);
  for (size_t i = outer.size(); i-- > 0;) r = mkLet(outer[i]->var, outer[i]->args[0], r);
  return r;
}

ExprPtr Rewriter::letBody(VarId x, ExprPtr rhs, const ExprPtr& body) {
  if (rhs->kind == Expr::Var) {  // a renaming: no let at all
    sub[x] = rhs;
    return simp(body);
  }
  if (arities && rhs->kind == Expr::App && rhs->args[0]->kind == Expr::Global &&
      std::all_of(rhs->args.begin() + 1, rhs->args.end(), [](const ExprPtr& a) { return isAtom(*a); })) {
    auto it = arities->find(rhs->args[0]->name);
    int budget = 4000, uses = 0;
    if (it != arities->end() && rhs->args.size() - 1 < it->second && usedOnceOutsideLambdas(*body, x, budget, uses) &&
        uses == 1) {
      stats.papsMoved++;
      sub[x] = rhs;  // built at its use, once: a partial application has no effect
      return simp(body);
    }
  }
  if (isAtom(*rhs)) {  // literal, global, nullary constructor: copied to its uses, kept for cases
    sub[x] = rhs;
    if (rhs->kind != Expr::Global) known[x] = rhs;
    return mkLet(x, rhs, simp(body));
  }
  if (rhs->kind == Expr::Con) {
    // Name the fields that are not atoms (in order: they are evaluated before the allocation
    // anyway), so the constructor's contents are known to the cases and projections below.
    std::vector<std::pair<VarId, ExprPtr>> fields;
    auto c = clone(*rhs);
    for (auto& a : c->args)
      if (!isAtom(*a)) {
        VarId t = fresh();
        if (a->kind == Expr::Con && std::all_of(a->args.begin(), a->args.end(), [](auto& f) { return isAtom(*f); }))
          known[t] = a;
        fields.emplace_back(t, a);
        a = mkVar(t);
      }
    known[x] = c;
    ExprPtr r = mkLet(x, c, simp(body));
    for (size_t i = fields.size(); i-- > 0;) r = mkLet(fields[i].first, fields[i].second, r);
    return r;
  }
  if ((rhs->kind == Expr::Case || rhs->kind == Expr::LitCase) &&
      (body->kind == Expr::Case || body->kind == Expr::LitCase) && body->scrut == x)
    if (ExprPtr r = caseOfCase(x, rhs, body)) return r;
  ExprPtr b = simp(body);
  if (b->kind == Expr::Var && b->var == x) return rhs;  // let x = e in x
  return mkLet(x, rhs, b);
}

// `let x = inner in outer` with outer a case on x: outer is copied into each leaf of inner
// when a leaf is known and the copies stay within budget.
ExprPtr Rewriter::caseOfCase(VarId x, const ExprPtr& inner, const ExprPtr& outer) {
  int whole = coreSize(*outer), cost = 0, leaves = 0;
  bool anyKnown = false;
  forLeaves(*inner, [&](const Expr& leaf) {
    leaves++;
    if (isBottom(leaf)) return;
    if (const Expr* k = knownOf(leaf)) {
      if (const ExprPtr* body = selectAlt(*outer, *k)) {
        anyKnown = true;
        cost += coreSize(**body);
        return;
      }
    }
    cost += whole;
  });
  if (!anyKnown || leaves < 2 || cost - whole > opts.caseOfCaseSize) return nullptr;
  stats.caseOfCase++;
  return mapLeaves(inner, [&](const ExprPtr& leaf) -> ExprPtr {
    if (isBottom(*leaf)) return leaf;
    VarId x2 = fresh();
    ExprPtr copy = copyFresh(*outer, p.nextVar, {{x, x2}});
    return simp(mkLet(x2, leaf, copy));
  });
}

ExprPtr Rewriter::caseOf(const Expr& e) {
  VarId x = scrutVar(e.scrut);
  auto k = known.find(x);
  if (k != known.end()) {
    const std::vector<VarId>* fields = nullptr;
    if (const ExprPtr* body = selectAlt(e, *k->second, &fields)) {
      stats.knownCases++;
      ExprPtr r = *body;
      if (fields)
        for (size_t i = fields->size(); i-- > 0;) r = mkLet((*fields)[i], clone(*k->second->args[i]), r);
      return simp(r);
    }
  }
  auto r = clone(e);
  r->scrut = x;
  std::optional<ExprPtr> before;
  if (k != known.end()) before = k->second;
  for (auto& a : r->alts) {
    std::vector<ExprPtr> fs;
    for (VarId f : a.fields) fs.push_back(mkVar(f));
    known[x] = mkCon(a.tag, "", std::move(fs));  // inside this alternative x is known
    if (!a.con.empty() && !a.fields.empty()) matched.push_back({x, &a});
    a.body = simp(a.body);
    if (!a.con.empty() && !a.fields.empty()) matched.pop_back();
  }
  if (before) known[x] = *before;
  else known.erase(x);
  if (r->deflt) r->deflt = simp(r->deflt);
  return r;
}

// A constructor applied to exactly the fields of a value matched by an enclosing alternative
// of the same constructor is that value: `case x of C(a, b) -> .. C(a, b) ..` shares x instead
// of allocating a copy (a copy of a shared x doubled its memory; a unique x was reused in place
// anyway, so nothing is lost then).
ExprPtr Rewriter::con(const Expr& e) {
  auto r = clone(e);
  for (auto& a : r->args) a = simp(a);
  if (r->args.empty() || r->name.empty()) return r;
  for (size_t i = matched.size(); i-- > 0;) {
    const Alt& a = *matched[i].alt;
    if (a.tag != r->tag || a.con != r->name || a.fields.size() != r->args.size()) continue;
    bool same = true;
    for (size_t k = 0; k < a.fields.size() && same; k++)
      same = r->args[k]->kind == Expr::Var && r->args[k]->var == a.fields[k];
    if (!same) continue;
    stats.rebuilds++;
    return mkVar(matched[i].x);
  }
  return r;
}

ExprPtr Rewriter::litCase(const Expr& e) {
  VarId x = scrutVar(e.scrut);
  auto k = known.find(x);
  if (k != known.end())
    if (const ExprPtr* body = selectAlt(e, *k->second)) {
      stats.knownCases++;
      return simp(*body);
    }
  auto r = clone(e);
  r->scrut = x;
  for (auto& a : r->litAlts) a.body = simp(a.body);
  if (r->deflt) r->deflt = simp(r->deflt);
  return r;
}

ExprPtr Rewriter::proj(const Expr& e) {
  ExprPtr obj = simp(e.args[0]);
  if (obj->kind == Expr::Var) {
    auto k = known.find(obj->var);
    if (k != known.end() && k->second->kind == Expr::Con && e.index < static_cast<int>(k->second->args.size())) {
      stats.knownCases++;
      return clone(*k->second->args[e.index]);
    }
  }
  auto r = clone(e);
  r->args[0] = obj;
  return r;
}

ExprPtr Rewriter::prim(const Expr& e) {
  auto r = clone(e);
  for (auto& a : r->args) a = simp(a);
  if (r->args.size() != 2) return r;
  auto lit = [&](int i, int64_t& out) {
    const Expr& a = *r->args[i];
    if (a.kind == Expr::LitInt) { out = a.i; return true; }
    if (a.kind == Expr::Var)
      if (auto k = known.find(a.var); k != known.end() && k->second->kind == Expr::LitInt) {
        out = k->second->i;
        return true;
      }
    return false;
  };
  int64_t a, b;
  if (!lit(0, a) || !lit(1, b)) return r;
  auto wrap = [](uint64_t v) { return mkInt(static_cast<int64_t>(v)); };
  auto ua = static_cast<uint64_t>(a), ub = static_cast<uint64_t>(b);
  switch (r->prim) {
    case PrimOp::IntAdd: return wrap(ua + ub);
    case PrimOp::IntSub: return wrap(ua - ub);
    case PrimOp::IntMul: return wrap(ua * ub);
    case PrimOp::IntEq: return boolCon(a == b);
    case PrimOp::IntNe: return boolCon(a != b);
    case PrimOp::IntLt: return boolCon(a < b);
    case PrimOp::IntLe: return boolCon(a <= b);
    case PrimOp::IntGt: return boolCon(a > b);
    case PrimOp::IntGe: return boolCon(a >= b);
    default: return r;
  }
}

}  // namespace simp

ExprPtr simplifyExpr(const ExprPtr& e, Program& p, SimplifyStats* stats) {
  SimplifyStats local;
  SimplifyOptions opts;
  simp::Rewriter rw(p, opts, stats ? *stats : local);
  return rw.run(e);
}

}  // namespace weir::core
