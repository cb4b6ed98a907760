// Derived instances (Eq, Ord, Show) as ordinary, already-renamed instance declarations.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "diag/diagnostic.hpp"
#include "names/names.hpp"
#include "syntax/ast.hpp"

namespace weir::names {

// `classes` are unique class names; `counter` numbers the generated local variables; `fixities`
// (unique name -> fixity) gives the precedence of infix constructors for Show.
std::vector<ast::DeclPtr> deriveInstances(const ast::Decl& data, const std::vector<std::string>& classes,
                                          const std::vector<Span>& spans, int& counter, DiagnosticEngine& diags,
                                          const std::map<std::string, Fixity>* fixities = nullptr);

}  // namespace weir::names
