// The LLVM target side of code generation: the target machine for Options (triple, CPU,
// optimisation level), the LLVM optimisation pipeline, and writing a module as assembly or an
// object file. target.cpp; checkCpu (codegen.hpp) lives there too.
#pragma once
#include <memory>
#include <string>

#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>

#include "codegen/codegen.hpp"

namespace weir::codegen {

// The target machine for opts (host triple and a portable CPU unless asked); nullptr and
// `error` set when the triple is unknown.
std::unique_ptr<llvm::TargetMachine> makeTarget(const Options& opts, std::string& error);

// Runs LLVM's default pipeline for -O`level` (0..3) on m.
void optimise(llvm::Module& m, llvm::TargetMachine* tm, int level);

// Writes m as assembly or an object file (kind) to os; false with `error` set if the target
// cannot.
bool writeFile(llvm::Module& m, llvm::TargetMachine& tm, llvm::raw_pwrite_stream& os, llvm::CodeGenFileType kind,
               std::string& error);

}  // namespace weir::codegen
