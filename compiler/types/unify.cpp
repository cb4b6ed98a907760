// Unification with levels (for generalisation) and row rewriting (for records).
#include <fmt/format.h>

#include "names/names.hpp"
#include "types/checker.hpp"

namespace weir::types {

TypeP Checker::fresh(bool row) {
  auto t = std::make_shared<Type>();
  t->kind = Type::Meta;
  t->id = ++nextId;
  t->level = level;
  t->row = row;
  return t;
}

TypeP Checker::skolem(const std::string& name, bool row) {
  auto t = std::make_shared<Type>();
  t->kind = Type::Skolem;
  t->id = ++nextId;
  t->name = name;
  t->row = row;
  t->level = level;
  return t;
}

namespace {

// Lowers the level of every meta in t to at most `lvl` (they may now escape to that level).
void adjustLevels(TypeP t, int lvl) {
  t = prune(t);
  if (t->kind == Type::Meta) {
    if (t->level > lvl) t->level = lvl;
    return;
  }
  if (t->a) adjustLevels(t->a, lvl);
  if (t->b) adjustLevels(t->b, lvl);
}

bool bindMeta(TypeP meta, TypeP t, UnifyError& err) {
  if (occurs(meta.get(), t)) {
    err.kind = UnifyError::Occurs;
    err.left = meta;
    err.right = t;
    return false;
  }
  adjustLevels(t, meta->level);
  meta->ref = t;
  return true;
}

}  // namespace

bool Checker::unify(TypeP a, TypeP b, UnifyError& err) {
  a = prune(a);
  b = prune(b);
  if (a == b) return true;
  if (isErrorType(a) || isErrorType(b)) return true;  // already reported
  if (a->kind == Type::Meta) return bindMeta(a, b, err);
  if (b->kind == Type::Meta) return bindMeta(b, a, err);
  auto mismatch = [&] {
    err.kind = UnifyError::Mismatch;
    err.left = a;
    err.right = b;
    return false;
  };
  if (a->kind != b->kind) {
    // A closed empty row against an extension: the extension's field is extra.
    if (a->kind == Type::RowEmpty && b->kind == Type::RowExt) {
      err.kind = UnifyError::ExtraField; err.field = b->name; return false;
    }
    if (b->kind == Type::RowEmpty && a->kind == Type::RowExt) {
      err.kind = UnifyError::MissingField; err.field = a->name; return false;
    }
    return mismatch();
  }
  switch (a->kind) {
    case Type::Con:
      return a->name == b->name ? true : mismatch();
    case Type::Skolem:
    case Type::Gen:
      return a->id == b->id ? true : mismatch();
    case Type::App:
      if (!unify(a->a, b->a, err)) {
        // The pair for the note is the smallest pair of whole types that differ: never a
        // partial application (`Map String`, the arrow's `(->) a`), which a user cannot write.
        // Two functions keep the pair of their argument types.
        auto partialArrow = [](TypeP t) {
          t = prune(t);
          return t->kind == Type::App && prune(t->a)->kind == Type::Con && prune(t->a)->name == kArrow;
        };
        if (err.kind == UnifyError::Mismatch && !partialArrow(a) && !partialArrow(b) && !(isFun(a) && isFun(b))) {
          err.left = a;
          err.right = b;
        }
        return false;
      }
      return unify(a->b, b->b, err);
    case Type::Record:
      if (!unify(a->a, b->a, err)) {
        // The innermost records whose fields differ (a: found, b: expected), for the message.
        if ((err.kind == UnifyError::MissingField || err.kind == UnifyError::ExtraField) && !err.record) {
          err.record = a;
          err.left = a;
          err.right = b;
        }
        return false;
      }
      return true;
    case Type::RowEmpty:
      return true;
    case Type::RowExt: {
      // Find a's label in b, rewriting b to start with it.
      TypeP row = b;
      std::vector<std::pair<std::string, TypeP>> skipped;
      while (true) {
        row = prune(row);
        if (row->kind == Type::RowExt) {
          if (row->name == a->name) break;
          skipped.push_back({row->name, row->a});
          row = row->b;
          continue;
        }
        if (row->kind == Type::Meta) {
          // Extend the open row with the missing label.
          TypeP field = fresh(), rest = fresh(true);
          field->level = rest->level = row->level;
          if (!bindMeta(row, trowExt(a->name, field, rest), err)) return false;
          row = prune(row);
          break;
        }
        err.kind = UnifyError::MissingField;
        err.field = a->name;
        return false;
      }
      // row is RowExt(a->name, t, rest): unify field types, then a's tail with b minus that label.
      if (!unify(a->a, row->a, err)) return false;
      TypeP bRest = row->b;
      for (auto it = skipped.rbegin(); it != skipped.rend(); ++it) bRest = trowExt(it->first, it->second, bRest);
      TypeP aTail = prune(a->b);
      // Guard against an infinite row: a's tail var occurring in b's remainder.
      return unify(aTail, bRest, err);
    }
    default:
      return mismatch();
  }
}

void Checker::reportUnify(const UnifyError& err, TypeP found, TypeP expected, Span span, const std::string& what) {
  Printer pr;
  std::string f = pr.show(found), x = pr.show(expected);
  if (err.kind == UnifyError::Occurs) {
    auto& d = diags.error("E0203", span, "infinite type");
    d.label = fmt::format("this would need `{}` to contain itself", pr.show(err.left));
    d.notes.push_back(fmt::format("`{}` would have to equal `{}`", pr.show(err.left), pr.show(err.right)));
    d.hint = "a function may be applied to itself, or a list put inside itself; check the arguments";
    return;
  }
  if (err.kind == UnifyError::MissingField || err.kind == UnifyError::ExtraField) {
    // Compare the two records' fields: extra ones (in the found record, not allowed by a closed
    // expected one) and missing ones (in the expected record, absent from a closed found one).
    std::vector<std::pair<std::string, TypeP>> fl, xl;
    bool fClosed = false, xClosed = false;
    std::vector<std::string> extra, missing;
    if (err.left && err.right && recordLabels(err.left, fl, fClosed) && recordLabels(err.right, xl, xClosed)) {
      auto has = [](const std::vector<std::pair<std::string, TypeP>>& ls, const std::string& n) {
        for (auto& [l, t] : ls) if (l == n) return true;
        return false;
      };
      if (xClosed) for (auto& [l, t] : fl) if (!has(xl, l)) extra.push_back(l);
      if (fClosed) for (auto& [l, t] : xl) if (!has(fl, l)) missing.push_back(l);
    }
    auto list = [](const std::vector<std::string>& v) {
      std::string s;
      for (size_t i = 0; i < v.size(); ++i) s += (i ? ", `" : "`") + v[i] + "`";
      return s;
    };
    std::string msg;
    if (!missing.empty()) msg = (missing.size() == 1 ? "missing field " : "missing fields ") + list(missing);
    if (!extra.empty()) msg += (msg.empty() ? "" : ", ") + std::string(extra.size() == 1 ? "extra field " : "extra fields ") + list(extra);
    if (msg.empty()) msg = fmt::format("field `{}` is missing in one of them", err.field);
    auto& d = diags.error("E0220", span, "record types do not match: " + msg);
    d.label = fmt::format("expected `{}`, found `{}`", x, f);
    // A misspelt field: an extra one close to a missing one.
    for (auto& e : extra) {
      std::string best = closestLabel(missing, e);
      if (!best.empty()) { d.hint = fmt::format("did you mean `{}`? (instead of `{}`)", best, e); break; }
    }
    return;
  }
  auto& d = diags.error("E0201", span, what.empty() ? "mismatched types" : fmt::format("mismatched types in {}", what));
  d.label = fmt::format("expected `{}`, found `{}`", x, f);
  if (err.left && err.right && (pr.show(err.left) != f || pr.show(err.right) != x)) {
    // Say it in words when one side is a function and the other is not.
    TypeP l = prune(err.left), r = prune(err.right);
    if (isFun(l) != isFun(r) && l->kind != Type::Meta && r->kind != Type::Meta)
      d.notes.push_back(fmt::format("`{}` is a function and `{}` is not", pr.show(isFun(l) ? l : r),
                                    pr.show(isFun(l) ? r : l)));
    else
      d.notes.push_back(fmt::format("`{}` and `{}` differ", pr.show(err.left), pr.show(err.right)));
  }
  if (pr.renamedSkolems()) {
    // Same-named type variables of different signatures were printed apart: say which is which.
    for (auto& [id, name] : pr.skolemNames()) {
      auto o = skolemOrigin.find(id);
      if (o != skolemOrigin.end())
        d.notes.push_back(fmt::format("`{}` is a type variable of {}", name, o->second));
    }
    d.notes.push_back("a type variable in a signature is new to that signature, even if an outer one has the same name");
  }
  // Hints for common confusions.
  auto isCon = [](TypeP t, const char* n) { t = prune(t); return t->kind == Type::Con && t->name == n; };
  if (isCon(found, kInt) && isCon(expected, kFloat)) d.hint = "convert with `toFloat`; number literals like `1` are always `Int`, write `1.0` for a `Float`";
  else if (isCon(found, kFloat) && isCon(expected, kInt)) d.hint = "convert with `round`, `truncate`, `floor` or `ceiling`";
  else if (isCon(found, kString) && isCon(expected, kChar)) d.hint = "a `String` is written in double quotes and a `Char` in single quotes";
  else if (isCon(found, kChar) && isCon(expected, kString)) d.hint = "a `Char` is written in single quotes and a `String` in double quotes";
  else if ((isCon(found, kInt) || isCon(found, kFloat)) && isCon(expected, "Time.Duration"))
    d.hint = "a `Duration` says its unit: `millis 500`, `seconds 10`, `minutes 1` (module Time)";
  else if (err.left && err.right && prune(err.right)->kind == Type::App && isCon(prune(err.right)->a, "Actor.Next") &&
           prune(err.left)->kind != Type::Meta)
    d.hint = "an actor's handler gives the next step: `pure (Continue newState)` to go on, or `pure Stop`";
  else if (isCon(expected, kString) && !isCon(found, kString) && prune(found)->kind != Type::Meta)
    d.hint = "use `show` to turn a value into a `String`";
  else {
    // `return x` where a plain value is expected: an action in a monad nothing fixes.
    TypeP pf = prune(found), px = prune(expected);
    if (pf->kind == Type::App && !isFun(pf) && prune(pf->a)->kind == Type::Meta && px->kind != Type::App &&
        px->kind != Type::Meta)
      d.hint = "this is an action (`return` and `pure` make one); a function that is not in a `do` block gives back "
               "its value directly: leave out `return`";
  }
}

void Checker::mismatchHints(Diagnostic& d, const ast::Expr& e, const ast::Expr* app, TypeP found, TypeP expected) {
  auto headName = [](const ast::Expr& x) -> std::string {
    if (x.kind == ast::Expr::Var || x.kind == ast::Expr::Con) return x.name;
    if (x.kind == ast::Expr::App && !x.args.empty() &&
        (x.args[0]->kind == ast::Expr::Var || x.args[0]->kind == ast::Expr::Con))
      return x.args[0]->name;
    return "";
  };
  TypeP pf = prune(found), px = prune(expected);
  // A function where a value is expected: the function applied to too few arguments.
  std::string fn = headName(e);
  if (!fn.empty() && isFun(pf) && !isFun(px) && px->kind != Type::Meta && px->kind != Type::Skolem) {
    std::vector<std::string> missing;
    Printer pr;
    TypeP t = pf, from, to;
    while (isFun(t, &from, &to)) { missing.push_back("`" + pr.show(from) + "`"); t = prune(to); }
    std::string shown = names::displayName(fn);
    d.message = fmt::format("too few arguments to `{}`", shown);
    std::string list;
    for (size_t i = 0; i < missing.size(); ++i) list += (i ? ", " : "") + missing[i];
    d.notes.push_back(fmt::format("`{}` still needs {} more argument{} (of type {}) to give a value", shown, missing.size(),
                                  missing.size() == 1 ? "" : "s", list));
    d.hint = "add the missing argument, or check the parentheses";
    return;
  }
  // `String` where a list is expected, or a list where a `String` is: String is not [Char].
  auto isStr = [](TypeP t) { t = prune(t); return t->kind == Type::Con && t->name == kString; };
  auto listElem = [](TypeP t) -> TypeP {  // the element type of `[a]` (or of `t a` with t unknown)
    std::vector<TypeP> args;
    TypeP h = typeHead(prune(t), &args);
    if (args.size() == 1 && ((h->kind == Type::Con && h->name == kList) || h->kind == Type::Meta)) return args[0];
    return nullptr;
  };
  while (listElem(pf) && listElem(px) && prune(typeHead(pf))->kind == Type::Con &&
         prune(typeHead(px))->kind == Type::Con) {
    pf = prune(listElem(pf));
    px = prune(listElem(px));
  }
  bool strForList = isStr(pf) && listElem(px);   // a String given to a list function
  bool listForStr = listElem(pf) && isStr(px);   // a list given where a String is expected
  if (!strForList && !listForStr) return;
  std::string lib;  // the library function involved, by its source name
  for (const ast::Expr* x : {&e, app}) {
    if (!x) continue;
    std::string u = headName(*x);
    for (const char* m : {"Prelude.", "Data.List.", "Data.Foldable.", "Text.Read."})
      if (u.rfind(m, 0) == 0) { lib = names::displayName(u); break; }
    if (!lib.empty()) break;
  }
  const std::string notList = "`String` is not `[Char]` in Weir";
  const std::string imp = " (`import qualified Data.String as S`)";
  if (lib == "intercalate")
    d.hint = notList + ": to join strings with a separator use `S.intercalate`" + imp;
  else if (lib == "elem" || lib == "notElem")
    d.hint = notList + ": to look for a `Char` in a `String` use `S.elem`" + imp;
  else if (lib == "isPrefixOf" || lib == "isSuffixOf" || lib == "isInfixOf")
    d.hint = notList + fmt::format(": to test two strings use `S.{}`", lib) + imp;
  else if (lib == "replicate")
    d.hint = notList + ": to repeat a string use `S.replicate n s`, e.g. `S.replicate 3 \"ab\"`" + imp;
  else if (lib == "zip" || lib == "zipWith" || lib == "zip3")
    d.hint = notList + fmt::format(": `{}` takes lists; turn the `String` into a `[Char]` with `S.unpack`", lib) + imp;
  else if (lib == "read" || lib == "words" || lib == "lines" || lib == "unwords" || lib == "unlines")
    d.hint = notList + fmt::format(": `{}` takes a `String`{}; make a `String` from a `[Char]` with `S.pack`, or "
                                   "from one `Char` with `S.singleton`", lib, lib == "read" ? "" : " (it is `S." + lib + "`)") + imp;
  else if (strForList)
    d.hint = notList + ": use the `Data.String` function (`S.length`, `S.take`, ...), or `S.unpack` for a `[Char]`" + imp;
  else
    d.hint = notList + ": make a `String` from a `[Char]` with `S.pack`" + imp;
}

bool Checker::expect(TypeP found, TypeP expected, Span span, const std::string& what) {
  UnifyError err;
  if (unify(found, expected, err)) return true;
  reportUnify(err, found, expected, span, what);
  return false;
}

}  // namespace weir::types
