// The Core pass pipeline: every pass between the lowering and code generation, in order, in one
// array (pipeline.cpp, after Lean's Compiler/LCNF/Passes.lean). The driver runs it on the
// lowering's un-optimised Core; code generation receives the finished program and runs no pass.
//
//   lowering -> specialise -> prune -> call-sites -> io-arity -> simplify -> trmc -> order-globals
//            [--emit=core shows this]
//            -> lift-letrec -> trmc-lifted -> peel -> record-fields -> borrow -> rc -> unbox -> reuse
//            [--emit=core-rc; codegen]
//
// Each pass has a name (for --pass-off=NAME, --emit=core --after=NAME and the verifier's
// messages), a one-line purpose and whether it may be switched off. Options::verify runs the
// Core verifier (core/verify.hpp) after every pass and stops at the first pass whose output
// breaks it. "Adding a Core pass": docs/architecture.md.
#pragma once
#include <set>
#include <string>
#include <vector>

#include "core/core.hpp"

namespace weir::core {

struct PipelineOptions {
  std::set<std::string> off;  // passes switched off (names of switchable passes)
  bool verify = false;        // core::verify after every pass (and verifyRc once rc has run)
  std::string libraryDir;     // the standard library's folder, for the call-sites pass
  std::string from;           // first pass to run ("" = the first); tests on hand-built Core
  std::string after;          // last pass to run ("" = the last)
  int* verified = nullptr;    // if set: counts the verifier's runs (`--verify-core` reports them)
  // Reads the environment switches: WEIR_SPECIALISE=0, WEIR_IO_ARITY=0, WEIR_SIMPLIFY=0,
  // WEIR_TRMC=0, WEIR_PEEL=0, WEIR_RECORD_FIELDS=0, WEIR_BORROW=0, WEIR_UNBOX=0 and
  // WEIR_REUSE=0 switch those passes off (benchmarks measure
  // what each buys); WEIR_VERIFY_CORE=1 (or WEIR_VERIFY_RC=1) turns verification on.
  static PipelineOptions fromEnvironment();
};

struct Pass {
  const char* name;
  const char* purpose;              // one line, for --help-passes style listings and errors
  void (*run)(Program&, const PipelineOptions&);
  bool switchable;                  // may be switched off (--pass-off=NAME)
  const char* envSwitch;            // the environment variable that switches it off with "0", or null
  void (*whenOff)(Program&) = nullptr;  // what stands in for it when switched off (null: nothing)
};

// Every pass, in the order they run.
const std::vector<Pass>& passes();
// The pass after which the program is what --emit=core prints (before the back-end passes).
inline constexpr const char* kCoreEnd = "order-globals";
// The pass of that name, or null.
const Pass* findPass(const std::string& name);
// "specialise, prune, ..." for error messages.
std::string passNames();

// Runs the passes from options.from to options.after over p. Returns false with `error` set
// when an option names no pass (or a pass that cannot be switched off), or when verification
// fails ("after pass trmc: ...").
bool runPipeline(Program& p, const PipelineOptions& options, std::string& error);
// The same over another list of passes (tests: a pass that breaks the program on purpose).
bool runPasses(Program& p, const std::vector<Pass>& list, const PipelineOptions& options, std::string& error);

}  // namespace weir::core
