// Whole-program specialisation on known dictionaries and functions (see specialise.hpp).
#include "core/specialise.hpp"

#include <map>
#include <set>
#include <unordered_map>

#include "core/copy.hpp"

namespace weir::core {

namespace {

// Budgets: a copy is made only of a function of at most kMaxCalleeSize Core nodes, at most
// kMaxDepth copies deep (polymorphic recursion could otherwise build ever larger
// dictionaries), and at most kMaxClones copies per program.
constexpr int kMaxCalleeSize = 800;
constexpr int kMaxDepth = 8;
constexpr int kMaxClones = 4000;

int size(Expr& e) {
  int n = 1;
  forEachChild(e, [&](ExprPtr& c) { n += size(*c); });
  return n;
}

void scrutinised(Expr& e, std::set<VarId>& out) {
  if (e.kind == Expr::Case || e.kind == Expr::LitCase) out.insert(e.scrut);
  forEachChild(e, [&](ExprPtr& c) { scrutinised(*c, out); });
}

struct Specialiser {
  Program& p;
  SpecialiseStats stats;
  std::map<std::string, size_t> funIdx;
  std::map<std::string, size_t> globIdx;
  std::set<std::string> dicts;                       // globals holding constant dictionaries
  std::map<std::string, ExprPtr> primWrappers;       // function -> its Prim body
  std::map<std::string, std::set<VarId>> scrutCache;
  std::map<std::string, std::string> memo;           // specialisation key -> new name
  std::map<std::string, int> depthOf;                // copies: how many copies deep

  explicit Specialiser(Program& prog) : p(prog) {}

  int arity(const std::string& f) const {
    auto it = funIdx.find(f);
    return it == funIdx.end() ? -1 : static_cast<int>(p.functions[it->second].params.size());
  }

  // A closed value that needs no evaluation: a literal, a global, or a partial
  // application of a top-level function to such values.
  bool isStatic(const Expr& e) const {
    switch (e.kind) {
      case Expr::Global: case Expr::LitInt: case Expr::LitFloat: case Expr::LitChar: case Expr::LitString:
        return true;
      case Expr::App: {
        if (e.args[0]->kind != Expr::Global) return false;
        int n = arity(e.args[0]->name);
        if (n < 0 || static_cast<int>(e.args.size()) - 1 >= n) return false;
        for (size_t i = 1; i < e.args.size(); ++i) if (!isStatic(*e.args[i])) return false;
        return true;
      }
      default:
        return false;
    }
  }

  bool isDictBody(const Expr& e) const {
    if (e.kind != Expr::Con || e.name.rfind("dict:", 0) != 0) return false;
    for (auto& a : e.args) if (!isStatic(*a)) return false;
    return true;
  }

  // Arguments worth specialising on: constant dictionaries, top-level functions, and partial
  // applications of top-level functions to such arguments (`sortBy (compare dOrd)`).
  bool known(const Expr& e) const {
    if (e.kind == Expr::Global) return dicts.count(e.name) || funIdx.count(e.name);
    if (e.kind != Expr::App || !isStatic(e)) return false;
    for (size_t i = 1; i < e.args.size(); ++i)
      if (!known(*e.args[i])) return false;
    return true;
  }

  static std::string keyOf(const Expr& e) {
    if (e.kind == Expr::Global) return e.name;
    std::string k = keyOf(*e.args[0]) + "(";
    for (size_t i = 1; i < e.args.size(); ++i) k += (i > 1 ? "," : "") + keyOf(*e.args[i]);
    return k + ")";
  }

  void index() {
    // A global closure with no free variables (`g = \x y -> ...`) is a function: as one it
    // can be called directly and specialised like any other.
    std::vector<Global> values;
    for (auto& g : p.globals) {
      if (g.body->kind == Expr::Lam && !g.body->params.empty())
        p.functions.push_back(Function{g.name, g.body->params, g.body->args[0], ""});
      else
        values.push_back(std::move(g));
    }
    p.globals = std::move(values);
    for (size_t i = 0; i < p.functions.size(); ++i) {
      auto& f = p.functions[i];
      funIdx[f.name] = i;
      const Expr& b = *f.body;
      bool wrapper = b.kind == Expr::Prim && b.args.size() == f.params.size();
      for (size_t k = 0; wrapper && k < b.args.size(); ++k)
        wrapper = b.args[k]->kind == Expr::Var && b.args[k]->var == f.params[k];
      if (wrapper) primWrappers[f.name] = f.body;
    }
    for (size_t i = 0; i < p.globals.size(); ++i) globIdx[p.globals[i].name] = i;
    for (auto& g : p.globals) if (isDictBody(*g.body)) dicts.insert(g.name);
  }

  std::map<std::string, int> sizeCache;
  int sizeOf(const std::string& f) {
    auto it = sizeCache.find(f);
    if (it != sizeCache.end()) return it->second;
    return sizeCache[f] = size(*p.functions[funIdx.at(f)].body);
  }

