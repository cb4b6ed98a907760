// Indentation (docs/cli.md, "weir fmt"). Layout depends on columns, so every rule is relative:
// - the first item of a block that starts on a new line: 2 past the line holding its keyword;
// - any other line finds its "parent", the nearest earlier code line indented no deeper, and
//   in it the "anchor", the rightmost piece starting at or before the line's column. A line at
//   exactly the anchor's column stays lined up with it (block items, aligned arguments); a line
//   hanging past it goes 2 past the parent's start (4 after `|` or a leading `,`);
// - neither rule may put a line at or left of the block it is in: then the line keeps its old
//   distance to its anchor (the conservative rule, also used for a whole file when format.cpp's
//   verification rejects the canonical result).
#include "format/lines.hpp"

#include <algorithm>

#include "format/spacing.hpp"

namespace weir::format {

std::vector<Line> groupLines(const std::vector<Piece>& pieces) {
  std::vector<Line> lines;
  for (size_t i = 0; i < pieces.size(); ++i) {
    const Piece& p = pieces[i];
    if (i == 0 || p.line > pieces[i - 1].endLine) {
      if (!lines.empty()) lines.back().last = i;
      Line l;
      l.first = i;
      l.oldLine = p.line;
      l.oldIndent = p.col;
      l.oldBlank = i == 0 ? 0 : static_cast<int>(p.line - pieces[i - 1].endLine - 1);
      l.blank = l.oldBlank > 0 ? 1 : 0;
      lines.push_back(l);
    }
  }
  if (!lines.empty()) lines.back().last = pieces.size();
  for (Line& l : lines) {
    l.commentOnly = true;
    for (size_t i = l.first; i < l.last; ++i)
      if (pieces[i].kind == Piece::Token) l.commentOnly = false;
  }
  return lines;
}

namespace {

// Lines starting with `|` (guards, constructors) or a leading comma or bracket (`, x`, `[ x`)
// indent what hangs from them past that mark: four columns instead of two.
bool startsWithBar(const std::vector<Piece>& pieces, const Line& l) {
  const Piece& p = pieces[l.first];
  if (p.kind != Piece::Token) return false;
  syntax::Tok k = p.tok->kind;
  return k == syntax::Tok::Bar || k == syntax::Tok::Comma ||
         ((k == syntax::Tok::LBracket || k == syntax::Tok::LParen) && p.multiLine);
}

uint32_t indentFor(const std::vector<Piece>& pieces, const std::vector<Line>& lines, size_t k, bool canonical) {
  uint32_t c = lines[k].oldIndent;
  if (c <= 1) return 1;
  for (size_t j = k; j-- > 0;) {
    const Line& p = lines[j];
    if (p.commentOnly || p.oldIndent > c) continue;
    size_t best = 0;
    for (size_t a = 0; a < p.anchors.size(); ++a)
      if (p.anchors[a].first <= c && p.anchors[a].first >= p.anchors[best].first) best = a;
    // A line that hangs from its parent rather than lining up with one of its tokens
    // (`  | guard`, `  where`, `  = Con`, `    then`) is two columns in, four after a guard's `|` or a leading `,`.
    if (canonical && c != p.anchors[best].first) return p.newIndent + (startsWithBar(pieces, p) ? 4 : 2);
    return p.anchors[best].second + (c - p.anchors[best].first);
  }
  return c;
}

// Appends a piece; inside a multi-line piece (a block comment) trailing spaces are dropped.
void appendStripped(std::string& out, std::string_view text) {
  size_t pos = 0;
  while (true) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) { out.append(text.substr(pos)); return; }
    size_t e = nl;
    while (e > pos && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\r')) --e;
    out.append(text.substr(pos, e - pos));
    out += '\n';
    pos = nl + 1;
  }
}

}  // namespace

