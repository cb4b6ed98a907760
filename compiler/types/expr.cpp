// Inference for expressions.
#include <algorithm>
#include <fmt/format.h>

#include "types/checker.hpp"

namespace weir::types {

using ast::Expr;

TypeP inferBinaryExpr(Checker& c, ast::Expr& e);  // binary.cpp

namespace {
ast::ExprPtr mkVar(const std::string& name, Span span) {
  auto e = std::make_shared<Expr>();
  e->kind = Expr::Var;
  e->name = name;
  e->span = span;
  return e;
}
ast::ExprPtr mkApp(ast::ExprPtr f, std::vector<ast::ExprPtr> args, Span span) {
  auto e = std::make_shared<Expr>();
  e->kind = Expr::App;
  e->span = span;
  e->args.push_back(f);
  for (auto& a : args) e->args.push_back(a);
  return e;
}
std::string describe(const ast::Expr& e) {
  if (e.kind == Expr::Var || e.kind == Expr::Con) return "`" + names::displayName(e.name) + "`";
  return "this expression";
}
}  // namespace

void Checker::checkExpr(ast::ExprPtr& e, TypeP expected, const std::string& what) {
  // A tuple checked against a tuple type: component by component, so that a mismatch is
  // reported at the component.
  if (e->kind == Expr::Tuple && e->args.size() <= 8) {
    std::vector<TypeP> comps;
    TypeP h = typeHead(prune(expected), &comps);
    if (h->kind == Type::Con && h->name == tupleName(e->args.size()) && comps.size() == e->args.size()) {
      std::vector<TypeP> elems, found;
      size_t errors = diags.errorCount(), first = diags.all().size();
      for (size_t i = 0; i < e->args.size(); ++i) {
        if (diags.errorCount() > errors) infer(e->args[i]);  // one error per tuple
        else checkExpr(e->args[i], comps[i], what);
        elems.push_back(comps[i]);
        found.push_back(e->args[i]->type ? e->args[i]->type : comps[i]);
      }
      for (size_t k = first; k < diags.all().size(); ++k)
        if (diags.all()[k].code == "E0201") {
          Printer pr;
          std::string note = fmt::format("the tuple has type `{}`, but `{}` is expected", pr.show(ttuple(found)),
                                         pr.show(expected));
          if (!pr.renamedSkolems()) diags.at(k).notes.push_back(note);  // else its names could differ
          break;
        }
      e->type = ttuple(elems);
      return;
    }
  }
  const ast::Expr* parentApp = argOf;  // the application `e` is an argument of, if any
  argOf = nullptr;
  if (e->kind == Expr::Lam) lamExpected = expected;
  if (e->kind == Expr::Do) doExpected = expected;
  if (e->kind == Expr::Record) {
    e->type = inferRecordLit(*e, expected);
    expect(e->type, expected, e->span, what);
    return;
  }
  TypeP t = infer(e);
  size_t before = diags.all().size();
  expect(t, expected, e->span, what);
  if (diags.all().size() > before && diags.all().back().code == "E0201")
    mismatchHints(diags.at(diags.all().size() - 1), *e, parentApp, t, expected);
  // `(- 1)` is the number -1 (as in Haskell), not a section: say so when it is not what was expected.
  if (diags.all().size() > before && diags.all().back().code == "E0201" && e->kind == Expr::Lit &&
      ((e->lit.kind == ast::Literal::Int && e->lit.i < 0) || (e->lit.kind == ast::Literal::Float && e->lit.f < 0))) {
    const std::string& text = diags.sources().get(e->span.file).text();
    if (e->span.begin < text.size() && text[e->span.begin] == '(')
      diags.at(diags.all().size() - 1).hint =
          "`(- 1)` is the number -1, not a section; to subtract 1 from each value, write `subtract 1` or `(\\x -> x - 1)`";
  }
}

bool Checker::recordLabels(TypeP rec, std::vector<std::pair<std::string, TypeP>>& labels, bool& closed) {
  rec = prune(rec);
  if (rec->kind != Type::Record) return false;
  TypeP row = prune(rec->a);
  while (row->kind == Type::RowExt) {
    labels.push_back({row->name, row->a});
    row = prune(row->b);
  }
  closed = row->kind == Type::RowEmpty;
  return true;
}

Span Checker::fieldNameSpan(Span value, const std::string& field) {
  const std::string& text = diags.sources().get(value.file).text();
  // A pun `{ name }`: the value is the name itself.
  if (value.begin + field.size() <= text.size() && text.compare(value.begin, field.size(), field) == 0 &&
      value.end - value.begin == field.size())
    return value;
  // `name = value`: step back over the `=`.
  size_t i = value.begin;
  while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n' || text[i - 1] == '\r')) --i;
  if (i == 0 || text[i - 1] != '=') return value;
  --i;
  while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n' || text[i - 1] == '\r')) --i;
  if (i < field.size() || text.compare(i - field.size(), field.size(), field) != 0) return value;
  return Span{value.file, static_cast<uint32_t>(i - field.size()), static_cast<uint32_t>(i)};
}

bool Checker::unknownFields(TypeP rec, const std::vector<std::pair<std::string, Span>>& fields,
                            std::vector<std::pair<std::string, TypeP>>& have) {
  bool closed = false;
  if (!recordLabels(rec, have, closed) || !closed) return false;
  std::vector<std::string> names;
  for (auto& [l, lt] : have) names.push_back(l);
  bool bad = false;
  for (auto& [f, span] : fields) {
    if (std::find(names.begin(), names.end(), f) != names.end()) continue;
    bad = true;
    auto& d = diags.error("E0221", span, fmt::format("record has no field `{}`", f));
    Printer pr;
    d.label = fmt::format("the record has type `{}`", pr.show(rec));
    std::string best = closestLabel(names, f);
    if (!best.empty()) d.hint = fmt::format("did you mean `{}`?", best);
  }
  return bad;
}

std::string Checker::closestLabel(const std::vector<std::string>& labels, const std::string& field) {
  std::string best;
  size_t bestD = 3;
  for (auto& l : labels) {
    // Optimal string alignment distance: a transposition (`aeg`/`age`) counts as one edit.
    size_t n = l.size(), m = field.size();
    std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
    for (size_t i = 0; i <= n; ++i) d[i][0] = i;
    for (size_t j = 0; j <= m; ++j) d[0][j] = j;
    for (size_t i = 1; i <= n; ++i)
      for (size_t j = 1; j <= m; ++j) {
        d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (l[i - 1] == field[j - 1] ? 0 : 1)});
        if (i > 1 && j > 1 && l[i - 1] == field[j - 2] && l[i - 2] == field[j - 1])
          d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    size_t limit = std::min<size_t>(2, std::max<size_t>(1, field.size() / 3));
    if (d[n][m] <= limit && d[n][m] < bestD) { bestD = d[n][m]; best = l; }
  }
  return best;
}

