// The `weir` commands: build, run, check, explain. Each runs the pipeline
//   read -> syntax -> names -> types -> core (lower) -> codegen -> link
// as far as the command needs, prints diagnostics, and returns the exit status:
// 0 ok, 1 user error (diagnostics were printed), 2 internal compiler error.
#pragma once
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
  std::vector<std::string> runArgs;  // weir run FILE -- ARGS
  bool quiet = false;
};

int build(const Options& opts);
int run(const Options& opts);
int check(const Options& opts);
int explain(const std::string& code);

// Where the standard library and the runtime library are.
std::string stdlibDir();
std::string runtimeLib();

}  // namespace weir::driver
