// The renamer: resolves names to unique names (see names.hpp), re-associates
// operator chains by fixity, and rewrites negation and sections.
#include "names/rename.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <functional>
#include <set>
#include <unordered_map>

#include "names/deriving.hpp"
#include "names/scope.hpp"
#include "syntax/parser.hpp"

namespace weir::names {

namespace {

using namespace weir::ast;

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring letters (`Shwo` -> `Show` is one edit).
size_t editDistance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

bool isOperatorName(const std::string& s) {
  return !s.empty() && !std::isalpha(static_cast<unsigned char>(s[0])) && s[0] != '_' && s[0] != '(' && s[0] != '[';
}

// Splits "Map.lookup" into ("Map", "lookup"); "lookup" into ("", "lookup"); "Map.!" into ("Map", "!").
std::pair<std::string, std::string> splitQualified(const std::string& n) {
  size_t i = 0, lastDot = std::string::npos;
  while (i < n.size() && std::isupper(static_cast<unsigned char>(n[i]))) {
    size_t j = i;
    while (j < n.size() && (std::isalnum(static_cast<unsigned char>(n[j])) || n[j] == '_' || n[j] == '\'')) ++j;
    if (j < n.size() && n[j] == '.' && j + 1 < n.size()) { lastDot = j; i = j + 1; }
    else break;
  }
  if (lastDot == std::string::npos) return {"", n};
  return {n.substr(0, lastDot), n.substr(lastDot + 1)};
}

struct Renamer {
  Program& prog;
  DiagnosticEngine& diags;
  std::map<std::string, Exports> exports;           // module -> exports
  std::map<std::string, Fixity> fixities;           // unique -> fixity
  std::map<std::string, std::vector<std::string>> classMethods;  // class unique -> method source names
  int counter = 0;

  // Per-module state.
  std::string mod;
  ModuleScope scope;
  std::map<std::string, std::string> ownValues, ownTypes, ownClasses;  // source -> unique
  std::vector<std::map<std::string, std::string>> locals;             // stack of local scopes
  std::vector<DeclPtr> derived;                                       // instances from `deriving`
  std::set<std::string> placeholders;   // unique names standing for items of failed imports
  std::map<std::string, Exports> defined;  // module -> everything it defines (exported or not)
  std::vector<std::string> imported;       // modules the current module imports
  std::map<std::string, std::pair<std::string, Span>> hiddenBy;  // name -> (module, span) of a `hiding` import
  const std::vector<DeclPtr>* topDecls = nullptr;  // the current module's declarations
  std::map<std::string, std::string> recordFieldOf;  // field label -> constructor holding a record with it
  std::map<std::string, std::string> otherClauseWhere;  // name -> function: bound in another clause's `where`

  const SourceManager* sources = nullptr;

  bool startsWithParen(Span sp) const {
    if (!sources || sp.file >= sources->size()) return false;
    const std::string& t = sources->get(sp.file).text();
    return sp.begin < t.size() && t[sp.begin] == '(';
  }

  // ------------------------------------------------------------ helpers
  std::string fresh(const std::string& name) { return fmt::format("{}@{}", name, ++counter); }

  std::vector<std::string> visibleValueNames() {
    std::vector<std::string> out;
    for (auto& frame : locals) for (auto& [k, v] : frame) out.push_back(k);
    for (auto& [k, v] : scope.values) out.push_back(k);
    return out;
  }

  std::string suggest(const std::string& name, const std::vector<std::string>& candidates) {
    std::string best;
    if (name.size() > 40) return best;  // nobody misspells a name that long; keeps this linear
    // At most a third of the name may differ (one edit for short names): `base` must not
    // suggest `False`.
    size_t bestD = std::max<size_t>(1, name.size() / 3) + 1;
    for (auto& c : candidates) {
      if (c == name) continue;
      size_t d = editDistance(name, c);
      if (d < bestD) { bestD = d; best = c; }
    }
    return best;
  }

  std::optional<std::string> lookupIn(std::map<std::string, std::set<std::string>>& table, const std::string& name,
                                      Span span, const char* what) {
    auto it = table.find(name);
    if (it == table.end()) return std::nullopt;
    if (it->second.size() > 1) {
      // A placeholder from a failed import (already reported) yields to a real definition.
      std::set<std::string> real;
      for (auto& u : it->second) if (!placeholders.count(u)) real.insert(u);
      if (real.size() == 1) return *real.begin();
      if (real.empty()) return *it->second.begin();
    }
    if (it->second.size() > 1) {
      std::string list;
      for (auto& u : it->second) list += (list.empty() ? "`" : ", `") + u + "`";
      auto& d = diags.error("E0108", span, fmt::format("the {} `{}` is ambiguous", what, name));
      d.label = "could mean more than one thing";
      d.notes.push_back("it could refer to " + list);
      d.hint = "qualify the name, or hide one of them in an import (`import M hiding (...)`)";
      return *it->second.begin();
    }
    return *it->second.begin();
  }

  // Library modules by the values they export, read from the library folders the first time a
  // name is not found: for the hint `import Data.List (sortBy)`.
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> libraryIndex;  // name -> (module, import item)
  bool libraryIndexed = false;

  const std::map<std::string, std::vector<std::pair<std::string, std::string>>>& libraryExports() {
    if (libraryIndexed) return libraryIndex;
    libraryIndexed = true;
    namespace fs = std::filesystem;
    SourceManager sm;
    DiagnosticEngine quiet(sm);
    for (auto& dir : prog.searchPath) {
      std::error_code ec;
      if (dir.empty() || !fs::is_directory(dir, ec)) continue;
      for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file(ec) || it->path().extension() != ".weir") continue;
        std::string text, err;
        if (!readSourceFile(it->path().string(), text, err)) continue;
        FileId id = sm.add(it->path().string(), std::move(text));
        auto m = syntax::parseFile(sm.get(id), id, quiet);
        if (!m || m->name == "Prelude") continue;
        std::map<std::string, std::string> names;  // name -> import item
        auto kids = [&](const std::string& type, std::vector<std::string>& out) {
          for (auto& dp : m->decls) {
            if (dp->name != type) continue;
            if (dp->kind == Decl::Data || dp->kind == Decl::Newtype) for (auto& c : dp->cons) out.push_back(c.name);
            if (dp->kind == Decl::Class)
              for (auto& b : dp->body) if (b->kind == Decl::TypeSig) for (auto& n : b->names) out.push_back(n);
          }
        };
        if (m->hasExports) {
          for (auto& item : m->exports) {
            if (item.kind == ExportItem::Value) names.emplace(item.name, item.name);
            else if (item.kind == ExportItem::Type) {
              std::vector<std::string> ks;
              if (item.allConstructors) kids(item.name, ks);
              else ks = item.members;
              for (auto& k : ks) names.emplace(k, isConName(k) ? item.name + "(..)" : k);
            }
          }
        } else {
          for (auto& dp : m->decls) {
            if (dp->kind == Decl::Clause || dp->kind == Decl::Foreign) names.emplace(dp->name, dp->name);
            else if (dp->kind == Decl::PatBind && dp->pat && dp->pat->kind == Pat::Var)
              names.emplace(dp->pat->name, dp->pat->name);
            else if (dp->kind == Decl::Data || dp->kind == Decl::Newtype || dp->kind == Decl::Class) {
              std::vector<std::string> ks;
              kids(dp->name, ks);
              for (auto& k : ks) names.emplace(k, isConName(k) ? dp->name + "(..)" : k);
            }
          }
        }
        for (auto& [n, item] : names) libraryIndex[n].push_back({m->name, item});
      }
    }
    return libraryIndex;
  }

