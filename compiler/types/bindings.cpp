// Binding groups: dependency analysis (strongly connected components), inference
// of implicitly typed groups with generalisation, and checking of bindings that
// have type signatures.
#include <fmt/format.h>
#include <functional>

#include "support/scc.hpp"
#include "types/checker.hpp"

namespace weir::types {

namespace {

void refsExpr(const ast::ExprPtr& e, std::set<std::string>& out);

void refsRhs(const ast::Rhs& r, std::set<std::string>& out);

void refsDecls(const std::vector<ast::DeclPtr>& ds, std::set<std::string>& out) {
  for (auto& d : ds) refsRhs(d->rhs, out);
}

void refsRhs(const ast::Rhs& r, std::set<std::string>& out) {
  refsExpr(r.plain, out);
  for (auto& g : r.guarded) {
    for (auto& guard : g.guards) {
      refsExpr(guard.expr, out);
      refsDecls(guard.decls, out);
    }
    refsExpr(g.body, out);
  }
  refsDecls(r.where, out);
}

// The Prelude function a range `[a ..]`, `[a, b ..]`, `[a .. c]`, `[a, b .. c]` calls.
std::string rangeFunction(const ast::Expr& e) {
  if (e.rangeHasTo) return e.rangeHasThen ? "Prelude.enumFromThenTo" : "Prelude.enumFromTo";
  return e.rangeHasThen ? "Prelude.enumFromThen" : "Prelude.enumFrom";
}

void refsExpr(const ast::ExprPtr& e, std::set<std::string>& out) {
  if (!e) return;
  if (e->kind == ast::Expr::Var) out.insert(e->name);
  if (e->kind == ast::Expr::Range) out.insert(rangeFunction(*e));
  if (e->kind == ast::Expr::Comprehension) out.insert("Prelude.concatMap");
  for (auto& a : e->args) refsExpr(a, out);
  refsDecls(e->decls, out);
  for (auto& alt : e->alts) refsRhs(alt.rhs, out);
  for (auto& s : e->stmts) { refsExpr(s.expr, out); refsDecls(s.decls, out); }
  for (auto& [f, fe] : e->fields) refsExpr(fe, out);
  for (auto& s : e->segments) { refsExpr(s.value, out); refsExpr(s.size, out); }
}

// References evaluated when a value is computed ("strict"), and those only under a
// lambda, a local function, or after the first `<-` of a `do` (which is `>>=` given a
// lambda): the latter are not read while top-level and local values are initialised.
void strictRefsExpr(const ast::ExprPtr& e, std::set<std::string>& strict, std::set<std::string>& lazy);

void strictRefsDecls(const std::vector<ast::DeclPtr>& ds, std::set<std::string>& strict, std::set<std::string>& lazy) {
  for (auto& d : ds) {
    bool fn = !d->pats.empty() || (d->rhs.plain && d->rhs.plain->kind == ast::Expr::Lam);
    if (fn) { refsRhs(d->rhs, lazy); continue; }
    strictRefsExpr(d->rhs.plain, strict, lazy);
    for (auto& g : d->rhs.guarded) {
      for (auto& guard : g.guards) { strictRefsExpr(guard.expr, strict, lazy); strictRefsDecls(guard.decls, strict, lazy); }
      strictRefsExpr(g.body, strict, lazy);
    }
    strictRefsDecls(d->rhs.where, strict, lazy);
  }
}

void strictRefsRhs(const ast::Rhs& r, std::set<std::string>& strict, std::set<std::string>& lazy) {
  strictRefsExpr(r.plain, strict, lazy);
  for (auto& g : r.guarded) {
    for (auto& guard : g.guards) { strictRefsExpr(guard.expr, strict, lazy); strictRefsDecls(guard.decls, strict, lazy); }
    strictRefsExpr(g.body, strict, lazy);
  }
  strictRefsDecls(r.where, strict, lazy);
}

void strictRefsExpr(const ast::ExprPtr& e, std::set<std::string>& strict, std::set<std::string>& lazy) {
  if (!e) return;
  if (e->kind == ast::Expr::Lam) { refsExpr(e, lazy); return; }
  if (e->kind == ast::Expr::Do) {
    bool bound = false;
    for (auto& s : e->stmts) {
      if (bound) { refsExpr(s.expr, lazy); refsDecls(s.decls, lazy); continue; }
      strictRefsExpr(s.expr, strict, lazy);
      strictRefsDecls(s.decls, strict, lazy);
      if (s.kind == ast::Stmt::Bind) bound = true;
    }
    return;
  }
  if (e->kind == ast::Expr::Var) strict.insert(e->name);
  if (e->kind == ast::Expr::Range) strict.insert(rangeFunction(*e));
  if (e->kind == ast::Expr::Comprehension) strict.insert("Prelude.concatMap");
  for (auto& a : e->args) strictRefsExpr(a, strict, lazy);
  strictRefsDecls(e->decls, strict, lazy);
  for (auto& alt : e->alts) strictRefsRhs(alt.rhs, strict, lazy);
  for (auto& s : e->stmts) { strictRefsExpr(s.expr, strict, lazy); strictRefsDecls(s.decls, strict, lazy); }
  for (auto& [f, fe] : e->fields) strictRefsExpr(fe, strict, lazy);
  for (auto& s : e->segments) { strictRefsExpr(s.value, strict, lazy); strictRefsExpr(s.size, strict, lazy); }
}

struct Binding {
  std::string name;
  std::vector<ast::Decl*> clauses;
  ast::Decl* patBind = nullptr;
  std::vector<std::string> names;  // variables it defines
  const ast::QualType* sig = nullptr;
  Span span;
  std::set<std::string> refs;
  std::set<std::string> strictRefs;  // refs read when the value is computed (all refs of a function)
  bool isFunction = false;
};

// Binding groups: components with dependencies first, each in the order it was visited.
std::vector<std::vector<size_t>> sccs(const std::vector<std::vector<size_t>>& edges) {
  auto out = support::stronglyConnected(edges);
  for (auto& comp : out) std::reverse(comp.begin(), comp.end());
  return out;
}

void patVars(const ast::PatPtr& p, std::vector<std::string>& out) {
  if (!p) return;
  if (p->kind == ast::Pat::Var || p->kind == ast::Pat::As) out.push_back(p->name);
  for (auto& a : p->args) patVars(a, out);
  for (auto& [f, fp] : p->fields) patVars(fp, out);
  for (auto& s : p->segments) patVars(s.pat, out);
}

}  // namespace

void collectRefs(const std::vector<ast::DeclPtr>& decls, std::set<std::string>& out) { refsDecls(decls, out); }
void collectPatVars(const ast::PatPtr& p, std::vector<std::string>& out) { patVars(p, out); }

void Checker::inferClauses(const std::vector<ast::Decl*>& clauses, TypeP type) {
  size_t n = clauses[0]->pats.size();
  for (auto* c : clauses)
    if (c->pats.size() != n) {
      auto& d = diags.error("E0246", c->span, fmt::format("the clauses of `{}` have different numbers of arguments",
                                                          names::displayName(c->name)));
      d.label = fmt::format("this clause has {}, the first has {}", c->pats.size(), n);
      return;
    }
  std::vector<TypeP> args;
  TypeP t = type;
  for (size_t i = 0; i < n; ++i) {
    TypeP from, to;
    if (!isFun(t, &from, &to)) {
      from = fresh();
      to = fresh();
      UnifyError err;
      if (!unify(t, tfun(from, to), err)) {
        Printer pr;
        auto& d = diags.error("E0207", clauses[0]->span,
                              fmt::format("`{}` is defined with {} argument(s), but its type has fewer",
                                          names::displayName(clauses[0]->name), n));
        d.label = fmt::format("the type says `{}`", pr.show(type));
        std::string cls, head, method;
        if (names::instanceMethodParts(clauses[0]->name, &cls, &head, &method))
          d.notes.push_back(fmt::format("in `instance {} {}`, `{}` has type `{}`", names::displayName(cls),
                                        names::displayName(head), method, pr.show(type)));
        return;
      }
    }
    args.push_back(from);
    t = to;
  }
  for (auto* c : clauses) {
    for (size_t i = 0; i < n; ++i) inferPat(c->pats[i], args[i]);
    inferRhs(c->rhs, t);
  }
  std::vector<std::vector<ast::PatPtr>> rows;
  std::vector<const ast::Rhs*> rhss;
  std::vector<Span> spans;
  for (auto* c : clauses) {
    rows.push_back(c->pats);
    rhss.push_back(&c->rhs);
    spans.push_back(c->span);
  }
  std::string what = names::describeBinding(clauses[0]->name);
  if (n == 0) {
    // A binding with guards only: they must not all be able to fail.
    bool total = false;
    for (auto* c : clauses) {
      if (c->rhs.plain) total = true;
      for (auto& g : c->rhs.guarded) {
        bool all = true;
        for (auto& guard : g.guards)
          if (!(guard.kind == ast::Guard::Let ||
                (guard.kind == ast::Guard::Bool && guard.expr &&
                 ((guard.expr->kind == ast::Expr::Var && guard.expr->name == "Prelude.otherwise") ||
                  (guard.expr->kind == ast::Expr::Con && guard.expr->name == "Prelude.True")))))
            all = false;
        if (all) total = true;
      }
    }
    if (!total) {
      auto& d = diags.error("E0272", clauses[0]->span, fmt::format("the guards of {} may all be false", what));
      d.label = "no guard is sure to hold";
      d.hint = "end the guards with `| otherwise = ...`";
    }
    return;
  }
  checkMatch(rows, rhss, spans, clauses[0]->span, what);
}

void Checker::checkExplicit(const std::string& name, const std::vector<ast::Decl*>& clauses, const Scheme& sch,
                            std::vector<DictVarP> extraGivens, Span span, std::vector<DictVarP>* paramsOut) {
  ++level;
  std::vector<TypeP> sk;
  for (int i = 0; i < sch.ngen; ++i)
    sk.push_back(skolem(i < static_cast<int>(sch.genNames.size()) && !sch.genNames[i].empty() ? sch.genNames[i]
                                                                                              : std::string(1, 'a' + i % 26),
                        i < static_cast<int>(sch.genIsRow.size()) && sch.genIsRow[i]));
  for (auto& s : sk) skolemOrigin[s->id] = "the type signature of " + names::describeBinding(name);
  TypeP t = instantiate(sch.type, sk);
  std::vector<DictVarP> params;
  for (auto& p : sch.preds) {
    auto dv = std::make_shared<DictVar>();
    dv->id = ++nextId;
    dv->pred = {p.cls, instantiate(p.type, sk)};
    params.push_back(dv);
  }
  std::vector<DictVarP> all = extraGivens;
  for (auto& p : params) all.push_back(p);
  givens.push_back(all);
  wanted.push_back({});
  inferClauses(clauses, t);
  --level;
  std::vector<DictP> holes = std::move(wanted.back());
  wanted.pop_back();
  std::vector<DictP> stuck;
  for (auto& h : holes) solve(h, stuck);
  for (auto& h : stuck) {
    bool ownSkolem = false, localMeta = false, outerSkolem = false;
    std::function<void(TypeP)> scan = [&](TypeP x) {
      x = prune(x);
      if (x->kind == Type::Skolem && x->level > level) ownSkolem = true;
      if (x->kind == Type::Skolem && x->level <= level) outerSkolem = true;
      if (x->kind == Type::Meta && x->level > level) localMeta = true;
      if (x->a) scan(x->a);
      if (x->b) scan(x->b);
    };
    scan(h->pred.type);
    Printer pr;
    if (ownSkolem) {
      auto& d = diags.error("E0213", h->span, fmt::format("no instance for `{}`", pr.show(h->pred)));
      d.label = "needed here";
      d.hint = fmt::format("add `{}` to the type signature of `{}`: `{} => ...`", pr.show(h->pred), names::displayName(name),
                           pr.show(h->pred));
    } else if (outerSkolem && !localMeta && instHead && names::instanceMethodParts(name, nullptr, nullptr, nullptr)) {
      // A type variable of the instance head: the instance context is missing the constraint.
      auto& d = diags.error("E0213", h->span, fmt::format("no instance for `{}`", pr.show(h->pred)));
      d.label = "needed here";
      if (instContextSize == 0)
        d.hint = fmt::format("add `{} =>` to the instance: `instance {} => {} {}`", pr.show(h->pred), pr.show(h->pred),
                             names::displayName(instCls), pr.showAtom(instHead));
      else
        d.hint = fmt::format("add `{}` to the context of the instance", pr.show(h->pred));
    } else if ((localMeta || wanted.empty()) && diags.hasErrors()) {
      // most likely a consequence of an earlier error
    } else if (localMeta || wanted.empty()) {
      auto& d = diags.error("E0211", h->span, fmt::format("ambiguous type: cannot tell which `{}` instance to use",
                                                          names::displayName(h->pred.cls)));
      d.label = fmt::format("`{}` is needed here, but the type is never fixed", pr.show(h->pred));
      d.hint = ambiguityHint(h->pred.cls);
    } else {
      wanted.back().push_back(h);
      continue;
    }
    h->filled = std::make_shared<Dict>();
    h->filled->kind = Dict::Inst;
    h->filled->instance = -1;
  }
  givens.pop_back();
  (void)span;
  if (paramsOut) *paramsOut = params;
}

void Checker::inferGroup(std::vector<ast::DeclPtr>& decls, bool topLevel) {
  std::vector<Binding> bs;
  std::map<std::string, size_t> byName;
  std::map<std::string, const ast::Decl*> sigs;
  for (auto& dp : decls) {
    ast::Decl& d = *dp;
    if (d.kind == ast::Decl::Clause) {
      auto it = byName.find(d.name);
      if (it != byName.end()) { bs[it->second].clauses.push_back(&d); continue; }
      Binding b;
      b.name = d.name;
      b.names = {d.name};
      b.clauses.push_back(&d);
      b.span = d.span;
      byName[d.name] = bs.size();
      bs.push_back(b);
    } else if (d.kind == ast::Decl::PatBind) {
      Binding b;
      patVars(d.pat, b.names);
      // Named after its first variable outside binary segments, as core/lower/expr.cpp
      // (lowerLocalGroup) finds it: the two must agree on "$pat$" + name.
      std::vector<std::string> outer;
      std::function<void(const ast::PatPtr&)> first = [&](const ast::PatPtr& p) {
        if (!p || !outer.empty()) return;
        if (p->kind == ast::Pat::Var || p->kind == ast::Pat::As) { outer.push_back(p->name); return; }
        for (auto& a : p->args) first(a);
        for (auto& [f, fp] : p->fields) first(fp);
      };
      first(d.pat);
      b.name = outer.empty() ? "<pattern>" : outer[0];
      b.patBind = &d;
      b.span = d.span;
      for (auto& n : b.names) byName[n] = bs.size();
      bs.push_back(b);
    } else if (d.kind == ast::Decl::TypeSig) {
      for (size_t i = 0; i < d.names.size(); ++i) {
        if (sigs.count(d.names[i])) {
          auto& e = diags.error("E0245", i < d.nameSpans.size() ? d.nameSpans[i] : d.span,
                                fmt::format("`{}` has more than one type signature", names::displayName(d.names[i])));
          e.secondary.push_back({sigs[d.names[i]]->span, "the first signature"});
          continue;
        }
        sigs[d.names[i]] = &d;
      }
    }
  }
  for (auto& b : bs) {
    if (b.patBind) refsRhs(b.patBind->rhs, b.refs);
    for (auto* c : b.clauses) {
      refsRhs(c->rhs, b.refs);
      if (!c->pats.empty()) b.isFunction = true;
      else if (c->rhs.plain && c->rhs.plain->kind == ast::Expr::Lam) b.isFunction = true;
    }
    if (b.isFunction || b.patBind) b.strictRefs = b.refs;  // a pattern binding is not initialised lazily
    else {
      std::set<std::string> lazy;
      for (auto* c : b.clauses) strictRefsRhs(c->rhs, b.strictRefs, lazy);
    }
    auto s = sigs.find(b.name);
    if (s != sigs.end() && !b.patBind) b.sig = s->second->qualType.get();
    if (b.patBind)
      for (auto& n : b.names)
        if (sigs.count(n)) {
          auto& e = diags.error("E0247", sigs[n]->span, "a type signature for a variable bound by a pattern is not supported");
          e.hint = "annotate the right-hand side instead: `(a, b) = (e :: (Int, Int))`";
        }
  }
  // Explicit schemes first, so every other binding can use them.
  for (auto& b : bs)
    if (b.sig) env[b.name] = schemeFromSig(*b.sig);

  // Values (not functions) that need their own value cannot be evaluated strictly. A
  // value's references under a lambda are not read while it is computed, so a group of
  // values (parser combinators) may refer to each other that way: they are initialised in
  // the order of their other ("strict") references. A cycle of strict references through
  // a value is an error; a function's references all count (it may be called).
  {
    std::vector<std::vector<size_t>> edges(bs.size()), strictEdges(bs.size());
    for (size_t i = 0; i < bs.size(); ++i) {
      for (auto& r : bs[i].refs) {
        auto it = byName.find(r);
        if (it != byName.end()) edges[i].push_back(it->second);
      }
      for (auto& r : bs[i].strictRefs) {
        auto it = byName.find(r);
        if (it != byName.end()) strictEdges[i].push_back(it->second);
      }
    }
    std::vector<size_t> strictComp(bs.size());
    auto strictSccs = sccs(strictEdges);
    for (size_t c = 0; c < strictSccs.size(); ++c)
      for (size_t i : strictSccs[c]) strictComp[i] = c;  // components come dependencies first
    std::set<size_t> reported;
    for (auto& comp : strictSccs) {
      bool recursive = comp.size() > 1 || std::find(strictEdges[comp[0]].begin(), strictEdges[comp[0]].end(),
                                                    comp[0]) != strictEdges[comp[0]].end();
      if (!recursive) continue;
      for (size_t i : comp)
        if (!bs[i].isFunction) {
          auto& d = diags.error("E0251", bs[i].span, fmt::format("`{}` is defined in terms of itself",
                                                                 names::displayName(bs[i].name)));
          d.label = "this value needs its own value to be computed";
          d.notes.push_back("Weir evaluates strictly, so a value cannot need itself (only functions can recurse, and a "
                            "value may refer to itself inside a lambda)");
          if (comp.size() > 1) {
            std::string cyc;
            for (size_t j : comp) cyc += (cyc.empty() ? "`" : " -> `") + names::displayName(bs[j].name) + "`";
            d.notes.push_back("the cycle: " + cyc + " -> `" + names::displayName(bs[comp[0]].name) + "`");
          }
          d.hint = "put the reference under a lambda (`p = Parser (\\s -> runParser q s)`), turn the value into a "
                   "function, or build it without referring to itself";
          break;  // one error per cycle: the note names all of it
        }
    }
    auto& order = out.groupOrder[&decls];
    for (auto& comp : sccs(edges)) {
      // Within a group, strict dependencies first.
      std::vector<size_t> sorted = comp;
      std::stable_sort(sorted.begin(), sorted.end(), [&](size_t a, size_t b) { return strictComp[a] < strictComp[b]; });
      std::vector<std::string> names;
      for (size_t i : sorted) names.push_back(bs[i].patBind ? "$pat$" + bs[i].name : bs[i].name);
      order.push_back(names);
      bool recursive = comp.size() > 1 ||
                       std::find(edges[comp[0]].begin(), edges[comp[0]].end(), comp[0]) != edges[comp[0]].end();
      if (!recursive) continue;
      for (size_t i : comp)
        if (!bs[i].isFunction) out.lazyRecursive.insert(bs[i].patBind ? "$pat$" + bs[i].name : bs[i].name);
    }
  }

  // Implicitly typed bindings, in dependency order.
  std::vector<std::vector<size_t>> edges(bs.size());
  for (size_t i = 0; i < bs.size(); ++i) {
    if (bs[i].sig) continue;
    for (auto& r : bs[i].refs) {
      auto it = byName.find(r);
      if (it != byName.end() && !bs[it->second].sig) edges[i].push_back(it->second);
    }
  }
  for (auto& comp : sccs(edges)) {
    if (bs[comp[0]].sig) continue;
    ++level;
    wanted.push_back({});
    std::vector<TypeP> types;
    bool hasPatBind = false;
    for (size_t i : comp) {
      Binding& b = bs[i];
      TypeP t = fresh();
      types.push_back(t);
      if (b.patBind) {
        hasPatBind = true;
        for (auto& n : b.names) { env[n] = monoScheme(fresh()); inProgress.insert(n); }
      } else {
        env[b.name] = monoScheme(t);
        inProgress.insert(b.name);
      }
    }
    for (size_t k = 0; k < comp.size(); ++k) {
      Binding& b = bs[comp[k]];
      if (b.patBind) {
        inferRhs(b.patBind->rhs, types[k]);
        inferPat(b.patBind->pat, types[k]);
        checkIrrefutable(b.patBind->pat, "a pattern binding");
      } else {
        inferClauses(b.clauses, types[k]);
      }
    }
    for (size_t i : comp) for (auto& n : bs[i].names) inProgress.erase(n);
    --level;
    std::vector<DictP> holes = std::move(wanted.back());
    wanted.pop_back();
    std::vector<TypeP> allTypes = types;
    for (size_t i : comp) if (bs[i].patBind) for (auto& n : bs[i].names) allTypes.push_back(env[n].type);
    std::vector<DictVarP> params = generalize(holes, allTypes, !hasPatBind, bs[comp[0]].span);
    // Quantify the metas that belong to this group.
    std::vector<TypeP> metas;
    for (auto& t : allTypes) freeMetas(t, metas);
    for (auto& p : params) freeMetas(p->pred.type, metas);
    std::vector<TypeP> gens;
    for (auto& m : metas) if (m->level > level) gens.push_back(m);
    Scheme base;
    base.ngen = static_cast<int>(gens.size());
    for (size_t i = 0; i < gens.size(); ++i) {
      base.genIsRow.push_back(gens[i]->row);
      gens[i]->ref = tgen(static_cast<int>(i), gens[i]->row);
    }
    for (auto& p : params) base.preds.push_back(p->pred);
    for (size_t k = 0; k < comp.size(); ++k) {
      Binding& b = bs[comp[k]];
      auto add = [&](const std::string& n, TypeP t) {
        Scheme s = base;
        s.type = t;
        env[n] = s;
        BindInfo bi;
        bi.name = n;
        bi.scheme = s;
        bi.dictParams = params;
        bi.isFunction = b.isFunction;
        out.binds[n] = bi;
      };
      if (b.patBind) {
        for (auto& n : b.names) {
          Scheme s = base;
          s.preds.clear();
          s.type = env[n].type;
          env[n] = s;
          BindInfo bi;
          bi.name = n;
          bi.scheme = s;
          out.binds[n] = bi;
        }
        BindInfo pb;  // the pattern binding itself (its right-hand side)
        pb.name = b.name;
        pb.scheme = monoScheme(types[k]);
        out.binds["$pat$" + b.name] = pb;
      } else {
        add(b.name, types[k]);
      }
    }
  }

  // Bindings with signatures.
  for (auto& b : bs) {
    if (!b.sig) continue;
    const Scheme& s = env[b.name];
    std::vector<DictVarP> params;
    checkExplicit(b.name, b.clauses, s, {}, b.span, &params);
    BindInfo bi;
    bi.name = b.name;
    bi.scheme = s;
    bi.dictParams = params;
    bi.isFunction = b.isFunction;
    out.binds[b.name] = bi;
  }
  (void)topLevel;
}

}  // namespace weir::types
