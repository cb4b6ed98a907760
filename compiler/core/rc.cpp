#include "core/rc.hpp"

#include <algorithm>
#include <map>
#include <cstdlib>
#include <deque>
#include <functional>
#include <optional>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "core/borrow.hpp"
#include "core/copy.hpp"
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

using FunctionTable = std::unordered_map<std::string, const Function*>;

// The function a saturated direct call calls if it has a borrowed parameter, else null.
const Function* borrowingCallee(const Expr& e, const FunctionTable& fns) {
  if (e.kind != Expr::App || e.args[0]->kind != Expr::Global) return nullptr;
  auto it = fns.find(e.args[0]->name);
  if (it == fns.end() || it->second->params.size() + 1 != e.args.size()) return nullptr;
  for (size_t k = 0; k < it->second->params.size(); k++)
    if (it->second->isBorrowed(k)) return it->second;
  return nullptr;
}

// Argument k (1-based, as in App::args) of call e only lends its value to the callee: a
// variable there is read, not consumed (like a borrowing primitive's operand).
bool lentArg(const Expr& e, size_t k, const FunctionTable& fns) {
  const Function* g = borrowingCallee(e, fns);
  return g && k >= 1 && g->isBorrowed(k - 1);
}

// ---- owning walks (rc.hpp, rule 10) ----

// Does f walk its parameter k: a saturated call of f itself passes, in position k, a field
// matched out of parameter k (at any depth)? `length`, `sum`, a tree's `check`.
bool walksParam(const Function& f, size_t k) {
  std::set<VarId> below = {f.params[k]};
  bool found = false;
  std::function<void(const ExprPtr&)> visit = [&](const ExprPtr& e) {
    if (found) return;
    if (e->kind == Expr::Case && below.count(e->scrut))
      for (auto& a : e->alts) below.insert(a.fields.begin(), a.fields.end());
    if (e->kind == Expr::App && e->args[0]->kind == Expr::Global && e->args[0]->name == f.name &&
        e->args.size() == f.params.size() + 1 && e->args[k + 1]->kind == Expr::Var &&
        e->args[k + 1]->var != f.params[k] && below.count(e->args[k + 1]->var)) {
      found = true;
      return;
    }
    forEachChild(*e, visit);
  };
  visit(f.body);
  return found;
}

// The owning copies of walking functions, made when a call lends one its argument's last
// reference (`check (make d)`): f$own takes parameter k owned, so a unique cell is freed as the
// walk passes it, instead of a second walk freeing the structure after the call. A shared
// argument would cost a count change on every cell, so f$own starts with a test:
//   let u = %UniqueOrStatic(x) in case u of True -> <f's body, x owned>; False -> f(..x..) (then drop x)
struct Walks {
  VarId& nextVar;
  FunctionTable& fns;
  std::map<std::pair<std::string, size_t>, ExprPtr> candidates;  // (f, k) -> f's body before rc
  std::map<std::pair<std::string, size_t>, std::string> made;     // (f, k) -> f$own
  std::deque<Function> variants;                                  // made in order; rc sees each once
  std::set<const Expr*> fallbacks;                               // their calls of the original

  Walks(VarId& next, FunctionTable& table, const Program& p, bool on) : nextVar(next), fns(table) {
    if (!on) return;
    for (auto& f : p.functions) {
      if (f.name == p.entry || f.trmcWorker || f.world != Function::World::None) continue;
      for (size_t k = 0; k < f.params.size(); k++)
        if (f.isBorrowed(k) && walksParam(f, k)) candidates[{f.name, k}] = f.body;
    }
  }

  std::string variant(const Function& f, size_t k) {
    auto key = std::make_pair(f.name, k);
    if (auto it = made.find(key); it != made.end()) return it->second;
    auto c = candidates.find(key);
    if (c == candidates.end()) return "";
    Function v = f;
    v.name = f.name + "$own" + (k ? std::to_string(k) : "");
    v.borrowed[k] = false;
    std::unordered_map<VarId, VarId> same;
    for (VarId x : f.params) same[x] = x;
    std::vector<ExprPtr> args;
    for (VarId x : f.params) args.push_back(mkVar(x));
    ExprPtr fallback = mkApp(mkGlobal(f.name), std::move(args));
    fallbacks.insert(fallback.get());
    VarId u = nextVar++;
    std::vector<Alt> alts = {Alt{1, {}, copyFresh(*c->second, nextVar, same), "Prelude.True"},
                             Alt{0, {}, fallback, "Prelude.False"}};
    v.body = mkLet(u, mkPrim(PrimOp::UniqueOrStatic, {mkVar(f.params[k])}, f.loc), mkCase(u, std::move(alts), nullptr));
    variants.push_back(std::move(v));
    fns[variants.back().name] = &variants.back();
    return made[key] = variants.back().name;
  }

