#include "format/verify.hpp"

#include <fmt/format.h>

#include "syntax/parser.hpp"

namespace weir::format {

namespace {

std::vector<std::string> comments(const std::string& src, const std::vector<Piece>& pieces) {
  std::vector<std::string> out;
  for (const Piece& p : pieces)
    if (p.kind != Piece::Token) {
      std::string c;  // trailing spaces of a block comment's lines do not count
      for (char ch : src.substr(p.begin, p.end - p.begin)) {
        if (ch == '\n') while (!c.empty() && (c.back() == ' ' || c.back() == '\t' || c.back() == '\r')) c.pop_back();
        c += ch;
      }
      out.push_back(c);
    }
  return out;
}

}  // namespace

std::string sameProgram(const std::string& original, const std::vector<syntax::Token>& laidOut,
                        const ast::Module& m, const std::vector<Piece>& pieces, const std::string& formatted) {
  SourceManager sm;
  FileId id = sm.add("<formatted>", formatted);
  DiagnosticEngine diags(sm);
  auto tokens = syntax::lex(sm.get(id), id, diags);
  std::vector<Piece> newPieces = collectPieces(formatted, tokens);
  auto laid = syntax::layout(tokens, diags);
  auto m2 = syntax::parseModule(laid, id, diags);
  if (diags.hasErrors() || !m2) return "the formatted text does not parse";
  if (laid.size() != laidOut.size()) return "the formatted text has a different number of tokens";
  for (size_t i = 0; i < laid.size(); ++i)
    if (laid[i].kind != laidOut[i].kind || laid[i].text != laidOut[i].text)
      return fmt::format("token {} differs in the formatted text: {} `{}` instead of {} `{}` (line {} of the original)",
                         i + 1, laid[i].name(), laid[i].text, laidOut[i].name(), laidOut[i].text, laidOut[i].line);
  if (syntax::dumpModule(*m2) != syntax::dumpModule(m)) return "the formatted text parses to a different syntax tree";
  if (comments(formatted, newPieces) != comments(original, pieces)) return "the formatted text has different comments";
  return {};
}

}  // namespace weir::format
