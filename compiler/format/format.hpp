// `weir fmt`: rewrites a source file in the canonical layout (docs/cli.md, "weir fmt").
// The formatter works on the token stream, not on the AST: every token and every comment is
// copied byte for byte from the source, only the whitespace between them is rewritten (spacing
// inside a line, indentation, blank lines). The result is re-parsed and must give the same
// AST and the same comments, otherwise the file is refused (E0950) and left alone.
#pragma once
#include <string>
#include <string_view>

namespace weir::format {

struct Result {
  enum Status { Ok, Skipped, Error } status = Ok;
  std::string text;     // Ok: the formatted source
  std::string message;  // Error: rendered diagnostics (parse errors, or E0950)
};

// Formats one source text. `path` is used in diagnostics only.
Result formatSource(const std::string& path, const std::string& text, bool colour = false);

// A file opts out of formatting with a `--` comment line containing `weir-fmt: skip`
// (golden tests that are malformed on purpose).
bool hasSkipPragma(std::string_view text);

}  // namespace weir::format
