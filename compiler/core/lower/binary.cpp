// Lowering of the binary syntax `<<...>>` (LANGUAGE.md section 6) to calls into the runtime
// (runtime/object/bytes.c, C ABI: owned weir_obj* arguments and result).
//
// Construction threads a builder:
//   weir_bin_finish(weir_bin_put_int(weir_bin_put_all(weir_bin_new(hint), "OK"), v, 16, flags, loc), loc)
// Values and sizes are evaluated left to right, segment by segment.
//
// Matching (one binary pattern at the head of a column) reads each segment at a bit offset,
// binds variables directly (so that later sizes can use them), compares literal segments
// without branching (weir_bin_expect_*: a mismatch flag), then asks weir_bin_end whether the
// segments consumed exactly the whole value and every literal matched: one branch per binary
// pattern. Other refutable sub-patterns (nested patterns) become new columns of the row. Reads
// past the end are harmless (they yield 0 or empty Bytes and weir_bin_end rejects the match).
// When the remaining rows can be reached from more than one place (a nested pattern or a guard
// of this row can still fail), they are lowered once, as a join point (a local closure).
#include <fmt/format.h>

#include "core/lower/lowerer.hpp"

namespace weir::lower {

using ast::BinSegment;

namespace {

enum { kSigned = 1, kLittle = 2 };

int flagsOf(const BinSegment& s) { return (s.isSigned ? kSigned : 0) | (s.little ? kLittle : 0); }

bool literalSize(const ast::ExprPtr& size, int64_t& n) {
  if (size && size->kind == ast::Expr::Lit && size->lit.kind == ast::Literal::Int) {
    n = size->lit.i;
    return true;
  }
  return false;
}

bool isWildCPat(const CPatP& p) { return p->kind == CPat::Wild; }

}  // namespace

ExprPtr lowerBinaryExpr(Lowerer& L, const ast::Expr& e) {
  int64_t hint = 0;
  for (auto& s : e.segments) {
    int64_t n = 0;
    if (s.value && s.value->kind == ast::Expr::Lit &&
        (s.value->lit.kind == ast::Literal::String || s.value->lit.kind == ast::Literal::Bytes))
      hint += static_cast<int64_t>(s.value->lit.s.size());
    else if (literalSize(s.size, n) && n > 0 && n < (1 << 20))
      hint += s.type == BinSegment::Bytes ? n : (n + 7) / 8;
    else
      hint += s.type == BinSegment::Float ? 8 : s.type == BinSegment::Integer ? 1 : 16;
  }
  ExprPtr b = core::mkCCall("weir_bin_new", {core::mkInt(hint)});
  for (auto& s : e.segments) {
    const ast::Expr& v = *s.value;
    if (v.kind == ast::Expr::Lit && (v.lit.kind == ast::Literal::String || v.lit.kind == ast::Literal::Bytes)) {
      b = core::mkCCall("weir_bin_put_all", {b, core::mkString(v.lit.s)});
      continue;
    }
    ExprPtr val = L.lowerExpr(s.value);
    ExprPtr here = core::mkString(L.loc(s.span));
    switch (s.type) {
      case BinSegment::Integer:
        b = core::mkCCall("weir_bin_put_int",
                          {b, val, s.size ? L.lowerExpr(s.size) : core::mkInt(8), core::mkInt(flagsOf(s)), here});
        break;
      case BinSegment::Float:
        b = core::mkCCall("weir_bin_put_float",
                          {b, val, s.size ? L.lowerExpr(s.size) : core::mkInt(64), core::mkInt(flagsOf(s)), here});
        break;
      case BinSegment::Bytes:
        b = s.size ? core::mkCCall("weir_bin_put_bytes", {b, val, L.lowerExpr(s.size), here})
                   : core::mkCCall("weir_bin_put_all", {b, val});
        break;
    }
  }
  return core::mkCCall("weir_bin_finish", {b, core::mkString(L.loc(e.span))});
}

ExprPtr lowerBinaryMatch(Lowerer& L, const std::vector<VarId>& occs, const std::vector<Row>& rows, size_t col,
                         const Fail& failK) {
  VarId scrut = occs[col];
  const Row& top = rows[0];
  const ast::Pat& bp = *top.pats[col]->bin;

  // What to do when this pattern does not match: the remaining rows. The success branch is
  // lowered first with a failure continuation that calls a join point; only if it used it
  // (a later column or a guard of this row can fail) is the join point bound, otherwise the
  // remaining rows are lowered once, inline, in the failure branch.
  std::vector<Row> rest(rows.begin() + 1, rows.end());
  VarId join = L.fresh();
  int joinUses = 0;
  Fail failRest = failK;
  if (!rest.empty())
    failRest = [join, &joinUses]() {
      ++joinUses;
      return core::mkApp(core::mkVar(join), {core::mkCon(0, "()", {})});
    };

  // A `b"..."` literal pattern is one literal segment.
  std::vector<BinSegment> segs;
  if (bp.kind == ast::Pat::Lit) {
    BinSegment s;
    s.span = bp.span;
    s.pat = std::make_shared<ast::Pat>(bp);
    segs.push_back(s);
  } else {
    segs = bp.segments;
  }

  auto saved = L.locals;
  for (auto& [n, v] : top.binds) L.locals[n] = v;
  std::vector<std::pair<VarId, ExprPtr>> lets;
  auto let = [&](ExprPtr e) {
    if (e->kind == core::Expr::Var) return e->var;
    VarId v = L.fresh();
    lets.push_back({v, e});
    return v;
  };
  // The bit offset: a constant while every size so far is one, else a variable.
  bool constOff = true;
  int64_t offC = 0;
  VarId offV = -1;
  auto offset = [&]() { return constOff ? core::mkInt(offC) : core::mkVar(offV); };
  auto advance = [&](bool sizeConst, int64_t n, VarId sizeVar, int64_t unit) {
    if (constOff && sizeConst && n >= 0 && n < (int64_t(1) << 40)) {
      offC += n * unit;
      return;
    }
    ExprPtr sz = sizeConst ? core::mkInt(n) : core::mkVar(sizeVar);
    offV = let(core::mkCCall("weir_bin_advance", {offset(), sz, core::mkInt(unit)}));
    constOff = false;
  };
  // Literal segments do not branch: they thread a mismatch flag (an Int, 0 = all equal so
  // far) that weir_bin_end checks with everything else, so a pattern fails in one place.
  ExprPtr mismatch = core::mkInt(0);

  std::map<std::string, VarId> segBinds;
  std::vector<VarId> extraOccs;
  std::vector<CPatP> extraPats;
  int restMode = 0;
  VarId restVar = -1;
  ExprPtr restGet;  // the rest is read only once the pattern is known to match
  for (size_t i = 0; i < segs.size(); ++i) {
    const BinSegment& s = segs[i];
    std::string here = L.loc(s.span);
    const ast::Pat* sp = s.pat.get();
    if (sp && sp->kind == ast::Pat::Lit &&
        (sp->lit.kind == ast::Literal::String || sp->lit.kind == ast::Literal::Bytes)) {
      int64_t n = static_cast<int64_t>(sp->lit.s.size());
      mismatch = core::mkCCall("weir_bin_expect_bytes",
                               {mismatch, core::mkVar(scrut), offset(), core::mkString(sp->lit.s)});
      advance(true, n, -1, 8);
      continue;
    }
    int64_t n = 0;
    bool sizeConst = true;
    VarId sizeVar = -1;
    if (s.size) {
      if (!literalSize(s.size, n)) {
        sizeConst = false;
        sizeVar = let(L.lowerExpr(s.size));
      }
    } else {
      n = s.type == BinSegment::Float ? 64 : 8;
    }
    ExprPtr sz = sizeConst ? core::mkInt(n) : core::mkVar(sizeVar);
    if (s.type == BinSegment::Integer && sp && sp->kind == ast::Pat::Lit && sp->lit.kind == ast::Literal::Int) {
      mismatch = core::mkCCall("weir_bin_expect_int", {mismatch, core::mkVar(scrut), offset(), sz,
                                                       core::mkInt(flagsOf(s)), core::mkInt(sp->lit.i),
                                                       core::mkString(here)});
      advance(sizeConst, n, sizeVar, 1);
      continue;
    }
    CPatP c = L.canon(s.pat);
    bool unused = isWildCPat(c) && c->binds.empty();
    VarId v = -1;
    switch (s.type) {
      case BinSegment::Integer:
        v = let(core::mkCCall("weir_bin_get_int",
                              {core::mkVar(scrut), offset(), sz, core::mkInt(flagsOf(s)), core::mkString(here)}));
        advance(sizeConst, n, sizeVar, 1);
        break;
      case BinSegment::Float:
        v = let(core::mkCCall("weir_bin_get_float",
                              {core::mkVar(scrut), offset(), sz, core::mkInt(flagsOf(s)), core::mkString(here)}));
        advance(sizeConst, n, sizeVar, 1);
        break;
      case BinSegment::Bytes:
      default:
        if (!s.size) {  // the rest (the type checker made sure it is the last segment)
          restMode = 1;
          if (!unused) {
            v = restVar = L.fresh();
            restGet = core::mkCCall("weir_bin_get_rest", {core::mkVar(scrut), offset()});
          }
        } else {
          v = let(core::mkCCall("weir_bin_get_bytes", {core::mkVar(scrut), offset(), sz, core::mkString(here)}));
          advance(sizeConst, n, sizeVar, 8);
        }
        break;
    }
    if (v < 0) continue;
    if (isWildCPat(c)) {
      for (auto& b : c->binds) {
        segBinds[b] = v;
        L.locals[b] = v;  // later sizes may use it
      }
    } else {
      extraOccs.push_back(v);
      extraPats.push_back(c);
    }
  }
  L.locals = saved;
  VarId ok = let(core::mkCCall("weir_bin_end", {core::mkVar(scrut), offset(), core::mkInt(restMode), mismatch}));

  // On success: the top row with this column replaced by the refutable sub-patterns.
  Row nr = top;
  nr.pats.erase(nr.pats.begin() + col);
  nr.pats.insert(nr.pats.begin() + col, extraPats.begin(), extraPats.end());
  for (auto& [n, v] : segBinds) nr.binds[n] = v;
  std::vector<VarId> nocc = occs;
  nocc.erase(nocc.begin() + col);
  nocc.insert(nocc.begin() + col, extraOccs.begin(), extraOccs.end());
  ExprPtr matched = L.match(nocc, {nr}, failRest);
  if (restGet) matched = core::mkLet(restVar, restGet, matched);

  ExprPtr failed;
  bool bindJoin = false;
  if (rest.empty()) {
    failed = failK();
  } else if (joinUses == 0) {
    failed = L.match(occs, rest, failK);  // the only way to the remaining rows: inline
  } else {
    failed = failRest();
    bindJoin = true;
  }
  auto c = std::make_shared<core::Expr>();
  c->kind = core::Expr::Case;
  c->scrut = ok;
  int t = L.trueTag();
  c->alts.push_back(core::Alt{t, {}, matched, "Prelude.True"});
  c->alts.push_back(core::Alt{1 - t, {}, failed, "Prelude.False"});
  ExprPtr body = c;
  for (size_t i = lets.size(); i-- > 0;) body = core::mkLet(lets[i].first, lets[i].second, body);
  if (bindJoin) body = core::mkLet(join, core::mkLam({L.fresh()}, L.match(occs, rest, failK)), body);
  return body;
}

}  // namespace weir::lower
