// Shared by the syntax tests: a source text parsed once, with its diagnostics.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "syntax/internal.hpp"
#include "syntax/parser.hpp"

namespace weir::test {

// "E0014@1:18" for every diagnostic, in report order.
inline std::vector<std::string> codesAt(const SourceManager& sm, FileId id, const DiagnosticEngine& diags) {
  std::vector<std::string> v;
  for (auto& d : diags.all()) {
    LineCol lc = sm.get(id).lineCol(d.span.begin);
    v.push_back(d.code + "@" + std::to_string(lc.line) + ":" + std::to_string(lc.col));
  }
  return v;
}

struct Parsed {
  SourceManager sm;
  DiagnosticEngine diags{sm};
  FileId id = 0;
  std::optional<ast::Module> mod;
  explicit Parsed(std::string src) {
    id = sm.add("t.weir", std::move(src));
    mod = syntax::parseFile(sm.get(id), id, diags);
  }
  std::vector<std::string> errors() const { return codesAt(sm, id, diags); }
  const Diagnostic& first() const { return diags.all().at(0); }
  std::string text() const { return renderDiagnostics(diags, DiagFormat::Text, false); }
  std::string errs() const { return text(); }
  // The top-level declarations as S-expressions, one per line.
  std::string decls() const {
    std::string o;
    for (auto& d : mod->decls) o += (o.empty() ? "" : "\n") + syntax::dumpDecl(*d);
    return o;
  }
};

}  // namespace weir::test
