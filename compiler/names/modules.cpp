// Module loading: finds imported modules on the search path, parses them,
// detects import cycles and orders modules so imports come first.
#include <filesystem>
#include <fmt/format.h>
#include <functional>

#include "names/names.hpp"
#include "names/rename.hpp"
#include "syntax/parser.hpp"

namespace weir::names {

namespace fs = std::filesystem;

Span wordSpan(const SourceManager& sm, Span within, const std::string& word, size_t nth, const std::string& after) {
  if (word.empty() || within.end <= within.begin) return within;
  const std::string& text = sm.get(within.file).text();
  auto isName = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '\'' || c == '.'; };
  auto find = [&](const std::string& w, size_t from, size_t& at) {
    size_t end = std::min<size_t>(within.end, text.size());
    for (size_t i = from; i + w.size() <= end; ++i) {
      if (text.compare(i, w.size(), w) != 0) continue;
      if (i > 0 && isName(text[i - 1])) continue;
      if (i + w.size() < text.size() && isName(text[i + w.size()])) continue;
      at = i;
      return true;
    }
    return false;
  };
  size_t pos = within.begin, at = 0;
  if (!after.empty()) {
    if (!find(after, pos, at)) return within;
    pos = at + after.size();
  }
  for (size_t k = 0;; ++k) {
    if (!find(word, pos, at)) return within;
    if (k == nth) return Span{within.file, static_cast<uint32_t>(at), static_cast<uint32_t>(at + word.size())};
    pos = at + word.size();
  }
}

bool instanceMethodParts(const std::string& unique, std::string* cls, std::string* head, std::string* method) {
  if (unique.rfind("$f", 0) != 0) return false;
  size_t a = unique.find('$', 2);
  if (a == std::string::npos) return false;
  size_t b = unique.find('$', a + 1);
  if (b == std::string::npos) return false;
  if (cls) *cls = unique.substr(2, a - 2);
  if (head) *head = unique.substr(a + 1, b - a - 1);
  if (method) *method = unique.substr(b + 1);
  return true;
}

std::string describeBinding(const std::string& unique) {
  std::string cls, head, method;
  if (instanceMethodParts(unique, &cls, &head, &method))
    return fmt::format("`{}` (in `instance {} {}`)", method, displayName(cls), displayName(head));
  auto dm = unique.find("$dm$");
  if (dm != std::string::npos)
    return fmt::format("`{}` (the default in class `{}`)", unique.substr(dm + 4), displayName(unique.substr(0, dm)));
  return "`" + displayName(unique) + "`";
}

std::string displayName(const std::string& unique) {
  std::string method;
  if (instanceMethodParts(unique, nullptr, nullptr, &method)) return method;
  auto dm = unique.find("$dm$");
  if (dm != std::string::npos) return unique.substr(dm + 4);
  auto at = unique.find('@');
  if (at != std::string::npos) return unique.substr(0, at);
  // "Data.Map.insert" -> "insert"; operators like "Prelude.." -> "."
  size_t i = 0, lastDot = std::string::npos;
  while (i < unique.size()) {
    if (std::isupper(static_cast<unsigned char>(unique[i]))) {
      size_t j = i;
      while (j < unique.size() && (std::isalnum(static_cast<unsigned char>(unique[j])) || unique[j] == '_' || unique[j] == '\'')) ++j;
      if (j < unique.size() && unique[j] == '.' && j + 1 < unique.size()) { lastDot = j; i = j + 1; continue; }
    }
    break;
  }
  return lastDot == std::string::npos ? unique : unique.substr(lastDot + 1);
}

namespace {

struct Loader {
  SourceManager& sources;
  const Options& opts;
  DiagnosticEngine& diags;
  std::string mainDir;
  std::map<std::string, size_t> loaded;  // module name -> index in order
  std::vector<LoadedModule> order;
  std::vector<std::string> stack;       // modules being loaded (cycle detection)

  std::optional<std::string> find(const std::string& module) {
    std::string rel = module;
    for (char& c : rel) if (c == '.') c = '/';
    rel += ".weir";
    std::vector<std::string> dirs;
    dirs.push_back(mainDir);
    for (auto& d : opts.searchPath) dirs.push_back(d);
    for (auto& d : dirs) {
      // Relative to the program's folder: `ErrLib/M.weir` as the user wrote it, not `./ErrLib/M.weir`.
      fs::path p = d == "." ? fs::path(rel) : fs::path(d) / rel;
      std::error_code ec;
      if (fs::is_regular_file(p, ec)) return p.string();
    }
    return std::nullopt;
  }