// A record literal; with a known expected record type, each field is checked against the
// field's type, so that a wrong value is reported at the value (KNOWN_BUGS.md 28).
TypeP Checker::inferRecordLit(Expr& e, TypeP expected) {
  std::vector<std::pair<std::string, TypeP>> want;
  bool closed = false;
  if (expected) recordLabels(expected, want, closed);
  std::vector<std::pair<std::string, TypeP>> fs;
  std::set<std::string> seen;
  for (auto& [name, fe] : e.fields) {
    if (!seen.insert(name).second) {
      auto& d = diags.error("E0234", fe ? fieldNameSpan(fe->span, name) : e.span,
                            fmt::format("field `{}` is given twice", name));
      d.label = "given again here";
      d.hint = "remove one of them";
      if (fe) infer(fe);
      continue;
    }
    TypeP ft;
    for (auto& [l, lt] : want)
      if (l == name) ft = lt;
    if (ft && fe) checkExpr(fe, ft, fmt::format("the field `{}`", name));
    else ft = infer(fe);
    fs.push_back({name, ft});
  }
  TypeP row = trowEmpty();
  for (auto it = fs.rbegin(); it != fs.rend(); ++it) row = trowExt(it->first, it->second, row);
  return trecord(row);
}

// Whether an error reported since diagnostic `from` is a String given to a list function
// (or a list where a String is expected): the "String is not [Char]" hint of mismatchHints.
bool Checker::stringIsNotListError(size_t from) const {
  for (size_t k = from; k < diags.all().size(); ++k)
    if (diags.all()[k].severity == Severity::Error && diags.all()[k].hint.rfind("`String` is not `[Char]`", 0) == 0)
      return true;
  return false;
}

