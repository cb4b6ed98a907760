// Lowering of the binary syntax `<<...>>` (LANGUAGE.md section 6) to calls into the runtime
// (runtime/object/bytes.c, C ABI: owned weir_obj* arguments and result).
//
// Construction threads a builder:
//   weir_bin_finish(weir_bin_put_int(weir_bin_put_all(weir_bin_new(hint), "OK"), v, 16, flags, loc), loc)
// Values and sizes are evaluated left to right, segment by segment.
//
// Matching (one binary pattern at the head of a column) reads each segment at a bit offset,
// binds variables directly (so that later sizes can use them), then asks weir_bin_end whether
// the segments consumed exactly the whole value; sub-patterns that can fail (literals, nested
// patterns) become new columns of the row. Reads past the end are harmless (they yield 0 or
// empty Bytes and weir_bin_end rejects the match). When the pattern does not match, the
// remaining rows are tried through a join point (a local closure), so they are not duplicated
// at every failure point.
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

  // What to do when this pattern does not match: the remaining rows.
  std::vector<Row> rest(rows.begin() + 1, rows.end());
  Fail failRest = failK;
  VarId join = -1;
  ExprPtr joinLam;
  if (!rest.empty()) {
    bool small = rest.size() == 1 && std::all_of(rest[0].pats.begin(), rest[0].pats.end(), isWildCPat);
    if (small) {
      failRest = [&L, occs, rest, failK]() { return L.match(occs, rest, failK); };
    } else {
      join = L.fresh();
      VarId unit = L.fresh();
      joinLam = core::mkLam({unit}, L.match(occs, rest, failK));
      failRest = [join]() { return core::mkApp(core::mkVar(join), {core::mkCon(0, "()", {})}); };
    }
  }

  // A `b"..."` literal pattern is one literal segment.
  std::vector<BinSegment> segs;
  if (bp.kind == ast::Pat::Lit) {
    BinSegment s;
    s.span = bp.span;
    auto lit = std::make_shared<ast::Pat>(bp);
    s.pat = lit;
    segs.push_back(s);
  } else {
    segs = bp.segments;
  }

  auto saved = L.locals;
  for (auto& [n, v] : top.binds) L.locals[n] = v;
  std::vector<std::pair<VarId, ExprPtr>> lets;
  auto let = [&](ExprPtr e) {
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

  std::map<std::string, VarId> segBinds;
  std::vector<VarId> extraOccs;
  std::vector<CPatP> extraPats;
  int restMode = 0;
  for (size_t i = 0; i < segs.size(); ++i) {
    const BinSegment& s = segs[i];
    std::string here = L.loc(s.span);
    const ast::Pat* sp = s.pat.get();
    if (sp && sp->kind == ast::Pat::Lit &&
        (sp->lit.kind == ast::Literal::String || sp->lit.kind == ast::Literal::Bytes)) {
      int64_t n = static_cast<int64_t>(sp->lit.s.size());
      VarId v = let(core::mkCCall("weir_bin_get_bytes", {core::mkVar(scrut), offset(), core::mkInt(n), core::mkString(here)}));
      auto c = std::make_shared<CPat>();
      c->kind = CPat::String;
      c->s = sp->lit.s;
      extraOccs.push_back(v);
      extraPats.push_back(c);
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
    VarId v;
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
          v = let(core::mkCCall("weir_bin_get_rest", {core::mkVar(scrut), offset()}));
          restMode = 1;
        } else {
          v = let(core::mkCCall("weir_bin_get_bytes", {core::mkVar(scrut), offset(), sz, core::mkString(here)}));
          advance(sizeConst, n, sizeVar, 8);
        }
        break;
    }
    CPatP c = L.canon(s.pat);
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
  VarId ok = let(core::mkCCall("weir_bin_end", {core::mkVar(scrut), offset(), core::mkInt(restMode)}));

  // On success: the top row with this column replaced by the refutable sub-patterns.
  Row nr = top;
  nr.pats.erase(nr.pats.begin() + col);
  nr.pats.insert(nr.pats.begin() + col, extraPats.begin(), extraPats.end());
  for (auto& [n, v] : segBinds) nr.binds[n] = v;
  std::vector<VarId> nocc = occs;
  nocc.erase(nocc.begin() + col);
  nocc.insert(nocc.begin() + col, extraOccs.begin(), extraOccs.end());
  ExprPtr matched = L.match(nocc, {nr}, failRest);

  auto c = std::make_shared<core::Expr>();
  c->kind = core::Expr::Case;
  c->scrut = ok;
  int t = L.trueTag();
  c->alts.push_back(core::Alt{t, {}, matched});
  c->alts.push_back(core::Alt{1 - t, {}, failRest()});
  ExprPtr body = c;
  for (size_t i = lets.size(); i-- > 0;) body = core::mkLet(lets[i].first, lets[i].second, body);
  if (join >= 0) body = core::mkLet(join, joinLam, body);
  return body;
}

}  // namespace weir::lower
