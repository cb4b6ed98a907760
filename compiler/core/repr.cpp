// Representation inference (repr.hpp).
#include "core/repr.hpp"

#include <cstdlib>
#include <map>
#include <functional>
#include <string>

#include "core/lift.hpp"

namespace weir::core {

Rep operandRep(PrimOp op) {
  switch (op) {
    case PrimOp::FloatAdd: case PrimOp::FloatSub: case PrimOp::FloatMul: case PrimOp::FloatDiv:
    case PrimOp::FloatNeg: case PrimOp::FloatEq: case PrimOp::FloatNe: case PrimOp::FloatLt:
    case PrimOp::FloatLe: case PrimOp::FloatGt: case PrimOp::FloatGe: case PrimOp::FloatCompare:
    case PrimOp::FloatRound: case PrimOp::FloatTruncate: case PrimOp::FloatFloor: case PrimOp::FloatCeiling:
    case PrimOp::FloatSqrt: case PrimOp::FloatExp: case PrimOp::FloatLog: case PrimOp::FloatSin:
    case PrimOp::FloatCos: case PrimOp::FloatPow:
      return Rep::Float;
    case PrimOp::CharOrd: case PrimOp::CharEq: case PrimOp::CharLt: case PrimOp::CharLe: case PrimOp::CharCompare:
      return Rep::Char;
    case PrimOp::TrmcHole: case PrimOp::TrmcField: case PrimOp::UniqueOrStatic:
      return Rep::Boxed;
    default:
      return primBorrows(op) ? Rep::Int : Rep::Boxed;
  }
}

Rep primResultRep(PrimOp op) {
  switch (op) {
    case PrimOp::IntAdd: case PrimOp::IntSub: case PrimOp::IntMul: case PrimOp::IntNeg:
    case PrimOp::IntQuot: case PrimOp::IntRem: case PrimOp::IntDiv: case PrimOp::IntMod:
    case PrimOp::IntAnd: case PrimOp::IntOr: case PrimOp::IntXor: case PrimOp::IntShl:
    case PrimOp::IntShr: case PrimOp::IntNot: case PrimOp::FloatRound: case PrimOp::FloatTruncate:
    case PrimOp::FloatFloor: case PrimOp::FloatCeiling: case PrimOp::CharOrd:
      return Rep::Int;
    case PrimOp::FloatAdd: case PrimOp::FloatSub: case PrimOp::FloatMul: case PrimOp::FloatDiv:
    case PrimOp::FloatNeg: case PrimOp::IntToFloat: case PrimOp::FloatSqrt: case PrimOp::FloatExp:
    case PrimOp::FloatLog: case PrimOp::FloatSin: case PrimOp::FloatCos: case PrimOp::FloatPow:
      return Rep::Float;
    case PrimOp::IntEq: case PrimOp::IntNe: case PrimOp::IntLt: case PrimOp::IntLe: case PrimOp::IntGt:
    case PrimOp::IntGe: case PrimOp::FloatEq: case PrimOp::FloatNe: case PrimOp::FloatLt: case PrimOp::FloatLe:
    case PrimOp::FloatGt: case PrimOp::FloatGe: case PrimOp::CharEq: case PrimOp::CharLt: case PrimOp::CharLe:
    case PrimOp::UniqueOrStatic:
      return Rep::Bool;
    default:
      return Rep::Boxed;
  }
}

Callees::Callees(const Program& p) : prog(p) {
  for (auto& f : p.functions) byName[f.name] = &f;
}

const Function* Callees::direct(const Expr& e) const {
  if (e.kind != Expr::App || e.args[0]->kind != Expr::Global) return nullptr;
  auto it = byName.find(e.args[0]->name);
  if (it == byName.end() || it->second->params.size() + 1 != e.args.size()) return nullptr;
  return it->second;
}

namespace {

// A result representation during the fixpoint: NONE (no value returned yet: every path seen so
// far fails or loops) below every Rep; two different Reps join to Boxed.
constexpr int NONE = -1;
int join(int a, int b) {
  if (a == NONE) return b;
  if (b == NONE || a == b) return a;
  return static_cast<int>(Rep::Boxed);
}
constexpr int BOXED = static_cast<int>(Rep::Boxed);
bool raw(int r) { return r != NONE && r != BOXED; }

using Env = std::unordered_map<VarId, int>;
using CalleeResult = std::function<int(const Function&)>;

using Table = Callees;

int varRep(const Env& env, VarId v) {
  auto it = env.find(v);
  return it == env.end() ? BOXED : it->second;
}

// The variables a case binds to raw fields are raw variables of the field's representation.
void bindFields(const Table& t, Env& env, const Expr& e) {
  if (e.kind != Expr::Case) return;
  for (auto& a : e.alts)
    for (size_t k = 0; k < a.fields.size(); k++) {
      int r = t.readRep(a.con, k);
      if (r != BOXED) env[a.fields[k]] = r;
    }
}

// A case on True/False (the lowering names them: `if`, guards, patterns): its scrutinee is a Bool.
bool isBoolCase(const Expr& e) {
  if (e.alts.empty()) return false;
  for (auto& a : e.alts)
    if (a.con != "Prelude.True" && a.con != "Prelude.False") return false;
  return true;
}

bool isBoolCon(const Expr& e) {
  return e.kind == Expr::Con && e.args.empty() && (e.name == "Prelude.True" || e.name == "Prelude.False");
}

// The representation codegen produces for e evaluated as a value: raw for literals, True/False,
// scalar primitives, raw variables, calls returning raw and a case whose branches all give one
// raw kind; boxed for the rest. Through lets and cases it is the join of e's tail positions, so
// it is also what a function body returns.
int valueRep(const Table& t, const CalleeResult& res, Env& env, const Expr& e) {
  switch (e.kind) {
    case Expr::Var: return varRep(env, e.var);
    case Expr::LitInt: return static_cast<int>(Rep::Int);
    case Expr::LitFloat: return static_cast<int>(Rep::Float);
    case Expr::LitChar: return static_cast<int>(Rep::Char);
    case Expr::Con: return isBoolCon(e) ? static_cast<int>(Rep::Bool) : BOXED;
    case Expr::Proj: return t.readRep(e.name, static_cast<size_t>(e.index));
    case Expr::Case: case Expr::LitCase: {
      int r = NONE;
      bindFields(t, env, e);
      for (auto& a : e.alts) r = join(r, valueRep(t, res, env, *a.body));
      for (auto& a : e.litAlts) r = join(r, valueRep(t, res, env, *a.body));
      if (e.deflt) r = join(r, valueRep(t, res, env, *e.deflt));
      return r;
    }
    case Expr::Prim: return e.prim == PrimOp::Error ? NONE : static_cast<int>(primResultRep(e.prim));
    case Expr::App: {
      const Function* g = t.direct(e);
      return g ? res(*g) : BOXED;
    }
    case Expr::Let:
      env[e.var] = valueRep(t, res, env, *e.args[0]);
      return valueRep(t, res, env, *e.args[1]);
    case Expr::Dup: case Expr::Drop: case Expr::FreeReuse: return valueRep(t, res, env, *e.args[0]);
    case Expr::Error: return NONE;
    default: return BOXED;
  }
}

Env paramEnv(const std::vector<VarId>& params, const std::vector<Rep>& reps) {
  Env env;
  for (size_t k = 0; k < params.size(); k++)
    env[params[k]] = static_cast<int>(k < reps.size() ? reps[k] : Rep::Boxed);
  return env;
}

struct Uses {
  const Table& t;
  const CalleeResult& res;
  Env env;
  std::unordered_map<VarId, int> counts;

