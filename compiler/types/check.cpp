// The types stage's driver: declarations first, then all value bindings of the
// whole program as one group (dependency analysis orders them), then instance
// methods and class defaults, then the entry point.
#include <fmt/format.h>

#include "types/checker.hpp"

namespace weir::types {

Checker::Checker(names::Program& program, DiagnosticEngine& d) : prog(program), diags(d) { out.program = &program; }

std::optional<Checked> Checker::run() {
  declareBuiltins();
  auto& decls = prog.decls;
  for (auto& d : decls) if (d->kind == ast::Decl::TypeSyn) declareSynonym(*d);
  // Data types: names first (mutually recursive types), then constructors.
  for (auto& d : decls)
    if (d->kind == ast::Decl::Data || d->kind == ast::Decl::Newtype) {
      DataInfo info;
      info.name = d->name;
      info.params = d->tyvars;
      out.datas[d->name] = info;
    }
  for (auto& d : decls) if (d->kind == ast::Decl::Data || d->kind == ast::Decl::Newtype) declareData(*d);
  for (auto& d : decls) if (d->kind == ast::Decl::Class) declareClass(*d);
  for (auto& d : decls) if (d->kind == ast::Decl::Instance) declareInstance(*d);
  for (auto& d : decls) if (d->kind == ast::Decl::Foreign) declareForeign(*d);

  std::vector<ast::DeclPtr> values;
  for (auto& d : decls)
    if (d->kind == ast::Decl::Clause || d->kind == ast::Decl::PatBind || d->kind == ast::Decl::TypeSig) values.push_back(d);
  wanted.clear();
  inferGroup(values, true);

  for (auto& d : decls) if (d->kind == ast::Decl::Class) checkClassDefaults(*d);
  for (auto& d : decls)
    if (d->kind == ast::Decl::Instance) {
      // Instances that failed to declare are skipped (errors already reported).
      auto it = instanceOfDecl.find(d.get());
      if (it != instanceOfDecl.end()) checkInstanceBodies(*d, out.instances[it->second]);
    }

  // The entry point.
  if (prog.entry.empty() && prog.mainModule == "Main" && !prog.modules.empty()) {
    auto& d = diags.error("E0261", prog.mainNameSpan, "module `Main` has no `main`");
    d.label = "the program's module must define `main`";
    d.hint = "add `main :: IO ()` with the actions to run, e.g. `main = putStrLn \"hello\"`";
  }
  if (!prog.entry.empty()) {
    out.entry = prog.entry;
    auto it = env.find(prog.entry);
    if (it != env.end()) {
      TypeP t;
      instantiateScheme(it->second, t);
      UnifyError err;
      Span sp;
      for (auto& d : decls) if (d->kind == ast::Decl::Clause && d->name == prog.entry) { sp = d->span; break; }
      if (!it->second.preds.empty() || !unify(t, tapp(tcon(kIO), tcon(kUnit)), err)) {
        Printer pr;
        auto& d = diags.error("E0260", sp, "`main` must have type `IO ()`");
        d.label = fmt::format("`main` has type `{}`", pr.show(it->second));
        d.hint = "main is the program: a `do` block of actions such as `putStrLn \"hi\"`";
      }
    }
  }

  for (auto& [idx, t] : holes) {
    Printer pr;
    diags.at(idx).label = fmt::format("this hole has type `{}`", pr.show(t));
  }
  dropErrorsAfterUnknownNames();
  if (diags.hasErrors()) return std::nullopt;
  return std::move(out);
}

// With names that could not be found (E0100, reported by the renamer), the declarations
// that use them, or use a declaration without a signature that does, have unknown types:
// their type errors would be guesses, so only the E0100s are kept for them. The type errors
// of every other declaration are real and are reported.
void Checker::dropErrorsAfterUnknownNames() {
  if (unknownNames.empty()) return;
  auto within = [](Span inner, Span outer) {
    return inner.file == outer.file && inner.begin >= outer.begin && inner.end <= outer.end;
  };
  struct Unit {
    std::vector<Span> spans;
    std::set<std::string> refs;
    bool hasSig = false;
    bool broken = false;
  };
  std::map<std::string, Unit> units;  // top-level binding (or instance, class) -> its spans and references
  std::set<std::string> sigs;
  for (auto& d : prog.decls) {
    if (d->kind == ast::Decl::TypeSig)
      for (auto& n : d->names) sigs.insert(n);
    std::string key;
    if (d->kind == ast::Decl::Clause) key = d->name;
    else if (d->kind == ast::Decl::PatBind || d->kind == ast::Decl::Instance || d->kind == ast::Decl::Class)
      key = fmt::format("#{}", static_cast<const void*>(d.get()));
    else continue;
    Unit& u = units[key];
    u.spans.push_back(d->span);
    if (d->kind == ast::Decl::Instance || d->kind == ast::Decl::Class) collectRefs(d->body, u.refs);
    else collectRefs({d}, u.refs);
    if (d->kind == ast::Decl::PatBind) {
      std::vector<std::string> vars;
      collectPatVars(d->pat, vars);
      for (auto& v : vars) units[v].refs.insert(key);  // a variable of the pattern depends on it
    }
  }
  for (auto& [name, u] : units) {
    u.hasSig = sigs.count(name) > 0;
    for (auto& sp : u.spans)
      for (auto& un : unknownNames) u.broken = u.broken || within(un, sp);
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (auto& [name, u] : units) {
      if (u.broken) continue;
      for (auto& r : u.refs) {
        auto it = units.find(r);
        if (it != units.end() && it->second.broken && !it->second.hasSig) {
          u.broken = changed = true;
          break;
        }
      }
    }
  }
  std::vector<Span> dropIn;
  for (auto& [name, u] : units)
    if (u.broken) dropIn.insert(dropIn.end(), u.spans.begin(), u.spans.end());
  diags.eraseIf([&](const Diagnostic& d) {
    if (d.code == "E0100" || d.code.rfind("E02", 0) != 0) return false;
    for (auto& sp : dropIn)
      if (within(d.span, sp)) return true;
    return false;
  });
}


std::optional<Checked> check(names::Program& program, DiagnosticEngine& diags) {
  Checker c(program, diags);
  return c.run();
}

std::string dumpTypes(const Checked& checked, bool allModules) {
  std::string outText;
  for (auto& d : checked.program->decls) {
    if (d->kind != ast::Decl::Clause && d->kind != ast::Decl::Foreign) continue;
    auto m = checked.program->declModule.find(d->name);
    if (!allModules && (m == checked.program->declModule.end() || m->second != checked.program->mainModule)) continue;
    auto b = checked.binds.find(d->name);
    if (b == checked.binds.end()) continue;
    std::string line = fmt::format("{} :: {}\n", names::displayName(d->name), Printer().show(b->second.scheme));
    if (outText.find(line) == std::string::npos) outText += line;
  }
  return outText;
}

}  // namespace weir::types
