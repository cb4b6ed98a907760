// `deriving (Eq, Ord, Show, Enum, Bounded, ToJson, FromJson)`: generates ordinary instance declarations (already
// renamed: they refer to the Prelude's unique names) for a data type or newtype.
// A constructor whose single field is a record (`Speeding { device :: String }`)
// compares and shows the record's fields one by one.
#include "names/deriving.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include <fmt/format.h>

namespace weir::names {

namespace {

using namespace weir::ast;

struct Gen {
  Span sp;
  int& counter;

  ExprPtr var(const std::string& n) {
    auto e = std::make_shared<Expr>();
    e->kind = Expr::Var;
    e->name = n;
    e->span = sp;
    return e;
  }
  ExprPtr con(const std::string& n) {
    auto e = var(n);
    e->kind = Expr::Con;
    return e;
  }
  ExprPtr str(const std::string& s) {
    auto e = std::make_shared<Expr>();
    e->kind = Expr::Lit;
    e->lit.kind = Literal::String;
    e->lit.s = s;
    e->span = sp;
    return e;
  }
  ExprPtr integer(int64_t i) {
    auto e = std::make_shared<Expr>();
    e->kind = Expr::Lit;
    e->lit.kind = Literal::Int;
    e->lit.i = i;
    e->span = sp;
    return e;
  }
  ExprPtr app(ExprPtr f, std::vector<ExprPtr> args) {
    auto e = std::make_shared<Expr>();
    e->kind = Expr::App;
    e->span = sp;
    e->args.push_back(f);
    for (auto& a : args) e->args.push_back(a);
    return e;
  }
  ExprPtr op(const std::string& o, ExprPtr a, ExprPtr b) { return app(var(o), {a, b}); }
  ExprPtr access(ExprPtr r, const std::string& field) {
    auto e = std::make_shared<Expr>();
    e->kind = Expr::Access;
    e->span = sp;
    e->name = field;
    e->args = {r};
    return e;
  }
  std::string fresh(const std::string& base) { return fmt::format("{}@d{}", base, ++counter); }
  PatPtr pvar(const std::string& n) {
    auto p = std::make_shared<Pat>();
    p->kind = Pat::Var;
    p->name = n;
    p->span = sp;
    return p;
  }
  PatPtr wild() {
    auto p = std::make_shared<Pat>();
    p->kind = Pat::Wild;
    p->span = sp;
    return p;
  }
  PatPtr pcon(const std::string& c, std::vector<PatPtr> args) {
    auto p = std::make_shared<Pat>();
    p->kind = Pat::Con;
    p->name = c;
    p->args = std::move(args);
    p->span = sp;
    return p;
  }
  DeclPtr clause(const std::string& name, std::vector<PatPtr> pats, ExprPtr body) {
    auto d = std::make_shared<Decl>();
    d->kind = Decl::Clause;
    d->name = name;
    d->span = sp;
    d->nameSpan = sp;
    d->pats = std::move(pats);
    d->rhs.plain = body;
    d->rhs.span = sp;
    return d;
  }
  ExprPtr caseOf(ExprPtr scrut, std::vector<std::pair<PatPtr, ExprPtr>> alts) {
    auto e = std::make_shared<Expr>();
    e->kind = Expr::Case;
    e->span = sp;
    e->args = {scrut};
    for (auto& [p, b] : alts) {
      Alt a;
      a.span = sp;
      a.pat = p;
      a.rhs.plain = b;
      a.rhs.span = sp;
      e->alts.push_back(a);
    }
    return e;
  }
};

// The values to compare/show for one constructor: its positional fields, or the
// fields of its record.
struct Parts {
  std::vector<ExprPtr> values;
  std::vector<std::string> labels;  // non-empty for a record constructor
};

Parts partsOf(Gen& g, const ConDecl& c, const std::vector<std::string>& vars) {
  Parts p;
  if (c.fields.size() == 1 && c.fields[0] && c.fields[0]->kind == Type::Record) {
    for (auto& [l, t] : c.fields[0]->fields) {
      p.values.push_back(g.access(g.var(vars[0]), l));
      p.labels.push_back(l);
    }
    return p;
  }
  for (auto& v : vars) p.values.push_back(g.var(v));
  return p;
}

std::vector<std::string> freshVars(Gen& g, size_t n, const std::string& base) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(g.fresh(base));
  return out;
}

std::vector<PatPtr> pvars(Gen& g, const std::vector<std::string>& vs) {
  std::vector<PatPtr> out;
  for (auto& v : vs) out.push_back(g.pvar(v));
  return out;
}

void deriveEq(Gen& g, const Decl& data, std::vector<DeclPtr>& body) {
  for (auto& c : data.cons) {
    auto xs = freshVars(g, c.fields.size(), "x"), ys = freshVars(g, c.fields.size(), "y");
    Parts px = partsOf(g, c, xs), py = partsOf(g, c, ys);
    ExprPtr e;
    for (size_t i = px.values.size(); i-- > 0;) {
      ExprPtr eq = g.op("Prelude.==", px.values[i], py.values[i]);
      e = e ? g.op("Prelude.&&", eq, e) : eq;
    }
    if (!e) e = g.con("Prelude.True");
    body.push_back(g.clause("Prelude.==", {g.pcon(c.name, pvars(g, xs)), g.pcon(c.name, pvars(g, ys))}, e));
  }
  if (data.cons.size() > 1) body.push_back(g.clause("Prelude.==", {g.wild(), g.wild()}, g.con("Prelude.False")));
}

// Constructor index of a value, for ordering values built with different constructors.
ExprPtr conIndex(Gen& g, const Decl& data, ExprPtr v) {
  std::vector<std::pair<PatPtr, ExprPtr>> alts;
  for (size_t i = 0; i < data.cons.size(); ++i) {
    std::vector<PatPtr> ws;
    for (size_t k = 0; k < data.cons[i].fields.size(); ++k) ws.push_back(g.wild());
    alts.push_back({g.pcon(data.cons[i].name, ws), g.integer(static_cast<int64_t>(i))});
  }
  return g.caseOf(v, alts);
}

void deriveOrd(Gen& g, const Decl& data, std::vector<DeclPtr>& body) {
  for (auto& c : data.cons) {
    auto xs = freshVars(g, c.fields.size(), "x"), ys = freshVars(g, c.fields.size(), "y");
    Parts px = partsOf(g, c, xs), py = partsOf(g, c, ys);
    ExprPtr e = g.con("Prelude.EQ");
    for (size_t i = px.values.size(); i-- > 0;) {
      ExprPtr cmp = g.app(g.var("Prelude.compare"), {px.values[i], py.values[i]});
      if (i + 1 == px.values.size()) { e = cmp; continue; }
      std::string o = g.fresh("o");
      e = g.caseOf(cmp, {{g.pcon("Prelude.EQ", {}), e}, {g.pvar(o), g.var(o)}});
    }
    body.push_back(g.clause("Prelude.compare", {g.pcon(c.name, pvars(g, xs)), g.pcon(c.name, pvars(g, ys))}, e));
  }
  if (data.cons.size() > 1) {
    std::string a = g.fresh("a"), b = g.fresh("b");
    body.push_back(g.clause("Prelude.compare", {g.pvar(a), g.pvar(b)},
                            g.app(g.var("Prelude.compare"), {conIndex(g, data, g.var(a)), conIndex(g, data, g.var(b))})));
  }
}

void deriveShow(Gen& g, const Decl& data, std::vector<DeclPtr>& body, const std::map<std::string, Fixity>* fixities) {
  std::string d = g.fresh("d");
  for (auto& c : data.cons) {
    auto xs = freshVars(g, c.fields.size(), "x");
    Parts px = partsOf(g, c, xs);
    std::string cname = displayName(c.name);
    ExprPtr e;
    int prec = 10;
    if (px.values.empty()) {
      body.push_back(g.clause("Prelude.showPrec", {g.wild(), g.pcon(c.name, {})}, g.str(cname)));
      continue;
    }
    if (!px.labels.empty()) {
      // Speeding {device = "t1", speed = 1.0}
      e = g.str(cname + " {");
      for (size_t i = 0; i < px.values.size(); ++i) {
        e = g.op("Prelude.++", e, g.str((i ? ", " : "") + px.labels[i] + " = "));
        e = g.op("Prelude.++", e, g.app(g.var("Prelude.showPrec"), {g.integer(0), px.values[i]}));
      }
      e = g.op("Prelude.++", e, g.str("}"));
    } else if (cname.size() > 1 && cname[0] == ':' && px.values.size() == 2) {
      // An infix constructor (Haskell's derived Show): `showParen (d > p)` around
      // `showsPrec (p+1) a . showString " :+ " . showsPrec (p+1) b`, p its precedence (default 9).
      prec = 9;
      if (fixities)
        if (auto f = fixities->find(c.name); f != fixities->end()) prec = f->second.prec;
      e = g.op("Prelude.++", g.app(g.var("Prelude.showPrec"), {g.integer(prec + 1), px.values[0]}), g.str(" " + cname + " "));
      e = g.op("Prelude.++", e, g.app(g.var("Prelude.showPrec"), {g.integer(prec + 1), px.values[1]}));
    } else {
      e = g.str(cname);
      for (auto& v : px.values)
        e = g.op("Prelude.++", g.op("Prelude.++", e, g.str(" ")), g.app(g.var("Prelude.showPrec"), {g.integer(11), v}));
    }
    // Parenthesise when the surrounding precedence is above application's (10) or the operator's.
    ExprPtr paren = g.op("Prelude.++", g.op("Prelude.++", g.str("("), e), g.str(")"));
    auto ifE = std::make_shared<Expr>();
    ifE->kind = Expr::If;
    ifE->span = g.sp;
    ifE->args = {g.op("Prelude.>", g.var(d), g.integer(prec)), paren, e};
    body.push_back(g.clause("Prelude.showPrec", {g.pvar(d), g.pcon(c.name, pvars(g, xs))}, ifE));
  }
  std::string x = g.fresh("x");
  body.push_back(g.clause("Prelude.show", {g.pvar(x)}, g.app(g.var("Prelude.showPrec"), {g.integer(0), g.var(x)})));
}

// Enum of an enumeration (only constructors without fields), as GHC derives it:
// fromEnum numbers the constructors from 0 in declaration order; toEnum, succ and pred
// out of range are run-time errors with GHC's messages.
void deriveEnum(Gen& g, const Decl& data, std::vector<DeclPtr>& body) {
  std::string where = "Prelude.Enum." + displayName(data.name) + ".";
  auto litPat = [&](int64_t i) {
    auto p = std::make_shared<Pat>();
    p->kind = Pat::Lit;
    p->lit.kind = Literal::Int;
    p->lit.i = i;
    p->span = g.sp;
    return p;
  };
  auto err = [&](const std::string& fn) {
    return g.app(g.var("Prelude.error"), {g.str(where + fn + ": bad argument")});
  };
  size_t n = data.cons.size();
  for (size_t i = 0; i < n; ++i)
    body.push_back(g.clause("Prelude.fromEnum", {g.pcon(data.cons[i].name, {})}, g.integer(static_cast<int64_t>(i))));
  for (size_t i = 0; i < n; ++i)
    body.push_back(g.clause("Prelude.toEnum", {litPat(static_cast<int64_t>(i))}, g.con(data.cons[i].name)));
  body.push_back(g.clause("Prelude.toEnum", {g.wild()}, err("toEnum")));
  for (size_t i = 0; i < n; ++i)
    body.push_back(g.clause("Prelude.succ", {g.pcon(data.cons[i].name, {})},
                            i + 1 < n ? g.con(data.cons[i + 1].name) : err("succ")));
  for (size_t i = 0; i < n; ++i)
    body.push_back(g.clause("Prelude.pred", {g.pcon(data.cons[i].name, {})},
                            i > 0 ? g.con(data.cons[i - 1].name) : err("pred")));
}

// Bounded of an enumeration (first and last constructor) or of a type with one
// constructor (that constructor applied to minBound/maxBound of each field), as GHC.
void deriveBounded(Gen& g, const Decl& data, std::vector<DeclPtr>& body) {
  auto bound = [&](const ConDecl& c, const std::string& b) {
    if (c.fields.empty()) return g.con(c.name);
    std::vector<ExprPtr> args;
    for (size_t k = 0; k < c.fields.size(); ++k) args.push_back(g.var(b));
    return g.app(g.con(c.name), args);
  };
  body.push_back(g.clause("Prelude.minBound", {}, bound(data.cons.front(), "Prelude.minBound")));
  body.push_back(g.clause("Prelude.maxBound", {}, bound(data.cons.back(), "Prelude.maxBound")));
}

// Why `deriving (Enum)` / `deriving (Bounded)` is impossible for this type, with the
// constructor to blame (E0120), or false when it can be derived.
bool cannotDeriveEnumLike(const std::string& cls, const Decl& data, DiagnosticEngine& diags) {
  bool isEnum = cls == "Prelude.Enum";
  std::string what = displayName(cls), type = displayName(data.name);
  if (data.cons.empty()) {
    auto& d = diags.error("E0120", data.span, fmt::format("cannot derive `{}` for `{}`: it has no constructors", what, type));
    d.label = "a type without values has no first or last value";
    return true;
  }
  if (!isEnum && data.cons.size() == 1) return false;  // Bounded of a single-constructor type
  for (auto& c : data.cons) {
    if (c.fields.empty()) continue;
    auto& d = diags.error("E0120", c.span,
                          fmt::format("cannot derive `{}` for `{}`: constructor `{}` has fields", what, type, displayName(c.name)));
    d.label = isEnum ? "`Enum` can be derived only when no constructor has fields"
                     : "`Bounded` can be derived only when no constructor has fields, or there is just one constructor";
    d.hint = fmt::format("remove `{}` from the deriving list and write `instance {} {} where ...` by hand", what, what, type);
    return true;
  }
  return false;
}

// ToJson / FromJson of data types, in Aeson's default encoding (docs/stdlib.md, Json):
//   only nullary constructors        "Red"
//   one constructor with a record    {"device":"t1","speed":88.5}
//   one constructor, one field       the field's value
//   one constructor, n fields        [x1, ..., xn]
//   several constructors             {"tag":"C"}, {"tag":"C", ...record fields},
//                                    {"tag":"C","contents":x} or {"tag":"C","contents":[x1, ..., xn]}
// The helpers named here live in stdlib/Json.weir (and runtime/json/writer.c).
struct JsonGen {
  Gen& g;
  ExprPtr call(const std::string& f, std::vector<ExprPtr> args) { return g.app(g.var(f), std::move(args)); }
  ExprPtr raw(ExprPtr w, const std::string& text) { return call("Json.jwRaw", {w, g.str(text)}); }
  ExprPtr key(ExprPtr w, const std::string& k) { return call("Json.jwKey", {w, g.str(k)}); }
  ExprPtr write(ExprPtr x, ExprPtr w) { return call("Json.writeJson", {x, w}); }
  // Left e -> Left (wrap e); Right v -> k v
  ExprPtr bind(ExprPtr scrut, const std::function<ExprPtr(ExprPtr)>& wrap, const std::function<ExprPtr(const std::string&)>& k) {
    std::string e = g.fresh("e"), v = g.fresh("v");
    return g.caseOf(scrut, {{g.pcon("Prelude.Left", {g.pvar(e)}), g.app(g.con("Prelude.Left"), {wrap(g.var(e))})},
                            {g.pcon("Prelude.Right", {g.pvar(v)}), k(v)}});
  }
  ExprPtr ifte(ExprPtr c, ExprPtr t, ExprPtr e) {
    auto x = std::make_shared<Expr>();
    x->kind = Expr::If;
    x->span = g.sp;
    x->args = {c, t, e};
    return x;
  }
  ExprPtr strList(const std::vector<std::string>& xs) {
    auto l = std::make_shared<Expr>();
    l->kind = Expr::List;
    l->span = g.sp;
    for (auto& x : xs) l->args.push_back(g.str(x));
    return l;
  }
  // Reads n positional fields from the array at element `at` and builds con from them.
  ExprPtr readFields(const std::string& con, size_t n, ExprPtr doc, ExprPtr at,
                     const std::function<ExprPtr(ExprPtr)>& wrap) {
    std::vector<std::string> vals;
    for (size_t k = 0; k < n; ++k) vals.push_back(g.fresh("a"));
    auto build = [&] {
      std::vector<ExprPtr> as;
      for (auto& v : vals) as.push_back(g.var(v));
      return g.app(g.con("Prelude.Right"), {g.app(g.con(con), as)});
    };
    if (n == 1) return bind(call("Json.readJson", {doc, at}), wrap, [&](const std::string& v) {
        return g.app(g.con("Prelude.Right"), {g.app(g.con(con), {g.var(v)})});
      });
    std::vector<std::string> idx;
    for (size_t k = 0; k < n; ++k) idx.push_back(g.fresh("i"));
    ExprPtr body = build();
    for (size_t k = n; k-- > 0;) {
      std::string v = vals[k];
      std::string e = g.fresh("e");
      body = g.caseOf(call("Json.readAt", {doc, g.integer(static_cast<int64_t>(k)), g.var(idx[k])}),
                      {{g.pcon("Prelude.Left", {g.pvar(e)}), g.app(g.con("Prelude.Left"), {wrap(g.var(e))})},
                       {g.pcon("Prelude.Right", {g.pvar(v)}), body}});
    }
    auto lp = std::make_shared<Pat>();
    lp->kind = Pat::List;
    lp->span = g.sp;
    for (auto& i : idx) lp->args.push_back(g.pvar(i));
    std::string e = g.fresh("e");
    return g.caseOf(call("Json.readTuple", {g.integer(static_cast<int64_t>(n)), doc, at}),
                    {{g.pcon("Prelude.Left", {g.pvar(e)}), g.app(g.con("Prelude.Left"), {wrap(g.var(e))})},
                     {g.pcon("Prelude.Right", {lp}), body},
                     {g.wild(), call("Json.mismatch", {g.str("an array"), doc, at})}});
  }
};

bool isRecordCon(const ConDecl& c) { return c.fields.size() == 1 && c.fields[0] && c.fields[0]->kind == Type::Record; }

void deriveToJson(Gen& g, const Decl& data, std::vector<DeclPtr>& body) {
  JsonGen j{g};
  bool enumLike = true;
  for (auto& c : data.cons) enumLike = enumLike && c.fields.empty();
  for (auto& c : data.cons) {
    auto xs = freshVars(g, c.fields.size(), "x");
    std::string w = g.fresh("w");
    std::string name = displayName(c.name);
    ExprPtr e;
    if (enumLike) {
      e = j.call("Json.jwString", {g.var(w), g.str(name)});
    } else if (data.cons.size() == 1) {
      if (xs.size() == 1) e = j.write(g.var(xs[0]), g.var(w));
      else {
        e = j.raw(g.var(w), "[");
        for (auto& x : xs) e = j.write(g.var(x), e);
        e = j.raw(e, "]");
      }
    } else {
      if (isRecordCon(c)) {
        e = j.call("Json.writeTaggedRecord", {g.str(name), g.var(xs[0]), g.var(w)});
      } else {
        e = j.call("Json.jwString", {j.key(j.raw(g.var(w), "{"), "tag"), g.str(name)});
        if (xs.size() == 1) e = j.write(g.var(xs[0]), j.key(e, "contents"));
        else if (xs.size() > 1) {
          e = j.raw(j.key(e, "contents"), "[");
          for (auto& x : xs) e = j.write(g.var(x), e);
          e = j.raw(e, "]");
        }
        e = j.raw(e, "}");
      }
    }
    body.push_back(g.clause("Json.writeJson", {g.pcon(c.name, pvars(g, xs)), g.pvar(w)}, e));
  }
}

void deriveFromJson(Gen& g, const Decl& data, std::vector<DeclPtr>& body) {
  JsonGen j{g};
  std::string d = g.fresh("d"), i = g.fresh("i");
  bool enumLike = true;
  std::vector<std::string> names;
  for (auto& c : data.cons) {
    enumLike = enumLike && c.fields.empty();
    names.push_back(displayName(c.name));
  }
  auto same = [&](ExprPtr e) { return e; };
  auto inContents = [&](ExprPtr e) { return j.call("Json.inField", {g.str("contents"), e}); };
  ExprPtr e;
  if (enumLike || data.cons.size() > 1) {
    // Dispatch on a name: the string itself (enums) or the "tag" field.
    std::string t = g.fresh("t");
    ExprPtr chain = j.call(enumLike ? "Json.unknownEnum" : "Json.unknownTag", {g.var(t), j.strList(names)});
    for (size_t k = data.cons.size(); k-- > 0;) {
      const ConDecl& c = data.cons[k];
      ExprPtr alt;
      if (c.fields.empty()) alt = g.app(g.con("Prelude.Right"), {g.con(c.name)});
      else if (isRecordCon(c)) alt = j.readFields(c.name, 1, g.var(d), g.var(i), same);
      else {
        ExprPtr contents = j.call("Json.readContents", {g.var(d), g.var(i)});
        alt = j.readFields(c.name, c.fields.size(), g.var(d), contents, inContents);
      }
      chain = j.ifte(g.op("Prelude.==", g.var(t), g.str(names[k])), alt, chain);
    }
    ExprPtr scrut = enumLike ? j.call("Json.readJson", {g.var(d), g.var(i)}) : j.call("Json.readTag", {g.var(d), g.var(i)});
    std::string err = g.fresh("e");
    e = g.caseOf(scrut, {{g.pcon("Prelude.Left", {g.pvar(err)}), g.app(g.con("Prelude.Left"), {g.var(err)})},
                         {g.pcon("Prelude.Right", {g.pvar(t)}), chain}});
  } else {
    const ConDecl& c = data.cons[0];
    e = j.readFields(c.name, isRecordCon(c) ? 1 : c.fields.size(), g.var(d), g.var(i), same);
  }
  body.push_back(g.clause("Json.readJson", {g.pvar(d), g.pvar(i)}, e));
}

}  // namespace

