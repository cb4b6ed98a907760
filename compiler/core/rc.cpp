#include "core/rc.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include "core/lift.hpp"

namespace weir::core {

namespace {

using VarSet = std::vector<VarId>;  // sorted, unique

bool has(const VarSet& s, VarId v) { return std::binary_search(s.begin(), s.end(), v); }
VarSet unite(const VarSet& a, const VarSet& b) {
  VarSet r;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(r));
  return r;
}
VarSet minus(const VarSet& a, const VarSet& b) {
  VarSet r;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(r));
  return r;
}
VarSet without(const VarSet& a, VarId v) { return minus(a, VarSet{v}); }
VarSet with(const VarSet& a, VarId v) { return unite(a, VarSet{v}); }

bool containsLetRec(const Expr& e) {
  if (e.kind == Expr::LetRec) return true;
  for (auto& a : e.args) if (containsLetRec(*a)) return true;
  for (auto& a : e.alts) if (containsLetRec(*a.body)) return true;
  for (auto& a : e.litAlts) if (containsLetRec(*a.body)) return true;
  return e.deflt && containsLetRec(*e.deflt);
}

struct Inserter {
  VarId& nextVar;
  std::unordered_map<const Expr*, VarSet> cache;

  explicit Inserter(VarId& next) : nextVar(next) {}

  const VarSet& fv(const Expr& e) {
    auto it = cache.find(&e);
    if (it != cache.end()) return it->second;
    return cache.emplace(&e, freeVars(e)).first->second;
  }

  // e must consume exactly the variables in `owned`; `borrowed` are alive during e (owned by
  // an enclosing expression that still needs them): e dups them where it needs ownership.
  ExprPtr go(const ExprPtr& e, const VarSet& borrowed, const VarSet& owned) {
    if (e->kind == Expr::Error) return e;  // exits: nothing to drop
    const VarSet& used = fv(*e);
    VarSet dead = minus(owned, used);
    VarSet live;
    std::set_intersection(owned.begin(), owned.end(), used.begin(), used.end(), std::back_inserter(live));
    ExprPtr r = body(e, borrowed, live);
    for (auto it = dead.rbegin(); it != dead.rend(); ++it) r = mkDrop(*it, r);
    return r;
  }

  // Children evaluated left to right; the last child using an owned variable consumes it, the
  // earlier ones borrow it. Var operands of borrowing primitives are only read.
  ExprPtr nary(const ExprPtr& e, const VarSet& borrowed, const VarSet& owned) {
    auto r = std::make_shared<Expr>(*e);
    bool borrowingPrim = e->kind == Expr::Prim && primBorrows(e->prim);
    size_t n = e->args.size();
    std::vector<VarSet> later(n + 1);
    for (size_t i = n; i-- > 0;) later[i] = unite(later[i + 1], fv(*e->args[i]));
    VarSet dropAfter;
    for (size_t i = 0; i < n; i++) {
      const Expr& c = *e->args[i];
      VarSet mine, keep;
      for (VarId v : owned) {
        if (!has(fv(c), v)) continue;
        (has(later[i + 1], v) ? keep : mine).push_back(v);
      }
      if (borrowingPrim && c.kind == Expr::Var) {
        // read only: if this was the last use of an owned variable, drop it after the primitive
        if (!mine.empty()) dropAfter.push_back(c.var);
        continue;
      }
      VarSet b = unite(borrowed, keep);
      for (VarId v : owned) if (has(later[i + 1], v)) b = with(b, v);
      r->args[i] = go(e->args[i], b, mine);
    }
    if (dropAfter.empty()) return r;
    std::sort(dropAfter.begin(), dropAfter.end());
    dropAfter.erase(std::unique(dropAfter.begin(), dropAfter.end()), dropAfter.end());
    VarId t = nextVar++;
    ExprPtr rest = mkVar(t);
    for (auto it = dropAfter.rbegin(); it != dropAfter.rend(); ++it) rest = mkDrop(*it, rest);
    return mkLet(t, r, rest);
  }

  ExprPtr branch(const ExprPtr& b, const VarSet& borrowed, const VarSet& owned, VarId scrut,
                 const std::vector<VarId>& fields) {
    // fields used by the body become owned (dup'ed) before anything is dropped; then the
    // scrutinee is dropped first (codegen recognises `dup fields; drop scrut` to free the cell
    // of a unique scrutinee without touching its fields), then the other dead variables.
    VarSet fieldsUsed;
    const VarSet& used = fv(*b);
    for (VarId f : fields) if (has(used, f)) fieldsUsed.push_back(f);
    std::sort(fieldsUsed.begin(), fieldsUsed.end());
    if (b->kind == Expr::Error) return b;
    bool dropScrut = has(owned, scrut) && !has(used, scrut);
    ExprPtr r = go(b, borrowed, unite(dropScrut ? without(owned, scrut) : owned, fieldsUsed));
    if (dropScrut) r = mkDrop(scrut, r);
    for (auto it = fields.rbegin(); it != fields.rend(); ++it)
      if (has(used, *it)) r = mkDup(*it, r);
    return r;
  }

