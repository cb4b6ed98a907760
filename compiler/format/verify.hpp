// The formatter's safety net: the formatted text must parse to the same program.
#pragma once
#include <string>

#include "format/pieces.hpp"
#include "syntax/ast.hpp"

namespace weir::format {

// Empty when `formatted` lexes, lays out and parses to the same token stream (virtual layout
// tokens included), the same AST and the same comments as the original; otherwise what differs.
std::string sameProgram(const std::string& original, const std::vector<syntax::Token>& laidOut,
                        const ast::Module& m, const std::vector<Piece>& pieces, const std::string& formatted);

}  // namespace weir::format
