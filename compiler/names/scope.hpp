// Scopes of the renamer: what a module defines, what it exports, and what is
// visible (unqualified and qualified) inside it.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

namespace weir::names {

// What one module offers to importers (and itself).
struct Exports {
  std::map<std::string, std::string> values;   // source name -> unique (functions, constructors, methods)
  std::map<std::string, std::string> types;    // source name -> unique (data, newtype, synonyms)
  std::map<std::string, std::string> classes;  // source name -> unique
  std::map<std::string, std::vector<std::string>> children;  // type/class unique -> constructor/method source names
};

// Visible names inside a module. A key maps to every entity it could mean;
// more than one is an ambiguity, reported where the name is used.
struct ModuleScope {
  std::map<std::string, std::set<std::string>> values, types, classes;
  void addValue(const std::string& key, const std::string& unique) { values[key].insert(unique); }
  void addType(const std::string& key, const std::string& unique) { types[key].insert(unique); }
  void addClass(const std::string& key, const std::string& unique) { classes[key].insert(unique); }
};

// Built-in types and constructors, visible through the Prelude.
const std::vector<std::string>& builtinTypes();
bool isBuiltinCon(const std::string& name);  // "[]", ":", "()", "(,)", ...

}  // namespace weir::names