  const std::set<VarId>& scrutOf(const std::string& f) {
    auto it = scrutCache.find(f);
    if (it != scrutCache.end()) return it->second;
    auto& s = scrutCache[f];
    scrutinised(*p.functions[funIdx.at(f)].body, s);
    return s;
  }

  ExprPtr copyClosed(const Expr& e) { return copyFresh(e, p.nextVar); }

  // A call `f args` (saturated) with some known arguments: the name of f's copy for them.
  // Returns "" when no copy is made.
  std::string cloneFor(const std::string& f, const std::vector<ExprPtr>& args, std::vector<bool>& fixed, int depth) {
    if (depth >= kMaxDepth || stats.clones + stats.dictionaries >= kMaxClones) return "";
    const Function& fn = p.functions[funIdx.at(f)];
    const auto& scr = scrutOf(f);
    std::string key = f;
    bool any = false, all = true;
    fixed.assign(args.size(), false);
    for (size_t i = 0; i < args.size(); ++i) {
      if (known(*args[i]) && !scr.count(fn.params[i])) {
        fixed[i] = any = true;
        key += "|" + std::to_string(i) + "=" + keyOf(*args[i]);
      } else {
        all = false;
      }
    }
    if (!any || sizeOf(f) > kMaxCalleeSize) return "";
    // A call whose every argument is known is a constant; it is computed once only when it
    // is an instance's dictionary (no effects, no work): otherwise the call stays.
    if (all && !(fn.body->kind == Expr::Con && fn.body->name.rfind("dict:", 0) == 0)) return "";
    auto m = memo.find(key);
    if (m != memo.end()) return m->second;

    std::map<VarId, ExprPtr> subst;
    std::vector<VarId> params;
    for (size_t i = 0; i < args.size(); ++i) {
      if (fixed[i]) subst[fn.params[i]] = copyClosed(*args[i]);
      else params.push_back(fn.params[i]);
    }
    std::unordered_map<VarId, VarId> ren;
    for (auto& v : params) v = ren[v] = p.nextVar++;
    ExprPtr body = copyFresh(*fn.body, p.nextVar, std::move(ren), &subst);
    std::string name = f + "$s" + std::to_string(stats.clones + stats.dictionaries);
    memo[key] = name;
    depthOf[name] = depth + 1;
    if (all) {
      simplify(body, depth + 1);
      p.globals.push_back(Global{name, body});
      globIdx[name] = p.globals.size() - 1;
      if (isDictBody(*body)) dicts.insert(name);
      ++stats.dictionaries;
      return name;
    }
    Function copy{name, params, body, fn.loc};
    // The world is never a known argument: a copy of an IO primitive still ends with it (but a
    // copy of primBindIO with a known action is no longer primBindIO's shape).
    if (fn.world != Function::World::None) copy.world = Function::World::Last;
    p.functions.push_back(std::move(copy));
    funIdx[name] = p.functions.size() - 1;
    ++stats.clones;
    pending.push_back(name);
    return name;
  }

  std::vector<std::string> pending;

  void simplifyChildren(Expr& e, int depth) {
    forEachChild(e, [&](ExprPtr& c) { simplify(c, depth); });
  }

  // Every occurrence of the variable `v` in `e`: the App nodes calling it, and whether it
  // also occurs otherwise (passed as a value, captured by name in a partial application...).
  static void usesOf(Expr& e, VarId v, std::vector<Expr*>& calls, bool& escapes) {
    if (e.kind == Expr::Var && e.var == v) { escapes = true; return; }
    if ((e.kind == Expr::Case || e.kind == Expr::LitCase) && e.scrut == v) escapes = true;
    const Expr* head = nullptr;  // the callee slot of a call of v is not an escape
    if (e.kind == Expr::App && e.args[0]->kind == Expr::Var && e.args[0]->var == v) {
      calls.push_back(&e);
      head = e.args[0].get();
    }
    forEachChild(e, [&](ExprPtr& c) { if (c.get() != head) usesOf(*c, v, calls, escapes); });
  }

