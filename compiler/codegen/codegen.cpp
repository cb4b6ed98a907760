// Core -> LLVM IR (LLVM 16, opaque pointers, new pass manager), object emission and linking.
// The object layout constants below mirror runtime/include/weir/rt.h.
#include "codegen/codegen.hpp"
#include "codegen/context.hpp"

#include <cstdlib>
#include <functional>

#include <llvm/ADT/StringMap.h>
#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/Program.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Target/TargetOptions.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/Triple.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "codegen/stackcheck.hpp"
#include "core/lift.hpp"
#include "core/rc.hpp"
#include "core/repr.hpp"
#include "core/trmc.hpp"

namespace weir::codegen {

namespace {

// ---------------------------------------------------------------- driver-facing plumbing

void initTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    InitializeAllTargetInfos();
    InitializeAllTargets();
    InitializeAllTargetMCs();
    InitializeAllAsmParsers();
    InitializeAllAsmPrinters();
  });
}

std::unique_ptr<TargetMachine> makeTarget(const Options& opts, std::string& error) {
  initTargets();
  std::string triple = opts.triple.empty() ? sys::getDefaultTargetTriple() : opts.triple;
  std::string err;
  const Target* target = TargetRegistry::lookupTarget(triple, err);
  if (!target) {
    error = "unknown target '" + triple + "': " + err;
    return nullptr;
  }
  // Portable unless asked: the host's CPU name and features never leak into the code by default.
  std::string cpu = "generic", features;
  if (opts.cpu == "native") {
    cpu = sys::getHostCPUName().str();
    StringMap<bool> feats;
    if (sys::getHostCPUFeatures(feats)) {
      for (auto& f : feats) features += (features.empty() ? "" : ",") + std::string(f.second ? "+" : "-") + f.first().str();
    }
  } else if (!opts.cpu.empty()) {
    cpu = opts.cpu;
  }
  CodeGenOpt::Level lvl = opts.optLevel <= 0   ? CodeGenOpt::None
                          : opts.optLevel == 1 ? CodeGenOpt::Less
                          : opts.optLevel == 2 ? CodeGenOpt::Default
                                               : CodeGenOpt::Aggressive;
  TargetOptions to;
  std::unique_ptr<TargetMachine> tm(
      target->createTargetMachine(triple, cpu, features, to, Reloc::PIC_, std::nullopt, lvl));
  if (!tm) error = "cannot create a target machine for '" + triple + "'";
  return tm;
}

void optimise(Module& m, TargetMachine* tm, int level) {
  // LLVM 16's tail-recursion elimination, on a function that calls itself and also makes a
  // musttail call to another function, can rewrite it into an accumulator loop that puts a
  // `select` after that musttail call, which breaks the module ("musttail call must precede a
  // ret"; found by the program generator, tests/fuzz/progen KNOWN.md C1). Such functions get
  // "disable-tail-calls", which turns the pass off for them (musttail stays guaranteed by the
  // backend); the others keep it (it makes their self calls loops: 5-8% on nqueens).
  for (Function& f : m) {
    if (f.isDeclaration()) continue;
    bool self = false, mustOther = false;
    for (auto& bb : f)
      for (auto& inst : bb)
        if (auto* call = dyn_cast<CallBase>(&inst)) {  // an invoke may become a call once its callee is nounwind
          Function* callee = call->getCalledFunction();
          auto* ci = dyn_cast<CallInst>(call);
          if (callee == &f) self = true;
          else if (ci && ci->isMustTailCall()) mustOther = true;
        }
    if (self && mustOther) f.addFnAttr("disable-tail-calls", "true");
  }
  LoopAnalysisManager lam;
  FunctionAnalysisManager fam;
  CGSCCAnalysisManager cgam;
  ModuleAnalysisManager mam;
  PassBuilder pb(tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  ModulePassManager mpm;
  if (level <= 0) mpm = pb.buildO0DefaultPipeline(OptimizationLevel::O0);
  else {
    OptimizationLevel l = level == 1 ? OptimizationLevel::O1 : level == 2 ? OptimizationLevel::O2 : OptimizationLevel::O3;
    mpm = pb.buildPerModuleDefaultPipeline(l);
  }
  mpm.run(m, mam);
}

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
    core::Program prog = input;
    if (!opts.rcInserted) {
      core::liftLetRec(prog);
      core::trmc(prog);  // again, for the local functions just lifted
      core::insertRc(prog);
      if (opts.verifyRc || std::getenv("WEIR_VERIFY_RC")) {  // the env var: check whole programs
        std::string verr;
        if (!core::verifyRc(prog, verr)) {
          error = "internal compiler error: reference counting: " + verr;
          return false;
        }
      }
    }
    core::inferReps(prog);  // raw Int/Float/Char/Bool parameters and results (core/repr.hpp)
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

bool emitFile(const core::Program& p, const Options& opts, raw_pwrite_stream& os, CodeGenFileType kind,
              std::string& error) {
  LLVMContext ctx;
  std::unique_ptr<Module> m;
  std::unique_ptr<TargetMachine> tm;
  if (!buildModule(p, opts, ctx, m, tm, error)) return false;
  legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, os, nullptr, kind)) {
    error = "internal compiler error: the target cannot emit this file type";
    return false;
  }
  pm.run(*m);
  return true;
}

}  // namespace

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

bool checkCpu(const std::string& tripleIn, const std::string& cpu, std::string& error) {
  if (cpu.empty() || cpu == "native" || cpu == "generic") return true;
  initTargets();
  std::string triple = tripleIn.empty() ? sys::getDefaultTargetTriple() : tripleIn;
  std::string err;
  const Target* target = TargetRegistry::lookupTarget(triple, err);
  if (!target) return true;  // the unknown triple is reported by the build itself
  std::unique_ptr<MCSubtargetInfo> sti(target->createMCSubtargetInfo(triple, "generic", ""));
  if (sti && sti->isCPUStringValid(cpu)) return true;
  Triple t(triple);
  std::string some = t.isX86()       ? "x86-64, x86-64-v2, x86-64-v3, x86-64-v4, skylake, znver3"
                     : t.isAArch64() ? "generic, cortex-a53, cortex-a72, cortex-a76, neoverse-n1, apple-m1"
                                     : "";
  error = "unknown CPU `" + cpu + "` for " + triple + (some.empty() ? "" : " (known CPUs include " + some + ")") +
          "; use --cpu=native for this machine's CPU, or leave --cpu out for a binary that runs on every " +
          Triple(triple).getArchName().str() + " machine";
  return false;
}

}  // namespace weir::codegen