TypeP Checker::infer(ast::ExprPtr& ep) {
  Expr& e = *ep;
  TypeP t;
  switch (e.kind) {
    case Expr::Var:
    case Expr::Con: {
      auto it = env.find(e.name);
      // An unknown name was reported by the renamer (E0100); the error type keeps it from
      // causing more errors in the declarations that use it.
      if (it == env.end()) {
        unknownNames.push_back(e.span);
        t = tcon(kError);
        break;
      }
      auto ev = std::make_shared<Evidence>();
      if (inProgress.count(e.name)) {
        t = it->second.type;
        ev->recursive = true;
      } else {
        std::vector<TypeP> metas = instantiateScheme(it->second, t);
        for (auto& p : it->second.preds) ev->dicts.push_back(want(p.cls, instantiate(p.type, metas), e.span));
      }
      e.evidence = ev;
      break;
    }
    case Expr::Lit:
      switch (e.lit.kind) {
        case ast::Literal::Int: t = tcon(kInt); break;
        case ast::Literal::Float: t = tcon(kFloat); break;
        case ast::Literal::Char: t = tcon(kChar); break;
        case ast::Literal::String: t = tcon(kString); break;
        case ast::Literal::Bytes: t = tcon(kBytes); break;
      }
      break;
    case Expr::App: {
      if (e.name == "$comprehension" && e.args.size() == 3) {
        // concatMap (\x -> ...) list from a comprehension: the list first, so that a guard
        // on x is checked knowing x's type (KNOWN_BUGS.md 50).
        TypeP ft = infer(e.args[0]), f1, r1, f2, r2;
        if (isFun(ft, &f1, &r1) && isFun(r1, &f2, &r2)) {
          checkExpr(e.args[2], f2);
          checkExpr(e.args[1], f1);
          t = r2;
          break;
        }
        e.args[0]->type = nullptr;
      }
      if (e.args.size() == 3 && e.args[0]->kind == Expr::Var && e.args[0]->name == "Prelude.-" &&
          e.args[2]->kind == Expr::Lit && (e.args[1]->kind == Expr::Var || e.args[1]->kind == Expr::Con)) {
        // `abs -5` is `abs - 5`: a function minus a number.
        auto known = env.find(e.args[1]->name);
        if (known != env.end() && isFun(prune(known->second.type)) &&
            !instanceIndex.count({"Prelude.Num", kArrow})) {  // unless functions are numbers here
          TypeP lt = infer(e.args[1]);
          if (isFun(prune(lt))) {
            auto& d = diags.error("E0210", e.args[0]->span, fmt::format("no instance for `Num ({})`", Printer().show(lt)));
            d.label = fmt::format("this subtracts a number from the function {}", describe(*e.args[1]));
            std::string f = names::displayName(e.args[1]->name);
            const std::string& text = diags.sources().get(e.args[2]->span.file).text();
            std::string lit = text.substr(e.args[2]->span.begin, e.args[2]->span.end - e.args[2]->span.begin);
            d.hint = fmt::format("`{} -{}` means `{} - {}`; to pass a negative number write `{} (-{})`", f, lit, f, lit, f, lit);
            infer(e.args[2]);
            t = fresh();
            break;
          }
        }
      }
      if (e.args[0]->kind == Expr::Con && recordConPositional(e)) {
        t = fresh();
        break;
      }
      TypeP ft = infer(e.args[0]);
      for (size_t i = 1; i < e.args.size(); ++i) {
        TypeP from, to;
        if (!isFun(ft, &from, &to)) {
          TypeP pf = prune(ft);
          if (isErrorType(pf)) {
            // An unknown function (reported already): check the arguments on their own;
            // the result is unknown too.
            for (size_t j = i; j < e.args.size(); ++j) infer(e.args[j]);
            break;
          }
          if (pf->kind == Type::Meta) {
            from = fresh();
            to = fresh();
            UnifyError err;
            unify(pf, tfun(from, to), err);
          } else {
            Printer pr;
            if (i == 1) {
              auto& d = diags.error("E0204", e.args[0]->span, fmt::format("{} is not a function", describe(*e.args[0])));
              d.label = fmt::format("it has type `{}`, so it cannot be applied to an argument", pr.show(ft));
            } else {
              bool named = e.args[0]->kind == Expr::Var || e.args[0]->kind == Expr::Con;
              auto& d = diags.error("E0205", e.args[i]->span,
                                    named ? fmt::format("too many arguments to {}", describe(*e.args[0]))
                                          : std::string("this expression is given too many arguments"));
              d.label = "this argument is one too many";
              d.notes.push_back(fmt::format("after {} argument(s) the result has type `{}`, which is not a function", i - 1,
                                            pr.show(ft)));
            }
            for (size_t j = i; j < e.args.size(); ++j) infer(e.args[j]);
            // The function's own constraints (`Show` of `print`'s argument) come from an
            // application that already failed: do not report them too.
            if (e.args[0]->evidence)
              for (auto& dct : e.args[0]->evidence->dicts)
                if (dct && !dct->filled) {
                  dct->filled = std::make_shared<Dict>();
                  dct->filled->kind = Dict::Inst;
                  dct->filled->instance = -1;
                }
            ft = fresh();
            break;
          }
        }
        argOf = &e;
        size_t before = diags.all().size();
        checkExpr(e.args[i], from);
        argOf = nullptr;
        ft = to;
        if (stringIsNotListError(before)) {
          // `intercalate ", " names`: a list function given a String. One error (with the
          // Data.String hint) says it all; the other arguments and the result would repeat it.
          for (size_t j = i + 1; j < e.args.size(); ++j) infer(e.args[j]);
          ft = tcon(kError);
          break;
        }
      }
      t = ft;
      break;
    }
    case Expr::Lam: {
      // Parameter types from the expected function type when it is known (`lamExpected`),
      // so that the body is checked knowing them.
      TypeP ex = lamExpected;
      lamExpected = nullptr;
      std::vector<TypeP> params;
      for (auto& p : e.pats) {
        TypeP from, to, pt;
        if (ex && isFun(prune(ex), &from, &to) && p->kind == ast::Pat::Var) { pt = from; ex = to; }
        else { pt = fresh(); ex = nullptr; }
        inferPat(p, pt);
        params.push_back(pt);
      }
      t = tfuns(params, infer(e.args[0]));
      checkMatch({e.pats}, {nullptr}, {e.span}, e.span, "this lambda");
      break;
    }
    case Expr::Let:
      inferGroup(e.decls, false);
      t = infer(e.args[0]);
      break;
    case Expr::If:
      checkExpr(e.args[0], tcon(kBool), "the condition of `if`");
      t = infer(e.args[1]);
      checkExpr(e.args[2], t, "the `else` branch (it must have the same type as the `then` branch)");
      break;
    case Expr::Case: {
      TypeP s = infer(e.args[0]);
      t = fresh();
      for (auto& alt : e.alts) {
        inferPat(alt.pat, s);
        inferRhs(alt.rhs, t);
      }
      {
        std::vector<std::vector<ast::PatPtr>> rows;
        std::vector<const ast::Rhs*> rhss;
        std::vector<Span> spans;
        for (auto& alt : e.alts) {
          rows.push_back({alt.pat});
          rhss.push_back(&alt.rhs);
          spans.push_back(alt.span);
        }
        if (e.name != "$generated") {
          if (rows.empty()) {
            auto& d = diags.error("E0270", e.span, "this `case` has no alternatives");
            d.label = "it matches no value";
            d.hint = "add alternatives `pattern -> result` under the `case`, indented";
          }
          checkMatch(rows, rhss, spans, e.span, "this `case`");
        }
      }
      break;
    }
    case Expr::Do:
      t = inferDo(e);
      break;
    case Expr::Tuple: {
      std::vector<TypeP> elems;
      for (auto& a : e.args) elems.push_back(infer(a));
      if (elems.size() > 8) diags.error("E0233", e.span, "tuples have at most 8 components").hint = "use a record instead";
      t = ttuple(elems);
      break;
    }
    case Expr::Unit:
      t = tcon(kUnit);
      break;
    case Expr::List: {
      TypeP elem = fresh();
      for (auto& a : e.args) checkExpr(a, elem, "a list element (all elements of a list have one type)");
      t = tlist(elem);
      break;
    }
    case Expr::TypeAnn: {
      std::map<std::string, TypeP> vars;
      TypeP at = e.qualType ? convValueType(e.qualType->type, vars, true) : fresh();
      checkExpr(e.args[0], at, "a type annotation");
      t = at;
      break;
    }
    case Expr::Interp:
      for (auto& a : e.args) checkExpr(a, tcon(kString), "string interpolation (`${...}` needs a `String`; use `show`)");
      t = tcon(kString);
      break;
    case Expr::Range: {
      // [a .. b], [a, b .. c] go through Enum. [a ..] and [a, b ..] stop at maxBound
      // (minBound going down), as in Haskell, so they are finite only for an enumeration
      // (`deriving (Enum, Bounded)`, Bool, Ordering): on a number, where Haskell's list is
      // infinite, they are rejected (E0253) in a strict language.
      if (!e.rangeHasTo) {
        bool literal = false;
        for (auto& a : e.args)
          literal = literal || (a->kind == Expr::Lit && (a->lit.kind == ast::Literal::Int || a->lit.kind == ast::Literal::Float));
        auto infinite = [&] {
          auto& d = diags.error("E0253", e.span, "an infinite range `[a ..]` cannot be built in a strict language");
          d.label = "on a number this list would never end";
          d.hint = "give an upper bound: `[a .. b]` (`[a ..]` works on an enumeration with `deriving (Enum, Bounded)`)";
        };
        if (literal) {
          infinite();
          t = fresh();
          break;
        }
        std::string fn = e.rangeHasThen ? "Prelude.enumFromThen" : "Prelude.enumFrom";
        ep = mkApp(mkVar(fn, e.span), e.args, e.span);
        TypeP lt = infer(ep);
        std::vector<TypeP> elem;
        if (TypeP h = typeHead(lt, &elem); h->kind == Type::Con && h->name == kList && elem.size() == 1) {
          TypeP et = prune(elem[0]);
          if (et->kind == Type::Con && (et->name == kInt || et->name == kFloat)) infinite();
        }
        return lt;
      }
      std::string fn = e.rangeHasThen ? "Prelude.enumFromThenTo" : "Prelude.enumFromTo";
      auto call = mkApp(mkVar(fn, e.span), e.args, e.span);
      ep = call;
      return infer(ep);
    }
    case Expr::Comprehension: {
      ep = desugarComprehension(e, 0);
      // The lowering recognises the desugared comprehension by this mark on its root and
      // compiles it to loops instead (core/lower/comprehension.cpp); generators are marked too.
      ep->name = "$comprehension";
      return infer(ep);
    }
    case Expr::Record:
      t = inferRecordLit(e, nullptr);
      break;
    case Expr::Access:
      t = inferRecordAccess(e);
      break;
    case Expr::Update: {
      TypeP rt = infer(e.args[0]);
      if (isFun(prune(rt))) {
        // `f { x = 1 }` is an update of `f`: record update binds tighter than application.
        auto& d = diags.error("E0201", e.args[0]->span, "mismatched types in a record update");
        Printer pr;
        d.label = fmt::format("this updates {}, which is a function of type `{}`, not a record", describe(*e.args[0]),
                              pr.show(rt));
        std::string fn = e.args[0]->kind == Expr::Var ? names::displayName(e.args[0]->name) : "f";
        std::string first = e.fields.empty() ? "x" : e.fields[0].first;
        d.hint = fmt::format("record update binds tighter than function application: to pass a record literal, put it "
                             "in parentheses: `{} ({{ {} = ... }})`", fn, first);
        for (auto& [f, fe] : e.fields) infer(fe);
        t = fresh();
        break;
      }
      {
        std::vector<std::pair<std::string, TypeP>> have;
        std::vector<std::pair<std::string, Span>> named;
        for (auto& [f, fe] : e.fields) named.push_back({f, fe ? fieldNameSpan(fe->span, f) : e.span});
        {
          bool bad = unknownFields(rt, named, have);
          if (bad) {
            for (auto& [f, fe] : e.fields) infer(fe);
            t = rt;
            break;
          }
        }
      }
      TypeP row = fresh(true);
      std::vector<std::pair<std::string, TypeP>> fs;
      for (auto& [f, fe] : e.fields) fs.push_back({f, infer(fe)});
      for (auto it = fs.rbegin(); it != fs.rend(); ++it) row = trowExt(it->first, it->second, row);
      expect(rt, trecord(row), e.span, "a record update");
      t = rt;
      break;
    }
    case Expr::Hole: {
      t = fresh();
      auto& d = diags.error("E0250", e.span, fmt::format("typed hole `?{}`", e.name));
      d.label = "fill this in";
      // The type is known only once the surrounding code is checked: the note is
      // completed at the end of checking (see check.cpp).
      holes.push_back({diags.all().size() - 1, t});
      e.type = t;
      return t;
    }
    case Expr::Binary:
      t = inferBinaryExpr(*this, e);  // binary.cpp
      break;
    default:
      diags.error("E0299", e.span, "this kind of expression is not supported yet");
      t = fresh();
      break;
  }
  e.type = t;
  return t;
}

