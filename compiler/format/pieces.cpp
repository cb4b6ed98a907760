#include "format/pieces.hpp"

namespace weir::format {

using syntax::Tok;

uint32_t codePoints(std::string_view s) {
  uint32_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

namespace {

struct Cursor {
  std::string_view src;
  uint32_t line = 1;
  uint32_t lineStart = 0;  // byte offset of the current line's start
  uint32_t pos = 0;
  void advanceTo(uint32_t to) {
    for (; pos < to; ++pos)
      if (src[pos] == '\n') { ++line; lineStart = pos + 1; }
  }
  uint32_t col() const { return codePoints(src.substr(lineStart, pos - lineStart)) + 1; }
  bool onlySpaceBeforeOnLine() const {
    for (uint32_t i = lineStart; i < pos; ++i)
      if (src[i] != ' ' && src[i] != '\t' && src[i] != '\r') return false;
    return true;
  }
};

// Scans the comments in a gap [from, to) that holds only whitespace and comments.
void scanGap(Cursor& c, uint32_t to, std::vector<Piece>& out, bool& space) {
  while (c.pos < to) {
    char ch = c.src[c.pos];
    if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') { c.advanceTo(c.pos + 1); space = true; continue; }
    Piece p;
    p.begin = c.pos;
    p.line = c.line;
    p.col = c.col();
    p.spaceBefore = space;
    p.firstOnLine = c.onlySpaceBeforeOnLine();
    uint32_t e = c.pos;
    if (ch == '{' && e + 1 < to && c.src[e + 1] == '-') {
      p.kind = Piece::BlockComment;
      int depth = 0;
      while (e < to) {
        if (c.src[e] == '{' && e + 1 < to && c.src[e + 1] == '-') { ++depth; e += 2; }
        else if (c.src[e] == '-' && e + 1 < to && c.src[e + 1] == '}') { e += 2; if (--depth == 0) break; }
        else ++e;
      }
    } else {
      p.kind = Piece::LineComment;
      while (e < to && c.src[e] != '\n') ++e;
      while (e > p.begin && (c.src[e - 1] == ' ' || c.src[e - 1] == '\t' || c.src[e - 1] == '\r')) --e;
    }
    c.advanceTo(e);
    p.end = e;
    p.endLine = c.line;
    out.push_back(p);
    space = false;
  }
}

bool operandEnd(const syntax::Token& t) {
  switch (t.kind) {
    case Tok::VarId: case Tok::ConId: case Tok::QVarId: case Tok::QConId: case Tok::Integer: case Tok::Float:
    case Tok::Char: case Tok::String: case Tok::InterpString: case Tok::Bytes: case Tok::Hole:
    case Tok::RParen: case Tok::RBracket: case Tok::RBrace:
      return true;
    default: return false;
  }
}

}  // namespace

std::vector<Piece> collectPieces(std::string_view src, const std::vector<syntax::Token>& tokens) {
  std::vector<Piece> out;
  Cursor c{src};
  bool space = true;
  int binary = 0;
  bool backquoteOpen = false;
  const syntax::Token* prev = nullptr;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const syntax::Token& t = tokens[i];
    if (t.kind == Tok::End) break;
    scanGap(c, t.span.begin, out, space);
    Piece p;
    p.kind = Piece::Token;
    p.begin = t.span.begin;
    p.end = t.span.end;
    p.line = c.line;
    p.col = c.col();
    p.spaceBefore = space;
    p.firstOnLine = c.onlySpaceBeforeOnLine();
    p.tok = &t;
    // Binary data: `<<` glued to what follows or where no operand ends before it (as layout.cpp decides).
    bool isOpen = t.kind == Tok::LBinary ||
                  (t.kind == Tok::VarSym && t.text == "<<" &&
                   ((i + 1 < tokens.size() && tokens[i + 1].kind != Tok::End && !tokens[i + 1].spaceBefore) ||
                    !prev || !operandEnd(*prev)));
    if (isOpen) ++binary;
    p.inBinary = binary > 0;
    if (binary > 0 && (t.kind == Tok::RBinary || (t.kind == Tok::VarSym && t.text == ">>"))) --binary;
    if (t.kind == Tok::Backquote) { p.openBackquote = !backquoteOpen; backquoteOpen = !backquoteOpen; }
    c.advanceTo(t.span.end);
    p.endLine = c.line;
    out.push_back(p);
    space = false;
    prev = &t;
  }
  scanGap(c, static_cast<uint32_t>(src.size()), out, space);
  // Leading-comma style: a bracket whose `,` or closing bracket starts a line.
  std::vector<std::pair<size_t, bool>> open;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].kind != Piece::Token) continue;
    Tok k = out[i].tok->kind;
    if (k == Tok::LParen || k == Tok::LBracket || k == Tok::LBrace) open.emplace_back(i, false);
    else if (k == Tok::Comma && out[i].firstOnLine && !open.empty()) open.back().second = true;
    else if ((k == Tok::RParen || k == Tok::RBracket || k == Tok::RBrace) && !open.empty()) {
      auto [o, leading] = open.back();
      open.pop_back();
      if (k != Tok::RBrace && out[o].line != out[i].line && (leading || out[i].firstOnLine)) out[o].multiLine = out[i].multiLine = true;
    }
  }
  return out;
}

void markBlocks(std::vector<Piece>& pieces, const std::vector<syntax::Token>& laidOut) {
  auto pieceAt = [&](uint32_t begin) -> size_t {
    size_t lo = 0, hi = pieces.size();
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (pieces[mid].begin < begin) lo = mid + 1; else hi = mid;
    }
    return lo < pieces.size() && pieces[lo].begin == begin && pieces[lo].kind == Piece::Token ? lo : Piece::kNone;
  };
  std::vector<size_t> open;  // first items of the implicit blocks open here (kNone: unknown)
  for (size_t i = 0; i < laidOut.size(); ++i) {
    const syntax::Token& t = laidOut[i];
    if (t.kind == Tok::VRBrace) {
      if (!open.empty()) open.pop_back();
      continue;
    }
    if (t.kind == Tok::VSemi) {
      if (i + 1 < laidOut.size()) {
        size_t f = pieceAt(laidOut[i + 1].span.begin);
        if (f != Piece::kNone) pieces[f].itemStart = true;
      }
      continue;
    }
    if (t.kind != Tok::VLBrace) {
      size_t p = t.kind == Tok::End ? Piece::kNone : pieceAt(t.span.begin);
      if (p != Piece::kNone && (open.empty() || open.back() != p)) pieces[p].enclosing = open.empty() ? Piece::kNone : open.back();
      continue;
    }
    const syntax::Token* first = i + 1 < laidOut.size() ? &laidOut[i + 1] : nullptr;
    size_t f = first && first->kind != Tok::VRBrace && first->kind != Tok::VSemi && first->kind != Tok::VLBrace &&
                       first->kind != Tok::End
                   ? pieceAt(first->span.begin)
                   : Piece::kNone;
    if (f != Piece::kNone) {
      pieces[f].enclosing = open.empty() ? Piece::kNone : open.back();
      pieces[f].itemStart = true;
      const syntax::Token* kw = i > 0 ? &laidOut[i - 1] : nullptr;
      size_t k = kw ? pieceAt(kw->span.begin) : Piece::kNone;
      if (kw && (kw->kind == Tok::KwWhere || kw->kind == Tok::KwLet || kw->kind == Tok::KwDo || kw->kind == Tok::KwOf) &&
          k != Piece::kNone)
        pieces[f].opener = k;
    }
    open.push_back(f);
  }
}

}  // namespace weir::format