  void count(VarId v) { counts[v]++; }

  // e evaluated where its value is consumed as an object (unless e is one of the raw-friendly
  // shapes handled by the parent); tgt = the representation e's tail positions return.
  void walk(const Expr& e, bool tail, int tgt) {
    switch (e.kind) {
      case Expr::Var:
        if (!(tail && raw(varRep(env, e.var)) && varRep(env, e.var) == tgt)) count(e.var);
        return;
      case Expr::Prim:
        if (operandRep(e.prim) != Rep::Boxed) {
          for (auto& a : e.args)
            if (a->kind != Expr::Var) walk(*a, false, BOXED);
          return;
        }
        for (auto& a : e.args) walk(*a, false, BOXED);
        return;
      case Expr::App: {
        const Function* g = t.direct(e);
        for (size_t k = g ? 1 : 0; k < e.args.size(); k++) {
          const Expr& a = *e.args[k];
          if (g && a.kind == Expr::Var && g->paramRep(k - 1) != Rep::Boxed) continue;
          walk(a, false, BOXED);
        }
        return;
      }
      case Expr::Let: {
        // the right-hand side's value goes to the variable as codegen makes it: a raw variable
        // or a case whose branches all give one raw kind is no boxed use
        int r = valueRep(t, res, env, *e.args[0]);
        walk(*e.args[0], true, r);
        env[e.var] = r;
        walk(*e.args[1], tail, tgt);
        return;
      }
      case Expr::Lam:
        for (VarId v : freeVars(e)) count(v);
        walk(*e.args[0], true, BOXED);
        return;
      case Expr::Con:  // a variable stored in a raw field is read raw: no boxed use
        for (size_t k = 0; k < e.args.size(); k++) {
          const Expr& a = *e.args[k];
          if (a.kind == Expr::Var && t.fieldRep(e.name, k) != Rep::Boxed) continue;
          walk(a, false, BOXED);
        }
        return;
      case Expr::Case: case Expr::LitCase:
        bindFields(t, env, e);
        for (auto& a : e.alts) walk(*a.body, tail, tgt);
        for (auto& a : e.litAlts) walk(*a.body, tail, tgt);
        if (e.deflt) walk(*e.deflt, tail, tgt);
        return;
      case Expr::Dup: case Expr::Drop: case Expr::FreeReuse:
        walk(*e.args[0], tail, tgt);
        return;
      default:
        forEachChild(const_cast<Expr&>(e), [&](ExprPtr& c) { walk(*c, false, BOXED); });
        return;
    }
  }
};

std::unordered_map<VarId, int> countUses(const Table& t, const CalleeResult& res, const std::vector<VarId>& params,
                                         const std::vector<Rep>& reps, Rep result, const Expr& body) {
  Uses u{t, res, paramEnv(params, reps), {}};
  u.walk(body, true, static_cast<int>(result));
  return std::move(u.counts);
}

// Evidence: what each parameter's uses say it is (a least fixpoint through direct calls).
void inferEvidence(Program& p, const Table& t, const std::string& entry) {
  for (auto& f : p.functions) f.paramReps.assign(f.params.size(), Rep::Boxed);
  std::unordered_map<const Function*, std::vector<bool>> conflict;
  bool changed = true;
  while (changed) {
    changed = false;
    for (auto& f : p.functions) {
      if (f.name == entry) continue;
      std::unordered_map<VarId, size_t> index;
      for (size_t k = 0; k < f.params.size(); k++) index[f.params[k]] = k;
      if (f.trmcWorker && !f.params.empty()) index.erase(f.params.back());
      auto& bad = conflict[&f];
      bad.resize(f.params.size());
      auto note = [&](VarId v, Rep r) {
        auto it = index.find(v);
        if (it == index.end() || r == Rep::Boxed || bad[it->second]) return;
        Rep& cur = f.paramReps[it->second];
        if (cur == r) return;
        if (cur == Rep::Boxed) cur = r;
        else cur = Rep::Boxed, bad[it->second] = true;  // cannot happen in a typed program
        changed = true;
      };
      std::function<void(const Expr&)> scan = [&](const Expr& e) {
        if (e.kind == Expr::Prim && operandRep(e.prim) != Rep::Boxed) {
          for (auto& a : e.args)
            if (a->kind == Expr::Var) note(a->var, operandRep(e.prim));
        } else if (e.kind == Expr::Case && isBoolCase(e)) {
          note(e.scrut, Rep::Bool);
        } else if (e.kind == Expr::LitCase && !e.litAlts.empty()) {
          auto k = e.litAlts[0].kind;
          if (k != LitAlt::String) note(e.scrut, k == LitAlt::Int ? Rep::Int : Rep::Char);
        } else if (const Function* g = t.direct(e)) {
          for (size_t k = 1; k < e.args.size(); k++)
            if (e.args[k]->kind == Expr::Var) note(e.args[k]->var, g->paramRep(k - 1));
        } else if (e.kind == Expr::Con) {
          for (size_t k = 0; k < e.args.size(); k++)
            if (e.args[k]->kind == Expr::Var) note(e.args[k]->var, t.fieldRep(e.name, k));
        }
        forEachChild(const_cast<Expr&>(e), [&](ExprPtr& c) { scan(*c); });
      };
      scan(*f.body);
    }
  }
}

// Results: a least fixpoint from NONE given the current parameter reps.
void inferResults(Program& p, const Table& t, const std::string& entry) {
  std::unordered_map<const Function*, int> res;
  CalleeResult lookup = [&](const Function& g) {
    auto it = res.find(&g);
    return it == res.end() ? NONE : it->second;
  };
  for (auto& f : p.functions) res[&f] = f.name == entry ? BOXED : NONE;
  bool changed = true;
  while (changed) {
    changed = false;
    for (auto& f : p.functions) {
      if (f.name == entry) continue;
      Env env = paramEnv(f.params, f.paramReps);
      int r = join(res[&f], valueRep(t, lookup, env, *f.body));   // the join of its tail positions
      if (r != res[&f]) res[&f] = r, changed = true;
    }
  }
  for (auto& f : p.functions) f.resultRep = res[&f] == NONE ? Rep::Boxed : static_cast<Rep>(res[&f]);
}

// Which parameters every caller passes raw: argsRaw[f][k] holds when f is referenced only by
// saturated direct calls and each of them gives parameter k a value that is raw where it is
// made (a literal, arithmetic, a raw variable). A boxed parameter there means each call boxes
// it (a loop counter boxed once per iteration); a raw one boxes at most at its one boxed use.
std::unordered_map<const Function*, std::vector<bool>> argsRaw(const Program& p, const Table& t,
                                                              const CalleeResult& res) {
  std::unordered_map<const Function*, std::vector<bool>> out;
  for (auto& f : p.functions) out[&f].assign(f.params.size(), true);
  for (auto& f : p.functions) {
    Env env = paramEnv(f.params, f.paramReps);
    std::function<void(const Expr&, bool)> scan = [&](const Expr& e, bool head) {
      if (e.kind == Expr::Global && !head) {
        auto it = t.byName.find(e.name);
        if (it != t.byName.end()) out[it->second].assign(it->second->params.size(), false);
        return;
      }
      if (const Function* g = t.direct(e)) {
        auto& ok = out[g];
        for (size_t k = 1; k < e.args.size(); k++) {
          Env scratch = env;
          if (!raw(valueRep(t, res, scratch, *e.args[k]))) ok[k - 1] = false;
        }
        scan(*e.args[0], true);
        for (size_t k = 1; k < e.args.size(); k++) scan(*e.args[k], false);
        return;
      }
      if (e.kind == Expr::Let) {
        Env scratch = env;
        env[e.var] = valueRep(t, res, scratch, *e.args[0]);
      }
      bindFields(t, env, e);
      forEachChild(const_cast<Expr&>(e), [&](ExprPtr& c) { scan(*c, false); });
    };
    scan(*f.body, false);
  }
  return out;
}

// Joins, for every field of the constructors `wanted` selects, the representations of the
// values stored in it (valueRep), reading those fields as `assumed` says.
struct Stores {
  const Table& t;
  const CalleeResult& res;
  const std::function<bool(const std::string&)>& wanted;
  std::map<std::string, std::vector<int>> joined;
  Env env;

