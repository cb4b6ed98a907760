#include "driver/project.hpp"

#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <regex>

// toml++ in its header-only mode: the installed compiler needs no TOML library at run time.
#define TOML_HEADER_ONLY 1
#include <toml++/toml.h>

#include "diag/diagnostic.hpp"

namespace weir::driver {

namespace fs = std::filesystem;

namespace {

const char* const kProjectFile = "weir.toml";
const char* const kDefaultEntry = "src/Main.weir";

// toml++ counts lines from 1 and columns in code points from 1; spans are byte offsets.
uint32_t offsetOf(const std::string& text, toml::source_position p) {
  size_t i = 0;
  for (uint32_t line = 1; line < p.line && i < text.size(); ++i)
    if (text[i] == '\n') ++line;
  for (uint32_t col = 1; col < p.column && i < text.size() && text[i] != '\n'; ++col) {
    ++i;
    while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
  }
  return static_cast<uint32_t>(i);
}

struct Reader {
  SourceManager sources;
  std::unique_ptr<DiagnosticEngine> diags;
  FileId file = 0;
  std::string text;

  Span span(const toml::source_region& r) {
    if (!r.begin) return Span{file, 0, 0};
    uint32_t b = offsetOf(text, r.begin), e = r.end ? offsetOf(text, r.end) : b;
    return Span{file, b, std::max(b, e)};
  }
  Diagnostic& error(const toml::source_region& r, std::string msg) { return diags->error("E0911", span(r), std::move(msg)); }
};

const char* typeName(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "a date or time";
  }
}

bool validVersion(const std::string& v) {
  static const std::regex re("[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]+)?");
  return std::regex_match(v, re);
}

std::string relativeToCwd(const fs::path& p) {
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  if (!ec) {
    fs::path rel = p.lexically_relative(cwd);
    if (!rel.empty() && *rel.begin() != "..") return rel.string();
  }
  return p.string();
}

}  // namespace

bool validProjectName(const std::string& n) {
  static const std::regex re("[A-Za-z][A-Za-z0-9_-]{0,63}");
  return std::regex_match(n, re);
}

std::string Project::entryPath() const { return relativeToCwd(fs::path(root) / entry); }

std::string Project::outputPath() const { return relativeToCwd(fs::path(root) / "build" / name); }

std::vector<std::string> Project::searchPath() const {
  std::vector<std::string> out;
  for (auto& d : sourceDirs) out.push_back(relativeToCwd((fs::path(root) / d).lexically_normal()));
  return out;
}

std::string Project::testsPath() const { return relativeToCwd(fs::path(root) / "tests"); }

std::string findProjectRoot(const std::string& start) {
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec);
  if (ec) return {};
  for (;;) {
    if (fs::is_regular_file(dir / kProjectFile, ec)) return dir.string();
    if (!dir.has_parent_path() || dir.parent_path() == dir) return {};
    dir = dir.parent_path();
  }
}

