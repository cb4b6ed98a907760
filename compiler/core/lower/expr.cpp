// Lowering of expressions, right-hand sides with guards, and local binding groups.
#include <fmt/format.h>

#include "core/lower/lowerer.hpp"

namespace weir::lower {

using ast::Expr;

ExprPtr lowerBinaryExpr(Lowerer& L, const ast::Expr& e);  // binary.cpp

bool Lowerer::inLibrary(Span s) {
  auto it = libraryFiles.find(s.file);
  if (it != libraryFiles.end()) return it->second;
  return libraryFiles[s.file] = sources.get(s.file).path().rfind(libraryDir + "/", 0) == 0;
}

int Lowerer::trueTag() const {
  auto it = checked.cons.find("Prelude.True");
  return it == checked.cons.end() ? 1 : it->second.tag;
}

ExprPtr Lowerer::boolCase(ExprPtr cond, ExprPtr ifTrue, ExprPtr ifFalse) {
  VarId c = fresh();
  auto e = std::make_shared<core::Expr>();
  e->kind = core::Expr::Case;
  e->scrut = c;
  int t = trueTag();
  e->alts.push_back(core::Alt{t, {}, ifTrue, "Prelude.True"});  // named: evidence of a Bool (core/repr.hpp)
  e->alts.push_back(core::Alt{1 - t, {}, ifFalse, "Prelude.False"});
  return core::mkLet(c, cond, e);
}

// A variable with its dictionaries; `args` are the value arguments it is applied to
// (a method with a known instance, a prim wrapper or a constructor may consume them).
ExprPtr Lowerer::lowerVar(const Expr& e, std::vector<ExprPtr>& args) {
  const std::string& name = e.name;
  std::vector<ExprPtr> dicts;
  if (e.evidence) {
    if (e.evidence->recursive) {
      // A recursive use inside its own group: pass the group's dictionaries along.
      auto it = localDictParams.find(name);
      const std::vector<types::DictVarP>* params = nullptr;
      if (it != localDictParams.end()) params = &it->second;
      else {
        auto b = checked.binds.find(name);
        if (b != checked.binds.end()) params = &b->second.dictParams;
      }
      if (params)
        for (auto& p : *params) {
          auto dv = dictVars.find(p->id);
          if (dv == dictVars.end()) { fail("recursive use without its dictionaries: " + name); break; }
          dicts.push_back(core::mkVar(dv->second));
        }
    } else {
      // Class method: select from the dictionary (or call the known instance directly).
      auto b = checked.binds.find(name);
      bool isMethod = false;
      for (auto& [cn, cls] : checked.classes)
        if (cls.methodSchemes.count(name)) { isMethod = true; break; }
      if (isMethod && !e.evidence->dicts.empty()) {
        std::vector<ExprPtr> extra;
        ExprPtr m = methodRef(name, e.evidence->dicts[0], extra);
        for (size_t i = 1; i < e.evidence->dicts.size(); ++i) extra.push_back(lowerDict(e.evidence->dicts[i]));
        extra.insert(extra.end(), args.begin(), args.end());
        args.clear();
        // A known instance whose method is a primitive: inline it (errors report this call site).
        if (m->kind == core::Expr::Global) {
          auto pw = primWrappers.find(m->name);
          if (pw != primWrappers.end() && static_cast<int>(extra.size()) < arity[m->name])
            return etaPrim(pw->second, arity[m->name], extra, e.span);
          if (pw != primWrappers.end() && static_cast<int>(extra.size()) >= arity[m->name]) {
            int n = arity[m->name];
            std::vector<ExprPtr> pargs(extra.begin(), extra.begin() + n);
            std::vector<ExprPtr> rest(extra.begin() + n, extra.end());
            ExprPtr call = core::mkPrim(pw->second, pargs, loc(e.span));
            return rest.empty() ? call : core::mkApp(call, rest);
          }
        }
        return extra.empty() ? m : core::mkApp(m, extra);
      }
      (void)b;
      for (auto& d : e.evidence->dicts) dicts.push_back(lowerDict(d));
    }
  }
  ExprPtr head;
  auto th = thunked.find(name);
  auto lv = locals.find(name);
  if (th != thunked.end()) {
    head = core::mkApp(core::mkVar(th->second), {core::mkCon(0, "()", {})});  // lowerLazyGroup
  } else if (lv != locals.end()) {
    head = core::mkVar(lv->second);
  } else {
    std::string target = name;
    while (dicts.empty() && alias.count(target)) target = alias[target];
    // Saturated prim wrappers are inlined, with the call site as the error location.
    auto pw = primWrappers.find(target);
    if (pw != primWrappers.end() && dicts.empty() && static_cast<int>(args.size()) < arity[target])
      return etaPrim(pw->second, arity[target], args, e.span);
    if (pw != primWrappers.end() && dicts.empty() && static_cast<int>(args.size()) >= arity[target]) {
      int n = arity[target];
      std::vector<ExprPtr> pargs(args.begin(), args.begin() + n);
      ExprPtr call = core::mkPrim(pw->second, pargs, loc(e.span));
      std::vector<ExprPtr> rest(args.begin() + n, args.end());
      args = rest;
      return call;
    }
    head = core::mkGlobal(target);
  }
  if (!dicts.empty()) {
    dicts.insert(dicts.end(), args.begin(), args.end());
    args.clear();
    return core::mkApp(head, dicts);
  }
  return head;
}

// A primitive given fewer arguments than it takes: \rest -> prim(args ++ rest), with
// the use site as its error location. The given arguments are evaluated first.
ExprPtr Lowerer::etaPrim(core::PrimOp op, int n, std::vector<ExprPtr>& args, Span span) {
  std::vector<ExprPtr> all;
  std::vector<std::pair<VarId, ExprPtr>> lets;
  for (auto& a : args) {
    VarId v = fresh();
    lets.push_back({v, a});
    all.push_back(core::mkVar(v));
  }
  std::vector<VarId> params;
  for (int i = static_cast<int>(args.size()); i < n; ++i) {
    VarId v = fresh();
    params.push_back(v);
    all.push_back(core::mkVar(v));
  }
  args.clear();
  ExprPtr e = core::mkLam(params, core::mkPrim(op, all, loc(span)));
  for (auto it = lets.rbegin(); it != lets.rend(); ++it) e = core::mkLet(it->first, it->second, e);
  return e;
}

ExprPtr Lowerer::lowerApp(const Expr& headE, std::vector<ExprPtr> args, Span span) {
  if (headE.kind == Expr::Con) {
    auto ci = checked.cons.find(headE.name);
    if (ci == checked.cons.end()) { fail("unknown constructor " + headE.name); return core::mkInt(0); }
    int n = ci->second.arity;
    if (static_cast<int>(args.size()) >= n) {
      std::vector<ExprPtr> fields(args.begin(), args.begin() + n);
      ExprPtr con = core::mkCon(ci->second.tag, headE.name, fields);
      std::vector<ExprPtr> rest(args.begin() + n, args.end());
      return rest.empty() ? con : core::mkApp(con, rest);
    }
    return args.empty() ? core::mkGlobal(conWrapper(headE.name)) : core::mkApp(core::mkGlobal(conWrapper(headE.name)), args);
  }
  if (headE.kind == Expr::Var) {
    // `a && b` and `a || b` evaluate b only when a does not decide.
    if ((headE.name == "Prelude.&&" || headE.name == "Prelude.||") && args.size() == 2) {
      bool isAnd = headE.name == "Prelude.&&";
      auto lit = core::mkCon(isAnd ? 1 - trueTag() : trueTag(), isAnd ? "Prelude.False" : "Prelude.True", {});
      return isAnd ? boolCase(args[0], args[1], lit) : boolCase(args[0], lit, args[1]);
    }
    // `error msg` reports the call site: `error` itself, as GHC does (the application's span
    // starts at the `(` of a parenthesised call).
    if (headE.name == "Prelude.error" && args.size() >= 1 && (!headE.evidence || headE.evidence->dicts.empty())) {
      ExprPtr call = core::mkPrim(core::PrimOp::Error, {args[0]}, loc(headE.span));
      std::vector<ExprPtr> rest(args.begin() + 1, args.end());
      return rest.empty() ? call : core::mkApp(call, rest);
    }
    ExprPtr h = lowerVar(headE, args);
    ExprPtr app = args.empty() ? h : core::mkApp(h, args);
    // The call site, for errors raised inside the library (core/callsite.hpp).
    if (app->kind == core::Expr::App && app->loc.empty() && !libraryDir.empty() && !inLibrary(headE.span))
      app->loc = loc(headE.span);
    return app;
  }
  fail("lowerApp on a non-name head");
  return core::mkInt(0);
}

ExprPtr Lowerer::lowerExpr(const ast::ExprPtr& ep) {
  const Expr& e = *ep;
  if (isComprehension(e)) return lowerComprehension(e, [] { return core::mkCon(0, "[]", {}); });
  switch (e.kind) {
    case Expr::Var:
    case Expr::Con:
      return lowerApp(e, {}, e.span);
    case Expr::Lit:
      switch (e.lit.kind) {
        case ast::Literal::Int: return core::mkInt(e.lit.i);
        case ast::Literal::Float: return core::mkFloat(e.lit.f);
        case ast::Literal::Char: return core::mkChar(e.lit.c);
        case ast::Literal::String: return core::mkString(e.lit.s);
        case ast::Literal::Bytes: return core::mkString(e.lit.s);  // same layout as a String (rt.h)
      }
      return nullptr;
    case Expr::App: {
      std::vector<ExprPtr> args;
      for (size_t i = 1; i < e.args.size(); ++i) args.push_back(lowerExpr(e.args[i]));
      const Expr& h = *e.args[0];
      if (h.kind == Expr::Var || h.kind == Expr::Con) return lowerApp(h, args, e.span);
      if (h.kind == Expr::App) {
        // ((f a) b): flatten so known calls stay saturated.
        std::vector<ExprPtr> inner;
        for (size_t i = 1; i < h.args.size(); ++i) inner.push_back(lowerExpr(h.args[i]));
        inner.insert(inner.end(), args.begin(), args.end());
        if (h.args[0]->kind == Expr::Var || h.args[0]->kind == Expr::Con) return lowerApp(*h.args[0], inner, e.span);
        return core::mkApp(lowerExpr(h.args[0]), inner);
      }
      return core::mkApp(lowerExpr(e.args[0]), args);
    }
    case Expr::Lam: {
      std::vector<VarId> params;
      for (size_t i = 0; i < e.pats.size(); ++i) params.push_back(fresh());
      Row row;
      for (auto& p : e.pats) row.pats.push_back(canon(p));
      ast::ExprPtr body = e.args[0];
      row.body = [this, body](const Fail&) { return lowerExpr(body); };
      Span sp = e.span;
      ExprPtr m = match(params, {row}, [this, sp] { return matchFailure("a lambda", sp); });
      return core::mkLam(params, m);
    }
    case Expr::Let: {
      ast::ExprPtr body = e.args[0];
      return lowerLocalGroup(e.decls, [this, body] { return lowerExpr(body); });
    }
    case Expr::If:
      return boolCase(lowerExpr(e.args[0]), lowerExpr(e.args[1]), lowerExpr(e.args[2]));
    case Expr::Case: {
      VarId s = fresh();
      ExprPtr scrut = lowerExpr(e.args[0]);
      std::vector<Row> rows;
      for (auto& alt : e.alts) {
        Row r;
        r.pats.push_back(canon(alt.pat));
        const ast::Rhs* rhs = &alt.rhs;
        r.body = [this, rhs](const Fail& f) { return lowerRhs(*rhs, f); };
        rows.push_back(r);
      }
      Span sp = e.span;
      ExprPtr m = match({s}, rows, [this, sp] { return matchFailure("a case expression", sp); });
      return core::mkLet(s, scrut, m);
    }
    case Expr::Do:
      return lowerDo(e, 0);
    case Expr::Tuple: {
      std::vector<ExprPtr> elems;
      for (auto& a : e.args) elems.push_back(lowerExpr(a));
      return core::mkCon(0, types::tupleName(elems.size()), elems);
    }
    case Expr::Unit:
      return core::mkCon(0, "()", {});
    case Expr::List: {
      ExprPtr list = core::mkCon(0, "[]", {});
      std::vector<ExprPtr> elems;
      for (auto& a : e.args) elems.push_back(lowerExpr(a));
      // Build from the end; evaluation order of elements is left to right via lets.
      std::vector<VarId> vars;
      for (size_t i = 0; i < elems.size(); ++i) vars.push_back(fresh());
      for (size_t i = elems.size(); i-- > 0;) list = core::mkCon(1, ":", {core::mkVar(vars[i]), list});
      for (size_t i = elems.size(); i-- > 0;) list = core::mkLet(vars[i], elems[i], list);
      return list;
    }
    case Expr::TypeAnn:
      return lowerExpr(e.args[0]);
    case Expr::Interp: {
      if (e.args.empty()) return core::mkString("");
      ExprPtr acc = lowerExpr(e.args[0]);
      for (size_t i = 1; i < e.args.size(); ++i)
        acc = core::mkPrim(core::PrimOp::StringAppend, {acc, lowerExpr(e.args[i])});
      return acc;
    }
    case Expr::Record:
      return recordLiteral(e);
    case Expr::Access:
      return recordField(lowerExpr(e.args[0]), e.args[0]->type, e.name);
    case Expr::Update:
      return recordUpdate(e);
    case Expr::Binary:
      return lowerBinaryExpr(*this, e);  // binary.cpp
    default:
      fail(fmt::format("expression kind {} is not lowered yet", static_cast<int>(e.kind)));
      return core::mkInt(0);
  }
}

// do { s; rest } through the Monad dictionary: (>>=) m (\x -> rest).
ExprPtr Lowerer::lowerDo(const Expr& e, size_t from) {
  const ast::Stmt& s = e.stmts[from];
  bool last = from + 1 == e.stmts.size();
  if (s.kind == ast::Stmt::Let) {
    return lowerLocalGroup(s.decls, [this, &e, from] { return lowerDo(e, from + 1); });
  }
  ExprPtr action = lowerExpr(s.expr);
  if (last) return action;
  std::vector<ExprPtr> extra;
  ExprPtr bind = methodRef("Prelude.>>=", e.evidence->dicts[0], extra);
  VarId x = fresh();
  ExprPtr rest;
  if (s.kind == ast::Stmt::Bind) {
    Row r;
    r.pats.push_back(canon(s.pat));
    r.body = [this, &e, from](const Fail&) { return lowerDo(e, from + 1); };
    Span sp = s.span;
    rest = match({x}, {r}, [this, sp] { return matchFailure("a `do` binding", sp); });
  } else {
    rest = lowerDo(e, from + 1);
  }
  extra.push_back(action);
  extra.push_back(core::mkLam({x}, rest));
  return core::mkApp(bind, extra);
}

ExprPtr Lowerer::lowerRhs(const ast::Rhs& rhs, const Fail& failK) {
  auto inner = [this, &rhs, failK]() -> ExprPtr {
    if (rhs.plain) return lowerExpr(rhs.plain);
    return lowerGuards(rhs, 0, failK);
  };
  if (rhs.where.empty()) return inner();
  return lowerLocalGroup(rhs.where, inner);
}

// Guarded alternative gi; on failure try alternative gi+1, then `fail`. Every failing guard of
// alternative gi goes to the same place, lowered once (shareFailure).
ExprPtr Lowerer::lowerGuards(const ast::Rhs& rhs, size_t gi, const Fail& failK) {
  if (gi == rhs.guarded.size()) return failK();
  return shareFailure([&](const Fail& next) { return lowerGuardAlt(rhs, gi, 0, failK, next); },
                      [this, &rhs, gi, failK]() { return lowerGuards(rhs, gi + 1, failK); });
}

// Guard gj of alternative gi, then the following guards and the body; a failure calls `next`.
ExprPtr Lowerer::lowerGuardAlt(const ast::Rhs& rhs, size_t gi, size_t gj, const Fail& failK, const Fail& next) {
  const ast::GuardedExpr& g = rhs.guarded[gi];
  if (gj == g.guards.size()) return lowerExpr(g.body);
  auto saved = locals;
  const ast::Guard& guard = g.guards[gj];
  ExprPtr result;
  switch (guard.kind) {
    case ast::Guard::Bool: {
      const ast::Expr& c = *guard.expr;
      bool always = (c.kind == Expr::Var && c.name == "Prelude.otherwise") || (c.kind == Expr::Con && c.name == "Prelude.True");
      if (always) result = lowerGuardAlt(rhs, gi, gj + 1, failK, next);
      else {
        ExprPtr cond = lowerExpr(guard.expr);
        ExprPtr then = lowerGuardAlt(rhs, gi, gj + 1, failK, next);
        result = boolCase(cond, then, next());
      }
      break;
    }
    case ast::Guard::Pattern: {
      VarId v = fresh();
      ExprPtr scrut = lowerExpr(guard.expr);
      Row r;
      r.pats.push_back(canon(guard.pat));
      r.body = [this, &rhs, gi, gj, failK, next](const Fail&) { return lowerGuardAlt(rhs, gi, gj + 1, failK, next); };
      result = core::mkLet(v, scrut, match({v}, {r}, next));
      break;
    }
    case ast::Guard::Let:
      result = lowerLocalGroup(guard.decls,
                               [this, &rhs, gi, gj, failK, next] { return lowerGuardAlt(rhs, gi, gj + 1, failK, next); });
      break;
  }
  locals = saved;
  return result;
}

// Clauses of a function over parameter variables: one row per clause.
ExprPtr Lowerer::lowerFunctionBody(const std::vector<const ast::Decl*>& clauses, const std::vector<VarId>& params,
                                   const std::string& name, Span span) {
  std::vector<Row> rows;
  for (auto* c : clauses) {
    Row r;
    for (auto& p : c->pats) r.pats.push_back(canon(p));
    const ast::Rhs* rhs = &c->rhs;
    r.body = [this, rhs](const Fail& f) { return lowerRhs(*rhs, f); };
    rows.push_back(r);
  }
  std::string what = fmt::format("function `{}`", names::displayName(name));
  return match(params, rows, [this, what, span] { return matchFailure(what, span); });
}

// A local group of values (and functions) that refer to each other only under lambdas
// (types/bindings.cpp accepted it): a closure captures values, so each value `v` becomes
// a function `v$ () = rhs` in one LetRec with the group's functions (a use of `v` inside
// the group calls it), then the values are computed once, strict dependencies first, for
// the body. A closure of the group that runs later recomputes what it uses: the price of
// strictness without mutable cells.
ExprPtr Lowerer::lowerLazyGroup(const std::vector<std::string>& group,
                                std::map<std::string, std::vector<const ast::Decl*>>& clauses,
                                const std::function<ExprPtr()>& rest) {
  std::vector<VarId> vars;
  for (auto& n : group) {
    VarId v = fresh();
    vars.push_back(v);
    if (checked.lazyRecursive.count(n)) thunked[n] = v;
    else {
      locals[n] = v;
      localDictParams[n] = checked.binds.at(n).dictParams;
    }
  }
  auto e = std::make_shared<core::Expr>();
  e->kind = core::Expr::LetRec;
  for (size_t k = 0; k < group.size(); ++k) {
    const std::string& n = group[k];
    auto& cs = clauses[n];
    if (cs.empty()) { fail("lazy group member without clauses: " + n); continue; }
    const types::BindInfo& bi = checked.binds.at(n);
    auto savedDicts = dictVars;
    std::vector<VarId> params;
    for (auto& dp : bi.dictParams) {
      VarId dv = fresh();
      dictVars[dp->id] = dv;
      params.push_back(dv);
    }
    ExprPtr b;
    if (!cs[0]->pats.empty()) {
      std::vector<VarId> vs;
      for (size_t i = 0; i < cs[0]->pats.size(); ++i) vs.push_back(fresh());
      b = lowerFunctionBody(cs, vs, n, cs[0]->span);
      for (auto v : vs) params.push_back(v);
    } else {
      b = lowerRhs(cs[0]->rhs, [this, cs, n] { return matchFailure("`" + names::displayName(n) + "`", cs[0]->span); });
      if (thunked.count(n) || params.empty()) params.push_back(fresh());
    }
    dictVars = savedDicts;
    e->binds.push_back(core::Binding{vars[k], core::mkLam(params, b)});
  }
  // The values, once each, in the order of their strict dependencies.
  std::vector<std::pair<VarId, ExprPtr>> values;
  for (size_t k = 0; k < group.size(); ++k) {
    const std::string& n = group[k];
    if (!thunked.count(n)) continue;
    thunked.erase(n);
    VarId v = fresh();
    values.push_back({v, core::mkApp(core::mkVar(vars[k]), {core::mkCon(0, "()", {})})});
    locals[n] = v;
  }
  ExprPtr body = rest();
  for (auto it = values.rbegin(); it != values.rend(); ++it) body = core::mkLet(it->first, it->second, body);
  e->args.push_back(body);
  return e;
}

// let/where: values become Lets, functions LetRec groups, in dependency order.
ExprPtr Lowerer::lowerLocalGroup(const std::vector<ast::DeclPtr>& decls, const std::function<ExprPtr()>& body) {
  auto order = checked.groupOrder.find(&decls);
  if (order == checked.groupOrder.end()) { fail("local group without dependency order"); return body(); }
  std::map<std::string, std::vector<const ast::Decl*>> clauses;
  std::map<std::string, const ast::Decl*> patBinds;
  for (auto& d : decls) {
    if (d->kind == ast::Decl::Clause) clauses[d->name].push_back(d.get());
    if (d->kind == ast::Decl::PatBind) {
      std::string first;
      std::function<void(const ast::PatPtr&)> firstVar = [&](const ast::PatPtr& p) {
        if (!p || !first.empty()) return;
        if (p->kind == ast::Pat::Var || p->kind == ast::Pat::As) { first = p->name; return; }
        for (auto& a : p->args) firstVar(a);
        for (auto& [f, fp] : p->fields) firstVar(fp);
      };
      firstVar(d->pat);
      patBinds["$pat$" + (first.empty() ? "<pattern>" : first)] = d.get();
    }
  }
  // Build from the innermost outwards: process groups in order, nesting the rest inside.
  std::function<ExprPtr(size_t)> build = [&](size_t gi) -> ExprPtr {
    if (gi == order->second.size()) return body();
    const auto& group = order->second[gi];
    // Pattern binding.
    if (group.size() == 1 && patBinds.count(group[0])) {
      const ast::Decl* d = patBinds[group[0]];
      VarId v = fresh();
      ExprPtr rhs = lowerRhs(d->rhs, [this, d] { return matchFailure("a pattern binding", d->span); });
      Row r;
      r.pats.push_back(canon(d->pat));
      r.body = [&build, gi](const Fail&) { return build(gi + 1); };
      Span sp = d->span;
      return core::mkLet(v, rhs, match({v}, {r}, [this, sp] { return matchFailure("a pattern binding", sp); }));
    }
    // Functions (or dictionary-abstracted values): LetRec; a plain value: Let.
    bool allFunctions = true;
    for (auto& n : group) {
      auto b = checked.binds.find(n);
      if (b == checked.binds.end() || (!b->second.isFunction && b->second.dictParams.empty())) allFunctions = false;
    }
    bool lazyGroup = false;
    for (auto& n : group) if (checked.lazyRecursive.count(n)) lazyGroup = true;
    if (lazyGroup) return lowerLazyGroup(group, clauses, [&build, gi] { return build(gi + 1); });
    if (!allFunctions) {
      if (group.size() != 1) { fail("recursive value group reached lowering"); return body(); }
      const std::string& n = group[0];
      VarId v = fresh();
      auto& cs = clauses[n];
      ExprPtr rhs = lowerRhs(cs[0]->rhs, [this, cs, n] { return matchFailure("`" + names::displayName(n) + "`", cs[0]->span); });
      locals[n] = v;
      return core::mkLet(v, rhs, build(gi + 1));
    }
    // Bind names first: the bodies may refer to each other.
    std::vector<VarId> vars;
    for (auto& n : group) {
      VarId v = fresh();
      vars.push_back(v);
      locals[n] = v;
      localDictParams[n] = checked.binds.at(n).dictParams;
    }
    auto e = std::make_shared<core::Expr>();
    e->kind = core::Expr::LetRec;
    for (size_t k = 0; k < group.size(); ++k) {
      const std::string& n = group[k];
      const types::BindInfo& bi = checked.binds.at(n);
      auto& cs = clauses[n];
      auto savedDicts = dictVars;
      std::vector<VarId> params;
      for (auto& dp : bi.dictParams) {
        VarId dv = fresh();
        dictVars[dp->id] = dv;
        params.push_back(dv);
      }
      ExprPtr lam;
      if (!cs.empty() && cs[0]->pats.empty() && cs[0]->rhs.plain && cs[0]->rhs.guarded.empty() && cs[0]->rhs.where.empty() &&
          cs[0]->rhs.plain->kind == Expr::Lam) {
        // f = \x -> e: merge the lambda's parameters.
        ExprPtr inner = lowerExpr(cs[0]->rhs.plain);
        for (auto p : inner->params) params.push_back(p);
        lam = core::mkLam(params, inner->args[0]);
      } else if (!cs.empty() && !cs[0]->pats.empty()) {
        std::vector<VarId> vs;
        for (size_t i = 0; i < cs[0]->pats.size(); ++i) vs.push_back(fresh());
        ExprPtr b = lowerFunctionBody(cs, vs, n, cs[0]->span);
        for (auto v : vs) params.push_back(v);
        lam = core::mkLam(params, b);
      } else if (!cs.empty()) {
        ExprPtr b = lowerRhs(cs[0]->rhs, [this, cs, n] { return matchFailure("`" + names::displayName(n) + "`", cs[0]->span); });
        if (params.empty()) { fail("local function without parameters"); params.push_back(fresh()); }
        lam = core::mkLam(params, b);
      }
      dictVars = savedDicts;
      e->binds.push_back(core::Binding{vars[k], lam});
    }
    e->args.push_back(build(gi + 1));
    return e;
  };
  auto saved = locals;
  ExprPtr r = build(0);
  locals = saved;
  return r;
}

}  // namespace weir::lower