TypeP Checker::inferRecordAccess(Expr& e) {
  TypeP rt = prune(infer(e.args[0]));
  const std::string& field = e.name;
  if (rt->kind == Type::Record) {
    // Known record: look the label up directly for a precise message.
    TypeP row = prune(rt->a);
    std::vector<std::string> labels;
    while (row->kind == Type::RowExt) {
      if (row->name == field) return row->a;
      labels.push_back(row->name);
      row = prune(row->b);
    }
    if (row->kind == Type::RowEmpty) {
      auto& d = diags.error("E0221", e.span, fmt::format("record has no field `{}`", field));
      Printer pr;
      d.label = fmt::format("the record has type `{}`", pr.show(rt));
      std::string best = closestLabel(labels, field);
      if (!best.empty()) d.hint = fmt::format("did you mean `{}`?", best);
      return fresh();
    }
  } else if (rt->kind != Type::Meta) {
    Printer pr;
    auto& d = diags.error("E0222", e.span, fmt::format("`.{}` is used on a value that is not a record", field));
    d.label = fmt::format("this has type `{}`", pr.show(rt));
    d.hint = "field access `x.field` works on records; for a data constructor with a record, match it first";
    // A data type whose constructor holds a record with this field: show the match.
    TypeP head = rt;
    while (head->kind == Type::App) head = prune(head->a);
    auto di = head->kind == Type::Con ? out.datas.find(head->name) : out.datas.end();
    if (di != out.datas.end())
      for (auto& c : di->second.cons) {
        auto labels = recordConLabels(c);
        if (std::find(labels.begin(), labels.end(), field) == labels.end()) continue;
        std::string con = names::displayName(c);
        d.notes.push_back(fmt::format("`{}` holds a record with the field `{}`; the `{}` value itself is not a record", con,
                                      field, names::displayName(di->second.name)));
        d.hint = fmt::format("match the constructor first: `case x of {} r -> r.{}`, or in a clause `f ({} {{ {} }}) = {}`",
                             con, field, con, field, field);
        break;
      }
    return fresh();
  }
  TypeP ft = fresh(), rest = fresh(true);
  expect(rt, trecord(trowExt(field, ft, rest)), e.span, "a field access");
  return ft;
}

