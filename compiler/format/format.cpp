#include "format/format.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#include "format/blanks.hpp"
#include "format/lines.hpp"
#include "format/verify.hpp"
#include "syntax/parser.hpp"

namespace weir::format {

bool hasSkipPragma(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    size_t s = line.find_first_not_of(" \t");
    if (s != std::string_view::npos && line.substr(s).starts_with("--") &&
        line.find("weir-fmt: skip") != std::string_view::npos)
      return true;
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return false;
}

Result formatSource(const std::string& path, const std::string& text, bool colour) {
  Result r;
  if (hasSkipPragma(text)) {
    r.status = Result::Skipped;
    r.text = text;
    return r;
  }
  SourceManager sm;
  FileId id = sm.add(path, text);
  DiagnosticEngine diags(sm);
  auto tokens = syntax::lex(sm.get(id), id, diags);
  auto laid = syntax::layout(tokens, diags);
  auto m = diags.hasErrors() ? std::nullopt : syntax::parseModule(laid, id, diags);
  if (diags.hasErrors() || !m) {
    r.status = Result::Error;
    r.message = renderDiagnostics(diags, DiagFormat::Text, colour);
    return r;
  }
  std::vector<Piece> pieces = collectPieces(text, tokens);
  markBlocks(pieces, laid);
  std::vector<Line> lines = groupLines(pieces);
  topLevelBlanks(*m, tokens, pieces, lines);
  std::string out = renderLines(text, pieces, lines, true);
  std::string why = sameProgram(text, laid, *m, pieces, out);
  if (!why.empty()) {
    // The canonical indentation can move a line across a block's column (a rare layout such as
    // a dedented operator line under a `case`): fall back to keeping every line's place.
    for (Line& l : lines) l.anchors.clear();
    if (std::getenv("WEIR_FMT_DEBUG")) std::fprintf(stderr, "canonical layout refused: %s\n", why.c_str());
    out = renderLines(text, pieces, lines, false);
    why = sameProgram(text, laid, *m, pieces, out);
  }
  if (!why.empty()) {
    diags.error("E0950", Span{id, 0, 0}, "the formatter would change this program, so the file is left as it is")
        .notes.push_back(why + "; this is a bug in `weir fmt`, please report it");
    r.status = Result::Error;
    r.message = renderDiagnostics(diags, DiagFormat::Text, colour);
    return r;
  }
  r.text = std::move(out);
  return r;
}

}  // namespace weir::format