  ExprPtr body(const ExprPtr& e, const VarSet& borrowed, const VarSet& owned) {
    switch (e->kind) {
      case Expr::Var:
        if (has(owned, e->var)) return e;
        return mkDup(e->var, e);  // borrowed: take a reference of our own
      case Expr::Global: case Expr::LitInt: case Expr::LitFloat: case Expr::LitChar:
      case Expr::LitString: case Expr::Error:
        return e;
      case Expr::App: case Expr::Con: case Expr::Prim: case Expr::Proj:
        return nary(e, borrowed, owned);
      case Expr::Lam: {
        auto r = std::make_shared<Expr>(*e);
        VarSet ps(e->params.begin(), e->params.end());
        std::sort(ps.begin(), ps.end());
        const VarSet& captured = fv(*e);
        r->args[0] = go(e->args[0], {}, unite(ps, captured));
        ExprPtr out = r;
        for (auto it = captured.rbegin(); it != captured.rend(); ++it)
          if (!has(owned, *it)) out = mkDup(*it, out);  // captured from a borrowed variable
        return out;
      }
      case Expr::Let: {
        const VarSet& frhs = fv(*e->args[0]);
        VarSet fbody = without(fv(*e->args[1]), e->var);
        VarSet rhsOwned, rhsBorrowed = borrowed, bodyOwned;
        for (VarId v : owned) {
          if (has(fbody, v)) {
            bodyOwned.push_back(v);
            if (has(frhs, v)) rhsBorrowed = with(rhsBorrowed, v);
          } else if (has(frhs, v)) {
            rhsOwned.push_back(v);
          }
        }
        auto r = std::make_shared<Expr>(*e);
        r->args[0] = go(e->args[0], rhsBorrowed, rhsOwned);
        r->args[1] = go(e->args[1], borrowed, with(bodyOwned, e->var));
        return r;
      }
      case Expr::Case: {
        auto r = std::make_shared<Expr>(*e);
        for (auto& a : r->alts) a.body = branch(a.body, borrowed, owned, e->scrut, a.fields);
        if (r->deflt) r->deflt = branch(r->deflt, borrowed, owned, e->scrut, {});
        return r;
      }
      case Expr::LitCase: {
        auto r = std::make_shared<Expr>(*e);
        for (auto& a : r->litAlts) a.body = branch(a.body, borrowed, owned, e->scrut, {});
        if (r->deflt) r->deflt = branch(r->deflt, borrowed, owned, e->scrut, {});
        return r;
      }
      case Expr::LetRec: throw std::logic_error("rc: LetRec must be lifted first");
      case Expr::Dup: case Expr::Drop: throw std::logic_error("rc: input already has Dup/Drop");
    }
    return e;
  }
};

// ---- verifier ----

struct State {
  std::map<VarId, int> count;
  bool operator==(const State& o) const { return count == o.count; }
};

struct Verifier {
  std::string where;
  std::string error;
  std::map<VarId, VarId> fieldOf;  // field -> scrutinee

  bool fail(const std::string& m) {
    if (error.empty()) error = where + ": " + m;
    return false;
  }

  // Owned (count >= 1), or a field of a Case whose scrutinee is still alive.
  bool alive(const State& s, VarId v) {
    auto it = s.count.find(v);
    if (it != s.count.end() && it->second >= 1) return true;
    auto f = fieldOf.find(v);
    if (f == fieldOf.end()) return false;
    auto sc = s.count.find(f->second);
    return sc != s.count.end() && sc->second >= 1;
  }

  bool consume(State& s, VarId v) {
    auto it = s.count.find(v);
    if (it == s.count.end() || it->second < 1)
      return fail("v" + std::to_string(v) + " used but not owned (consumed twice or borrowed)");
    it->second--;
    return true;
  }