TypeP Checker::inferDo(Expr& e) {
  TypeP m = fresh();
  {
    // The monad from the expected type (`main :: IO ()`), when known, so that statements
    // are checked against `IO a` rather than an unknown `m a`.
    TypeP ex = doExpected ? prune(doExpected) : nullptr;
    doExpected = nullptr;
    if (ex && ex->kind == Type::App && !isFun(ex)) {
      UnifyError err;
      unify(m, ex->a, err);
    }
  }
  auto ev = std::make_shared<Evidence>();
  ev->dicts.push_back(want("Prelude.Monad", m, e.span));
  e.evidence = ev;
  TypeP result;
  for (size_t i = 0; i < e.stmts.size(); ++i) {
    auto& s = e.stmts[i];
    bool last = i + 1 == e.stmts.size();
    switch (s.kind) {
      case ast::Stmt::Bind: {
        if (last) {
          auto& d = diags.error("E0252", s.span, "the last statement of a `do` block must be an expression");
          d.hint = "add a final action, e.g. `pure ()` or `pure x`";
        }
        TypeP a = fresh();
        size_t before = diags.all().size();
        checkExpr(s.expr, tapp(m, a), "a `do` statement (every statement runs in the same monad)");
        if (diags.all().size() > before && diags.all()[before].code == "E0201" && s.pat && s.expr) {
          TypeP found = s.expr->type ? prune(s.expr->type) : nullptr;
          if (found && found->kind != Type::App && found->kind != Type::Meta) {
            // `n <- length xs`: a plain value, not an action.
            const std::string& text = diags.sources().get(s.pat->span.file).text();
            auto src = [&](Span sp) { return text.substr(sp.begin, sp.end - sp.begin); };
            diags.at(before).hint = fmt::format("`<-` runs an action and names its result; to name a plain value, write "
                                                "`let {} = {}`", src(s.pat->span), src(s.expr->span));
          }
        }
        inferPat(s.pat, a);
        checkIrrefutable(s.pat, "a `<-` binding in `do`");
        break;
      }
      case ast::Stmt::Let:
        if (last) {
          auto& d = diags.error("E0252", s.span, "the last statement of a `do` block must be an expression");
          d.hint = "add a final action, e.g. `pure ()`";
        }
        inferGroup(s.decls, false);
        break;
      case ast::Stmt::Expr: {
        TypeP a = fresh();
        checkExpr(s.expr, tapp(m, a), "a `do` statement (every statement runs in the same monad)");
        if (last) result = tapp(m, a);
        break;
      }
    }
  }
  return result ? result : tapp(m, fresh());
}

