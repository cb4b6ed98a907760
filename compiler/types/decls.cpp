// Declarations: built-in types, data/newtype, synonyms, classes, instances, foreign imports.
#include <fmt/format.h>

#include "types/checker.hpp"

namespace weir::types {

// How many type arguments the class variable takes in the methods' types (`Functor f`: 1, `Show a`:
// 0); from the superclasses when the methods do not say; -1 when unknown.
int Checker::classArity(const std::string& cls, int depth) {
  auto it = out.classes.find(cls);
  if (it == out.classes.end() || depth > 10) return -1;
  int applied = -1;
  bool bare = false;
  std::function<void(TypeP)> walk = [&](TypeP t) {
    t = prune(t);
    if (t->kind == Type::App) {
      std::vector<TypeP> args;
      TypeP h = typeHead(t, &args);
      if (h->kind == Type::Gen && h->id == 0) applied = std::max(applied, static_cast<int>(args.size()));
      else walk(h);
      for (auto& a : args) walk(a);
      return;
    }
    if (t->kind == Type::Gen && t->id == 0) bare = true;
    if (t->a) walk(t->a);
    if (t->b) walk(t->b);
  };
  for (auto& [m, s] : it->second.methodSchemes) walk(s.type);
  if (applied >= 0) return applied;
  for (auto& sup : it->second.supers) {
    int k = classArity(sup, depth + 1);
    if (k >= 0) return k;
  }
  return bare ? 0 : -1;
}

void Checker::declareBuiltins() {
  for (const char* n : {kInt, kFloat, kChar, kString, kBytes}) {
    DataInfo d; d.name = n; d.builtin = true; out.datas[n] = d;
  }
  { DataInfo d; d.name = kIO; d.params = {"a"}; d.builtin = true; out.datas[kIO] = d; }
  { DataInfo d; d.name = kArrow; d.params = {"a", "b"}; d.builtin = true; out.datas[kArrow] = d; }
  auto addCon = [&](const std::string& type, const std::string& name, int tag, int ngen, std::vector<TypeP> fields,
                    TypeP result) {
    ConInfo c;
    c.name = name; c.type = type; c.tag = tag; c.arity = static_cast<int>(fields.size());
    c.scheme.ngen = ngen;
    c.scheme.type = tfuns(fields, result);
    out.cons[name] = c;
    env[name] = c.scheme;
    out.datas[type].cons.push_back(name);
  };
  // Lists: [] = tag 0, (:) = tag 1.
  { DataInfo d; d.name = kList; d.params = {"a"}; d.builtin = true; out.datas[kList] = d; }
  addCon(kList, "[]", 0, 1, {}, tlist(tgen(0)));
  addCon(kList, ":", 1, 1, {tgen(0), tlist(tgen(0))}, tlist(tgen(0)));
  // Unit and tuples.
  { DataInfo d; d.name = kUnit; d.builtin = true; out.datas[kUnit] = d; }
  addCon(kUnit, "()", 0, 0, {}, tcon(kUnit));
  for (size_t n = 2; n <= 8; ++n) {
    std::string name = tupleName(n);
    DataInfo d; d.name = name; d.builtin = true;
    std::vector<TypeP> gens;
    for (size_t i = 0; i < n; ++i) { gens.push_back(tgen(static_cast<int>(i))); d.params.push_back(std::string(1, 'a' + i)); }
    out.datas[name] = d;
    addCon(name, name, 0, static_cast<int>(n), gens, ttuple(gens));
  }
}

void Checker::declareData(ast::Decl& d) {
  DataInfo info;
  info.name = d.name;
  info.params = d.tyvars;
  info.isNewtype = d.kind == ast::Decl::Newtype;
  out.datas[d.name] = info;  // before fields, so recursive types resolve
  std::map<std::string, TypeP> vars;
  std::vector<TypeP> gens;
  for (size_t i = 0; i < d.tyvars.size(); ++i) {
    if (vars.count(d.tyvars[i])) {
      size_t nth = 0;
      for (size_t j = 0; j < i; ++j) nth += d.tyvars[j] == d.tyvars[i];
      Span params = d.nameSpan.end ? Span{d.span.file, d.nameSpan.end, d.span.end} : d.span;
      auto& e = diags.error("E0236", names::wordSpan(diags.sources(), params, d.tyvars[i], nth),
                            fmt::format("type parameter `{}` is declared twice", d.tyvars[i]));
      e.label = "declared again here";
      e.hint = "give each parameter its own name, e.g. `a b`";
    }
    vars[d.tyvars[i]] = tgen(static_cast<int>(i));
    gens.push_back(vars[d.tyvars[i]]);
  }
  TypeP result = tapps(tcon(d.name), gens);
  if (info.isNewtype && (d.cons.size() != 1 || d.cons[0].fields.size() != 1)) {
    auto& e = diags.error("E0237", d.span, "a newtype must have exactly one constructor with exactly one field");
    e.hint = "use `data` for anything else";
  }
  int tag = 0;
  for (auto& c : d.cons) {
    std::vector<TypeP> fields;
    for (auto& f : c.fields) fields.push_back(convValueType(f, vars, false));
    ConInfo ci;
    ci.name = c.name;
    ci.type = d.name;
    ci.tag = tag++;
    ci.arity = static_cast<int>(fields.size());
    ci.scheme.ngen = static_cast<int>(d.tyvars.size());
    ci.scheme.genNames = d.tyvars;
    ci.scheme.type = tfuns(fields, result);
    out.cons[c.name] = ci;
    env[c.name] = ci.scheme;
    out.datas[d.name].cons.push_back(c.name);
  }
}

void Checker::declareSynonym(ast::Decl& d) {
  Synonym s;
  s.params = d.tyvars;
  s.body = d.qualType ? d.qualType->type : nullptr;
  synonyms[d.name] = s;
}

void Checker::declareClass(ast::Decl& d) {
  ClassInfo c;
  c.name = d.name;
  c.tyvar = d.tyvars.empty() ? "a" : d.tyvars[0];
  if (d.qualType)
    for (auto& sc : d.qualType->context) {
      if (!sc.type || sc.type->kind != ast::Type::Var || sc.type->name != c.tyvar) {
        diags.error("E0238", sc.span, "a superclass constraint must be on the class's own type variable")
            .hint = fmt::format("write `class {} {} => {} {} where`", names::displayName(sc.cls), c.tyvar,
                                names::displayName(d.name), c.tyvar);
        continue;
      }
      c.supers.push_back(sc.cls);
    }
  out.classes[d.name] = c;
  ClassInfo& ci = out.classes[d.name];
  for (auto& b : d.body) {
    if (b->kind != ast::Decl::TypeSig || !b->qualType) continue;
    // Method scheme: forall a others. (C a, own preds) => t, with the class variable first.
    ast::QualType q = *b->qualType;
    std::map<std::string, TypeP> vars;
    int saved = level;
    level = 1 << 20;
    TypeP classVar = fresh();
    vars[ci.tyvar] = classVar;
    TypeP t = convValueType(q.type, vars, true);
    std::vector<Pred> own;
    for (auto& cx : q.context) own.push_back({cx.cls, convType(cx.type, vars, true)});
    level = saved;
    std::vector<TypeP> metas{classVar};
    freeMetas(t, metas);
    for (auto& p : own) freeMetas(p.type, metas);
    bool usesClassVar = false;
    {
      std::vector<TypeP> inType;
      freeMetas(t, inType);
      for (auto& m : inType) if (m == classVar) usesClassVar = true;
    }
    Scheme s;
    quantify(metas, vars, s);
    s.preds.push_back({d.name, tgen(0)});
    for (auto& p : own) s.preds.push_back(p);
    s.type = t;
    for (auto& n : b->names) {
      if (!usesClassVar) {
        diags.error("E0239", b->span, fmt::format("the type of method `{}` does not mention the class variable `{}`",
                                                  names::displayName(n), ci.tyvar));
      }
      ci.methods.push_back(n);
      ci.methodSchemes[n] = s;
      env[n] = s;
    }
  }
  for (auto& b : d.body)
    if (b->kind == ast::Decl::Clause && ci.methodSchemes.count(b->name)) {
      std::string dm = d.name + "$dm$" + names::displayName(b->name);
      ci.defaults[b->name] = dm;
    }
}

void Checker::declareInstance(ast::Decl& d) {
  InstanceInfo inst;
  inst.index = static_cast<int>(out.instances.size());
  inst.cls = d.name;
  inst.span = d.span;
  if (!d.qualType || !d.qualType->type) return;
  auto cls = out.classes.find(d.name);
  if (cls == out.classes.end()) return;  // reported by the renamer
  // The head: T a b ... with distinct variables (Haskell 98), or a record/built-in type.
  std::map<std::string, TypeP> vars;
  int saved = level;
  level = 1 << 20;
  TypeP head = convType(d.qualType->type, vars, true);
  std::vector<Pred> ctx;
  for (auto& c : d.qualType->context) ctx.push_back({c.cls, convType(c.type, vars, true)});
  level = saved;
  std::vector<TypeP> args;
  TypeP h = typeHead(head, &args);
  if (h->kind != Type::Con) {
    brokenInstanceClasses.insert(d.name);
    auto& e = diags.error("E0240", d.qualType->type->span, "an instance must be for a type constructor");
    e.label = "this is a type variable";
    e.hint = fmt::format("write e.g. `instance {} (Maybe a)`", names::displayName(d.name));
    return;
  }
  std::vector<TypeP> metas;
  for (auto& a : args) {
    TypeP pa = prune(a);
    if (pa->kind != Type::Meta || std::find(metas.begin(), metas.end(), pa) != metas.end()) {
      brokenInstanceClasses.insert(d.name);
      auto& e = diags.error("E0241", d.qualType->type->span, "instance arguments must be distinct type variables");
      e.hint = "write the instance for the whole type constructor, e.g. `instance Show (Maybe a)`";
      if (d.qualType->type->kind == ast::Type::Con && synonyms.count(d.qualType->type->name))
        e.notes.push_back(fmt::format("`{}` is a type synonym for `{}`; an instance is for a type constructor and its "
                                      "type variables", names::displayName(d.qualType->type->name), Printer().show(head)));
      return;
    }
    metas.push_back(pa);
  }
  {
    // Kinds: the class variable takes k type arguments (Functor: 1), so the head must be a
    // type constructor still missing exactly k arguments.
    auto data = out.datas.find(h->name);
    int k = classArity(d.name);
    if (data != out.datas.end() && k >= 0) {
      int missing = static_cast<int>(data->second.params.size()) - static_cast<int>(args.size());
      if (missing != k) {
        brokenInstanceClasses.insert(d.name);
        std::string cls = names::displayName(d.name), ty = names::displayName(h->name);
        auto& e = diags.error("E0249", d.qualType->type->span,
                              fmt::format("wrong number of type arguments: `{}` {} for `{}`", ty,
                                          missing > k ? "needs more arguments" : "has too few parameters", cls));
        if (k == 0) {
          e.label = fmt::format("`{}` is for complete types, but this still needs {} type argument{}", cls, missing,
                                missing == 1 ? "" : "s");
          std::string ex = ty;
          for (int i = 0; i < missing; ++i) ex += " " + std::string(1, static_cast<char>('a' + i));
          e.hint = fmt::format("write `instance {} ({})`", cls, ex);
        } else {
          e.label = fmt::format("`{}` is for type constructors taking {} type argument{} (kind `{}`), like `Maybe`",
                                cls, k, k == 1 ? "" : "s", k == 1 ? "Type -> Type" : "Type -> Type -> Type");
          e.notes.push_back(missing == 0 ? fmt::format("`{}` takes no type arguments", ty)
                                         : fmt::format("`{}` applied like this still takes {}", ty, missing));
        }
        return;
      }
    }
  }
  for (auto& p : ctx) freeMetas(p.type, metas);
  inst.head = h->name;
  quantify(metas, vars, inst.scheme);
  inst.scheme.preds = ctx;
  inst.scheme.type = head;
  std::string headName = names::displayName(h->name);
  inst.dictName = fmt::format("$f{}${}", d.name, h->name);
  auto key = std::make_pair(d.name, h->name);
  if (instanceIndex.count(key)) {
    auto& e = diags.error("E0212", d.span, fmt::format("duplicate instance `{} {}`", names::displayName(d.name), headName));
    e.label = "a second instance for the same type";
    e.secondary.push_back({out.instances[instanceIndex[key]].span, "the first one is here"});
    return;
  }
  {
    // No orphan instances (LANGUAGE.md section 3): an instance lives in the module of its class
    // or of its type, so there is only ever one, wherever both are in scope. Built-in types
    // (Int, lists, tuples, ...) belong to the Prelude.
    auto moduleOf = [](const std::string& unique) -> std::string {  // "Data.Map.Map" -> "Data.Map"
      auto dot = unique.rfind('.');
      return dot == std::string::npos ? "Prelude" : unique.substr(0, dot);
    };
    std::string here;
    for (auto& m : prog.modules) if (m.file == d.span.file) here = m.name;
    std::string clsMod = moduleOf(d.name), tyMod = moduleOf(h->name);
    if (!here.empty() && here != clsMod && here != tyMod) {
      brokenInstanceClasses.insert(d.name);
      std::string cls = names::displayName(d.name), ty = names::displayName(h->name);
      auto& e = diags.error("E0214", d.qualType->type->span,
                            fmt::format("orphan instance: `{}` and `{}` are both defined in other modules", cls, ty));
      e.label = fmt::format("`{}` is from `{}`, `{}` from `{}`", cls, clsMod, ty, tyMod);
      e.hint = fmt::format("define the instance for your own type instead, e.g. `newtype My{} = My{} {}` "
                           "with `instance {} My{}`", ty, ty, ty, cls, ty);
      return;
    }
  }
  instanceIndex[key] = inst.index;
  for (auto& p : ctx) {
    auto dv = std::make_shared<DictVar>();
    dv->id = ++nextId;
    dv->pred = p;
    inst.contextParams.push_back(dv);
  }
  // Method implementations get their own binding names.
  for (auto& b : d.body) {
    if (b->kind != ast::Decl::Clause) continue;
    if (!cls->second.methodSchemes.count(b->name)) continue;
    std::string impl = inst.dictName + "$" + names::displayName(b->name);
    inst.methodImpls[b->name] = impl;
  }
  instanceOfDecl[&d] = inst.index;
  out.instances.push_back(inst);
}

void Checker::declareForeign(ast::Decl& d) {
  if (!d.qualType) return;
  Scheme s = schemeFromSig(*d.qualType);
  if (!s.preds.empty()) diags.error("E0242", d.span, "a foreign import cannot have class constraints");
  if (d.foreignConv == "ccall") {
    const std::string& sym = d.foreignName;
    bool ok = !sym.empty() && !(sym[0] >= '0' && sym[0] <= '9');
    for (char c : sym) ok = ok && (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
    if (!ok || sym == "main")
      diags.error("E0248", d.span, "`" + sym + "` is not a C function name a program can import");
  }
  env[d.name] = s;
  out.foreigns[d.name] = d.foreignConv + ":" + d.foreignName;
  BindInfo bi;
  bi.name = d.name;
  bi.scheme = s;
  bi.isFunction = true;
  out.binds[d.name] = bi;
}

// Instance methods: each is checked against the class method's type at the instance type.
void Checker::checkInstanceBodies(ast::Decl& d, InstanceInfo& inst) {
  auto& cls = out.classes[inst.cls];
  // Skolemise the instance's type variables.
  std::vector<TypeP> sk;
  for (int i = 0; i < inst.scheme.ngen; ++i)
    sk.push_back(skolem(i < static_cast<int>(inst.scheme.genNames.size()) ? inst.scheme.genNames[i] : "t"));
  TypeP headT = instantiate(inst.scheme.type, sk);
  for (size_t i = 0; i < inst.contextParams.size(); ++i)
    inst.contextParams[i]->pred.type = instantiate(inst.scheme.preds[i].type, sk);
  // Group clauses by method.
  std::map<std::string, std::vector<ast::Decl*>> clauses;
  std::vector<std::string> order;
  for (auto& b : d.body)
    if (b->kind == ast::Decl::Clause && inst.methodImpls.count(b->name)) {
      if (!clauses.count(b->name)) order.push_back(b->name);
      clauses[b->name].push_back(b.get());
    }
  for (auto& m : order) {
    const Scheme& ms = cls.methodSchemes[m];
    // Method type at this instance: gen 0 := head type; other gens stay quantified.
    Scheme s;
    std::vector<TypeP> args(ms.ngen);
    args[0] = headT;
    for (int i = 1; i < ms.ngen; ++i) args[i] = tgen(i - 1, ms.genIsRow[i]);
    s.ngen = ms.ngen - 1;
    for (int i = 1; i < ms.ngen; ++i) { s.genNames.push_back(ms.genNames[i]); s.genIsRow.push_back(ms.genIsRow[i]); }
    s.type = instantiate(ms.type, args);
    for (size_t i = 1; i < ms.preds.size(); ++i) s.preds.push_back({ms.preds[i].cls, instantiate(ms.preds[i].type, args)});
    std::string impl = inst.methodImpls[m];
    for (auto* c : clauses[m]) c->name = impl;
    std::vector<DictVarP> params;
    instHead = headT;
    instCls = inst.cls;
    instContextSize = inst.contextParams.size();
    checkExplicit(impl, clauses[m], s, inst.contextParams, clauses[m][0]->span, &params);
    instHead = nullptr;
    BindInfo bi;
    bi.name = impl;
    bi.scheme = s;
    bi.dictParams = inst.contextParams;
    for (auto& p : params) bi.dictParams.push_back(p);
    bi.isFunction = true;
    out.binds[impl] = bi;
  }
  // Missing methods without defaults.
  for (auto& m : cls.methods) {
    if (inst.methodImpls.count(m) || cls.defaults.count(m)) continue;
    auto& e = diags.error("E0243", d.span, fmt::format("instance `{} {}` does not define `{}`", names::displayName(inst.cls),
                                                        names::displayName(inst.head), names::displayName(m)));
    e.label = "method missing";
    e.hint = fmt::format("add a definition of `{}` to the instance", names::displayName(m));
  }
  // Superclass instances must exist; record how to build each superclass dictionary.
  for (auto& sup : cls.supers) {
    auto key = std::make_pair(sup, inst.head);
    if (instanceIndex.count(key)) {
      givens.push_back(inst.contextParams);
      auto hole = std::make_shared<Dict>();
      hole->kind = Dict::Hole;
      hole->pred = {sup, headT};
      hole->span = d.span;
      std::vector<DictP> stuck;
      solve(hole, stuck);
      for (auto& s : stuck) {
        Printer pr;
        auto& e = diags.error("E0213", d.span, fmt::format("the superclass instance needs `{}`", pr.show(s->pred)));
        e.hint = fmt::format("add `{}` to the instance context", pr.show(s->pred));
      }
      givens.pop_back();
      inst.superDicts.push_back(hole);
    } else {
      auto& e = diags.error("E0244", d.span, fmt::format("`{} {}` needs an instance of its superclass `{}`",
                                                          names::displayName(inst.cls), names::displayName(inst.head),
                                                          names::displayName(sup)));
      e.hint = fmt::format("add `instance {} {}`", names::displayName(sup), names::displayName(inst.head));
    }
  }
}

void Checker::checkClassDefaults(ast::Decl& d) {
  auto& cls = out.classes[d.name];
  std::map<std::string, std::vector<ast::Decl*>> clauses;
  std::vector<std::string> order;
  for (auto& b : d.body)
    if (b->kind == ast::Decl::Clause && cls.defaults.count(b->name)) {
      if (!clauses.count(b->name)) order.push_back(b->name);
      clauses[b->name].push_back(b.get());
    }
  for (auto& m : order) {
    const Scheme& ms = cls.methodSchemes[m];
    std::string dm = cls.defaults[m];
    for (auto* c : clauses[m]) c->name = dm;
    std::vector<DictVarP> params;
    checkExplicit(dm, clauses[m], ms, {}, clauses[m][0]->span, &params);
    BindInfo bi;
    bi.name = dm;
    bi.scheme = ms;
    bi.dictParams = params;
    bi.isFunction = true;
    out.binds[dm] = bi;
  }
}

}  // namespace weir::types