// Trailing `--` comments that were lined up on consecutive lines stay lined up, one space after
// the longest of those lines' code; any other trailing comment follows its code with one space.
void alignTrailingComments(std::string_view src, const std::vector<Piece>& pieces, const std::vector<Line>& lines,
                           std::vector<std::string>& text) {
  auto trailing = [&](size_t k) -> const Piece* {
    const Line& l = lines[k];
    const Piece& p = pieces[l.last - 1];
    if (l.commentOnly || p.kind != Piece::LineComment || text[k].find('\n') != std::string::npos) return nullptr;
    return &p;
  };
  for (size_t k = 0; k < lines.size();) {
    const Piece* c = trailing(k);
    size_t e = k + 1;
    if (c)
      while (e < lines.size() && lines[e].blank == 0 && trailing(e) && trailing(e)->col == c->col &&
             lines[e].oldLine == lines[e - 1].oldLine + 1)
        ++e;
    if (!c || e == k + 1) { k = e; continue; }
    uint32_t width = 0;
    for (size_t j = k; j < e; ++j) {
      const Piece* t = trailing(j);
      std::string_view code = std::string_view(text[j]).substr(0, text[j].size() - (t->end - t->begin) - 1);
      width = std::max(width, codePoints(code));
    }
    for (size_t j = k; j < e; ++j) {
      const Piece* t = trailing(j);
      std::string comment(src.substr(t->begin, t->end - t->begin));
      std::string code = text[j].substr(0, text[j].size() - comment.size() - 1);
      text[j] = code + std::string(width - codePoints(code) + 1, ' ') + comment;
    }
    k = e;
  }
}

// Renders line k at its newIndent; records its anchors.
std::string renderLine(std::string_view src, const std::vector<Piece>& pieces, Line& l, std::vector<uint32_t>& newCol) {
  std::string out(l.newIndent - 1, ' ');
  for (size_t i = l.first; i < l.last; ++i) {
    const Piece& p = pieces[i];
    if (i > l.first) {
      const Piece* before = i >= l.first + 2 ? &pieces[i - 2] : nullptr;
      const Piece* after = i + 1 < l.last ? &pieces[i + 1] : nullptr;
      out.append(spaceBetween(before, pieces[i - 1], p, after), ' ');
    }
    size_t nl = out.rfind('\n');
    uint32_t col = codePoints(std::string_view(out).substr(nl == std::string::npos ? 0 : nl + 1)) + 1;
    if (p.line == l.oldLine) l.anchors.emplace_back(p.col, col);
    newCol[i] = col;
    appendStripped(out, src.substr(p.begin, p.end - p.begin));
  }
  return out;
}

std::string renderLines(std::string_view src, const std::vector<Piece>& pieces, std::vector<Line>& lines, bool canonical) {
  std::vector<std::string> text(lines.size());
  std::vector<uint32_t> newCol(pieces.size(), 0);
  // Code lines first, in order: a line's indentation depends on earlier code lines only.
  for (size_t k = 0; k < lines.size(); ++k) {
    Line& l = lines[k];
    if (l.commentOnly) continue;
    const Piece& first = pieces[l.first];
    if (canonical && l.oldIndent > 1 && first.opener != Piece::kNone && pieces[first.opener].line < first.line) {
      // the first item of a block that starts on a new line: two columns right of the line
      // holding `where`/`let`/`do`/`of` (four after a guard's `|`, past the `| `)
      size_t j = k;
      while (j > 0 && !(lines[j - 1].first <= first.opener && first.opener < lines[j - 1].last)) --j;
      bool guard = j > 0 && startsWithBar(pieces, lines[j - 1]);
      l.newIndent = j > 0 ? lines[j - 1].newIndent + (guard ? 4 : 2) : indentFor(pieces, lines, k, false);
      // ... unless that is not right of the block around it (`let x = f (\v -> case v of` with
      // the alternatives under `x`): then the author's placement stays
      if (first.enclosing != Piece::kNone && l.newIndent <= newCol[first.enclosing])
        l.newIndent = indentFor(pieces, lines, k, false);
    } else {
      l.newIndent = indentFor(pieces, lines, k, canonical);
      // a continuation line must stay right of the block it is in
      if (canonical && !first.itemStart && first.enclosing != Piece::kNone && l.newIndent <= newCol[first.enclosing])
        l.newIndent = indentFor(pieces, lines, k, false);
    }
    text[k] = renderLine(src, pieces, l, newCol);
  }
  // A comment on a line of its own is indented like the code line after it when both were at
  // the same column, otherwise like a code line at its place.
  for (size_t k = 0; k < lines.size(); ++k) {
    Line& l = lines[k];
    if (!l.commentOnly) continue;
    size_t m = k + 1;
    while (m < lines.size() && lines[m].commentOnly) ++m;
    l.newIndent = m < lines.size() && lines[m].oldIndent == l.oldIndent ? lines[m].newIndent : indentFor(pieces, lines, k, canonical);
    text[k] = renderLine(src, pieces, l, newCol);
  }
  alignTrailingComments(src, pieces, lines, text);
  std::string out;
  for (size_t k = 0; k < lines.size(); ++k) {
    if (k > 0)
      for (int b = 0; b < lines[k].blank; ++b) out += '\n';
    out += text[k];
    out += '\n';
  }
  return out;
}

}  // namespace weir::format
