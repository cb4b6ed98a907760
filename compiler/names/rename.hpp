#pragma once
#include "diag/diagnostic.hpp"
#include "names/names.hpp"

namespace weir::names {
// Renames every loaded module (in order) and fills Program::decls/declModule/entry.
void renameProgram(Program& program, DiagnosticEngine& diags);
// Re-associates operator chains; exposed for unit tests.
struct FixityTable;
}  // namespace weir::names