  // "import Data.List (sortBy)" for a name some library module exports, or "".
  std::string importHint(const std::string& name) {
    auto& idx = libraryExports();
    auto it = idx.find(name);
    if (it == idx.end()) return "";
    // The module a Haskell user looks in first; containers and text are imported qualified.
    static const std::vector<std::string> plain = {
        "Data.List", "Data.Maybe", "Data.Char", "Data.Either", "Data.Ord", "Data.Foldable", "Control.Monad",
        "Control.Applicative", "Text.Read", "Data.Function", "Numeric", "Data.Bits", "Data.Int", "Data.Float"};
    static const std::vector<std::pair<std::string, std::string>> qualified = {
        {"Data.Map", "M"}, {"Data.Set", "Set"}, {"Data.String", "S"}, {"Data.Bytes", "B"}};
    auto mods = it->second;
    std::sort(mods.begin(), mods.end());
    auto item = [&](const std::string& m) -> std::string {
      for (auto& [mm, i] : mods) if (mm == m) return isOperatorName(i) ? "(" + i + ")" : i;
      return "";
    };
    for (auto& m : plain)
      if (auto i = item(m); !i.empty()) {
        std::string h = fmt::format("`{}` is in module `{}`: add `import {} ({})`", name, m, m, i);
        // `intercalate`, `isPrefixOf`...: the list version; on a `String` (not `[Char]` in
        // Weir) the Data.String one is meant.
        if (!item("Data.String").empty())
          h += fmt::format("; on a `String` use Data.String's: `import qualified Data.String as S` and write `S.{}`", name);
        return h;
      }
    for (auto& [m, as] : qualified)
      if (!item(m).empty())
        return fmt::format("`{}` is in module `{}`: add `import qualified {} as {}` and write `{}.{}`", name, m, m, as, as, name);
    return fmt::format("`{}` is in module `{}`: add `import {} ({})`", name, mods[0].first, mods[0].first, item(mods[0].first));
  }

  // True when the name at `sp` is written `(.name)`: the dot and the name with no space between.
  bool fieldSection(Span sp) const {
    if (!sources || sp.file >= sources->size()) return false;
    const std::string& t = sources->get(sp.file).text();
    if (sp.begin < 2 || t[sp.begin - 1] != '.') return false;
    size_t i = sp.begin - 2;
    while (i > 0 && (t[i] == ' ' || t[i] == '\t')) --i;
    return t[i] == '(';
  }

  // The class (unique name) one of whose methods is visible as `name`, or "".
  std::string classOf(const std::string& name) {
    auto v = scope.values.find(name);
    if (v == scope.values.end()) return "";
    for (auto& u : v->second)
      for (auto& [cls, ms] : classMethods) {
        std::string clsMod = cls.substr(0, cls.size() - displayName(cls).size() - 1);
        if (std::find(ms.begin(), ms.end(), name) != ms.end() && u == clsMod + "." + name) return cls;
      }
    return "";
  }

  std::string resolveValue(const std::string& name, Span span, bool isCon) {
    if (isBuiltinCon(name)) return name;
    if (!isCon) {
      for (auto it = locals.rbegin(); it != locals.rend(); ++it) {
        auto f = it->find(name);
        if (f != it->end()) return f->second;
      }
    }
    auto own = ownValues.find(name);
    if (own != ownValues.end()) return own->second;
    if (auto r = lookupIn(scope.values, name, span, isCon ? "constructor" : "name")) return *r;
    auto [q, base] = splitQualified(name);
    // Candidates of the same kind (a constructor for a constructor), the module's own included.
    std::vector<std::string> cands;
    auto sameKind = [&](const std::string& c) {
      std::string b = splitQualified(c).second;
      return !b.empty() && isConName(b) == isCon;
    };
    for (auto& c : visibleValueNames()) if (sameKind(c)) cands.push_back(c);
    for (auto& [k, v] : ownValues) if (sameKind(k)) cands.push_back(k);
    std::string hintName = suggest(name, cands);
    auto& d = isCon ? diags.error("E0102", span, fmt::format("cannot find constructor `{}` in this scope", name))
                    : diags.error("E0100", span, fmt::format("cannot find `{}` in this scope", name));
    d.label = "not defined";
    // Defined by an imported module that does not export it?
    std::string hidden;
    for (auto& m : imported) {
      if (!q.empty() && q != m) continue;
      auto def = defined.find(m);
      if (def == defined.end() || !def->second.values.count(base)) continue;
      auto ex = exports.find(m);
      if (ex != exports.end() && ex->second.values.count(base)) continue;
      hidden = fmt::format("module `{}` defines `{}` but does not export it", m, base);
      for (auto& [type, kids] : def->second.children)
        if (std::find(kids.begin(), kids.end(), base) != kids.end() && ex != exports.end() &&
            ex->second.types.count(displayName(type)))
          hidden += fmt::format(" (it exports the type `{}` without its constructors, as an abstract type)",
                                displayName(type));
      break;
    }
    auto ow = otherClauseWhere.find(name);
    auto hb = hiddenBy.find(name);
    if (hb != hiddenBy.end() && hidden.empty()) {
      d.label = "hidden by an import";
      d.notes.push_back(fmt::format("`import {} hiding ({})` hides `{}`", hb->second.first, name, name));
      d.secondary.push_back({hb->second.second, "hidden here"});
      d.hint = fmt::format("define `{}` yourself, or remove it from the `hiding` list", name);
    } else if (!hidden.empty()) {
      d.label = "not exported";
      d.notes.push_back(hidden);
      d.hint = isCon ? "use the functions the module exports to build and inspect these values"
                     : fmt::format("add `{}` to the export list of `{}`, or use what it exports", base, q.empty() ? imported.back() : q);
    } else if (ow != otherClauseWhere.end()) {
      d.label = "not defined in this clause";
      d.notes.push_back(fmt::format("`{}` is defined in the `where` of another clause of `{}`; a `where` belongs to one clause only",
                                    name, ow->second));
      d.hint = fmt::format("define `{}` at the top level, or use guards in a single clause that shares the `where`", name);
    } else if (!isCon && recordFieldOf.count(name)) {
      // Haskell's field selector: Weir's record fields are read with `.`.
      const std::string& con = recordFieldOf[name];
      d.label = fmt::format("`{}` is a record field, not a function", name);
      d.notes.push_back(fmt::format("`{}` holds one record (as in PureScript); Weir makes no selector functions for "
                                    "its fields", con));
      d.hint = fmt::format("match the record and read the field: `f ({} r) = r.{}`, or `f ({} {{ {} }}) = {}`", con, name,
                           con, name, name);
    } else if (!isCon && q.empty() && fieldSection(span)) {
      // `(.temp)` is a right section of composition, not a field accessor (PureScript's `_.temp`).
      d.label = "`(.name)` composes with a function `name`; it does not read a field";
      d.hint = fmt::format("to read the field, write a lambda: `\\r -> r.{}`", name);
    } else if (std::string ih = q.empty() && splitQualified(hintName).second != name ? importHint(name) : "";
               !ih.empty()) {
      d.hint = ih;  // (not when the name is already visible qualified: then `M.name` below is the fix)
    } else if (!hintName.empty()) d.hint = fmt::format("did you mean `{}`?", hintName);
    else if (!q.empty()) d.hint = fmt::format("is module `{}` imported, and does it export `{}`?", q, base);
    return name;
  }

