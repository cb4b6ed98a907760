// The names stage: loads the modules a program imports, resolves every name to a
// unique global or local name, re-associates operator chains by fixity and
// desugars the purely syntactic sugar that needs names (negation, sections).
//
// Unique names (the currency of all later stages):
//   top-level entities   "Module.name"      e.g. "Prelude.map", "Main.main", "Prelude.Just"
//   built-in entities    their own name     "Int", "Float", "Char", "String", "Bytes", "IO",
//                                           "->", "[]", ":", "()", "(,)", "(,,)", ...
//   local binders        "name@N"           e.g. "x@12" (unique within the program)
// Output: one flat list of all top-level declarations of all modules (dependency
// order, Prelude first) with every name rewritten; the type checker sees a
// single whole program.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "diag/diagnostic.hpp"
#include "syntax/ast.hpp"

namespace weir::names {

struct Fixity {
  ast::Decl::Assoc assoc = ast::Decl::Left;
  int prec = 9;
};

struct LoadedModule {
  std::string name;
  std::string path;
  FileId file = 0;
  std::shared_ptr<ast::Module> ast;
};

struct Program {
  std::vector<LoadedModule> modules;          // dependency order: imports before importers
  std::vector<ast::DeclPtr> decls;            // all top-level declarations, renamed
  std::map<std::string, std::string> declModule;  // unique top-level name -> module
  std::string mainModule;
  std::string entry;                           // unique name of `main`, empty if absent
  Span mainNameSpan;                           // the main module's name in its header (or its first token)
  std::vector<std::string> searchPath;         // library folders (for "import M (x)" hints)
};

struct Options {
  std::vector<std::string> searchPath;         // folders searched for imported modules
  bool implicitPrelude = true;
  // Return the program even when some names could not be found (E0100 only, every other
  // error still stops), so that the type checker can report the errors in declarations
  // that do not depend on them (`weir check`); an unknown name then has the error type.
  bool continueAfterUnknownNames = false;
};

// Loads `mainPath` (already added to `sources` as `mainFile`) and everything it imports,
// then renames. Returns nullopt when errors make later stages pointless.
std::optional<Program> loadAndRename(SourceManager& sources, FileId mainFile, const Options& opts,
                                     DiagnosticEngine& diags);

// True for a local unique name ("x@12").
inline bool isLocalName(const std::string& n) { return n.find('@') != std::string::npos; }
// The user-facing part of a unique name: "Prelude.map" -> "map", "x@12" -> "x".
// Instance methods "$fCls$Head$m" and class defaults "Cls$dm$m" give the method "m".
std::string displayName(const std::string& unique);
// For messages about a binding: "`m` (in `instance Eq T`)", "`m` (the default in class `C`)",
// otherwise "`name`".
std::string describeBinding(const std::string& unique);
// The span of the nth (0-based) occurrence of `word` as a whole name inside `within`, starting
// the search after the first occurrence of `after` (a whole word) when it is given; `within`
// itself when there is none. For positions the AST does not keep (type parameters, deriving).
Span wordSpan(const SourceManager& sm, Span within, const std::string& word, size_t nth = 0,
              const std::string& after = "");
// For "$fCls$Head$m": the class and head unique names; false for other names.
bool instanceMethodParts(const std::string& unique, std::string* cls, std::string* head, std::string* method);

}  // namespace weir::names
