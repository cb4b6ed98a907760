// The top level of a whole program: what its entry point reaches, and the order its CAFs
// (globals) are initialised in. Passes of the pipeline (core/pipeline.hpp).
#pragma once

#include "core/core.hpp"

namespace weir::core {

// Keeps only the functions and globals the entry point (Program::entry) can reach: the whole
// Prelude is lowered, a program uses a little of it. Nothing is removed when there is no entry.
void pruneUnreachable(Program& p);

// Orders the globals so that each CAF only uses CAFs before it (codegen evaluates them in
// this order at start-up): dependencies first, within a recursive group strict references
// first. Run after every pass that may change what a global refers to.
void orderGlobals(Program& p);

}  // namespace weir::core
