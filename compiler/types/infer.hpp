// The types stage: Hindley-Milner inference with levels, type classes elaborated
// to dictionaries (evidence recorded on the AST), and structural row-polymorphic
// records. Input: the renamed program. Output: the annotated AST plus tables.
#pragma once
#include <optional>
#include <string>

#include "diag/diagnostic.hpp"
#include "names/names.hpp"
#include "types/checked.hpp"

namespace weir::types {

std::optional<Checked> check(names::Program& program, DiagnosticEngine& diags);

// For `--emit=types`: every top-level binding of the main module with its type.
std::string dumpTypes(const Checked& checked, bool allModules = false);

}  // namespace weir::types