  // Loads a parsed module's imports, then appends it to `order`.
  bool visit(LoadedModule m) {
    stack.push_back(m.name);
    std::vector<std::pair<std::string, Span>> imports;
    bool preludeExplicit = false;
    for (auto& imp : m.ast->imports) {
      imports.push_back({imp.module, imp.span});
      if (imp.module == "Prelude") preludeExplicit = true;
    }
    if (opts.implicitPrelude && !preludeExplicit && m.name != "Prelude")
      imports.push_back({"Prelude", m.ast->span});
    for (auto& [name, span] : imports) {
      if (loaded.count(name)) continue;
      auto onStack = std::find(stack.begin(), stack.end(), name);
      if (onStack != stack.end()) {
        std::string cycle;
        for (auto it = onStack; it != stack.end(); ++it) cycle += *it + " -> ";
        cycle += name;
        auto& d = diags.error("E0107", span, fmt::format("import cycle: {}", cycle));
        d.label = "this import closes the cycle";
        d.hint = "move what the modules share into a third module that both import";
        continue;
      }
      auto path = find(name);
      if (!path) {
        auto& d = diags.error("E0106", span, fmt::format("cannot find module `{}`", name));
        std::string rel = name;
        for (char& c : rel) if (c == '.') c = '/';
        d.label = "no such module";
        // The search path ends with the standard library; the folders before it are a project's.
        std::string where = mainDir;
        for (size_t i = 0; i + 1 < opts.searchPath.size(); ++i)
          if (fs::path(opts.searchPath[i]).lexically_normal() != fs::path(mainDir).lexically_normal())
            where += ", " + opts.searchPath[i];
        d.notes.push_back(fmt::format("looked for {}.weir in {} and the standard library", rel, where));
        continue;
      }
      std::string text, err;
      if (!readSourceFile(*path, text, err)) {
        diags.error("E0106", span, fmt::format("cannot read module `{}`: {}", name, err));
        continue;
      }
      FileId id = sources.add(*path, std::move(text));
      auto parsed = syntax::parseFile(sources.get(id), id, diags);
      if (!parsed) continue;
      LoadedModule lm;
      lm.name = parsed->name;
      lm.path = *path;
      lm.file = id;
      lm.ast = std::make_shared<ast::Module>(std::move(*parsed));
      if (lm.name != name) {
        auto& d = diags.error("E0112", wordSpan(sources, lm.ast->span, lm.name, 0, "module"),
                              fmt::format("file {} declares module `{}` but was imported as `{}`", *path, lm.name, name));
        d.hint = fmt::format("rename the module header to `module {} where`", name);
        continue;
      }
      visit(std::move(lm));
    }
    stack.pop_back();
    loaded[m.name] = order.size();
    order.push_back(std::move(m));
    return true;
  }
};

}  // namespace

std::optional<Program> loadAndRename(SourceManager& sources, FileId mainFile, const Options& opts,
                                     DiagnosticEngine& diags) {
  const SourceFile& f = sources.get(mainFile);
  auto parsed = syntax::parseFile(f, mainFile, diags);
  if (!parsed) return std::nullopt;
  Loader loader{sources, opts, diags, fs::path(f.path()).parent_path().string(), {}, {}, {}};
  if (loader.mainDir.empty()) loader.mainDir = ".";
  LoadedModule m;
  m.name = parsed->name;
  m.path = f.path();
  m.file = mainFile;
  m.ast = std::make_shared<ast::Module>(std::move(*parsed));
  loader.visit(std::move(m));
  if (diags.hasErrors()) return std::nullopt;
  Program p;
  p.modules = std::move(loader.order);
  p.mainModule = p.modules.back().name;
  p.searchPath = opts.searchPath;
  {
    // Point at the module's name in `module Main where`, for errors about the module as a whole.
    const auto& m = *p.modules.back().ast;
    const std::string& text = sources.get(m.file).text();
    uint32_t b = m.span.begin;
    p.mainNameSpan = Span{m.file, b, b};
    if (text.compare(b, 6, "module") == 0) {
      uint32_t i = b + 6;
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
      uint32_t j = i;
      while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '.' || text[j] == '_')) ++j;
      p.mainNameSpan = Span{m.file, i, j};
    }
  }
  size_t before = diags.all().size();
  renameProgram(p, diags);
  if (diags.hasErrors()) {
    if (!opts.continueAfterUnknownNames) return std::nullopt;
    for (size_t i = before; i < diags.all().size(); ++i) {
      const Diagnostic& d = diags.all()[i];
      if (d.severity == Severity::Error && d.code != "E0100") return std::nullopt;
    }
  }
  return p;
}

}  // namespace weir::names
