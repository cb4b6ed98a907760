// The formatter's view of a source file: tokens and comments in order ("pieces"),
// each with its source bytes and its original line/column.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "syntax/token.hpp"

namespace weir::format {

struct Piece {
  enum Kind { Token, LineComment, BlockComment } kind = Token;
  uint32_t begin = 0, end = 0;    // byte offsets in the source
  uint32_t line = 0, col = 0;     // 1-based, of the first byte (col in code points)
  uint32_t endLine = 0;           // line of the last byte
  bool spaceBefore = false;       // whitespace between this piece and the previous one
  bool firstOnLine = false;       // nothing but whitespace before it on its line
  const syntax::Token* tok = nullptr;  // Token: the lexer's token
  bool inBinary = false;          // Token: inside binary data `<<` ... `>>` (spacing kept as written)
  bool openBackquote = false;     // Token: the opening one of a pair of backquotes
  static constexpr size_t kNone = static_cast<size_t>(-1);
  size_t opener = kNone;          // Token: first item of an implicit layout block: the piece of its `where`/`let`/`do`/`of`
  size_t enclosing = kNone;       // Token: the first item of the innermost implicit block around it
                                  // (for a block's first item: the block around its opener)
  bool itemStart = false;         // Token: starts an item of an implicit block (after a virtual `;`)
  bool multiLine = false;         // Token: a `(`/`[` or its `)`/`]` in leading-comma style
};

// Splits the source into pieces using the lexer's tokens (the End token excluded);
// the gaps between tokens hold only whitespace and comments.
std::vector<Piece> collectPieces(std::string_view src, const std::vector<syntax::Token>& tokens);

// Marks the first item of every implicit layout block (a virtual `{` in the laid-out tokens)
// with the piece of the keyword that opened it.
void markBlocks(std::vector<Piece>& pieces, const std::vector<syntax::Token>& laidOut);

// Number of code points in s (columns are counted in code points, as the lexer does).
uint32_t codePoints(std::string_view s);

}  // namespace weir::format