  // Returns nullopt for a path that does not return (Error) or on failure (error set).
  std::optional<State> go(const Expr& e, State s) {
    if (!error.empty()) return std::nullopt;
    switch (e.kind) {
      case Expr::Var:
        if (!consume(s, e.var)) return std::nullopt;
        return s;
      case Expr::Global: case Expr::LitInt: case Expr::LitFloat: case Expr::LitChar: case Expr::LitString:
        return s;
      case Expr::Error: return std::nullopt;
      case Expr::App: case Expr::Con: case Expr::Prim: case Expr::Proj: {
        bool borrowing = e.kind == Expr::Prim && primBorrows(e.prim);
        for (auto& a : e.args) {
          if (borrowing && a->kind == Expr::Var) {  // read only: must be alive
            if (!alive(s, a->var)) { fail("borrowed v" + std::to_string(a->var) + " is dead"); return std::nullopt; }
            continue;
          }
          auto r = go(*a, s);
          if (!r) return std::nullopt;
          s = *r;
        }
        return s;
      }
      case Expr::Lam: {
        State inner;
        for (VarId v : freeVars(e)) {
          if (!consume(s, v)) return std::nullopt;
          inner.count[v] = 1;
        }
        for (VarId p : e.params) inner.count[p] = 1;
        auto r = go(*e.args[0], inner);
        if (r && !allZero(*r, "lambda")) return std::nullopt;
        if (!error.empty()) return std::nullopt;
        return s;
      }
      case Expr::Let: {
        auto r = go(*e.args[0], s);
        if (!r) return std::nullopt;
        r->count[e.var] = 1;
        auto b = go(*e.args[1], *r);
        if (!b) return std::nullopt;
        if (b->count[e.var] != 0) { fail("let-bound v" + std::to_string(e.var) + " not consumed"); return std::nullopt; }
        b->count.erase(e.var);
        return b;
      }
      case Expr::Dup: {
        if (!alive(s, e.var)) { fail("dup of dead v" + std::to_string(e.var)); return std::nullopt; }
        s.count[e.var]++;
        return go(*e.args[0], s);
      }
      case Expr::Drop:
        if (!consume(s, e.var)) return std::nullopt;
        return go(*e.args[0], s);
      case Expr::Case: case Expr::LitCase: {
        std::optional<State> merged;
        bool any = false;
        auto one = [&](const Expr& body, const std::vector<VarId>& fields) -> bool {
          State bs = s;
          for (VarId f : fields) { bs.count[f] = 0; fieldOf[f] = e.scrut; }
          auto r = go(body, bs);
          if (!error.empty()) return false;
          if (!r) return true;
          for (VarId f : fields) {
            if (r->count[f] != 0) return fail("field v" + std::to_string(f) + " not consumed");
            r->count.erase(f);
          }
          if (!any) { merged = r; any = true; }
          else if (!(*merged == *r)) return fail("case branches consume different variables");
          return true;
        };
        if (e.kind == Expr::Case)
          for (auto& a : e.alts) if (!one(*a.body, a.fields)) return std::nullopt;
        if (e.kind == Expr::LitCase)
          for (auto& a : e.litAlts) if (!one(*a.body, {})) return std::nullopt;
        if (e.deflt && !one(*e.deflt, {})) return std::nullopt;
        return merged;
      }
      case Expr::LetRec:
        fail("LetRec after rc insertion");
        return std::nullopt;
    }
    return std::nullopt;
  }

  bool allZero(const State& s, const char* what) {
    for (auto& [v, c] : s.count)
      if (c != 0)
        return fail(std::string(what) + ": v" + std::to_string(v) + (c > 0 ? " leaked" : " over-consumed"));
    return true;
  }
};

}  // namespace

void insertRc(Program& p) {
  bool letrec = false;
  for (auto& f : p.functions) letrec = letrec || containsLetRec(*f.body);
  for (auto& g : p.globals) letrec = letrec || containsLetRec(*g.body);
  if (letrec) liftLetRec(p);
  for (auto& f : p.functions) {
    Inserter ins(p.nextVar);
    VarSet ps(f.params.begin(), f.params.end());
    std::sort(ps.begin(), ps.end());
    f.body = ins.go(f.body, {}, ps);
  }
  for (auto& g : p.globals) {
    Inserter ins(p.nextVar);
    g.body = ins.go(g.body, {}, {});
  }
}

bool verifyRc(const Program& p, std::string& error) {
  for (auto& f : p.functions) {
    Verifier v;
    v.where = f.name;
    State s;
    for (VarId x : f.params) s.count[x] = 1;
    auto r = v.go(*f.body, s);
    if (r) v.allZero(*r, "function");
    if (!v.error.empty()) { error = v.error; return false; }
  }
  for (auto& g : p.globals) {
    Verifier v;
    v.where = g.name;
    auto r = v.go(*g.body, State{});
    if (r) v.allZero(*r, "global");
    if (!v.error.empty()) { error = v.error; return false; }
  }
  return true;
}

}  // namespace weir::core
