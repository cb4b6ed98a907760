// The syntax stage's entry points: lex -> layout -> parse.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "diag/diagnostic.hpp"
#include "syntax/ast.hpp"
#include "syntax/token.hpp"

namespace weir::syntax {

// Lexes a whole file. Lexical errors are reported (E00xx) and lexing goes on.
std::vector<Token> lex(const SourceFile& file, FileId id, DiagnosticEngine& diags);

// Inserts virtual braces/semicolons (Haskell 2010 offside rule, see LANGUAGE.md 1).
std::vector<Token> layout(std::vector<Token> tokens, DiagnosticEngine& diags);

// Parses a token stream (after layout) with the Spirit X3 grammar. Returns nullopt
// only if nothing sensible could be built; errors are in diags either way.
std::optional<ast::Module> parseModule(const std::vector<Token>& tokens, FileId id, DiagnosticEngine& diags);

// Convenience: lex + layout + parse.
std::optional<ast::Module> parseFile(const SourceFile& file, FileId id, DiagnosticEngine& diags);

// For --emit=tokens and --emit=ast.
std::string dumpTokens(const std::vector<Token>& tokens);
std::string dumpModule(const ast::Module& m);

}  // namespace weir::syntax