std::vector<DeclPtr> deriveInstances(const Decl& data, const std::vector<std::string>& classes,
                                     const std::vector<Span>& spans, int& counter, DiagnosticEngine& diags,
                                     const std::map<std::string, Fixity>* fixities) {
  std::vector<DeclPtr> out;
  for (size_t i = 0; i < classes.size(); ++i) {
    const std::string& cls = classes[i];
    Span sp = i < spans.size() ? spans[i] : data.span;
    Gen g{sp, counter};
    auto inst = std::make_shared<Decl>();
    inst->kind = Decl::Instance;
    inst->name = cls;
    inst->span = data.span;
    inst->qualType = std::make_shared<QualType>();
    auto head = std::make_shared<ast::Type>();
    head->span = sp;
    auto con = std::make_shared<ast::Type>();
    con->kind = ast::Type::Con;
    con->name = data.name;
    con->span = sp;
    if (data.tyvars.empty()) {
      head = con;
    } else {
      head->kind = ast::Type::App;
      head->args.push_back(con);
      for (auto& v : data.tyvars) {
        auto tv = std::make_shared<ast::Type>();
        tv->kind = ast::Type::Var;
        tv->name = v;
        tv->span = sp;
        head->args.push_back(tv);
        // An enumeration's Enum and Bounded do not depend on its (phantom) parameters.
        bool enumeration = std::all_of(data.cons.begin(), data.cons.end(), [](const ConDecl& c) { return c.fields.empty(); });
        if (!((cls == "Prelude.Enum" || cls == "Prelude.Bounded") && enumeration))
          inst->qualType->context.push_back(Constraint{cls, tv, sp});
      }
    }
    inst->qualType->type = head;
    if (cls == "Prelude.Eq") deriveEq(g, data, inst->body);
    else if (cls == "Prelude.Ord") deriveOrd(g, data, inst->body);
    else if (cls == "Prelude.Show") deriveShow(g, data, inst->body, fixities);
    else if ((cls == "Prelude.Enum" || cls == "Prelude.Bounded") && cannotDeriveEnumLike(cls, data, diags)) continue;
    else if (cls == "Prelude.Enum") deriveEnum(g, data, inst->body);
    else if (cls == "Prelude.Bounded") deriveBounded(g, data, inst->body);
    else if (cls == "Json.ToJson") deriveToJson(g, data, inst->body);
    else if (cls == "Json.FromJson") deriveFromJson(g, data, inst->body);
    else {
      auto& d = diags.error("E0119", wordSpan(diags.sources(), sp, displayName(cls), 0, "deriving"),
                            fmt::format("cannot derive `{}`", displayName(cls)));
      d.label = "only Eq, Ord, Show, Enum, Bounded, ToJson and FromJson can be derived";
      d.hint = fmt::format("write the instance by hand: `instance {} {} where ...`", displayName(cls), displayName(data.name));
      continue;
    }
    out.push_back(inst);
  }
  return out;
}

}  // namespace weir::names
