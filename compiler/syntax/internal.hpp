// Internal helpers shared by the syntax stage's translation units (not a public interface).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "diag/diagnostic.hpp"
#include "syntax/token.hpp"

namespace weir::syntax {

// Lexes text[begin, end) of `file` (offsets into the whole file). Used for `${...}` parts.
std::vector<Token> lexRange(const SourceFile& file, FileId id, uint32_t begin, uint32_t end,
                            DiagnosticEngine& diags);

// The layout pass; `topBlock` = wrap the whole stream in an implicit block (module level).
std::vector<Token> layoutImpl(std::vector<Token> tokens, DiagnosticEngine& diags, bool topBlock);

// Decodes one escape sequence starting at s[i] == '\\'. On success appends the UTF-8 (or the raw
// byte for \x in bytes mode) to out, advances i past the escape and returns true; on failure
// sets i past the bad part and returns false (err says why).
bool decodeEscape(std::string_view s, size_t& i, std::string& out, bool bytes, std::string& err,
                  uint32_t* codePoint = nullptr);

void appendUtf8(std::string& out, uint32_t cp);

// The index of the `}` that closes the `${...}` hole whose expression starts at s[a]; if the hole
// is not closed on its line, the index of the newline or s.size(). String and character literals
// inside the hole may contain braces and quotes.
size_t interpHoleEnd(std::string_view s, size_t a);

// How a token kind is written in source: "=", "let", "(".
const char* tokSpelling(Tok t);

// "`foo`", "end of file", "a new line"... for messages.
std::string describeToken(const Token& t);

}  // namespace weir::syntax

namespace weir::ast { struct Expr; struct Pat; struct Type; struct Decl; struct QualType; }
namespace weir::syntax {
// One-line S-expression forms, used by dumpModule and by tests.
std::string dumpExpr(const ast::Expr& e);
std::string dumpPat(const ast::Pat& p);
std::string dumpType(const ast::Type& t);
std::string dumpQualType(const ast::QualType& q);
std::string dumpDecl(const ast::Decl& d);
}  // namespace weir::syntax