  // e (a call) redirected to an owning copy of its callee, or null: when a variable lent to a
  // walked parameter is owned here and this call is its last use (`owned`: what e consumes).
  ExprPtr redirect(const Expr& e, const VarSet& owned) {
    if (candidates.empty() || e.kind != Expr::App || e.args[0]->kind != Expr::Global || fallbacks.count(&e))
      return nullptr;
    auto it = fns.find(e.args[0]->name);
    if (it == fns.end() || it->second->params.size() + 1 != e.args.size()) return nullptr;
    const Function& g = *it->second;
    for (size_t k = 0; k < g.params.size(); k++) {
      const Expr& a = *e.args[k + 1];
      if (!g.isBorrowed(k) || a.kind != Expr::Var || !has(owned, a.var)) continue;
      std::string v = variant(g, k);
      if (v.empty()) continue;
      auto r = std::make_shared<Expr>(e);
      r->args[0] = mkGlobal(v);
      return r;
    }
    return nullptr;
  }
};

struct Inserter {
  VarId& nextVar;
  const FunctionTable& fns;
  std::unordered_map<const Expr*, VarSet> cache;
  std::vector<ExprPtr> made;  // expressions this pass built and analysed
  Walks* walks = nullptr;     // owning copies of walking functions, if made

  Inserter(VarId& next, const FunctionTable& table, Walks* w = nullptr) : nextVar(next), fns(table), walks(w) {}

  // Free variables, computed bottom-up from the children's cached sets (recomputing each
  // subtree from scratch was quadratic: 10,000 nested additions took seconds).
  const VarSet& fv(const Expr& e) {
    auto it = cache.find(&e);
    if (it != cache.end()) return it->second;
    VarSet r;
    auto add = [&](const VarSet& s) { if (!s.empty()) r = unite(r, s); };
    switch (e.kind) {
      case Expr::Var: r = {e.var}; break;
      case Expr::Lam: {
        VarSet ps(e.params.begin(), e.params.end());
        std::sort(ps.begin(), ps.end());
        r = minus(fv(*e.args[0]), ps);
        break;
      }
      case Expr::Let:
        add(fv(*e.args[0]));
        add(without(fv(*e.args[1]), e.var));
        break;
      case Expr::Case: case Expr::LitCase:
        r = {e.scrut};
        for (auto& a : e.alts) {
          VarSet fs(a.fields.begin(), a.fields.end());
          std::sort(fs.begin(), fs.end());
          add(minus(fv(*a.body), fs));
        }
        for (auto& a : e.litAlts) add(fv(*a.body));
        if (e.deflt) add(fv(*e.deflt));
        break;
      case Expr::Dup: case Expr::Drop:
        r = with(fv(*e.args[0]), e.var);
        break;
      case Expr::LetRec: r = freeVars(e); break;
      default:
        for (auto& a : e.args) add(fv(*a));
        break;
    }
    return cache.emplace(&e, std::move(r)).first->second;
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
    bool borrowingCall = e->kind == Expr::App && borrowingCallee(*e, fns);
    size_t n = e->args.size();
    std::vector<VarSet> later(n + 1);
    for (size_t i = n; i-- > 0;) later[i] = unite(later[i + 1], fv(*e->args[i]));
    // A variable lent to a borrowed parameter must stay alive during the whole call: the other
    // arguments only borrow it (and dup it where they consume it); it is dropped after the call.
    VarSet lentOwned;
    if (borrowingCall)
      for (size_t i = 1; i < n; i++)
        if (lentArg(*e, i, fns) && e->args[i]->kind == Expr::Var && has(owned, e->args[i]->var))
          lentOwned = with(lentOwned, e->args[i]->var);
    VarSet rest = minus(owned, lentOwned);
    VarSet dropAfter = lentOwned;
    for (size_t i = 0; i < n; i++) {
      const Expr& c = *e->args[i];
      if (borrowingCall && lentArg(*e, i, fns) && c.kind == Expr::Var) continue;  // read only
      VarSet mine, keep;
      for (VarId v : rest) {
        if (!has(fv(c), v)) continue;
        (has(later[i + 1], v) ? keep : mine).push_back(v);
      }
      if (borrowingPrim && c.kind == Expr::Var) {
        // read only: if this was the last use of an owned variable, drop it after the primitive
        if (!mine.empty()) dropAfter.push_back(c.var);
        continue;
      }
      VarSet b = unite(unite(borrowed, keep), lentOwned);
      for (VarId v : rest) if (has(later[i + 1], v)) b = with(b, v);
      r->args[i] = go(e->args[i], b, mine);
    }
    if (dropAfter.empty()) return r;
    std::sort(dropAfter.begin(), dropAfter.end());
    dropAfter.erase(std::unique(dropAfter.begin(), dropAfter.end()), dropAfter.end());
    VarId t = nextVar++;
    ExprPtr tail = mkVar(t);
    for (auto it = dropAfter.rbegin(); it != dropAfter.rend(); ++it) tail = mkDrop(*it, tail);
    return mkLet(t, r, tail);
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
    if (!has(owned, scrut))  // a borrowed scrutinee lends its fields: dup only where consumed
      return go(b, unite(borrowed, fieldsUsed), owned);
    bool dropScrut = has(owned, scrut) && !has(used, scrut);
    ExprPtr r = go(b, borrowed, unite(dropScrut ? without(owned, scrut) : owned, fieldsUsed));
    if (dropScrut) r = mkDrop(scrut, r);
    for (auto it = fields.rbegin(); it != fields.rend(); ++it)
      if (has(used, *it)) r = mkDup(*it, r);
    return r;
  }