  std::string resolveType(const std::string& name, Span span) {
    if (isBuiltinCon(name)) return name;
    auto own = ownTypes.find(name);
    if (own != ownTypes.end()) return own->second;
    if (auto r = lookupIn(scope.types, name, span, "type")) return *r;
    std::vector<std::string> cands;
    for (auto& [k, v] : scope.types) cands.push_back(k);
    auto& d = diags.error("E0104", span, fmt::format("cannot find type `{}` in this scope", name));
    d.label = "unknown type";
    std::string s = suggest(name, cands);
    if (!s.empty()) d.hint = fmt::format("did you mean `{}`?", s);
    return name;
  }

  std::string resolveClass(const std::string& name, Span span) {
    auto own = ownClasses.find(name);
    if (own != ownClasses.end()) return own->second;
    if (auto r = lookupIn(scope.classes, name, span, "class")) return *r;
    std::vector<std::string> cands;
    for (auto& [k, v] : scope.classes) cands.push_back(k);
    auto& d = diags.error("E0105", span, fmt::format("cannot find type class `{}` in this scope", name));
    d.label = "unknown class";
    std::string s = suggest(name, cands);
    if (!s.empty()) d.hint = fmt::format("did you mean `{}`?", s);
    return name;
  }

  // ------------------------------------------------------------ collecting top-level definitions
  static bool isConName(const std::string& n) {
    return !n.empty() && (std::isupper(static_cast<unsigned char>(n[0])) || n[0] == ':');
  }

  void define(std::map<std::string, std::string>& table, const std::string& name, Span span, const char* what) {
    std::string unique = mod + "." + name;
    auto it = table.find(name);
    if (it != table.end()) {
      auto& d = diags.error("E0109", span, fmt::format("the {} `{}` is defined more than once", what, name));
      d.label = "defined again here";
      d.hint = "rename one of the definitions";
      return;
    }
    table[name] = unique;
  }

  void collect(Module& m, Exports& all) {
    std::set<std::string> seenClauses;
    std::string lastClause;
    for (auto& dp : m.decls) {
      Decl& d = *dp;
      switch (d.kind) {
        case Decl::Clause:
          // consecutive clauses of one function form one definition
          if (d.name != lastClause) {
            if (seenClauses.count(d.name)) {
              auto& e = diags.error("E0109", d.nameSpan.end ? d.nameSpan : d.span,
                                    fmt::format("the clauses of `{}` are not together", d.name));
              e.label = "another clause of `" + d.name + "` appears earlier, separated by other declarations";
              e.hint = "keep all clauses of a function next to each other";
            } else {
              define(ownValues, d.name, d.nameSpan.end ? d.nameSpan : d.span, "value");
            }
            seenClauses.insert(d.name);
          }
          lastClause = d.name;
          continue;
        case Decl::PatBind: {
          std::function<void(const PatPtr&)> vars = [&](const PatPtr& p) {
            if (!p) return;
            if (p->kind == Pat::Var || p->kind == Pat::As) define(ownValues, p->name, p->span, "value");
            for (auto& a : p->args) vars(a);
            for (auto& [f, fp] : p->fields) vars(fp);
            for (auto& s : p->segments) vars(s.pat);
          };
          vars(d.pat);
          break;
        }
        case Decl::Foreign:
          define(ownValues, d.name, d.nameSpan.end ? d.nameSpan : d.span, "value");
          break;
        case Decl::Data:
        case Decl::Newtype: {
          define(ownTypes, d.name, d.nameSpan.end ? d.nameSpan : d.span, "type");
          std::vector<std::string> cons;
          for (auto& c : d.cons) {
            define(ownValues, c.name, c.span, "constructor");
            cons.push_back(c.name);
            if (c.fields.size() == 1 && c.fields[0] && c.fields[0]->kind == ast::Type::Record)
              for (auto& [label, ft] : c.fields[0]->fields) recordFieldOf.emplace(label, c.name);
          }
          all.children[mod + "." + d.name] = cons;
          break;
        }
        case Decl::TypeSyn:
          define(ownTypes, d.name, d.nameSpan.end ? d.nameSpan : d.span, "type");
          break;
        case Decl::Class: {
          define(ownClasses, d.name, d.nameSpan.end ? d.nameSpan : d.span, "class");
          std::vector<std::string> methods;
          for (auto& b : d.body)
            if (b->kind == Decl::TypeSig)
              for (size_t i = 0; i < b->names.size(); ++i) {
                define(ownValues, b->names[i], i < b->nameSpans.size() ? b->nameSpans[i] : b->span, "method");
                methods.push_back(b->names[i]);
              }
          all.children[mod + "." + d.name] = methods;
          classMethods[mod + "." + d.name] = methods;
          break;
        }
        default:
          break;
      }
      lastClause.clear();
    }
    for (auto& [k, v] : ownValues) all.values[k] = v;
    for (auto& [k, v] : ownTypes) all.types[k] = v;
    for (auto& [k, v] : ownClasses) all.classes[k] = v;
  }