// [e | quals] desugared (Haskell report 3.11) with concatMap: the form the checker infers (a
// generator's list before its guards, KNOWN_BUGS.md 50). The lowering does not call concatMap:
// it walks this spine (the `$comprehension` applications, the guards' `if`, the `let`s and the
// final `[e]`) and emits Wadler's translation, one local loop per generator
// (core/lower/comprehension.cpp).
ast::ExprPtr Checker::desugarComprehension(Expr& e, size_t from) {
  Span sp = e.span;
  if (from == e.stmts.size()) {
    auto l = std::make_shared<Expr>();
    l->kind = Expr::List;
    l->span = sp;
    l->args = {e.args[0]};
    return l;
  }
  ast::Stmt& q = e.stmts[from];
  auto rest = desugarComprehension(e, from + 1);
  auto nil = std::make_shared<Expr>();
  nil->kind = Expr::List;
  nil->span = sp;
  switch (q.kind) {
    case ast::Stmt::Expr: {
      auto c = std::make_shared<Expr>();
      c->kind = Expr::If;
      c->span = q.span;
      c->args = {q.expr, rest, nil};
      return c;
    }
    case ast::Stmt::Let: {
      auto c = std::make_shared<Expr>();
      c->kind = Expr::Let;
      c->span = q.span;
      c->decls = q.decls;
      c->args = {rest};
      return c;
    }
    case ast::Stmt::Bind: {
      // concatMap (\x -> case x of p -> rest; _ -> []) l
      std::string x = "x@c" + std::to_string(++nextId);
      auto xp = std::make_shared<ast::Pat>();
      xp->kind = ast::Pat::Var;
      xp->name = x;
      xp->span = q.span;
      auto cs = std::make_shared<Expr>();
      cs->kind = Expr::Case;
      cs->span = q.span;
      cs->name = "$generated";  // its catch-all may be redundant: no warning
      cs->args = {mkVar(x, q.span)};
      ast::Alt a1;
      a1.pat = q.pat;
      a1.rhs.plain = rest;
      a1.span = q.span;
      ast::Alt a2;
      a2.pat = std::make_shared<ast::Pat>();
      a2.pat->kind = ast::Pat::Wild;
      a2.pat->span = q.span;
      a2.rhs.plain = nil;
      a2.span = q.span;
      cs->alts = {a1, a2};
      auto lam = std::make_shared<Expr>();
      lam->kind = Expr::Lam;
      lam->span = q.span;
      lam->pats = {xp};
      lam->args = {cs};
      auto app = mkApp(mkVar("Prelude.concatMap", q.span), {lam, q.expr}, sp);
      app->name = "$comprehension";
      return app;
    }
  }
  return rest;
}

