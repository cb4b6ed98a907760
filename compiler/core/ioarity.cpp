// IO arity expansion (see ioarity.hpp).
//
// Like the simplifier, the rewrite reads its input and builds new nodes (Core trees may share
// subtrees) and copies no code, so every variable stays bound once.
#include "core/ioarity.hpp"

#include <string>
#include <unordered_map>
#include <vector>

namespace weir::core {

namespace {

using World = Function::World;

// What is known in one body: a let- or letrec-bound lambda that returns an action after n
// arguments (n >= 1), or a variable bound to an action (0).
using Locals = std::unordered_map<VarId, size_t>;

struct Pass {
  Program& p;
  IOArityStats stats;
  std::unordered_map<std::string, std::pair<World, size_t>> world;  // world-last functions: kind, arity
  std::unordered_map<std::string, size_t> io;  // functions returning an action after n params; CAFs: 0
  std::vector<Locals> fnLocals, globalLocals;
  std::unordered_map<std::string, std::string> alias;  // a global that is another global (`pure = primPureIO`)

  // The global a name stands for, through aliases.
  const std::string& resolve(const std::string& name) const {
    const std::string* n = &name;
    for (int hops = 0; hops < 16; hops++) {
      auto it = alias.find(*n);
      if (it == alias.end()) break;
      n = &it->second;
    }
    return *n;
  }

  explicit Pass(Program& prog) : p(prog) {}

  // --- which expressions are actions ---

  bool ioLeaf(const Expr& e, const Locals& L) const {
    if (e.kind == Expr::App) {
      const Expr& h = *e.args[0];
      size_t n = e.args.size() - 1;
      if (h.kind == Expr::Global) {
        const std::string& name = resolve(h.name);
        if (auto w = world.find(name); w != world.end()) return w->second.second == n + 1;
        auto f = io.find(name);
        return f != io.end() && f->second == n && n > 0;
      }
      if (h.kind == Expr::Var) {
        auto l = L.find(h.var);
        return l != L.end() && l->second == n && n > 0;
      }
      return false;
    }
    if (e.kind == Expr::Global) {
      const std::string& name = resolve(e.name);
      if (auto w = world.find(name); w != world.end()) return w->second.second == 1;
      auto g = io.find(name);
      return g != io.end() && g->second == 0;
    }
    if (e.kind == Expr::Var) {
      auto l = L.find(e.var);
      return l != L.end() && l->second == 0;
    }
    return false;
  }

  // Some result of e (a leaf through let, letrec and case) is manifestly an action: then, the
  // program being well typed, all of them are.
  bool isIO(const Expr& e, const Locals& L) const {
    switch (e.kind) {
      case Expr::Let: return isIO(*e.args[1], L);
      case Expr::LetRec: return isIO(*e.args[0], L);
      case Expr::Case: case Expr::LitCase:
        for (auto& a : e.alts) if (isIO(*a.body, L)) return true;
        for (auto& a : e.litAlts) if (isIO(*a.body, L)) return true;
        return e.deflt && isIO(*e.deflt, L);
      default:
        return ioLeaf(e, L);
    }
  }

  // Records the local lambdas and variables of e found to return or hold actions.
  void scanLocals(const Expr& e, Locals& L, bool& changed) const {
    auto note = [&](VarId v, const Expr& rhs) {
      if (L.count(v)) return;
      if (rhs.kind == Expr::Lam) {
        if (isIO(*rhs.args[0], L)) { L[v] = rhs.params.size(); changed = true; }
      } else if (isIO(rhs, L)) {
        L[v] = 0;
        changed = true;
      }
    };
    if (e.kind == Expr::Let) note(e.var, *e.args[0]);
    for (auto& b : e.binds) note(b.var, *b.lam);
    forEachChild(const_cast<Expr&>(e), [&](ExprPtr& c) { scanLocals(*c, L, changed); });
  }

  void analyse() {
    for (auto& f : p.functions)
      if (f.world != World::None) world[f.name] = {f.world, f.params.size()};
    for (auto& g : p.globals)
      if (g.body->kind == Expr::Global && g.body->name != g.name) alias[g.name] = g.body->name;
    fnLocals.assign(p.functions.size(), {});
    globalLocals.assign(p.globals.size(), {});
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t i = 0; i < p.functions.size(); i++) {
        const Function& f = p.functions[i];
        if (f.world != World::None) continue;
        scanLocals(*f.body, fnLocals[i], changed);
        if (!io.count(f.name) && isIO(*f.body, fnLocals[i])) {
          io[f.name] = f.params.size();
          changed = true;
        }
      }
      for (size_t i = 0; i < p.globals.size(); i++) {
        const Global& g = p.globals[i];
        scanLocals(*g.body, globalLocals[i], changed);
        if (!io.count(g.name) && isIO(*g.body, globalLocals[i])) {
          io[g.name] = 0;
          changed = true;
        }
      }
    }
  }