  // ------------------------------------------------------------ imports and exports
  void importModule(const Import& imp) {
    auto it = exports.find(imp.module);
    if (it == exports.end()) return;  // load error already reported
    const Exports& ex = it->second;
    std::string qual = imp.alias.empty() ? imp.module : imp.alias;
    auto wanted = [&](const std::string& name, bool isType, const std::string& parent) -> bool {
      if (!imp.hasList) return true;
      bool listed = false;
      for (auto& item : imp.items) {
        if (item.name == name) listed = true;
        if (!parent.empty() && item.name == parent &&
            (item.allConstructors || std::find(item.members.begin(), item.members.end(), name) != item.members.end()))
          listed = true;
      }
      (void)isType;
      return imp.hiding ? !listed : listed;
    };
    // parent of each child (constructors/methods)
    std::map<std::string, std::string> parentOf;
    for (auto& [unique, kids] : ex.children) {
      std::string src = displayName(unique);
      for (auto& k : kids) parentOf[k] = src;
    }
    if (imp.hasList && !imp.hiding) {
      for (auto& item : imp.items) {
        bool found = ex.values.count(item.name) || ex.types.count(item.name) || ex.classes.count(item.name);
        if (!found) {
          auto& d = diags.error("E0111", item.span, fmt::format("module `{}` does not export `{}`", imp.module, item.name));
          d.label = "not exported";
          std::vector<std::string> cands;
          for (auto& [k, v] : ex.values) cands.push_back(k);
          for (auto& [k, v] : ex.types) cands.push_back(k);
          std::string s = suggest(item.name, cands);
          if (!s.empty()) d.hint = fmt::format("did you mean `{}`?", s);
          // Known from now on, so its uses do not repeat the error.
          scope.addValue(item.name, imp.module + "." + item.name);
          scope.addType(item.name, imp.module + "." + item.name);
          placeholders.insert(imp.module + "." + item.name);
        }
      }
    }
    for (auto& [name, unique] : ex.values) {
      auto p = parentOf.find(name);
      if (!wanted(name, false, p == parentOf.end() ? "" : p->second)) continue;
      if (!imp.qualified) scope.addValue(name, unique);
      scope.addValue(qual + "." + name, unique);
    }
    for (auto& [name, unique] : ex.types) {
      if (!wanted(name, true, "")) continue;
      if (!imp.qualified) scope.addType(name, unique);
      scope.addType(qual + "." + name, unique);
    }
    for (auto& [name, unique] : ex.classes) {
      if (!wanted(name, true, "")) continue;
      if (!imp.qualified) scope.addClass(name, unique);
      scope.addClass(qual + "." + name, unique);
    }
  }

  Exports computeExports(Module& m, const Exports& all) {
    if (!m.hasExports) return all;
    Exports ex;
    for (auto& item : m.exports) {
      if (item.kind == ExportItem::Module) {
        if (item.name == mod) { ex = all; continue; }
        // re-export everything imported from that module (unqualified names)
        auto it = exports.find(item.name);
        if (it == exports.end()) {
          diags.error("E0110", item.span, fmt::format("cannot export module `{}`: it is not imported", item.name));
          continue;
        }
        for (auto& [k, v] : it->second.values) ex.values[k] = v;
        for (auto& [k, v] : it->second.types) ex.types[k] = v;
        for (auto& [k, v] : it->second.classes) ex.classes[k] = v;
        for (auto& [k, v] : it->second.children) ex.children[k] = v;
        continue;
      }
      bool found = false;
      auto findIn = [&](std::map<std::string, std::set<std::string>>& t, const std::string& n) -> std::string {
        auto it = t.find(n);
        return it == t.end() || it->second.empty() ? "" : *it->second.begin();
      };
      std::string v = ownValues.count(item.name) ? ownValues[item.name] : findIn(scope.values, item.name);
      if (!v.empty()) { ex.values[item.name] = v; found = true; }
      std::string t = ownTypes.count(item.name) ? ownTypes[item.name] : findIn(scope.types, item.name);
      std::string c = ownClasses.count(item.name) ? ownClasses[item.name] : findIn(scope.classes, item.name);
      for (auto& [u, table] : {std::pair{t, &ex.types}, std::pair{c, &ex.classes}}) {
        if (u.empty()) continue;
        found = true;
        (*table)[item.name] = u;
        std::vector<std::string> kids;
        for (auto& [mname, mex] : exports) { auto k = mex.children.find(u); if (k != mex.children.end()) kids = k->second; }
        auto k = all.children.find(u);
        if (k != all.children.end()) kids = k->second;
        std::vector<std::string> exported;
        for (auto& kid : kids) {
          bool want = item.allConstructors || std::find(item.members.begin(), item.members.end(), kid) != item.members.end();
          if (!want) continue;
          std::string ku = ownValues.count(kid) ? ownValues[kid] : findIn(scope.values, kid);
          if (!ku.empty()) { ex.values[kid] = ku; exported.push_back(kid); }
        }
        ex.children[u] = exported;
      }
      if (!found) {
        auto& d = diags.error("E0110", item.span, fmt::format("cannot export `{}`: it is not defined or imported here", item.name));
        d.label = "unknown name";
      }
    }
    return ex;
  }

  // ------------------------------------------------------------ fixity re-association
  Fixity fixityOf(const std::string& unique) {
    auto it = fixities.find(unique);
    return it == fixities.end() ? Fixity{} : it->second;
  }

  struct OpTok {
    bool isOp = false;
    bool isNeg = false;
    std::string name;  // resolved op
    Span span;
    ExprPtr expr;
    PatPtr pat;
  };

  ExprPtr mkVarExpr(const std::string& name, Span span) {
    auto e = std::make_shared<Expr>();
    e->kind = isConName(displayName(name)) || name == ":" ? Expr::Con : Expr::Var;
    e->name = name;
    e->span = span;
    return e;
  }

  ExprPtr mkApp(ExprPtr f, std::vector<ExprPtr> args, Span span) {
    auto e = std::make_shared<Expr>();
    e->kind = Expr::App;
    e->span = span;
    e->args.push_back(std::move(f));
    for (auto& a : args) e->args.push_back(std::move(a));
    return e;
  }