TypeP Checker::inferRhs(ast::Rhs& rhs, TypeP expected) {
  if (!rhs.where.empty()) inferGroup(rhs.where, false);
  if (rhs.plain) checkExpr(rhs.plain, expected);
  for (auto& g : rhs.guarded) {
    for (auto& guard : g.guards) {
      switch (guard.kind) {
        case ast::Guard::Bool:
          checkExpr(guard.expr, tcon(kBool), "a guard");
          break;
        case ast::Guard::Pattern: {
          TypeP t = infer(guard.expr);
          inferPat(guard.pat, t);
          break;
        }
        case ast::Guard::Let:
          inferGroup(guard.decls, false);
          break;
      }
    }
    checkExpr(g.body, expected);
  }
  return expected;
}

// The labels of a constructor that holds one record (`data Camera = Camera { camId :: Int,
// res :: (Int, Int) }`), in declaration order; empty for any other constructor.
std::vector<std::string> Checker::recordConLabels(const std::string& con) {
  std::vector<std::string> out_;
  auto ci = out.cons.find(con);
  if (ci == out.cons.end() || ci->second.arity != 1) return out_;
  TypeP t = ci->second.scheme.type, from, to;
  if (!isFun(t, &from, &to)) return out_;
  from = prune(from);
  if (from->kind != Type::Record) return out_;
  std::vector<std::pair<std::string, TypeP>> ls;
  bool closed = false;
  if (!recordLabels(from, ls, closed)) return out_;
  for (auto& [l, ft] : ls) out_.push_back(l);
  return out_;
}

