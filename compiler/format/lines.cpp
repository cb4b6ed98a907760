// Indentation. Layout depends on columns, so a line keeps its place relative to the line it
// hangs from: its "parent" is the nearest earlier code line indented no deeper, and within the
// parent the rightmost piece starting at or before the line's column is its anchor. The line's
// new column is the anchor's new column plus the old distance to it. An item of a block is
// thus aligned with the block's first item wherever re-spacing moved that item, and a
// continuation line stays to the right of what it continues. Top-level lines start at column 1.
#include "format/lines.hpp"

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

uint32_t indentFor(const std::vector<Line>& lines, size_t k) {
  uint32_t c = lines[k].oldIndent;
  if (c <= 1) return 1;
  for (size_t j = k; j-- > 0;) {
    const Line& p = lines[j];
    if (p.commentOnly || p.oldIndent > c) continue;
    std::pair<uint32_t, uint32_t> best = p.anchors.front();
    for (auto& a : p.anchors)
      if (a.first <= c && a.first >= best.first) best = a;
    return best.second + (c - best.first);
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

std::string renderLines(std::string_view src, const std::vector<Piece>& pieces, std::vector<Line>& lines) {
  std::string out;
  for (size_t k = 0; k < lines.size(); ++k) {
    Line& l = lines[k];
    if (k > 0)
      for (int b = 0; b < l.blank; ++b) out += '\n';
    l.newIndent = indentFor(lines, k);
    size_t lineStart = out.size();
    out.append(l.newIndent - 1, ' ');
    for (size_t i = l.first; i < l.last; ++i) {
      const Piece& p = pieces[i];
      if (i > l.first) {
        const Piece* before = i >= l.first + 2 ? &pieces[i - 2] : nullptr;
        const Piece* after = i + 1 < l.last ? &pieces[i + 1] : nullptr;
        out.append(spaceBetween(before, pieces[i - 1], p, after), ' ');
      }
      size_t nl = out.rfind('\n');
      size_t from = nl == std::string::npos || nl < lineStart ? lineStart : nl + 1;
      uint32_t col = codePoints(std::string_view(out).substr(from)) + 1;
      if (p.line == l.oldLine) l.anchors.emplace_back(p.col, col);
      appendStripped(out, src.substr(p.begin, p.end - p.begin));
    }
    out += '\n';
  }
  return out;
}

}  // namespace weir::format