  ExprPtr negate(ExprPtr e, Span span) {
    if (e->kind == Expr::Lit && e->lit.kind == Literal::Int) { e->lit.i = -e->lit.i; e->span = Span::merge(span, e->span); return e; }
    if (e->kind == Expr::Lit && e->lit.kind == Literal::Float) { e->lit.f = -e->lit.f; e->span = Span::merge(span, e->span); return e; }
    return mkApp(mkVarExpr("Prelude.negate", span), {e}, Span::merge(span, e->span));
  }

  // Haskell 2010 report 10.6, over a token list of operands, operators and negations.
  template <class Node, class Combine, class Neg>
  bool resolveChain(std::vector<OpTok>& toks, size_t& pos, Fixity op1, bool op1Valid, std::shared_ptr<Node>& out,
                    Combine combine, Neg neg) {
    // parseNeg
    std::shared_ptr<Node> e1;
    if (pos < toks.size() && toks[pos].isNeg) {
      Span negSpan = toks[pos].span;
      if (op1Valid && op1.prec >= 6) {
        auto& d = diags.error("E0113", negSpan, "a negation `-` cannot follow an operator of precedence 6 or more");
        d.hint = "put the negated expression in parentheses: `x * (-y)`";
        return false;
      }
      ++pos;
      std::shared_ptr<Node> r;
      if (!resolveChain<Node>(toks, pos, Fixity{ast::Decl::Left, 6}, true, r, combine, neg)) return false;
      e1 = neg(r, negSpan);
    } else {
      if (pos >= toks.size()) return false;
      if constexpr (std::is_same_v<Node, Expr>) e1 = toks[pos].expr;
      else e1 = toks[pos].pat;
      ++pos;
    }
    // parse1
    while (true) {
      if (pos >= toks.size()) { out = e1; return true; }
      OpTok& op2t = toks[pos];
      Fixity op2 = fixityOf(op2t.name);
      if (op1Valid && op1.prec == op2.prec && (op1.assoc != op2.assoc || op1.assoc == ast::Decl::None)) {
        auto& d = diags.error("E0114", op2t.span,
                              fmt::format("cannot mix `{}` with an operator of the same precedence ({}) but other associativity",
                                          displayName(op2t.name), op2.prec));
        d.hint = "add parentheses to say which comes first";
        return false;
      }
      if (op1Valid && (op1.prec > op2.prec || (op1.prec == op2.prec && op1.assoc == ast::Decl::Left))) {
        out = e1;
        return true;
      }
      ++pos;
      std::shared_ptr<Node> r;
      if (!resolveChain<Node>(toks, pos, op2, true, r, combine, neg)) return false;
      e1 = combine(op2t, e1, r);
    }
  }

  ExprPtr resolveExprChain(Expr& chain) {
    std::vector<OpTok> toks;
    for (size_t i = 0; i < chain.args.size(); ++i) {
      ExprPtr operand = chain.args[i];
      // A negation in parentheses, `x * (-y)`, is an ordinary operand.
      while (operand->kind == Expr::Neg && operand->args.size() == 1 && startsWithParen(operand->span))
        operand = negate(operand->args[0], operand->span);
      // A leading negation inside an operand is a prefix operator of the chain.
      while (operand->kind == Expr::Neg && operand->args.size() == 1) {
        OpTok n; n.isNeg = true; n.span = operand->span; toks.push_back(n);
        operand = operand->args[0];
      }
      OpTok t; t.expr = operand; t.span = operand->span; toks.push_back(t);
      if (i < chain.ops.size()) {
        OpTok o; o.isOp = true;
        Span sp = i < chain.opSpans.size() ? chain.opSpans[i] : chain.span;
        o.name = resolveValue(chain.ops[i], sp, isConName(chain.ops[i]) || chain.ops[i] == ":");
        o.span = sp;
        toks.push_back(o);
      }
    }
    // Operators were already resolved above; operands are renamed by the caller.
    size_t pos = 0;
    ExprPtr out;
    auto combine = [&](OpTok& op, ExprPtr l, ExprPtr r) {
      return mkApp(mkVarExpr(op.name, op.span), {l, r}, Span::merge(l->span, r->span));
    };
    auto neg = [&](ExprPtr e, Span sp) { return negate(e, sp); };
    if (!resolveChain<Expr>(toks, pos, Fixity{}, false, out, combine, neg) || !out) return nullptr;
    return out;
  }

  // ------------------------------------------------------------ types
  void renameType(TypePtr& t) {
    if (!t) return;
    switch (t->kind) {
      case Type::Con: t->name = resolveType(t->name, t->span); break;
      default: break;
    }
    for (auto& a : t->args) renameType(a);
    for (auto& [f, ft] : t->fields) renameType(ft);
  }

  void renameQualType(QualType& q) {
    for (auto& c : q.context) {
      c.cls = resolveClass(c.cls, c.span);
      renameType(c.type);
    }
    renameType(q.type);
  }

  // ------------------------------------------------------------ patterns
  // Binds the variables of `p` into `frame`, renaming them; reports duplicates.
  void renamePat(PatPtr& p, std::map<std::string, std::string>& frame) {
    if (!p) return;
    switch (p->kind) {
      case Pat::Var:
      case Pat::As: {
        if (frame.count(p->name)) {
          auto& d = diags.error("E0103", p->span, fmt::format("the variable `{}` is bound more than once in this pattern", p->name));
          d.label = "bound again here";
          d.hint = "use a different name, and compare the two values in a guard if you meant them to be equal";
        }
        std::string u = fresh(p->name);
        frame[p->name] = u;
        p->name = u;
        break;
      }
      case Pat::Con:
        p->name = resolveValue(p->name, p->span, true);
        break;
      case Pat::OpChain: {
        std::vector<OpTok> toks;
        for (size_t i = 0; i < p->args.size(); ++i) {
          OpTok t; t.pat = p->args[i]; t.span = p->args[i]->span; toks.push_back(t);
          if (i < p->ops.size()) {
            OpTok o; o.isOp = true;
            Span sp = i < p->opSpans.size() ? p->opSpans[i] : p->span;
            o.name = resolveValue(p->ops[i], sp, true);
            o.span = sp;
            toks.push_back(o);
          }
        }
        size_t pos = 0;
        PatPtr out;
        auto combine = [&](OpTok& op, PatPtr l, PatPtr r) {
          auto c = std::make_shared<Pat>();
          c->kind = op.name == ":" ? Pat::Cons : Pat::Con;
          c->name = op.name;
          c->span = Span::merge(l->span, r->span);
          c->args = {l, r};
          return c;
        };
        auto neg = [&](PatPtr e, Span) { return e; };
        if (resolveChain<Pat>(toks, pos, Fixity{}, false, out, combine, neg) && out) {
          p = out;
          // operands are renamed below through p's children
          std::function<void(PatPtr&)> fix = [&](PatPtr& q) {
            if ((q->kind == Pat::Con || q->kind == Pat::Cons) && std::find_if(toks.begin(), toks.end(), [&](OpTok& t) { return t.pat == q; }) == toks.end()) {
              for (auto& a : q->args) fix(a);
            } else {
              renamePat(q, frame);
            }
          };
          fix(p);
        }
        return;
      }
      case Pat::Binary:
        for (auto& s : p->segments) {
          renamePat(s.pat, frame);
          if (s.size) renameExpr(s.size);  // sizes may mention earlier segments' variables
        }
        return;
      case Pat::Typed:
        renameType(p->type);
        break;
      default:
        break;
    }
    for (auto& a : p->args) renamePat(a, frame);
    for (auto& [f, fp] : p->fields) renamePat(fp, frame);
  }

