// Lowering of the top level: bindings, foreign imports (primitives), instance
// dictionaries and constructor wrappers.
#include <algorithm>
#include "core/lower/lower.hpp"

#include <cstdlib>
#include <fmt/format.h>

#include "core/lower/lowerer.hpp"

namespace weir::lower {

namespace {

// `foreign import prim "name"`: primitive operations by name.
const std::map<std::string, core::PrimOp>& primTable() {
  using P = core::PrimOp;
  static const std::map<std::string, P> t = {
      {"int_add", P::IntAdd}, {"int_sub", P::IntSub}, {"int_mul", P::IntMul}, {"int_neg", P::IntNeg},
      {"int_quot", P::IntQuot}, {"int_rem", P::IntRem}, {"int_div", P::IntDiv}, {"int_mod", P::IntMod},
      {"int_eq", P::IntEq}, {"int_ne", P::IntNe}, {"int_lt", P::IntLt}, {"int_le", P::IntLe}, {"int_gt", P::IntGt},
      {"int_ge", P::IntGe}, {"int_compare", P::IntCompare}, {"int_and", P::IntAnd}, {"int_or", P::IntOr},
      {"int_xor", P::IntXor}, {"int_shl", P::IntShl}, {"int_shr", P::IntShr}, {"int_not", P::IntNot},
      {"float_add", P::FloatAdd}, {"float_sub", P::FloatSub}, {"float_mul", P::FloatMul}, {"float_div", P::FloatDiv},
      {"float_neg", P::FloatNeg}, {"float_eq", P::FloatEq}, {"float_ne", P::FloatNe}, {"float_lt", P::FloatLt},
      {"float_le", P::FloatLe}, {"float_gt", P::FloatGt}, {"float_ge", P::FloatGe}, {"float_compare", P::FloatCompare},
      {"int_to_float", P::IntToFloat}, {"float_round", P::FloatRound}, {"float_truncate", P::FloatTruncate},
      {"float_floor", P::FloatFloor}, {"float_ceiling", P::FloatCeiling}, {"float_sqrt", P::FloatSqrt},
      {"float_exp", P::FloatExp}, {"float_log", P::FloatLog}, {"float_sin", P::FloatSin}, {"float_cos", P::FloatCos},
      {"float_pow", P::FloatPow}, {"char_ord", P::CharOrd}, {"char_chr", P::CharChr}, {"char_eq", P::CharEq},
      {"char_lt", P::CharLt}, {"char_le", P::CharLe}, {"char_compare", P::CharCompare},
      {"string_append", P::StringAppend}, {"string_eq", P::StringEq}, {"string_compare", P::StringCompare},
      {"string_length", P::StringLength}, {"show_int", P::ShowInt}, {"show_float", P::ShowFloat},
      {"show_char", P::ShowChar}, {"show_string", P::ShowString}, {"string_from_char", P::StringFromChar},
      {"put_str_ln", P::PutStrLn}, {"put_str", P::PutStr}, {"error", P::Error},
  };
  return t;
}

// Number of arrows in a type (the arity of a function of that type).
int countArrows(types::TypeP t) {
  int n = 0;
  types::TypeP to;
  while (types::isFun(t, nullptr, &to)) { ++n; t = to; }
  return n;
}

bool returnsIO(types::TypeP t) {
  types::TypeP to;
  while (types::isFun(t, nullptr, &to)) t = to;
  types::TypeP h = types::typeHead(t);
  return h->kind == types::Type::Con && h->name == types::kIO;
}

}  // namespace

std::string Lowerer::conWrapper(const std::string& con) {
  auto it = conWrappers.find(con);
  if (it != conWrappers.end()) return it->second;
  const types::ConInfo& ci = checked.cons.at(con);
  std::string name = "$con$" + con;
  conWrappers[con] = name;
  if (ci.arity == 0) {
    prog.globals.push_back(core::Global{name, core::mkCon(ci.tag, con, {})});
    return name;
  }
  core::Function f;
  f.name = name;
  std::vector<ExprPtr> args;
  for (int i = 0; i < ci.arity; ++i) {
    VarId v = fresh();
    f.params.push_back(v);
    args.push_back(core::mkVar(v));
  }
  f.body = core::mkCon(ci.tag, con, args);
  arity[name] = ci.arity;
  prog.functions.push_back(f);
  return name;
}

int Lowerer::methodArity(const std::string& method) {
  for (auto& [cn, cls] : checked.classes) {
    auto it = cls.methodSchemes.find(method);
    if (it != cls.methodSchemes.end()) return countArrows(it->second.type);
  }
  return 0;
}

ExprPtr Lowerer::thisDict(const types::InstanceInfo& inst) {
  if (inst.contextParams.empty()) return core::mkGlobal(inst.dictName);
  std::vector<ExprPtr> args;
  for (auto& p : inst.contextParams) args.push_back(core::mkVar(dictVars.at(p->id)));
  return core::mkApp(core::mkGlobal(inst.dictName), args);
}

ExprPtr Lowerer::lowerDict(const types::DictP& dp) {
  types::DictP d = types::resolveDict(dp);
  if (!d) { fail("missing dictionary"); return core::mkInt(0); }
  switch (d->kind) {
    case types::Dict::Param: {
      auto it = dictVars.find(d->param->id);
      if (it == dictVars.end()) { fail("dictionary parameter out of scope"); return core::mkInt(0); }
      return core::mkVar(it->second);
    }
    case types::Dict::Inst: {
      if (d->instance < 0) { fail("unsolved instance reached lowering"); return core::mkInt(0); }
      const types::InstanceInfo& inst = checked.instances[d->instance];
      if (d->args.empty()) return core::mkGlobal(inst.dictName);
      std::vector<ExprPtr> args;
      for (auto& a : d->args) args.push_back(lowerDict(a));
      return core::mkApp(core::mkGlobal(inst.dictName), args);
    }
    case types::Dict::Super:
      return core::mkProj(lowerDict(d->from), d->index);
    case types::Dict::Record: {
      if (names::displayName(d->pred.cls) == "FromJson") noteRecordType(d->pred.type);
      std::string fn = recordDictFunction(d->pred.cls, d->labels);
      if (d->args.empty()) return core::mkGlobal(fn);
      std::vector<ExprPtr> args;
      for (auto& a : d->args) args.push_back(lowerDict(a));
      return core::mkApp(core::mkGlobal(fn), args);
    }
    case types::Dict::Hole:
      fail("unsolved dictionary hole reached lowering");
      return core::mkInt(0);
  }
  return nullptr;
}

// A method through a dictionary. With a known instance, the implementation is called
// directly (its context dictionaries are pushed onto `extraArgs` first).
ExprPtr Lowerer::methodRef(const std::string& method, const types::DictP& dp, std::vector<ExprPtr>& extraArgs) {
  types::DictP d = types::resolveDict(dp);
  const types::ClassInfo* cls = nullptr;
  for (auto& [cn, c] : checked.classes)
    if (c.methodSchemes.count(method)) cls = &c;
  if (!cls) { fail("not a method: " + method); return core::mkInt(0); }
  if (d && d->kind == types::Dict::Inst && d->instance >= 0) {
    const types::InstanceInfo& inst = checked.instances[d->instance];
    auto impl = inst.methodImpls.find(method);
    std::vector<ExprPtr> ctx;
    for (auto& a : d->args) ctx.push_back(lowerDict(a));
    if (impl != inst.methodImpls.end()) {
      std::string target = impl->second;
      while (ctx.empty() && alias.count(target)) target = alias[target];
      extraArgs.insert(extraArgs.begin(), ctx.begin(), ctx.end());
      return core::mkGlobal(target);
    }
    auto dm = cls->defaults.find(method);
    if (dm != cls->defaults.end()) {
      extraArgs.insert(extraArgs.begin(), lowerDict(d));
      return core::mkGlobal(dm->second);
    }
  }
  size_t idx = cls->supers.size();
  for (size_t i = 0; i < cls->methods.size(); ++i)
    if (cls->methods[i] == method) idx += i;
  return core::mkProj(lowerDict(d), static_cast<int>(idx));
}

void Lowerer::lowerForeign(const ast::Decl& d) {
  auto bi = checked.binds.find(d.name);
  if (bi == checked.binds.end()) return;
  types::TypeP t = bi->second.scheme.type;
  int n = countArrows(t);
  bool io = returnsIO(t);
  core::Function f;
  f.name = d.name;
  f.loc = loc(d.span);
  std::vector<ExprPtr> args;
  for (int i = 0; i < n; ++i) {
    VarId v = fresh();
    f.params.push_back(v);
    args.push_back(core::mkVar(v));
  }
  const std::string& p = d.foreignName;
  if (d.foreignConv == "ccall") {  // C ABI: owned weir_obj* arguments, owned weir_obj* result
    if (io) {
      f.params.push_back(fresh());
      f.world = core::Function::World::Last;
    }
    f.body = core::mkCCall(p, args, f.loc);
  } else if (d.foreignConv != "prim") {
    fail("foreign calling convention not supported: " + d.foreignConv);
    return;
  } else if (p == "io_pure") {           // pureIO :: a -> IO a        = \x w -> x
    VarId w = fresh();
    f.params.push_back(w);
    f.body = args[0];
    f.world = core::Function::World::Pure;
  } else if (p == "io_bind") {    // bindIO :: IO a -> (a -> IO b) -> IO b   = \m k w -> k (m w) w
    VarId w = fresh(), a = fresh();
    f.params.push_back(w);
    f.body = core::mkLet(a, core::mkApp(args[0], {core::mkVar(w)}), core::mkApp(args[1], {core::mkVar(a), core::mkVar(w)}));
    f.world = core::Function::World::Bind;
  } else {
    auto it = primTable().find(p);
    if (it == primTable().end()) { fail("unknown primitive " + p); return; }
    if (io) {
      VarId w = fresh();
      f.params.push_back(w);
      f.body = core::mkPrim(it->second, args, f.loc);
      f.world = core::Function::World::Last;
    } else {
      f.body = core::mkPrim(it->second, args, f.loc);
      if (n > 0) primWrappers[d.name] = it->second;
    }
  }
  if (f.params.empty()) {
    prog.globals.push_back(core::Global{f.name, f.body});
    return;
  }
  arity[f.name] = static_cast<int>(f.params.size());
  prog.functions.push_back(f);
}

void Lowerer::lowerBinding(const std::string& name, const std::vector<const ast::Decl*>& clauses,
                           const types::BindInfo& bi, bool top) {
  (void)top;
  dictVars.clear();
  locals.clear();
  localDictParams.clear();
  std::vector<VarId> params;
  for (auto& dp : bi.dictParams) {
    VarId v = fresh();
    dictVars[dp->id] = v;
    params.push_back(v);
  }
  const ast::Decl* c0 = clauses[0];
  ExprPtr body;
  if (!c0->pats.empty()) {
    std::vector<VarId> vs;
    for (size_t i = 0; i < c0->pats.size(); ++i) vs.push_back(fresh());
    body = lowerFunctionBody(clauses, vs, name, c0->span);
    params.insert(params.end(), vs.begin(), vs.end());
  } else if (c0->rhs.plain && c0->rhs.guarded.empty() && c0->rhs.where.empty() && c0->rhs.plain->kind == ast::Expr::Lam) {
    ExprPtr lam = lowerExpr(c0->rhs.plain);
    params.insert(params.end(), lam->params.begin(), lam->params.end());
    body = lam->args[0];
  } else {
    body = lowerRhs(c0->rhs, [this, name, c0] { return matchFailure("`" + names::displayName(name) + "`", c0->span); });
  }
  if (params.empty()) {
    prog.globals.push_back(core::Global{name, body});
    return;
  }
  core::Function f;
  f.name = name;
  f.params = params;
  f.body = body;
  f.loc = loc(c0->span);
  prog.functions.push_back(f);
}

// `(lo, hi) = bounds xs` at the top level: one CAF for the value, and one per variable
// taking it apart (the pattern is irrefutable: the type checker rejects others, E0273).
void Lowerer::lowerTopPatBind(const ast::Decl& d) {
  std::vector<std::string> vars;
  std::function<void(const ast::PatPtr&)> collect = [&](const ast::PatPtr& p) {
    if (!p) return;
    if (p->kind == ast::Pat::Var || p->kind == ast::Pat::As) vars.push_back(p->name);
    for (auto& a : p->args) collect(a);
    for (auto& [f, fp] : p->fields) collect(fp);
  };
  collect(d.pat);
  if (vars.empty()) return;  // `_ = e` binds nothing; strictness does not matter for an unused CAF
  dictVars.clear();
  locals.clear();
  std::string whole = "$pat$" + vars[0];
  Span sp = d.span;
  prog.globals.push_back(core::Global{whole, lowerRhs(d.rhs, [this, sp] { return matchFailure("a pattern binding", sp); })});
  for (auto& x : vars) {
    locals.clear();
    VarId v = fresh();
    Row r;
    r.pats.push_back(canon(d.pat));
    r.body = [this, x](const Fail&) { return core::mkVar(locals.at(x)); };
    ExprPtr body = core::mkLet(v, core::mkGlobal(whole),
                               match({v}, {r}, [this, sp] { return matchFailure("a pattern binding", sp); }));
    prog.globals.push_back(core::Global{x, body});
  }
}

void Lowerer::lowerTopLevel() {
  const auto& decls = checked.program->decls;
  // Arity of every global function, and aliases (`x = y`), before lowering bodies.
  std::map<std::string, std::vector<const ast::Decl*>> clauses;
  std::vector<std::string> order;
  for (auto& d : decls) {
    if (d->kind == ast::Decl::Clause) {
      if (!clauses.count(d->name)) order.push_back(d->name);
      clauses[d->name].push_back(d.get());
    } else if (d->kind == ast::Decl::Instance || d->kind == ast::Decl::Class) {
      for (auto& b : d->body)
        if (b->kind == ast::Decl::Clause) {
          if (!clauses.count(b->name)) order.push_back(b->name);
          clauses[b->name].push_back(b.get());
        }
    }
  }
  for (auto& [name, cs] : clauses) {
    auto bi = checked.binds.find(name);
    if (bi == checked.binds.end()) continue;
    const ast::Decl* c0 = cs[0];
    int n = static_cast<int>(bi->second.dictParams.size() + c0->pats.size());
    if (c0->pats.empty() && c0->rhs.plain && c0->rhs.guarded.empty() && c0->rhs.where.empty() &&
        c0->rhs.plain->kind == ast::Expr::Lam)
      n += static_cast<int>(c0->rhs.plain->pats.size());
    if (n > 0) arity[name] = n;
    if (bi->second.dictParams.empty() && c0->pats.empty() && c0->rhs.plain && c0->rhs.where.empty() &&
        c0->rhs.plain->kind == ast::Expr::Var && !names::isLocalName(c0->rhs.plain->name) &&
        c0->rhs.plain->evidence && c0->rhs.plain->evidence->dicts.empty() && !c0->rhs.plain->evidence->recursive &&
        c0->rhs.plain->name != name)
      alias[name] = c0->rhs.plain->name;
  }
  for (auto& d : decls)
    if (d->kind == ast::Decl::Foreign) lowerForeign(*d);
  for (auto& name : order) {
    auto bi = checked.binds.find(name);
    if (bi == checked.binds.end()) { fail("binding without type information: " + name); continue; }
    lowerBinding(name, clauses[name], bi->second, true);
  }
  for (auto& d : decls)
    if (d->kind == ast::Decl::PatBind) lowerTopPatBind(*d);
}

void Lowerer::lowerInstances() {
  for (auto& inst : checked.instances) {
    auto clsIt = checked.classes.find(inst.cls);
    if (clsIt == checked.classes.end()) continue;
    const types::ClassInfo& cls = clsIt->second;
    dictVars.clear();
    locals.clear();
    std::vector<VarId> params;
    for (auto& p : inst.contextParams) {
      VarId v = fresh();
      dictVars[p->id] = v;
      params.push_back(v);
    }
    std::vector<ExprPtr> fields;
    for (auto& s : inst.superDicts) fields.push_back(lowerDict(s));
    for (auto& m : cls.methods) {
      auto impl = inst.methodImpls.find(m);
      std::vector<ExprPtr> ctx;
      for (auto v : params) ctx.push_back(core::mkVar(v));
      if (impl != inst.methodImpls.end()) {
        fields.push_back(ctx.empty() ? core::mkGlobal(impl->second) : core::mkApp(core::mkGlobal(impl->second), ctx));
        continue;
      }
      auto dm = cls.defaults.find(m);
      if (dm == cls.defaults.end()) { fail("instance without method " + m); fields.push_back(core::mkInt(0)); continue; }
      // A wrapper that builds this dictionary only when called (building it here would recurse).
      int n = methodArity(m);
      const types::Scheme& ms = cls.methodSchemes.at(m);
      int own = static_cast<int>(ms.preds.size()) - 1;
      if (n + own == 0) {
        fields.push_back(core::mkApp(core::mkGlobal(dm->second), {thisDict(inst)}));
        continue;
      }
      core::Function w;
      w.name = inst.dictName + "$dflt$" + names::displayName(m);
      auto savedDicts = dictVars;
      std::vector<ExprPtr> args;
      for (auto& p : inst.contextParams) {
        VarId v = fresh();
        dictVars[p->id] = v;
        w.params.push_back(v);
      }
      args.push_back(thisDict(inst));
      std::vector<VarId> rest;
      for (int i = 0; i < own + n; ++i) {
        VarId v = fresh();
        rest.push_back(v);
        args.push_back(core::mkVar(v));
      }
      w.params.insert(w.params.end(), rest.begin(), rest.end());
      w.body = core::mkApp(core::mkGlobal(dm->second), args);
      dictVars = savedDicts;
      arity[w.name] = static_cast<int>(w.params.size());
      prog.functions.push_back(w);
      fields.push_back(ctx.empty() ? core::mkGlobal(w.name) : core::mkApp(core::mkGlobal(w.name), ctx));
    }
    ExprPtr dict = core::mkCon(0, "dict:" + names::displayName(inst.cls), fields);
    if (params.empty()) {
      prog.globals.push_back(core::Global{inst.dictName, dict});
    } else {
      core::Function f;
      f.name = inst.dictName;
      f.params = params;
      f.body = dict;
      arity[f.name] = static_cast<int>(params.size());
      prog.functions.push_back(f);
    }
  }
}

// Un-optimised Core: every function and global of the program and of the library it imports.
// The pass pipeline (core/pipeline.hpp) specialises, prunes, optimises and orders it.
std::optional<core::Program> Lowerer::run(std::string& error) {
  collectShapes();
  collectLayouts();
  lowerTopLevel();
  lowerInstances();
  recordLayouts();
  prog.entry = checked.entry;
  if (!bug.empty()) {
    error = bug;
    return std::nullopt;
  }
  return std::move(prog);
}

std::optional<core::Program> lower(const types::Checked& checked, const SourceManager& sources, std::string& error,
                                   const std::string& libraryDir) {
  Lowerer l(checked, sources);
  l.libraryDir = libraryDir;
  return l.run(error);
}

}  // namespace weir::lower
