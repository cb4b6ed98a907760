// Pattern-match compilation to decision trees (in the style of Maranget's
// "Compiling pattern matching to good decision trees"): pick the first column
// whose top row has a refutable pattern, switch on its constructors (Case) or
// literals (LitCase), specialise the rows, recurse. Rows with guards fall through
// to the remaining rows via the `fail` continuation.
#include <fmt/format.h>

#include "core/lower/lowerer.hpp"

namespace weir::lower {

using ast::Pat;

ExprPtr lowerBinaryMatch(Lowerer& L, const std::vector<VarId>& occs, const std::vector<Row>& rows, size_t col,
                         const Fail& failK);  // binary.cpp

CPatP Lowerer::canon(const ast::PatPtr& p) {
  auto c = std::make_shared<CPat>();
  if (!p) return c;
  auto conPat = [&](const std::string& con, std::vector<CPatP> args) {
    auto it = checked.cons.find(con);
    if (it == checked.cons.end()) { fail("unknown constructor " + con); return c; }
    c->kind = CPat::Con;
    c->con = con;
    c->type = it->second.type;
    c->tag = it->second.tag;
    c->args = std::move(args);
    return c;
  };
  switch (p->kind) {
    case Pat::Wild:
      return c;
    case Pat::Var:
      c->binds.push_back(p->name);
      return c;
    case Pat::As: {
      CPatP inner = p->args.empty() ? c : canon(p->args[0]);
      inner->binds.push_back(p->name);
      return inner;
    }
    case Pat::Typed:
      return p->args.empty() ? c : canon(p->args[0]);
    case Pat::Lit:
      switch (p->lit.kind) {
        case ast::Literal::Int: c->kind = CPat::Int; c->i = p->lit.i; break;
        case ast::Literal::Char: c->kind = CPat::Char; c->i = p->lit.c; break;
        case ast::Literal::String: c->kind = CPat::String; c->s = p->lit.s; break;
        case ast::Literal::Bytes: c->kind = CPat::Binary; c->bin = p.get(); break;  // binary.cpp
        default: fail("unsupported literal pattern"); break;
      }
      return c;
    case Pat::Con: {
      std::vector<CPatP> args;
      for (auto& a : p->args) args.push_back(canon(a));
      return conPat(p->name, std::move(args));
    }
    case Pat::Cons:
      return conPat(":", {canon(p->args[0]), canon(p->args[1])});
    case Pat::Tuple: {
      if (p->args.empty()) return conPat("()", {});
      std::vector<CPatP> args;
      for (auto& a : p->args) args.push_back(canon(a));
      return conPat(types::tupleName(p->args.size()), std::move(args));
    }
    case Pat::List: {
      CPatP list = std::make_shared<CPat>();
      list->kind = CPat::Con; list->con = "[]"; list->type = "[]"; list->tag = 0;
      for (auto it = p->args.rbegin(); it != p->args.rend(); ++it) {
        auto cell = std::make_shared<CPat>();
        cell->kind = CPat::Con; cell->con = ":"; cell->type = "[]"; cell->tag = 1;
        cell->args = {canon(*it), list};
        list = cell;
      }
      return list;
    }
    case Pat::Binary:  // binary.cpp
      c->kind = CPat::Binary;
      c->bin = p.get();
      return c;
    case Pat::Record:
      c->kind = CPat::Record;
      c->recordType = p->inferred;
      for (auto& [l, fp] : p->fields) c->fields.push_back({l, canon(fp)});
      return c;
    default:
      fail("pattern kind not supported by the match compiler");
      return c;
  }
}

ExprPtr Lowerer::matchFailure(const std::string& what, Span span) {
  return core::mkError(fmt::format("non-exhaustive patterns in {}", what), loc(span));
}

ExprPtr Lowerer::bindRow(const Row& row, const Fail& failK) {
  auto saved = locals;
  for (auto& [name, v] : row.binds) locals[name] = v;
  ExprPtr body = row.body(failK);
  locals = saved;
  return body;
}

namespace {
bool isWild(const CPatP& p) { return p->kind == CPat::Wild; }

// Core nodes in e, counting at most up to `limit`.
size_t coreSize(core::Expr& e, size_t limit) {
  size_t n = 1;
  core::forEachChild(e, [&](ExprPtr& c) {
    if (n < limit) n += coreSize(*c, limit - n);
  });
  return n;
}

// Fall-through code at most this big is copied to each place that falls through; bigger code
// becomes one join point (a local function the backend lifts and calls directly).
constexpr size_t kInlineFallThrough = 40;
}  // namespace

// Code with several failure points that all fall through to `rest` (the rows below a row, the
// guarded alternatives below an alternative), lowered on demand. An alternative with k guards has
// up to 3k failure points (a pattern that does not match, a condition that is False); copying the
// rest to each of them made the code grow exponentially with the number of guarded alternatives
// and clauses. So the failures are lowered as placeholders first: with one, or a small rest, the
// rest is put in place (re-lowered for each further one: fresh variables); a big rest used more
// than once is lowered once, as a join point.
ExprPtr Lowerer::shareFailure(const std::function<ExprPtr(const Fail&)>& code, const Fail& rest) {
  auto holes = std::make_shared<std::vector<ExprPtr>>();
  Fail hole = [this, holes]() {
    auto h = core::mkApp(core::mkGlobal("$fall-through"), {});
    holes->push_back(h);
    holeOwner[h.get()] = holes;
    return h;
  };
  ExprPtr body = code(hole);
  for (auto& h : *holes) holeOwner.erase(h.get());
  if (holes->empty()) return body;
  // Puts e in place of hole h. When e is itself an enclosing failure's placeholder (the rest is
  // "fail further out"), h joins that one's list instead: it is filled when that one is.
  auto fill = [this](const ExprPtr& h, const ExprPtr& e) {
    auto outer = holeOwner.find(e.get());
    if (outer != holeOwner.end()) {
      auto list = outer->second.lock();
      if (list) { list->push_back(h); holeOwner[h.get()] = list; return; }
    }
    *h = *e;
  };
  ExprPtr first = rest();
  if (holes->size() == 1 || coreSize(*first, kInlineFallThrough + 1) <= kInlineFallThrough) {
    fill((*holes)[0], first);
    for (size_t i = 1; i < holes->size(); ++i) fill((*holes)[i], rest());
    return body;
  }
  VarId join = fresh(), unit = fresh();
  for (auto& h : *holes) *h = *core::mkApp(core::mkVar(join), {core::mkCon(0, "()", {})});
  return core::mkLetRec({core::Binding{join, core::mkLam({unit}, first)}}, body);
}

ExprPtr Lowerer::match(std::vector<VarId> occs, std::vector<Row> rows, const Fail& failK) {
  if (rows.empty()) return failK();
  // Record the variables bound at wildcard positions of every row up front.
  for (auto& r : rows)
    for (size_t c = 0; c < r.pats.size(); ++c)
      if (isWild(r.pats[c]))
        for (auto& b : r.pats[c]->binds) r.binds[b] = occs[c];
  Row& top = rows[0];
  size_t col = SIZE_MAX;
  for (size_t c = 0; c < top.pats.size(); ++c)
    if (!isWild(top.pats[c])) { col = c; break; }
  if (col == SIZE_MAX) {
    std::vector<Row> rest(rows.begin() + 1, rows.end());
    return shareFailure([&](const Fail& f) { return bindRow(top, f); },
                        [this, occs, rest, failK]() { return match(occs, rest, failK); });
  }
  VarId scrut = occs[col];
  // Bind as-names of refutable patterns in this column.
  for (auto& r : rows)
    if (!isWild(r.pats[col]))
      for (auto& b : r.pats[col]->binds) r.binds[b] = scrut;
  CPat::Kind kind = top.pats[col]->kind;
  if (kind == CPat::Binary) return lowerBinaryMatch(*this, occs, rows, col, failK);  // binary.cpp
  auto withoutCol = [&](const Row& r, std::vector<CPatP> insert) {
    Row nr = r;
    nr.pats.erase(nr.pats.begin() + col);
    nr.pats.insert(nr.pats.begin() + col, insert.begin(), insert.end());
    return nr;
  };

  if (kind == CPat::Record) {
    // Irrefutable at the record level: read the mentioned fields into new columns.
    std::vector<std::string> labels;
    types::TypeP recType = top.pats[col]->recordType;
    for (auto& r : rows)
      if (r.pats[col]->kind == CPat::Record)
        for (auto& [l, fp] : r.pats[col]->fields)
          if (std::find(labels.begin(), labels.end(), l) == labels.end()) labels.push_back(l);
    std::vector<VarId> vars;
    std::vector<ExprPtr> reads;
    for (auto& l : labels) {
      vars.push_back(fresh());
      reads.push_back(recordField(core::mkVar(scrut), recType, l));
    }
    std::vector<Row> spec;
    for (auto& r : rows) {
      std::vector<CPatP> sub;
      for (auto& l : labels) {
        CPatP fp = std::make_shared<CPat>();
        if (r.pats[col]->kind == CPat::Record)
          for (auto& [fl, p] : r.pats[col]->fields)
            if (fl == l) fp = p;
        sub.push_back(fp);
      }
      spec.push_back(withoutCol(r, sub));
    }
    std::vector<VarId> nocc = occs;
    nocc.erase(nocc.begin() + col);
    nocc.insert(nocc.begin() + col, vars.begin(), vars.end());
    ExprPtr body = match(nocc, spec, failK);
    for (size_t i = vars.size(); i-- > 0;) body = core::mkLet(vars[i], reads[i], body);
    return body;
  }


  if (kind == CPat::Con) {
    const std::string& type = top.pats[col]->type;
    auto data = checked.datas.find(type);
    size_t ncons = data == checked.datas.end() ? 0 : data->second.cons.size();
    // Constructors in order of first appearance.
    std::vector<const CPat*> seen;
    for (auto& r : rows) {
      const CPat* p = r.pats[col].get();
      if (p->kind != CPat::Con) continue;
      bool dup = false;
      for (auto* s : seen) if (s->tag == p->tag) dup = true;
      if (!dup) seen.push_back(p);
    }
    auto e = std::make_shared<core::Expr>();
    e->kind = core::Expr::Case;
    e->scrut = scrut;
    for (auto* k : seen) {
      size_t n = k->args.size();
      std::vector<VarId> fields;
      for (size_t i = 0; i < n; ++i) fields.push_back(fresh());
      std::vector<Row> spec;
      for (auto& r : rows) {
        const CPatP& p = r.pats[col];
        if (p->kind == CPat::Con) {
          if (p->tag == k->tag) spec.push_back(withoutCol(r, p->args));
        } else {
          std::vector<CPatP> wild;
          for (size_t i = 0; i < n; ++i) wild.push_back(std::make_shared<CPat>());
          spec.push_back(withoutCol(r, wild));
        }
      }
      std::vector<VarId> nocc = occs;
      nocc.erase(nocc.begin() + col);
      nocc.insert(nocc.begin() + col, fields.begin(), fields.end());
      core::Alt alt;
      alt.tag = k->tag;
      alt.fields = fields;
      alt.con = k->con;
      alt.body = match(nocc, spec, failK);
      e->alts.push_back(std::move(alt));
    }
    if (seen.size() < ncons) {
      std::vector<Row> def;
      for (auto& r : rows)
        if (r.pats[col]->kind != CPat::Con) def.push_back(r);  // keep the column: occs unchanged
      e->deflt = match(occs, def, failK);
    }
    return e;
  }

  // Literals: Int, Char, String.
  auto e = std::make_shared<core::Expr>();
  e->kind = core::Expr::LitCase;
  e->scrut = scrut;
  std::vector<const CPat*> seen;
  for (auto& r : rows) {
    const CPat* p = r.pats[col].get();
    if (isWild(r.pats[col])) continue;
    bool dup = false;
    for (auto* s : seen) if (s->i == p->i && s->s == p->s) dup = true;
    if (!dup) seen.push_back(p);
  }
  std::vector<VarId> nocc = occs;
  nocc.erase(nocc.begin() + col);
  for (auto* k : seen) {
    std::vector<Row> spec;
    for (auto& r : rows) {
      const CPatP& p = r.pats[col];
      if (isWild(p) || (p->i == k->i && p->s == k->s)) spec.push_back(withoutCol(r, {}));
    }
    core::LitAlt alt;
    alt.kind = k->kind == CPat::String ? core::LitAlt::String : k->kind == CPat::Char ? core::LitAlt::Char : core::LitAlt::Int;
    alt.i = k->i;
    alt.s = k->s;
    alt.body = match(nocc, spec, failK);
    e->litAlts.push_back(std::move(alt));
  }
  std::vector<Row> def;
  for (auto& r : rows)
    if (isWild(r.pats[col])) def.push_back(r);
  e->deflt = match(occs, def, failK);
  return e;
}

}  // namespace weir::lower