  // ------------------------------------------------------------ declarations (local groups)
  // Defines the binders of a local declaration group in a new frame (they are mutually recursive).
  void bindGroup(std::vector<DeclPtr>& decls, std::map<std::string, std::string>& frame) {
    std::string last;
    for (auto& d : decls) {
      if (d->kind == Decl::Clause) {
        if (d->name != last) {
          if (frame.count(d->name)) {
            auto& e = diags.error("E0109", d->nameSpan.end ? d->nameSpan : d->span, fmt::format("`{}` is defined more than once in this group", d->name));
            e.label = "defined again here";
          } else {
            frame[d->name] = fresh(d->name);
          }
        }
        last = d->name;
        continue;
      }
      last.clear();
      if (d->kind == Decl::PatBind) {
        std::function<void(const PatPtr&)> vars = [&](const PatPtr& p) {
          if (!p) return;
          if (p->kind == Pat::Var || p->kind == Pat::As) {
            if (frame.count(p->name)) diags.error("E0109", p->span, fmt::format("`{}` is defined more than once in this group", p->name));
            else frame[p->name] = fresh(p->name);
          }
          for (auto& a : p->args) vars(a);
          for (auto& [f, fp] : p->fields) vars(fp);
          for (auto& s : p->segments) vars(s.pat);
        };
        vars(d->pat);
      }
    }
  }

  // Renames the pattern of a binding whose variables are already in `names`.
  void renameBoundPat(PatPtr& p, const std::map<std::string, std::string>& names) {
    if (!p) return;
    if (p->kind == Pat::Var || p->kind == Pat::As) {
      auto it = names.find(p->name);
      if (it != names.end()) p->name = it->second;
    } else if (p->kind == Pat::Con) {
      p->name = resolveValue(p->name, p->span, true);
    } else if (p->kind == Pat::OpChain) {
      std::map<std::string, std::string> tmp;
      renamePat(p, tmp);  // rare: constructor operator chains in pattern bindings
      return;
    }
    for (auto& a : p->args) renameBoundPat(a, names);
    for (auto& [f, fp] : p->fields) renameBoundPat(fp, names);
    for (auto& s : p->segments) {
      renameBoundPat(s.pat, names);
      if (s.size) renameExpr(s.size);  // may use variables of earlier segments (bound in `names`)
    }
  }

  void renameDecls(std::vector<DeclPtr>& decls, const std::map<std::string, std::string>& names, bool topLevel) {
    // The clauses with a `where`, by function: indexed once (searching every declaration for each
    // clause made a 5,000-clause function quadratic).
    std::unordered_map<std::string, std::vector<const Decl*>> withWhere;
    for (auto& o : (topLevel && topDecls ? *topDecls : decls))
      if (o->kind == Decl::Clause && !o->rhs.where.empty()) withWhere[displayName(o->name)].push_back(o.get());
    for (auto& d : decls) {
      switch (d->kind) {
        case Decl::Clause: {
          // Names bound in the `where` of the function's other clauses, for a note if used here.
          auto savedWhere = otherClauseWhere;
          if (auto ws = withWhere.find(displayName(d->name)); ws != withWhere.end())
            for (const Decl* o : ws->second)
              if (o != d.get())
                for (auto& w : o->rhs.where)
                  if (w->kind == Decl::Clause) otherClauseWhere[displayName(w->name)] = displayName(d->name);
          auto it = names.find(d->name);
          if (it != names.end()) d->name = it->second;
          locals.emplace_back();
          for (auto& p : d->pats) renamePat(p, locals.back());
          renameRhs(d->rhs);
          locals.pop_back();
          otherClauseWhere = savedWhere;
          break;
        }
        case Decl::PatBind:
          renameBoundPat(d->pat, names);
          renameRhs(d->rhs);
          break;
        case Decl::TypeSig:
          for (size_t i = 0; i < d->names.size(); ++i) {
            auto it = names.find(d->names[i]);
            if (it != names.end()) d->names[i] = it->second;
            else {
              Span sp = i < d->nameSpans.size() ? d->nameSpans[i] : d->span;
              auto& e = diags.error("E0115", sp, fmt::format("type signature for `{}` has no definition", d->names[i]));
              e.label = "no binding of this name follows";
              e.hint = "add a definition, or remove the signature";
            }
          }
          if (d->qualType) renameQualType(*d->qualType);
          break;
        case Decl::Fixity:
          for (size_t i = 0; i < d->names.size(); ++i) {
            auto it = names.find(d->names[i]);
            if (it != names.end()) d->names[i] = it->second;
          }
          break;
        default:
          if (!topLevel) {
            diags.error("E0116", d->span, "only values, type signatures and fixity declarations can appear in a `let` or `where`");
          }
          break;
      }
    }
  }

  void renameLocalGroup(std::vector<DeclPtr>& decls) {
    locals.emplace_back();
    bindGroup(decls, locals.back());
    auto names = locals.back();
    for (auto& d : decls)
      if (d->kind == Decl::Fixity)
        for (auto& n : d->names) {
          auto it = names.find(n);
          if (it != names.end()) fixities[it->second] = Fixity{d->assoc, d->prec};
        }
    renameDecls(decls, names, false);
    // the frame stays pushed: the caller pops it after renaming the body
  }

  void renameRhs(Rhs& rhs) {
    bool hasWhere = !rhs.where.empty();
    if (hasWhere) renameLocalGroup(rhs.where);
    if (rhs.plain) renameExpr(rhs.plain);
    for (auto& g : rhs.guarded) {
      locals.emplace_back();
      for (auto& guard : g.guards) renameGuard(guard);
      renameExpr(g.body);
      // guards may push frames for pattern guards and lets; pop them all
      locals.pop_back();
    }
    if (hasWhere) locals.pop_back();
  }

