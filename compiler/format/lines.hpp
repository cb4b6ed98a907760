// Output lines: pieces grouped by source line, re-indented and re-spaced.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "format/pieces.hpp"

namespace weir::format {

struct Line {
  size_t first = 0, last = 0;  // pieces [first, last)
  uint32_t oldLine = 0;        // source line of the first piece
  uint32_t oldIndent = 0;      // source column of the first piece (1-based)
  uint32_t newIndent = 0;      // output column of the first piece (1-based)
  bool commentOnly = false;
  int oldBlank = 0;            // blank source lines right before it
  int blank = 0;               // blank lines to print before it (0 or 1)
  std::vector<std::pair<uint32_t, uint32_t>> anchors;  // (source column, output column) of its pieces
};

// Groups pieces into lines (a piece starting on a later line than the previous one ended
// starts a new line).
std::vector<Line> groupLines(const std::vector<Piece>& pieces);

// Renders the lines: indentation (see lines.cpp), spacing, blank lines; no line ends in spaces
// (also inside block comments). `canonical` false: every line keeps its place relative to its
// anchor (the fallback when the canonical indentation would change how layout reads the file).
std::string renderLines(std::string_view src, const std::vector<Piece>& pieces, std::vector<Line>& lines,
                        bool canonical);

}  // namespace weir::format
