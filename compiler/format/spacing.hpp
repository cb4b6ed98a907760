// Spacing inside a line: how many spaces (0 or 1) go between two pieces on the same line.
#pragma once
#include "format/pieces.hpp"

namespace weir::format {

// a and b are consecutive pieces on one output line; before is the piece before a (or null),
// after the piece after b (or null, also when b ends its line).
int spaceBetween(const Piece* before, const Piece& a, const Piece& b, const Piece* after);

}  // namespace weir::format