  // A local function (LetRec) called everywhere with the same known argument in some
  // position — typically a dictionary of a let-polymorphic local function — gets that
  // argument substituted and the parameter dropped, like a top-level copy. A call may be a
  // partial application (`merge` in a `where`, given its dictionaries and passed on as a
  // function): only the positions every call supplies are candidates, and a call left with no
  // argument is the (specialised) function itself.
  bool specialiseLocal(Expr& letrec) {
    bool changed = false;
    for (auto& b : letrec.binds) {
      Expr& lam = *b.lam;
      std::vector<Expr*> calls;
      bool escapes = false;
      for (auto& o : letrec.binds) usesOf(*o.lam, b.var, calls, escapes);
      usesOf(*letrec.args[0], b.var, calls, escapes);
      if (escapes || calls.empty()) continue;
      size_t n = lam.params.size(), supplied = n;
      for (auto* c : calls) supplied = std::min(supplied, c->args.size() - 1);
      std::set<VarId> scr;
      scrutinised(*lam.args[0], scr);
      std::vector<bool> drop(n, false);
      std::map<VarId, ExprPtr> subst;
      for (size_t i = 0; i < supplied; ++i) {
        const Expr& first = *calls[0]->args[i + 1];
        if (!known(first) || scr.count(lam.params[i])) continue;
        std::string k = keyOf(first);
        bool same = true;
        for (auto* c : calls) same = same && known(*c->args[i + 1]) && keyOf(*c->args[i + 1]) == k;
        if (!same) continue;
        drop[i] = true;
        subst[lam.params[i]] = copyClosed(first);
      }
      if (subst.empty() || subst.size() == n) continue;  // a closure with no parameters is not a function
      std::unordered_map<VarId, VarId> ren;
      std::vector<VarId> params;
      for (size_t i = 0; i < n; ++i) if (!drop[i]) params.push_back(ren[lam.params[i]] = p.nextVar++);
      lam.args[0] = copyFresh(*lam.args[0], p.nextVar, std::move(ren), &subst);
      lam.params = params;
      for (auto* call : calls) {
        if (call->kind != Expr::App) continue;  // rewritten already (a node reached twice)
        std::vector<ExprPtr> as{call->args[0]};
        for (size_t i = 0; i + 1 < call->args.size(); ++i)
          if (i >= n || !drop[i]) as.push_back(call->args[i + 1]);
        if (as.size() == 1) {
          Expr head = *as[0];
          *call = std::move(head);
        } else {
          call->args = as;
        }
      }
      changed = true;
    }
    return changed;
  }

  void simplify(ExprPtr& e, int depth) {
    simplifyChildren(*e, depth);
    if (e->kind == Expr::LetRec && specialiseLocal(*e)) {
      for (auto& b : e->binds) simplify(b.lam, depth);
      simplify(e->args[0], depth);
      return;
    }
    if (e->kind == Expr::Proj && e->args[0]->kind == Expr::Global && dicts.count(e->args[0]->name)) {
      const Expr& d = *p.globals[globIdx.at(e->args[0]->name)].body;
      if (e->index >= 0 && e->index < static_cast<int>(d.args.size())) {
        e = copyClosed(*d.args[e->index]);
        simplify(e, depth);
      }
      return;
    }
    if (e->kind != Expr::App) return;
    // (f a) b  ==>  f a b   when `f a` is a partial application of a top-level function.
    while (e->args[0]->kind == Expr::App && e->args[0]->args[0]->kind == Expr::Global) {
      const Expr& inner = *e->args[0];
      int n = arity(inner.args[0]->name);
      size_t have = inner.args.size() - 1, more = e->args.size() - 1;
      if (n < 0 || static_cast<int>(have + more) > n) break;
      std::vector<ExprPtr> as(inner.args.begin(), inner.args.end());
      as.insert(as.end(), e->args.begin() + 1, e->args.end());
      auto merged = std::make_shared<Expr>(*e);
      merged->args = std::move(as);
      e = merged;
    }
    if (e->args[0]->kind != Expr::Global) return;
    const std::string f = e->args[0]->name;
    if (arity(f) != static_cast<int>(e->args.size()) - 1) return;
    auto w = primWrappers.find(f);
    if (w != primWrappers.end()) {
      auto prim = std::make_shared<Expr>(*w->second);
      prim->args.assign(e->args.begin() + 1, e->args.end());
      if (!e->loc.empty() && prim->prim != PrimOp::CCall) prim->loc = e->loc;  // report failures at the user's call
      e = prim;
      return;
    }
    std::vector<ExprPtr> args(e->args.begin() + 1, e->args.end());
    std::vector<bool> fixed;
    std::string g = cloneFor(f, args, fixed, depth);
    if (g.empty()) return;
    std::vector<ExprPtr> rest;
    for (size_t i = 0; i < args.size(); ++i) if (!fixed[i]) rest.push_back(args[i]);
    if (rest.empty()) { e = mkGlobal(g); return; }
    std::string site = e->loc;
    e = mkApp(mkGlobal(g), rest);
    e->loc = site;
    // The copy's body is simplified when it is taken from `pending`; a call of a
    // primitive wrapper is already handled above.
  }

  void run() {
    index();
    for (size_t i = 0; i < p.globals.size(); ++i) {
      ExprPtr b = p.globals[i].body;
      simplify(b, 0);
      p.globals[i].body = b;
    }
    size_t originals = p.functions.size();
    for (size_t i = 0; i < originals; ++i) {
      ExprPtr b = p.functions[i].body;
      simplify(b, 0);
      p.functions[i].body = b;
    }
    while (!pending.empty()) {
      std::string f = pending.back();
      pending.pop_back();
      size_t i = funIdx.at(f);
      ExprPtr b = p.functions[i].body;
      simplify(b, depthOf[f]);
      p.functions[i].body = b;
    }
  }
};

}  // namespace

SpecialiseStats specialise(Program& p) {
  Specialiser s(p);
  s.run();
  return s.stats;
}

}  // namespace weir::core