  // Guards bind into the current (innermost) frame, which the caller pops.
  void renameGuard(Guard& g) {
    switch (g.kind) {
      case Guard::Bool: renameExpr(g.expr); break;
      case Guard::Pattern: {
        renameExpr(g.expr);
        std::map<std::string, std::string> frame;
        renamePat(g.pat, frame);
        for (auto& [k, v] : frame) locals.back()[k] = v;
        break;
      }
      case Guard::Let: {
        std::map<std::string, std::string> frame;
        bindGroup(g.decls, frame);
        for (auto& [k, v] : frame) locals.back()[k] = v;
        renameDecls(g.decls, frame, false);
        break;
      }
    }
  }

  // Statements of do / comprehensions: each binds for the rest. Pushes frames; returns how many.
  size_t renameStmt(Stmt& s) {
    switch (s.kind) {
      case Stmt::Bind: {
        renameExpr(s.expr);
        locals.emplace_back();
        renamePat(s.pat, locals.back());
        return 1;
      }
      case Stmt::Let:
        renameLocalGroup(s.decls);
        return 1;
      case Stmt::Expr:
        renameExpr(s.expr);
        return 0;
    }
    return 0;
  }

  // ------------------------------------------------------------ expressions
  void renameExpr(ExprPtr& e) {
    if (!e) return;
    switch (e->kind) {
      case Expr::Var:
        e->name = resolveValue(e->name, e->span, false);
        return;
      case Expr::Con:
        e->name = resolveValue(e->name, e->span, true);
        return;
      case Expr::OpChain: {
        // Negations of operands stay for the re-association (`- 2 * 3` is `negate (2 * 3)`).
        for (auto& a : e->args) {
          ExprPtr* inner = &a;
          while ((*inner)->kind == Expr::Neg && (*inner)->args.size() == 1) inner = &(*inner)->args[0];
          renameExpr(*inner);
        }
        ExprPtr r = resolveExprChain(*e);
        if (r) e = r;
        return;
      }
      case Expr::Neg:
        renameExpr(e->args[0]);
        e = negate(e->args[0], e->span);
        return;
      case Expr::LeftSection: {  // (x op) = (op x)
        renameExpr(e->args[0]);
        std::string op = resolveValue(e->name, e->span, isConName(e->name) || e->name == ":");
        e = mkApp(mkVarExpr(op, e->span), {e->args[0]}, e->span);
        return;
      }
      case Expr::RightSection: {  // (op y) = \x -> x op y
        renameExpr(e->args[0]);
        std::string op = resolveValue(e->name, e->span, isConName(e->name) || e->name == ":");
        std::string x = fresh("x");
        auto pat = std::make_shared<Pat>();
        pat->kind = Pat::Var; pat->name = x; pat->span = e->span;
        auto lam = std::make_shared<Expr>();
        lam->kind = Expr::Lam; lam->span = e->span;
        lam->pats = {pat};
        auto xv = std::make_shared<Expr>(); xv->kind = Expr::Var; xv->name = x; xv->span = e->span;
        lam->args = {mkApp(mkVarExpr(op, e->span), {xv, e->args[0]}, e->span)};
        e = lam;
        return;
      }
      case Expr::Lam:
        locals.emplace_back();
        for (auto& p : e->pats) renamePat(p, locals.back());
        renameExpr(e->args[0]);
        locals.pop_back();
        return;
      case Expr::Let:
        renameLocalGroup(e->decls);
        renameExpr(e->args[0]);
        locals.pop_back();
        return;
      case Expr::Case:
        renameExpr(e->args[0]);
        for (auto& alt : e->alts) {
          locals.emplace_back();
          renamePat(alt.pat, locals.back());
          renameRhs(alt.rhs);
          locals.pop_back();
        }
        return;
      case Expr::Do: {
        size_t pushed = 0;
        for (auto& s : e->stmts) pushed += renameStmt(s);
        while (pushed--) locals.pop_back();
        return;
      }
      case Expr::Comprehension: {
        size_t pushed = 0;
        for (auto& s : e->stmts) pushed += renameStmt(s);
        renameExpr(e->args[0]);
        while (pushed--) locals.pop_back();
        return;
      }
      case Expr::TypeAnn:
        renameExpr(e->args[0]);
        if (e->qualType) renameQualType(*e->qualType);
        return;
      case Expr::Record:
      case Expr::Update:
        for (auto& a : e->args) renameExpr(a);
        for (auto& [f, fe] : e->fields) renameExpr(fe);
        return;
      case Expr::Binary:
        for (auto& s : e->segments) { renameExpr(s.value); renameExpr(s.size); }
        return;
      default:
        for (auto& a : e->args) renameExpr(a);
        return;
    }
  }