// `Camera 7 (640, 480)` for a constructor that holds one record: Haskell's positional use
// of record syntax. One error naming the Weir way, `Camera { camId = 7, res = (640, 480) }`.
bool Checker::recordConPositional(Expr& e) {
  auto labels = recordConLabels(e.args[0]->name);
  if (labels.empty() || e.args.size() < 2) return false;
  auto positional = [](const Expr& a) {
    switch (a.kind) {
      case Expr::Lit: case Expr::Tuple: case Expr::List: case Expr::Neg: case Expr::Unit: return true;
      default: return false;
    }
  };
  if (e.args.size() == 2 && !positional(*e.args[1])) return false;  // `Camera r`: an ordinary type check
  std::string con = names::displayName(e.args[0]->name);
  auto& d = diags.error("E0201", e.args[1]->span,
                        fmt::format("`{}` holds one record, so its fields are not given by position", con));
  d.label = fmt::format("this is meant as the field `{}`", labels[0]);
  d.notes.push_back(fmt::format("`{} {{ ... }}` in a `data` declaration is a constructor with one field, a record "
                                "(as in PureScript), not Haskell's positional fields with selector functions", con));
  const std::string& text = diags.sources().get(e.span.file).text();
  std::string fields;
  for (size_t i = 0; i < labels.size(); ++i) {
    std::string v = i + 1 < e.args.size()
                        ? text.substr(e.args[i + 1]->span.begin, e.args[i + 1]->span.end - e.args[i + 1]->span.begin)
                        : "...";
    fields += (i ? ", " : "") + labels[i] + " = " + v;
  }
  d.hint = fmt::format("name the fields: `{} {{ {} }}`", con, fields);
  for (size_t i = 1; i < e.args.size(); ++i) infer(e.args[i]);
  return true;
}

}  // namespace weir::types