std::optional<Project> loadProject(const std::string& root, const Options& opts) {
  Reader r;
  std::string path = relativeToCwd(fs::path(root) / kProjectFile), err;
  if (!readSourceFile((fs::path(root) / kProjectFile).string(), r.text, err)) {
    plainError(opts, "E0910", "cannot read the project file " + path + ": " + err);
    return std::nullopt;
  }
  r.file = r.sources.add(path, r.text);
  r.diags = std::make_unique<DiagnosticEngine>(r.sources);
  auto done = [&]() -> bool {
    std::string out = renderDiagnostics(*r.diags, opts.errorFormat, opts.colour);
    if (!out.empty()) std::fputs(out.c_str(), stderr);
    return !r.diags->hasErrors();
  };

  toml::table doc;
  try {
    doc = toml::parse(r.text, path);
  } catch (const toml::parse_error& e) {
    auto& d = r.diags->error("E0910", r.span(e.source()), "weir.toml is not valid TOML: " + std::string(e.description()));
    d.hint = "a line looks like `name = \"demo\"`: a key, `=`, and a quoted string, a number or a [list]";
    done();
    return std::nullopt;
  }

  Project p;
  p.root = root;
  p.entry = kDefaultEntry;
  p.sourceDirs = {"src"};
  Span top{r.file, 0, 0};
  bool haveName = false, haveVersion = false;

  for (auto& [key, node] : doc) {
    std::string k(key.str());
    auto str = [&](std::string& out, const char* what) {
      if (auto s = node.value<std::string>()) {
        out = *s;
        return true;
      }
      auto& d = r.error(node.source(), fmt::format("`{}` must be a string, not {}", k, typeName(node)));
      d.hint = fmt::format("write it in quotes: {} = \"{}\"", k, what);
      return false;
    };
    if (k == "name") {
      haveName = true;
      if (!str(p.name, "demo")) continue;
      if (!validProjectName(p.name)) {
        auto& d = r.error(node.source(), fmt::format("`{}` is not a valid project name", p.name));
        d.label = "the program is built as build/NAME";
        d.hint = "a name starts with a letter and has only letters, digits, `_` and `-` (at most 64)";
      }
    } else if (k == "version") {
      haveVersion = true;
      if (!str(p.version, "0.1.0")) continue;
      if (!validVersion(p.version)) {
        auto& d = r.error(node.source(), fmt::format("`{}` is not a version", p.version));
        d.hint = "versions are MAJOR.MINOR.PATCH, e.g. \"0.1.0\" or \"1.2.0-beta\"";
      }
    } else if (k == "entry") {
      if (!str(p.entry, kDefaultEntry)) continue;
      std::error_code ec;
      if (fs::path(p.entry).extension() != ".weir") {
        auto& d = r.error(node.source(), fmt::format("the entry module `{}` is not a .weir file", p.entry));
        d.hint = "entry names the source file with `main`, e.g. \"src/Main.weir\"";
      } else if (!fs::is_regular_file(fs::path(root) / p.entry, ec)) {
        auto& d = r.error(node.source(), fmt::format("the entry module `{}` does not exist", p.entry));
        d.label = "no such file";
        d.hint = "the path is relative to the folder of weir.toml";
      }
    } else if (k == "source-dirs") {
      const toml::array* arr = node.as_array();
      if (!arr) {
        auto& d = r.error(node.source(), fmt::format("`source-dirs` must be a list of folders, not {}", typeName(node)));
        d.hint = "write it in brackets: source-dirs = [\"src\"]";
        continue;
      }
      p.sourceDirs.clear();
      for (auto& el : *arr) {
        auto s = el.value<std::string>();
        std::error_code ec;
        if (!s) {
          r.error(el.source(), fmt::format("a source folder must be a string, not {}", typeName(el))).hint =
              "write it in quotes: source-dirs = [\"src\"]";
        } else if (!fs::is_directory(fs::path(root) / *s, ec)) {
          r.error(el.source(), fmt::format("the source folder `{}` does not exist", *s)).hint =
              "the path is relative to the folder of weir.toml";
        } else {
          p.sourceDirs.push_back(*s);
        }
      }
    } else {
      auto& d = r.diags->warning("E0912", r.span(key.source()), fmt::format("unknown key `{}` in weir.toml (ignored)", k));
      d.hint = node.is_table() ? "weir.toml has no tables: write name, version, entry and source-dirs at the top of "
                                 "the file, above any [table] line"
                               : "the keys weir knows are name, version, entry and source-dirs";
    }
  }
  if (!haveName) r.diags->error("E0911", top, "weir.toml has no `name`").hint = "add a line `name = \"demo\"`";
  if (!haveVersion) r.diags->error("E0911", top, "weir.toml has no `version`").hint = "add a line `version = \"0.1.0\"`";
  if (haveName && !r.diags->hasErrors() && !doc.contains("entry")) {
    std::error_code ec;
    if (!fs::is_regular_file(fs::path(root) / p.entry, ec))
      r.diags->error("E0911", top, fmt::format("the entry module {} does not exist", p.entry)).hint =
          "create it, or name the module with `main` in weir.toml: entry = \"src/App.weir\"";
  }
  if (!done()) return std::nullopt;
  return p;
}

int useProject(Options& o, bool forBuild) {
  std::error_code ec;
  std::string root = findProjectRoot(fs::current_path(ec).string());
  if (root.empty())
    return plainError(o, "E0914",
                      "no FILE given and no weir.toml in this folder or any folder above it\n"
                      "  = hint: give the program to compile (`weir build rules.weir`), or create a project with "
                      "`weir new NAME`");
  auto p = loadProject(root, o);
  if (!p) return 1;
  o.file = p->entryPath();
  o.importPaths = p->searchPath();
  if (forBuild) {  // build/ also for `-o build/NAME-arm64`
    fs::path out = fs::path(p->root) / "build";
    fs::create_directories(out, ec);
    if (ec) return plainError(o, "E0914", "cannot create the build folder " + out.string() + ": " + ec.message());
    if (o.output.empty() && o.emit == Emit::Exe) o.output = p->outputPath();
  }
  return 0;
}

}  // namespace weir::driver
