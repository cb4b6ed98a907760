// Type rules of the binary syntax `<<value:size/type-sign-endian, ...>>` (LANGUAGE.md
// section 6), for expressions (expr.cpp) and patterns (pattern.cpp):
//  - integer segments hold an Int (size in bits, 0..64, default 8), float segments a Float
//    (32 or 64 bits, default 64), bytes segments Bytes (size in bytes; in a pattern only the
//    last one may omit it, in an expression an unsized bytes segment is the whole value);
//  - a string or bytes literal segment (`"OK"`, `b"\x01"`) stands for its bytes;
//  - `signed` applies to integers only, `little` to integers and floats;
//  - sizes are Int expressions (in patterns they may use variables bound by earlier segments);
//  - when every size is a literal, the segments must add up to whole bytes;
//  - the whole is Bytes.
// Errors E0280-E0286 (codes.cpp).
#include <fmt/format.h>

#include <set>

#include "types/checker.hpp"

namespace weir::types {

namespace {

using ast::BinSegment;

const char* segWord(BinSegment::TypeKind k) {
  switch (k) {
    case BinSegment::Integer: return "an integer";
    case BinSegment::Float: return "a float";
    case BinSegment::Bytes: return "a bytes";
  }
  return "a";
}

const char* segTypeName(BinSegment::TypeKind k) {
  switch (k) {
    case BinSegment::Integer: return kInt;
    case BinSegment::Float: return kFloat;
    case BinSegment::Bytes: return kBytes;
  }
  return kInt;
}

bool literalSize(const ast::ExprPtr& size, int64_t& n) {
  if (size && size->kind == ast::Expr::Lit && size->lit.kind == ast::Literal::Int) {
    n = size->lit.i;
    return true;
  }
  return false;
}

// Checks the type/option combination and literal sizes of one segment; accumulates the
// number of bits modulo 8 (known = false once an integer segment has a computed size).
void checkSpec(Checker& c, const BinSegment& s, bool literalBytes, bool isLast, bool inPattern, int64_t& bits,
               bool& known) {
  auto& diags = c.diags;
  if (literalBytes) {
    if (s.size) {
      auto& d = diags.error("E0280", s.size->span, "a string literal segment takes no size");
      d.label = "its size is the length of its UTF-8 bytes";
      d.hint = "remove the `:size`";
    } else if (s.type == BinSegment::Float || s.isSigned || s.little) {
      auto& d = diags.error("E0280", s.span, "a string literal segment cannot be a float, signed or little-endian");
      d.hint = "a string literal segment stands for its UTF-8 bytes; write it without options or with `/bytes`";
    }
    return;  // whole bytes
  }
  switch (s.type) {
    case BinSegment::Integer: {
      int64_t n = 8;
      if (s.size && !literalSize(s.size, n)) { known = false; return; }
      Span sp = s.size ? s.size->span : s.span;
      if (n < 0 || n > 64) {
        auto& d = diags.error("E0284", sp, fmt::format("an integer segment of {} bits", n));
        d.label = "integer segments have 0 to 64 bits";
      } else if (s.little && n % 8 != 0) {
        auto& d = diags.error("E0284", sp, fmt::format("a little-endian integer segment of {} bits", n));
        d.label = "little-endian segments have a whole number of bytes";
        d.hint = "use a size that is a multiple of 8, or big-endian";
      }
      bits += n;
      return;
    }
    case BinSegment::Float: {
      if (s.isSigned) {
        auto& d = diags.error("E0280", s.span, "`signed` does not apply to a float segment");
        d.hint = "floats are always signed: write `/float` or `/float-little`";
      }
      int64_t n = 64;
      if (s.size && !literalSize(s.size, n)) return;  // 32 or 64: a multiple of 8 either way
      if (n != 32 && n != 64) {
        auto& d = diags.error("E0281", s.size ? s.size->span : s.span, fmt::format("a float segment of {} bits", n));
        d.label = "float segments have 32 or 64 bits";
      }
      bits += n;
      return;
    }
    case BinSegment::Bytes:
      if (s.isSigned || s.little) {
        auto& d = diags.error("E0280", s.span,
                              fmt::format("`{}` does not apply to a bytes segment", s.isSigned ? "signed" : "little"));
        d.hint = "signedness and endianness are for integer (and float) segments";
      }
      if (!s.size && inPattern && !isLast) {
        auto& d = diags.error("E0282", s.span, "a bytes segment without a size must be the last segment");
        d.label = "how many bytes does this take?";
        d.hint = "give its size in bytes, e.g. `body:n/bytes`, or move it to the end";
      }
      return;  // whole bytes
  }
}

// E0283 when a segment's value has a known type that is not the segment's.
bool wrongValueType(Checker& c, TypeP found, BinSegment::TypeKind k, Span span) {
  TypeP f = prune(found);
  if (f->kind == Type::Meta) return false;
  if (f->kind == Type::Con && f->name == segTypeName(k)) return false;
  Printer pr;
  std::string shown = pr.show(f);
  auto& d = c.diags.error("E0283", span, fmt::format("{} segment needs {} `{}`, but this has type `{}`", segWord(k),
                                                     k == BinSegment::Integer ? "an" : "a", segTypeName(k), shown));
  d.label = fmt::format("this is a `{}`", shown);
  if (k == BinSegment::Integer && shown == kFloat)
    d.hint = "convert with `round` or `truncate`, or make it a float segment: `/float`";
  else if (k == BinSegment::Float && shown == kInt)
    d.hint = "convert with `toFloat`";
  else if (shown == kString)
    d.hint = "only string literals stand for their bytes; convert a String with `Data.Bytes.fromString` and use `/bytes`";
  else if (shown == kBytes)
    d.hint = "bytes go in a bytes segment: `value/bytes`";
  else if (shown == kChar && k == BinSegment::Integer)
    d.hint = "use its code point, `ord c`, or a string literal for its UTF-8 bytes";
  else
    d.hint = "segments hold Int (integer), Float (float) or Bytes (bytes)";
  return true;
}

bool isStringLitExpr(const ast::ExprPtr& e) {
  return e && e->kind == ast::Expr::Lit && (e->lit.kind == ast::Literal::String || e->lit.kind == ast::Literal::Bytes);
}
bool isStringLitPat(const ast::PatPtr& p) {
  return p && p->kind == ast::Pat::Lit && (p->lit.kind == ast::Literal::String || p->lit.kind == ast::Literal::Bytes);
}

void checkWholeBytes(Checker& c, int64_t bits, bool known, Span span) {
  if (known && bits % 8 != 0) {
    auto& d = c.diags.error("E0285", span, fmt::format("the segments add up to {} bits, not a whole number of bytes", bits));
    d.label = "Bytes hold whole bytes";
    d.hint = "adjust the segment sizes so that they add up to a multiple of 8 bits";
  }
}

void patVars(const ast::PatPtr& p, std::set<std::string>& out) {
  if (!p) return;
  if (p->kind == ast::Pat::Var || p->kind == ast::Pat::As) out.insert(p->name);
  for (auto& a : p->args) patVars(a, out);
  for (auto& [f, fp] : p->fields) patVars(fp, out);
  for (auto& s : p->segments) patVars(s.pat, out);
}

// The first variable of `e` that is in `names` (null if none).
const ast::Expr* usesAny(const ast::ExprPtr& e, const std::set<std::string>& names) {
  if (!e) return nullptr;
  if (e->kind == ast::Expr::Var && names.count(e->name)) return e.get();
  for (auto& a : e->args)
    if (auto* u = usesAny(a, names)) return u;
  for (auto& [f, fe] : e->fields)
    if (auto* u = usesAny(fe, names)) return u;
  for (auto& s : e->segments) {
    if (auto* u = usesAny(s.value, names)) return u;
    if (auto* u = usesAny(s.size, names)) return u;
  }
  return nullptr;
}

}  // namespace

TypeP inferBinaryExpr(Checker& c, ast::Expr& e) {
  int64_t bits = 0;
  bool known = true;
  for (size_t i = 0; i < e.segments.size(); ++i) {
    auto& s = e.segments[i];
    bool lit = isStringLitExpr(s.value);
    checkSpec(c, s, lit, i + 1 == e.segments.size(), false, bits, known);
    if (lit) {
      s.value->type = tcon(s.value->lit.kind == ast::Literal::String ? kString : kBytes);
    } else {
      TypeP t = c.infer(s.value);
      if (!wrongValueType(c, t, s.type, s.value->span))
        c.expect(t, tcon(segTypeName(s.type)), s.value->span, "a binary segment");
    }
    if (s.size) c.checkExpr(s.size, tcon(kInt), "the size of a binary segment");
  }
  checkWholeBytes(c, bits, known, e.span);
  return tcon(kBytes);
}

void inferBinaryPat(Checker& c, ast::Pat& p, TypeP expected) {
  c.expect(tcon(kBytes), expected, p.span, "a binary pattern");
  int64_t bits = 0;
  bool known = true;
  for (size_t i = 0; i < p.segments.size(); ++i) {
    auto& s = p.segments[i];
    bool lit = isStringLitPat(s.pat);
    checkSpec(c, s, lit, i + 1 == p.segments.size(), true, bits, known);
    // The size first: it may use variables of earlier segments, not this one's or later ones'.
    if (s.size) {
      std::set<std::string> notYet;
      for (size_t j = i; j < p.segments.size(); ++j) patVars(p.segments[j].pat, notYet);
      if (const ast::Expr* u = usesAny(s.size, notYet)) {
        auto& d = c.diags.error("E0286", u->span, fmt::format("the size of a segment uses `{}`, which is bound by "
                                                               "this segment or a later one",
                                                               names::displayName(u->name)));
        d.label = "not bound yet";
        d.hint = "a size may use variables bound by earlier segments: `<<n:8, body:n/bytes>>`";
      } else {
        c.checkExpr(s.size, tcon(kInt), "the size of a binary segment");
      }
    }
    if (lit) continue;
    if (s.pat && s.pat->kind == ast::Pat::Lit) {
      TypeP lt;
      switch (s.pat->lit.kind) {
        case ast::Literal::Int: lt = tcon(kInt); break;
        case ast::Literal::Float: lt = tcon(kFloat); break;
        case ast::Literal::Char: lt = tcon(kChar); break;
        default: lt = tcon(kBytes); break;
      }
      if (wrongValueType(c, lt, s.type, s.pat->span)) continue;
    }
    c.inferPat(s.pat, tcon(segTypeName(s.type)));
  }
  checkWholeBytes(c, bits, known, p.span);
}

}  // namespace weir::types
