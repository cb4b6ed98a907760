// Lowering: the typed AST (types::Checked) to Core.
//  - class dictionaries become constructor objects; a method use with a known
//    instance calls the instance's implementation directly;
//  - patterns (clauses, case, lambdas, let patterns, guards) are compiled to
//    decision trees of Case/LitCase (match.cpp);
//  - `do` goes through the Monad dictionary; IO actions are closures over a world token;
//  - top-level values become CAF globals.
// The result is un-optimised Core: nothing specialised, pruned or ordered yet; the driver then
// runs the pass pipeline (core/pipeline.hpp) on it.
// Nothing here reports user errors: a failure is a compiler bug (returned as text).
#pragma once
#include <optional>
#include <string>

#include "core/core.hpp"
#include "diag/source.hpp"
#include "types/checked.hpp"

namespace weir::lower {

// `libraryDir`: the standard library's folder; run-time errors raised there are reported
// at the user's call site (core/callsite.hpp).
std::optional<core::Program> lower(const types::Checked& checked, const SourceManager& sources, std::string& error,
                                   const std::string& libraryDir = "");

}  // namespace weir::lower
