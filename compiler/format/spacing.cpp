// The spacing rules (docs/cli.md, "weir fmt"). Where spacing can change how a line lexes or
// parses (`x.field`, `f <<x:8>>`, `-1`, `!T`, `p@q`, sections), the author's choice of
// "space or no space" is kept and only runs of spaces shrink to one.
#include "format/spacing.hpp"

namespace weir::format {

using syntax::Tok;

namespace {

bool is(const Piece& p, Tok k) { return p.kind == Piece::Token && p.tok->kind == k; }

bool operandEnd(const Piece& p) {
  if (p.kind != Piece::Token) return false;
  switch (p.tok->kind) {
    case Tok::VarId: case Tok::ConId: case Tok::QVarId: case Tok::QConId: case Tok::Integer: case Tok::Float:
    case Tok::Char: case Tok::String: case Tok::InterpString: case Tok::Bytes: case Tok::Hole:
    case Tok::RParen: case Tok::RBracket: case Tok::RBrace:
      return true;
    case Tok::Backquote: return !p.openBackquote;  // a `div` b: the closing one ends nothing, but see infixOp
    default: return false;
  }
}

// Operators that get one space on each side when used infix.
bool infixCandidate(const Piece& p) {
  if (p.kind != Piece::Token || p.inBinary) return false;
  switch (p.tok->kind) {
    case Tok::VarSym: case Tok::QVarSym:
      return p.tok->text != "<<" && p.tok->text != ">>" && p.tok->text != "!" && p.tok->text != "~";
    case Tok::ConSym: case Tok::Colon: case Tok::DColon: case Tok::Equals: case Tok::Bar: case Tok::LArrow:
    case Tok::RArrow: case Tok::DArrow: case Tok::Minus:
      return true;
    default: return false;
  }
}

// Whether op (an infixCandidate) stands between two operands, or starts a line (`| guard`,
// `-> e`, `= e`), so that it gets a space on each side.
bool spacedOp(const Piece* before, const Piece& op, const Piece* after) {
  if (!infixCandidate(op)) return false;
  bool prefixLike = op.spaceBefore && after && !after->spaceBefore;  // `f !x`, `a -b`: kept as written
  if (op.firstOnLine) return !(op.tok->kind == Tok::Minus && after && !after->spaceBefore);
  if (!before) return false;
  if (is(*before, Tok::LParen) || (after && is(*after, Tok::RParen))) return false;  // sections: as written
  if (prefixLike && op.tok->kind != Tok::Colon && op.tok->kind != Tok::Equals && op.tok->kind != Tok::DColon &&
      op.tok->kind != Tok::RArrow && op.tok->kind != Tok::LArrow && op.tok->kind != Tok::DArrow &&
      op.tok->kind != Tok::Bar)
    return false;
  return operandEnd(*before) || (before->kind == Piece::Token && before->tok->kind == Tok::Backquote);
}

}  // namespace

int spaceBetween(const Piece* before, const Piece& a, const Piece& b, const Piece* after) {
  int asWritten = b.spaceBefore ? 1 : 0;
  if (b.kind == Piece::LineComment) return 1;
  if (a.kind != Piece::Token || b.kind != Piece::Token) return asWritten;
  if (a.inBinary && b.inBinary) return asWritten;
  Tok ak = a.tok->kind, bk = b.tok->kind;
  if (bk == Tok::Comma || bk == Tok::Semi) return 0;
  if (ak == Tok::Comma || ak == Tok::Semi) return 1;
  // a bracket in leading-comma style: `[ a` / `, b` / `]`
  if (ak == Tok::LParen || ak == Tok::LBracket) return a.multiLine && !b.inBinary ? 1 : 0;
  if (bk == Tok::RParen || bk == Tok::RBracket) return b.multiLine ? 1 : 0;
  if (ak == Tok::LBrace) return bk == Tok::RBrace ? 0 : 1;
  if (bk == Tok::RBrace) return 1;
  if (ak == Tok::Backquote) return a.openBackquote ? 0 : 1;
  if (bk == Tok::Backquote) return b.openBackquote ? 1 : 0;
  if (ak == Tok::Backslash) return 0;
  if (ak == Tok::Dot || bk == Tok::Dot || ak == Tok::At || bk == Tok::At) return asWritten;
  // b is an operator standing between operands: one space before it
  if (spacedOp(&a, b, after)) return 1;
  // a is such an operator: one space after it
  if (spacedOp(before, a, &b)) return 1;
  return asWritten;
}

}  // namespace weir::format
