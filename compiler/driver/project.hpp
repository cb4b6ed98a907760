// Projects: a folder with a `weir.toml` (see docs/cli.md, "Projects").
//   name = "demo"                 the program's name: `weir build` writes build/demo
//   version = "0.1.0"
//   entry = "src/Main.weir"       the module with `main` (default)
//   source-dirs = ["src"]         folders searched for imported modules (default ["src"])
// `weir build`, `weir run` and `weir check` with no FILE use the project found by walking up
// from the current folder; `weir new NAME` creates one.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "driver/driver.hpp"

namespace weir::driver {

struct Project {
  std::string root;                     // the folder holding weir.toml (absolute)
  std::string name;
  std::string version;
  std::string entry;                    // as written in weir.toml, relative to root
  std::vector<std::string> sourceDirs;  // as written, relative to root
  std::string entryPath() const;        // the entry module's path, relative to the cwd when under it
  std::string outputPath() const;       // root/build/NAME
  std::vector<std::string> searchPath() const;  // the source folders, relative to the cwd when under it
  std::string testsPath() const;        // root/tests, relative to the cwd when under it (`weir test`)
};

// A project's name is also its program's: a letter, then letters, digits, `_` or `-` (at most 64).
bool validProjectName(const std::string& name);

// The nearest folder at or above `start` holding weir.toml, or "" when there is none.
std::string findProjectRoot(const std::string& start);

// Reads and validates ROOT/weir.toml. On a problem prints diagnostics (file:line:col, code
// E0910/E0911; unknown keys are warning E0912) and returns nullopt.
std::optional<Project> loadProject(const std::string& root, const Options& opts);

// useProject (declared in driver.hpp): for `weir build|run|check` without FILE, finds the
// project above the cwd and fills o.file, o.importPaths and (for build, when -o is absent)
// o.output. Returns 0 or an exit status. newProject (driver.hpp): `weir new PATH` creates the
// project folder PATH (its last component is the name).

}  // namespace weir::driver