  // ------------------------------------------------------------ top level
  void renameModule(LoadedModule& lm) {
    Module& m = *lm.ast;
    mod = lm.name;
    scope = ModuleScope{};
    ownValues.clear(); ownTypes.clear(); ownClasses.clear();
    locals.clear();

    Exports all;
    collect(m, all);
    defined[mod] = all;
    topDecls = &m.decls;
    imported.clear();
    hiddenBy.clear();
    for (auto& imp : m.imports) {
      imported.push_back(imp.module);
      if (imp.hiding)
        for (auto& item : imp.items) hiddenBy[item.name] = {imp.module, item.span};
    }

    // Imports (implicit Prelude first).
    bool preludeExplicit = false;
    for (auto& imp : m.imports) if (imp.module == "Prelude") preludeExplicit = true;
    if (!preludeExplicit && mod != "Prelude") {
      Import p; p.module = "Prelude"; importModule(p);
    }
    for (auto& imp : m.imports) importModule(imp);
    // Built-in types are visible everywhere.
    for (auto& t : builtinTypes()) scope.addType(t, t);

    // Fixities of this module's operators.
    std::set<std::string> fixitySeen;
    for (auto& d : m.decls)
      if (d->kind == Decl::Fixity)
        for (size_t ni = 0; ni < d->names.size(); ++ni) {
          const std::string& n = d->names[ni];
          auto it = ownValues.find(n);
          if (it == ownValues.end()) {
            auto& e = diags.error("E0117", ni < d->nameSpans.size() ? d->nameSpans[ni] : d->span, fmt::format("fixity declaration for `{}`, which is not defined in this module", n));
            e.hint = "declare the fixity next to the operator's definition";
            continue;
          }
          if (!fixitySeen.insert(n).second) {
            auto& e = diags.error("E0109", ni < d->nameSpans.size() ? d->nameSpans[ni] : d->span,
                                  fmt::format("`{}` has more than one fixity declaration", n));
            e.label = "declared again here";
            e.hint = "keep one fixity declaration per operator";
            continue;
          }
          fixities[it->second] = Fixity{d->assoc, d->prec};
        }
      else if (d->kind == Decl::Class)
        for (auto& b : d->body)
          if (b->kind == Decl::Fixity)
            for (auto& n : b->names) if (ownValues.count(n)) fixities[ownValues[n]] = Fixity{b->assoc, b->prec};

    // Bodies.
    for (auto& dp : m.decls) {
      Decl& d = *dp;
      switch (d.kind) {
        case Decl::Clause:
        case Decl::PatBind:
        case Decl::TypeSig:
        case Decl::Fixity: {
          std::vector<DeclPtr> one{dp};
          renameDecls(one, ownValues, true);
          break;
        }
        case Decl::Foreign:
          d.name = ownValues[d.name];
          if (d.qualType) renameQualType(*d.qualType);
          break;
        case Decl::Data:
        case Decl::Newtype: {
          d.name = ownTypes[d.name];
          for (auto& c : d.cons) {
            c.name = ownValues.count(c.name) ? ownValues[c.name] : c.name;
            for (auto& f : c.fields) renameType(f);
          }
          std::vector<std::string> classes;
          for (auto& cls : d.deriving)
            classes.push_back(resolveClass(cls, wordSpan(diags.sources(), d.span, cls, 0, "deriving")));
          for (auto& inst : deriveInstances(d, classes, {}, counter, diags, &fixities)) derived.push_back(inst);
          break;
        }
        case Decl::TypeSyn:
          d.name = ownTypes[d.name];
          if (d.qualType) renameQualType(*d.qualType);
          break;
        case Decl::Class: {
          d.name = ownClasses[d.name];
          if (d.qualType) for (auto& c : d.qualType->context) { c.cls = resolveClass(c.cls, c.span); renameType(c.type); }
          std::map<std::string, std::string> methods;
          for (auto& b : d.body)
            if (b->kind == Decl::TypeSig) for (auto& n : b->names) methods[n] = ownValues[n];
          for (auto& b : d.body) {
            if (b->kind == Decl::Clause && !methods.count(b->name)) {
              auto& e = diags.error("E0118", b->nameSpan.end ? b->nameSpan : b->span,
                                    fmt::format("`{}` is not a method of class `{}`", b->name, displayName(d.name)));
              e.hint = "declare its type in the class first";
            }
          }
          renameDecls(d.body, methods, false);
          break;
        }
        case Decl::Instance: {
          size_t errorsBefore = diags.errorCount();
          // At the class name (after the context's `=>` if there is one).
          bool hasContext = d.qualType && !d.qualType->context.empty();
          d.name = resolveClass(d.name, wordSpan(diags.sources(), d.span, d.name, 0, hasContext ? "=>" : "instance"));
          bool unknownClass = diags.errorCount() > errorsBefore;  // then its methods are not checked
          if (d.qualType) renameQualType(*d.qualType);
          std::map<std::string, std::string> methods;
          auto cm = classMethods.find(d.name);
          std::string clsMod = d.name.substr(0, d.name.size() - displayName(d.name).size() - 1);
          if (cm != classMethods.end())
            for (auto& n : cm->second) methods[n] = clsMod + "." + n;
          for (auto& b : d.body) {
            if (b->kind == Decl::Clause && !methods.count(b->name) && !unknownClass) {
              auto& e = diags.error("E0118", b->nameSpan.end ? b->nameSpan : b->span,
                                    fmt::format("`{}` is not a method of class `{}`", b->name, displayName(d.name)));
              e.label = "not in the class";
              std::vector<std::string> cands;
              for (auto& [k, v] : methods) cands.push_back(k);
              std::string s = suggest(b->name, cands);
              if (cm != classMethods.end()) {
                std::string list;
                for (auto& n : cm->second) list += (list.empty() ? "`" : ", `") + n + "`";
                e.notes.push_back(list.empty() ? fmt::format("class `{}` has no methods", displayName(d.name))
                                               : fmt::format("the methods of class `{}` are {}", displayName(d.name), list));
              }
              std::string cls = displayName(d.name);
              if (!s.empty()) e.hint = fmt::format("did you mean `{}`?", s);
              else if (b->name == "return" && cls == "Monad")
                e.hint = "`return` is not a method in Weir: it is `pure` of the `Applicative` instance; define "
                         "`pure` there and leave `return` out";
              else if (std::string other = classOf(b->name); !other.empty())
                e.hint = fmt::format("`{}` is a method of class `{}`: define it in an `instance {}`", b->name,
                                     displayName(other), displayName(other));
              else if (ownValues.count(b->name) == 0 && !names::isLocalName(b->name)) {
                auto v = scope.values.find(b->name);
                if (v != scope.values.end() && !v->second.empty())
                  e.hint = fmt::format("`{}` is an ordinary function defined from the methods: define those and leave `{}` out",
                                       b->name, b->name);
              }
            }
          }
          for (auto& b : d.body) if (b->kind == Decl::TypeSig) {
            diags.error("E0116", b->span, "type signatures are not allowed in instance declarations")
                .hint = "the method's type comes from the class";
          }
          std::vector<DeclPtr> clauses;
          for (auto& b : d.body) if (b->kind != Decl::TypeSig) clauses.push_back(b);
          d.body = clauses;
          renameDecls(d.body, methods, false);
          break;
        }
        default:
          break;
      }
      prog.decls.push_back(dp);
      if (!d.name.empty()) prog.declModule[d.name] = mod;
    }
    for (auto& inst : derived) prog.decls.push_back(inst);
    derived.clear();
    if (mod == prog.mainModule) {
      auto it = ownValues.find("main");
      if (it != ownValues.end()) prog.entry = it->second;
    }
    exports[mod] = computeExports(m, all);
  }
};

}  // namespace

void renameProgram(Program& program, DiagnosticEngine& diags) {
  Renamer r{program, diags, {}, {}, {}, 0, {}, {}, {}, {}, {}, {}, {}};
  r.sources = &diags.sources();
  // Fixities of built-in `:`.
  r.fixities[":"] = Fixity{ast::Decl::Right, 5};
  for (auto& m : program.modules) r.renameModule(m);
}

}  // namespace weir::names
