// Perceus reuse (Reinking et al. PLDI'21, section 2.4): the pipeline's pass "reuse", after "rc".
//
// A Case alternative that starts by dropping its scrutinee (rc puts `dup` of the fields it keeps,
// then `drop x`) frees x's cell when x was unique. When the alternative goes on to build a
// constructor of the same size, that cell can hold it instead: the drop becomes a drop-reuse
// that binds a reuse token,
//
//     drop x reuse t;          t = x's cell if x was unique (its unused fields dropped), else none
//     ... Node#1@t(l, k, v, r)  built in t's cell (a new one when t is none)
//
// so `map`, `insert` into a tree or `reverse` over a unique structure update it in place. The
// token follows the alternative's code in evaluation order, into every branch of a case on the
// way, and is taken by the first constructor of the right size on each path (not inside a
// lambda, and not a constant constructor, which is a static object); a branch with no such
// constructor starts with `free-reuse t;`, so every path uses each token exactly once.
// Frame-limited (Lorenzen & Leijen, ICFP'22): a token may be held across a call, which keeps
// one cell aside for the call's duration, but not across a call back into the recursion of the
// function it is in: every frame of a deep recursion would hold one (cfold's 1M-deep
// constFolding: +16 MB). Such a path frees the token before the call, where the recursion's
// own allocations take the cell back from the free list.
//
// codegen/reuse.cpp lowers the three forms; --emit=core-rc shows them; core::verifyRc checks
// that every token is used once on every path. Switched off (--pass-off=reuse, WEIR_REUSE=0),
// every matched cell is freed and every constructor allocates.
#pragma once
#include "core/core.hpp"

namespace weir::core {

// Turns the scrutinee drops of p that can give their cell to a constructor into drop-reuses
// (rc must have run). Returns the number of tokens made.
size_t insertReuse(Program& p);

}  // namespace weir::core