  // A temporary (not a variable, not immortal) lent to a borrowed parameter must be dropped
  // after the call: `f(a, g(b))` with the second parameter borrowed becomes
  // `let t1 = a in let t2 = g(b) in f(t1, t2)` (every non-atomic argument is bound, in order,
  // so evaluation order is unchanged); t2's last use is then the call, which drops it after.
  // Null when no argument needs it.
  ExprPtr bindLentTemporaries(const ExprPtr& e) {
    if (!borrowingCallee(*e, fns)) return nullptr;
    bool need = false;
    for (size_t k = 1; k < e->args.size(); k++)
      need = need || (lentArg(*e, k, fns) && e->args[k]->kind != Expr::Var && !immortalAtom(*e->args[k]));
    if (!need) return nullptr;
    auto call = std::make_shared<Expr>(*e);
    std::vector<std::pair<VarId, ExprPtr>> lets;
    for (size_t k = 1; k < e->args.size(); k++) {
      const Expr& a = *e->args[k];
      if (a.kind == Expr::Var || immortalAtom(a)) continue;
      VarId t = nextVar++;
      lets.push_back({t, e->args[k]});
      call->args[k] = mkVar(t);
    }
    ExprPtr r = call;
    for (auto it = lets.rbegin(); it != lets.rend(); ++it) r = mkLet(it->first, it->second, r);
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
      case Expr::App: {
        ExprPtr call = e;
        if (ExprPtr own = walks ? walks->redirect(*e, owned) : nullptr) {
          made.push_back(own);  // the fv cache is keyed by address: keep the node alive
          call = own;
        }
        if (ExprPtr bound = bindLentTemporaries(call)) {
          made.push_back(bound);
          return go(bound, borrowed, owned);
        }
        return nary(call, borrowed, owned);
      }
      case Expr::Con: case Expr::Prim: case Expr::Proj:
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
      case Expr::Dup: case Expr::Drop: case Expr::FreeReuse: throw std::logic_error("rc: input already has Dup/Drop");
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
  const FunctionTable& fns;
  std::string where;
  std::string error;
  std::map<VarId, VarId> fieldOf;  // field -> scrutinee
  std::set<VarId> lent;            // borrowed parameters: alive throughout, never consumed

  explicit Verifier(const FunctionTable& table) : fns(table) {}

  bool fail(const std::string& m) {
    if (error.empty()) error = where + ": " + m;
    return false;
  }

  // Owned (count >= 1), a borrowed parameter, or a field of a Case whose scrutinee is alive.
  bool alive(const State& s, VarId v) {
    auto it = s.count.find(v);
    if (it != s.count.end() && it->second >= 1) return true;
    if (lent.count(v)) return true;
    auto f = fieldOf.find(v);
    return f != fieldOf.end() && alive(s, f->second);
  }

  bool consume(State& s, VarId v) {
    auto it = s.count.find(v);
    if (it == s.count.end() || it->second < 1)
      return fail("v" + std::to_string(v) + " used but not owned (consumed twice or borrowed)");
    it->second--;
    return true;
  }

  bool consumeToken(State& s, VarId t) {
    auto it = s.count.find(t);
    if (it == s.count.end() || it->second != 1) return fail("reuse token v" + std::to_string(t) + " used twice or out of scope");
    it->second = 0;
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
        for (size_t k = 0; k < e.args.size(); k++) {
          const ExprPtr& a = e.args[k];
          bool lends = e.kind == Expr::App && lentArg(e, k, fns);
          if ((borrowing || lends) && a->kind == Expr::Var) {  // read only: must be alive
            if (!alive(s, a->var)) { fail("borrowed v" + std::to_string(a->var) + " is dead"); return std::nullopt; }
            continue;
          }
          if (lends && !immortalAtom(*a)) { fail("a temporary passed to a borrowed parameter"); return std::nullopt; }
          auto r = go(*a, s);
          if (!r) return std::nullopt;
          s = *r;
        }
        if (e.kind == Expr::Con && e.token >= 0 && !consumeToken(s, e.token)) return std::nullopt;
        for (size_t k = 1; e.kind == Expr::App && k < e.args.size(); k++)  // lent for the whole call
          if (lentArg(e, k, fns) && e.args[k]->kind == Expr::Var && !alive(s, e.args[k]->var)) {
            fail("v" + std::to_string(e.args[k]->var) + " lent to a call is consumed by the same call");
            return std::nullopt;
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
      case Expr::Drop: {
        if (!consume(s, e.var)) return std::nullopt;
        if (e.token < 0) return go(*e.args[0], s);
        s.count[e.token] = 1;  // a reuse token (core/reuse.hpp): used once on every path
        auto r = go(*e.args[0], s);
        if (r && r->count[e.token] != 0) { fail("reuse token v" + std::to_string(e.token) + " not used"); return std::nullopt; }
        if (r) r->count.erase(e.token);
        return r;
      }
      case Expr::FreeReuse:
        if (!consumeToken(s, e.var)) return std::nullopt;
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


FunctionTable functionTable(const Program& p) {
  FunctionTable t;
  for (auto& f : p.functions) t[f.name] = &f;
  return t;
}

}  // namespace

void insertRc(Program& p, bool inferBorrow) {
  bool letrec = false;
  for (auto& f : p.functions) letrec = letrec || containsLetRec(*f.body);
  for (auto& g : p.globals) letrec = letrec || containsLetRec(*g.body);
  if (letrec) liftLetRec(p);
  if (inferBorrow) inferBorrowed(p);
  FunctionTable fns = functionTable(p);
  static const bool ownedWalks = !std::getenv("WEIR_OWNED_WALKS") || std::string(std::getenv("WEIR_OWNED_WALKS")) != "0";
  Walks walks(p.nextVar, fns, p, ownedWalks);
  auto insert = [&](Function& f) {
    Inserter ins(p.nextVar, fns, &walks);
    VarSet owned, lent;
    for (size_t k = 0; k < f.params.size(); k++) (f.isBorrowed(k) ? lent : owned).push_back(f.params[k]);
    std::sort(owned.begin(), owned.end());
    std::sort(lent.begin(), lent.end());
    f.body = ins.go(f.body, lent, owned);
  };
  for (auto& f : p.functions) insert(f);
  for (auto& g : p.globals) {
    Inserter ins(p.nextVar, fns, &walks);
    g.body = ins.go(g.body, {}, {});
  }
  // the owning copies asked for, and those their own calls ask for (a deque: push_back keeps
  // references to the earlier ones valid)
  for (size_t i = 0; i < walks.variants.size(); i++) insert(walks.variants[i]);
  for (auto& v : walks.variants) p.functions.push_back(std::move(v));
  p.rcInserted = true;
}

bool verifyRc(const Program& p, std::string& error) {
  FunctionTable fns = functionTable(p);
  for (auto& f : p.functions) {
    Verifier v(fns);
    v.where = f.name;
    State s;
    for (size_t k = 0; k < f.params.size(); k++) {
      if (f.isBorrowed(k)) v.lent.insert(f.params[k]), s.count[f.params[k]] = 0;
      else s.count[f.params[k]] = 1;
    }
    auto r = v.go(*f.body, s);
    if (r) v.allZero(*r, "function");
    if (!v.error.empty()) { error = v.error; return false; }
  }
  for (auto& g : p.globals) {
    Verifier v(fns);
    v.where = g.name;
    auto r = v.go(*g.body, State{});
    if (r) v.allZero(*r, "global");
    if (!v.error.empty()) { error = v.error; return false; }
  }
  return true;
}

}  // namespace weir::core