  void walk(const Expr& e) {
    if (e.kind == Expr::Let) env[e.var] = valueRep(t, res, env, *e.args[0]);  // binds the rhs's own lets too: ids are unique
    if (e.kind == Expr::Case) bindFields(t, env, e);
    if (e.kind == Expr::Con && wanted(e.name)) {
      auto& js = joined[e.name];
      js.resize(e.args.size(), NONE);
      for (size_t k = 0; k < e.args.size(); k++) js[k] = join(js[k], valueRep(t, res, env, *e.args[k]));
    }
    forEachChild(const_cast<Expr&>(e), [&](ExprPtr& c) { walk(*c); });
  }
};

}  // namespace

std::map<std::string, std::vector<Rep>> storedReps(const Program& p,
                                                   const std::function<bool(const std::string&)>& wanted) {
  Table t(p);
  CalleeResult res = [](const Function& g) { return static_cast<int>(g.resultRep); };
  // An optimistic fixpoint: the boxed fields of these constructors are first read as holding
  // nothing (NONE), then as the join of what is stored in them, until that is stable -- so a
  // field copied from itself (an update keeping it, `max old.peak new.peak`) holds what the
  // other stores put there.
  std::map<std::pair<std::string, size_t>, int> assumed;
  t.assumed = &assumed;
  auto round = [&] {
    Stores s{t, res, wanted, {}, {}};
    for (auto& f : p.functions) {
      s.env = paramEnv(f.params, f.paramReps);
      s.walk(*f.body);
    }
    for (auto& g : p.globals) {
      s.env.clear();
      s.walk(*g.body);
    }
    return std::move(s.joined);
  };
  // The fields to decide: those of the constructors built that are not raw already.
  std::function<void(const Expr&)> fields = [&](const Expr& e) {
    if (e.kind == Expr::Con && wanted(e.name))
      for (size_t k = 0; k < e.args.size(); k++)
        if (p.fieldRep(e.name, k) == Rep::Boxed) assumed.emplace(std::make_pair(e.name, k), NONE);
    forEachChild(const_cast<Expr&>(e), [&](ExprPtr& c) { fields(*c); });
  };
  for (auto& f : p.functions) fields(*f.body);
  for (auto& g : p.globals) fields(*g.body);
  for (bool changed = true; changed;) {  // ascending: NONE, then one raw kind, then Boxed
    changed = false;
    for (auto& [con, js] : round())
      for (size_t k = 0; k < js.size(); k++)
        if (auto it = assumed.find({con, k}); it != assumed.end() && it->second != js[k]) it->second = js[k], changed = true;
  }
  std::map<std::string, std::vector<Rep>> out;
  for (auto& [key, r] : assumed) {
    auto& reps = out[key.first];
    if (reps.size() <= key.second) reps.resize(key.second + 1, Rep::Boxed);
    reps[key.second] = raw(r) ? static_cast<Rep>(r) : Rep::Boxed;
  }
  return out;
}

std::unordered_map<VarId, int> boxedUses(const Callees& c, const std::vector<VarId>& params,
                                         const std::vector<Rep>& paramReps, Rep result, const Expr& body) {
  CalleeResult res = [](const Function& g) { return static_cast<int>(g.resultRep); };
  return countUses(c, res, params, paramReps, result, body);
}

std::unordered_map<VarId, int> boxedUses(const Program& p, const std::vector<VarId>& params,
                                         const std::vector<Rep>& paramReps, Rep result, const Expr& body) {
  return boxedUses(Callees(p), params, paramReps, result, body);
}

void inferReps(Program& p, bool unbox) {
  for (auto& f : p.functions) {
    f.paramReps.assign(f.params.size(), Rep::Boxed);
    f.resultRep = Rep::Boxed;
  }
  if (!unbox) return;
  Table t(p);
  inferEvidence(p, t, p.entry);
  CalleeResult res = [](const Function& g) { return static_cast<int>(g.resultRep); };
  for (;;) {
    inferResults(p, t, p.entry);
    auto callersRaw = argsRaw(p, t, res);
    bool demoted = false;
    for (auto& f : p.functions) {
      bool any = false;
      for (Rep r : f.paramReps) any = any || r != Rep::Boxed;
      if (!any) continue;
      auto counts = countUses(t, res, f.params, f.paramReps, f.resultRep, *f.body);
      auto& passedRaw = callersRaw[&f];
      for (size_t k = 0; k < f.params.size(); k++) {
        if (f.paramReps[k] == Rep::Boxed) continue;
        auto it = counts.find(f.params[k]);
        int n = it == counts.end() ? 0 : it->second;
        if (n > 1 || (n == 1 && !passedRaw[k])) f.paramReps[k] = Rep::Boxed, demoted = true;
      }
    }
    if (!demoted) break;
  }
}

}  // namespace weir::core
