// The `weir` commands: build, run, check, explain. Each runs the pipeline
//   read -> syntax -> names -> types -> core (lower, then the passes of core/pipeline.hpp)
//   -> codegen -> link
// as far as the command needs, prints diagnostics, and returns the exit status:
// 0 ok, 1 user error (diagnostics were printed), 2 internal compiler error.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "diag/diagnostic.hpp"

namespace weir::driver {

enum class Emit { Exe, Tokens, Ast, Types, Core, CoreRc, Llvm, Asm, Obj };

struct Options {
  std::string file;
  std::string output;                // -o
  int optLevel = 2;
  Emit emit = Emit::Exe;
  DiagFormat errorFormat = DiagFormat::Text;
  bool colour = false;
  std::string target;                // --target triple
  std::string cpu;                   // --cpu: empty = portable baseline, "native", or a CPU name
  bool staticLink = false;           // --static: a fully static executable
  bool strip = false;                // --strip/-s: no symbols or debug information
  bool noTls = false;                // --no-tls: the runtime without TLS (no OpenSSL linked)
  std::vector<std::string> runArgs;  // weir run FILE -- ARGS
  bool quiet = false;
  std::vector<std::string> importPaths;  // more folders for imported modules (weir test)
  // The Core passes (core/pipeline.hpp): passes switched off, where --emit=core stops, and the
  // Core verifier after every pass.
  std::vector<std::string> passesOff;    // --pass-off=NAME (repeatable)
  std::string after;                     // --after=NAME, with --emit=core
  bool verifyCore = false;               // --verify-core
};

// weir test [PATHS...] [--filter TEXT]... [--seed N] (test_runner.cpp)
struct TestOptions {
  std::vector<std::string> paths;    // files or folders; default: tests/
  std::vector<std::string> filters;  // run only tests whose name contains one of these
  std::optional<long long> seed;     // for property tests (default: Test.weir's)
  int optLevel = 0;
  int timeout = 0;                   // seconds a test program may run; 0: no limit
  DiagFormat errorFormat = DiagFormat::Text;
  bool colour = false;
};

int build(const Options& opts);
int run(const Options& opts);
int check(const Options& opts);
int explain(const std::string& code);
int listPasses();  // weir build --list-passes: name, whether it can be switched off, purpose
int test(const TestOptions& opts);

// Prints an error with no source position (files, setup, linking) in the chosen format; returns 1.
int plainError(const Options& opts, const char* code, const std::string& message);

// Projects (project.cpp, new_project.cpp): `weir new PATH`, and for `weir build|run|check`
// without FILE, the project above the current folder (fills file, importPaths, output).
int newProject(const std::string& path, const Options& opts);
int useProject(Options& o, bool forBuild);

// Where the standard library and the runtime library are.
std::string stdlibDir();
std::string runtimeLib();

}  // namespace weir::driver
