// Code generation's entry points (codegen.hpp): Core -> LLVM IR (Gen, context.hpp; one file per
// construct, README.md), the IR verified and optimised (target.cpp), then printed or written as
// assembly or an object file. Linking: link.cpp.
#include "codegen/codegen.hpp"

#include <cstdlib>
#include <memory>
#include <string>

#include <llvm/ADT/SmallString.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include "codegen/context.hpp"
#include "codegen/target.hpp"
#include "codegen/stackcheck.hpp"
#include "core/repr.hpp"

namespace weir::codegen {

namespace {

// Builds and optimises the module; false + error on an internal compiler error.
bool buildModule(const core::Program& input, const Options& opts, LLVMContext& ctx, std::unique_ptr<Module>& out,
                 std::unique_ptr<TargetMachine>& tm, std::string& error) {
  tm = makeTarget(opts, error);
  if (!tm) {
    error = "internal compiler error: " + error;
    return false;
  }
  if (!tm->getTargetTriple().isLittleEndian() || !tm->getTargetTriple().isArch64Bit()) {
    error = "internal compiler error: only 64-bit little-endian targets are supported";
    return false;
  }
  try {
    // Finished Core only: the pass pipeline (core/pipeline.hpp) inserted Dup/Drop and chose
    // the representations; code generation runs no pass.
    if (!input.rcInserted) {
      error = "internal compiler error: code generation received Core without reference counting "
              "(the Core pass pipeline, core/pipeline.hpp, did not run to its end)";
      return false;
    }
    const core::Program& prog = input;
    auto m = std::make_unique<Module>(opts.moduleName, ctx);
    m->setTargetTriple(tm->getTargetTriple().str());
    m->setDataLayout(tm->createDataLayout());
    Gen g(ctx, *m, prog);
    g.run();
    stackcheck::prune(*m);
    std::string verr;
    raw_string_ostream os(verr);
    if (verifyModule(*m, &os)) {
      os.flush();
      error = "internal compiler error: invalid LLVM IR generated: " + verr;
      return false;
    }
    optimise(*m, tm.get(), opts.optLevel);
    out = std::move(m);
    return true;
  } catch (const std::exception& ex) {
    error = std::string("internal compiler error: code generation: ") + ex.what();
    return false;
  }
}

// Builds the module and writes it as assembly or an object file.
bool emitFile(const core::Program& p, const Options& opts, raw_pwrite_stream& os, CodeGenFileType kind,
              std::string& error) {
  LLVMContext ctx;
  std::unique_ptr<Module> m;
  std::unique_ptr<TargetMachine> tm;
  if (!buildModule(p, opts, ctx, m, tm, error)) return false;
  return writeFile(*m, *tm, os, kind, error);
}

}  // namespace

// The entry points of codegen.hpp.
bool emitLLVM(const core::Program& p, const Options& opts, std::string& outText, std::string& error) {
  LLVMContext ctx;
  std::unique_ptr<Module> m;
  std::unique_ptr<TargetMachine> tm;
  if (!buildModule(p, opts, ctx, m, tm, error)) return false;
  raw_string_ostream os(outText);
  m->print(os, nullptr);
  os.flush();
  return true;
}

bool emitAsm(const core::Program& p, const Options& opts, std::string& outText, std::string& error) {
  SmallString<0> buf;
  raw_svector_ostream os(buf);
  if (!emitFile(p, opts, os, CGFT_AssemblyFile, error)) return false;
  outText.assign(buf.begin(), buf.end());
  return true;
}

bool emitObject(const core::Program& p, const Options& opts, const std::string& objPath, std::string& error) {
  std::error_code ec;
  raw_fd_ostream os(objPath, ec, sys::fs::OF_None);
  if (ec) {
    error = "cannot write " + objPath + ": " + ec.message();
    return false;
  }
  return emitFile(p, opts, os, CGFT_ObjectFile, error);
}

// linkExecutable and buildExecutable: link.cpp.

}  // namespace weir::codegen
