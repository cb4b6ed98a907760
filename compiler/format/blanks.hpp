// Blank lines between top-level items (docs/cli.md, "weir fmt").
#pragma once
#include <vector>

#include "format/lines.hpp"
#include "syntax/ast.hpp"

namespace weir::format {

// Sets Line::blank for the lines between top-level items of m. Elsewhere a run of blank
// lines has already been shrunk to one (groupLines).
void topLevelBlanks(const ast::Module& m, const std::vector<syntax::Token>& tokens, const std::vector<Piece>& pieces,
                    std::vector<Line>& lines);

}  // namespace weir::format
