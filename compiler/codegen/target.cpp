// The LLVM target side of code generation (target.hpp): target machines, the optimisation
// pipeline, assembly and object output, and the check of a --cpu name.
#include "codegen/target.hpp"

#include <mutex>
#include <optional>

#include <llvm/ADT/StringMap.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetOptions.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/Triple.h>

namespace weir::codegen {

using namespace llvm;

namespace {

// Every LLVM target, initialised once per process.
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

}  // namespace

// (target.hpp)
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

// (target.hpp)
void optimise(Module& m, TargetMachine* tm, int level) {
  // LLVM 16's tail-recursion elimination, on a function that calls itself and also makes a
  // musttail call to another function, can rewrite it into an accumulator loop that puts a
  // `select` after that musttail call, which breaks the module ("musttail call must precede a
  // ret"; found by the program generator, tests/fuzz/progen KNOWN.md C1). The pass is skipped for
  // a function that has a musttail call when the pass reaches it -- looked at then, not before
  // the pipeline: inlining can bring the musttail call in (`all` becoming a musttail call of
  // listAll, progen seed 9911). The others keep it (it makes their self calls loops: 5-8% on
  // nqueens).
  PassInstrumentationCallbacks pic;
  pic.registerShouldRunOptionalPassCallback([](StringRef pass, Any ir) {
    if (pass != "TailCallElimPass" || !any_isa<const Function*>(ir)) return true;
    for (auto& bb : *any_cast<const Function*>(ir))
      for (auto& inst : bb)
        if (auto* call = dyn_cast<CallInst>(&inst); call && call->isMustTailCall()) return false;
    return true;
  });
  LoopAnalysisManager lam;
  FunctionAnalysisManager fam;
  CGSCCAnalysisManager cgam;
  ModuleAnalysisManager mam;
  PassBuilder pb(tm, PipelineTuningOptions(), std::nullopt, &pic);
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

// (target.hpp)
bool writeFile(Module& m, TargetMachine& tm, raw_pwrite_stream& os, CodeGenFileType kind, std::string& error) {
  legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr, kind)) {
    error = "internal compiler error: the target cannot emit this file type";
    return false;
  }
  pm.run(m);
  return true;
}

// (codegen.hpp)
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
