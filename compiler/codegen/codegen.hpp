// LLVM code generation for Core, and linking with the runtime.
//
// Every emit* function takes finished Core: the program after the whole pass pipeline
// (core/pipeline.hpp: ... -> rc (Perceus Dup/Drop) -> unbox (raw Int/Float/Char/Bool parameters
// and results, core/repr.hpp)), and runs no Core pass itself: LLVM IR -> optimisation -> output.
// Core without Dup/Drop (Program::rcInserted unset) is refused as an internal compiler error.
//
// Representation (see runtime/include/weir/rt.h): a value is a `ptr` to a runtime object, or a
// raw i64/double/i32/i1 where core/repr.hpp inferred an Int/Float/Char/Bool (no object, no count;
// boxed where an object is needed). Every Core Function becomes an internal `tailcc @name(...)`
// with those parameter and result types; calls in tail position are `musttail` when the result
// types agree. Closures are {header, code, arity, ncaptured, captured...} whose code is
// `tailcc ptr (ptr self, ptr args...)`; unknown calls go through generated `weir.apply<N>`
// helpers that handle exact, partial (PAP) and over-application. A C `main` initialises the
// runtime, evaluates the CAF globals in order (then makes them immortal), applies the entry IO
// action to unit and flushes stdout.
#pragma once
#include <string>
#include <vector>

#include "core/core.hpp"

namespace weir::codegen {

struct Options {
  int optLevel = 2;            // 0..3
  std::string triple;          // empty = host
  // CPU to generate code for. Empty = the architecture's portable baseline (x86-64: the
  // psABI level every x86-64 CPU has, SSE2; aarch64: armv8-a), so an executable built on
  // one machine runs on every machine of its architecture. "native" = the build host's CPU
  // and every feature it has; any other value is an LLVM CPU name (x86-64-v3, cortex-a72).
  std::string cpu;
  std::string moduleName = "main";
  // Linking (link.cpp): a fully static executable (glibc, OpenSSL, libstdc++ included), and
  // without symbols and debug information.
  bool staticLink = false;
  bool strip = false;
  bool noTls = false;          // the runtime is libweir_rt_notls.a: no OpenSSL to link
};

// Checks a --cpu value for a target triple (empty = host): true, or false with a message for
// the user (an unknown CPU name lists a few valid ones).
bool checkCpu(const std::string& triple, const std::string& cpu, std::string& error);

// Each returns false with `error` set on an internal compiler error (a bug: the message says so).
bool emitLLVM(const core::Program&, const Options&, std::string& outText, std::string& error);
bool emitAsm(const core::Program&, const Options&, std::string& outText, std::string& error);
bool emitObject(const core::Program&, const Options&, const std::string& objPath, std::string& error);

// Links objPath with the runtime static library into exePath using /usr/bin/clang-16
// (lld, -lm -lpthread). Cross targets: Options::triple is passed as --target, and the
// libraries are the target's (Debian gcc-cross and multiarch). link.cpp.
std::vector<std::string> linkCommand(const std::string& objPath, const std::string& exePath,
                                     const std::string& runtimeLib, const Options&);
bool linkExecutable(const std::string& objPath, const std::string& exePath, const std::string& runtimeLib,
                    const Options&, std::string& error);

// Convenience for the driver and tests: emitObject to exePath + ".o", link, remove the object.
bool buildExecutable(const core::Program&, const Options&, const std::string& exePath,
                     const std::string& runtimeLib, std::string& error);

}  // namespace weir::codegen