  // --- the rewrite ---

  VarId fresh() { return p.nextVar++; }

  // e in value position: its lambdas that return actions get the world parameter.
  ExprPtr value(const ExprPtr& e, const Locals& L) {
    auto r = std::make_shared<Expr>(*e);
    if (e->kind == Expr::Lam && isIO(*e->args[0], L)) {
      VarId w = fresh();
      r->params.push_back(w);
      r->args[0] = run(e->args[0], w, L);
      stats.lambdas++;
      return r;
    }
    forEachChild(*r, [&](ExprPtr& c) { c = value(c, L); });
    return r;
  }

  // The code that runs action e with world w (see ioarity.hpp).
  ExprPtr run(const ExprPtr& e, VarId w, const Locals& L) {
    switch (e->kind) {
      case Expr::Let: {
        auto r = std::make_shared<Expr>(*e);
        r->args[0] = value(e->args[0], L);
        r->args[1] = run(e->args[1], w, L);
        return r;
      }
      case Expr::LetRec: {
        auto r = std::make_shared<Expr>(*e);
        for (auto& b : r->binds) b.lam = value(b.lam, L);
        r->args[0] = run(e->args[0], w, L);
        return r;
      }
      case Expr::Case: case Expr::LitCase: {
        auto r = std::make_shared<Expr>(*e);
        for (auto& a : r->alts) a.body = run(a.body, w, L);
        for (auto& a : r->litAlts) a.body = run(a.body, w, L);
        if (r->deflt) r->deflt = run(r->deflt, w, L);
        return r;
      }
      case Expr::Error:
        return e;  // never returns: no world to pass
      case Expr::Prim:
        if (e->prim == PrimOp::Error) return value(e, L);
        break;
      case Expr::App: {
        const Expr& h = *e->args[0];
        size_t n = e->args.size() - 1;
        if (h.kind == Expr::Global)
          if (auto it = world.find(resolve(h.name)); it != world.end()) {
            if (it->second.first == World::Pure && n == 1) return value(e->args[1], L);
            if (it->second.first == World::Bind && n == 2) return bind(e->args[1], e->args[2], w, L);
          }
        auto r = std::make_shared<Expr>(*e);  // f(as) runs as f(as, w): keeps the call's site (loc)
        for (auto& a : r->args) a = value(a, L);
        if (h.kind == Expr::Global && alias.count(h.name)) r->args[0] = mkGlobal(resolve(h.name));  // a direct call
        r->args.push_back(mkVar(w));
        return r;
      }
      default:
        break;
    }
    return mkApp(value(e, L), {mkVar(w)});
  }

  // primBindIO(m, k) run with w: run m, then k's result. Evaluation order as before: m and k
  // are evaluated (in that order) before m runs; k is evaluated after m runs only when that
  // cannot be told apart (a lambda, a variable, anything pure).
  ExprPtr bind(const ExprPtr& m, const ExprPtr& k, VarId w, const Locals& L) {
    stats.binds++;
    if (k->kind == Expr::Lam && k->params.size() == 1)
      return mkLet(k->params[0], run(m, w, L), run(k->args[0], w, L));
    VarId x = fresh();
    if (isPure(*k)) return mkLet(x, run(m, w, L), mkApp(value(k, L), {mkVar(x), mkVar(w)}));
    VarId mv = fresh(), kv = fresh();
    return mkLet(mv, value(m, L),
                 mkLet(kv, value(k, L),
                       mkLet(x, mkApp(mkVar(mv), {mkVar(w)}), mkApp(mkVar(kv), {mkVar(x), mkVar(w)}))));
  }

  void rewrite() {
    for (size_t i = 0; i < p.functions.size(); i++) {
      Function& f = p.functions[i];
      if (f.world != World::None) continue;
      const Locals& L = fnLocals[i];
      if (io.count(f.name)) {
        VarId w = fresh();
        f.params.push_back(w);
        f.body = run(f.body, w, L);
        f.world = World::Last;
        stats.functions++;
      } else {
        f.body = value(f.body, L);
      }
    }
    std::vector<Global> kept;
    for (size_t i = 0; i < p.globals.size(); i++) {
      Global& g = p.globals[i];
      const Locals& L = globalLocals[i];
      if (io.count(g.name)) {
        VarId w = fresh();
        Function f{g.name, {w}, run(g.body, w, L), ""};
        f.world = World::Last;
        p.functions.push_back(std::move(f));
        stats.globals++;
      } else {
        g.body = value(g.body, L);
        kept.push_back(std::move(g));
      }
    }
    p.globals = std::move(kept);
  }
};

}  // namespace

IOArityStats ioArity(Program& p) {
  Pass pass(p);
  pass.analyse();
  pass.rewrite();
  return pass.stats;
}

}  // namespace weir::core
