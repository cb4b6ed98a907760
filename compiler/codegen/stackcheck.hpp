// Stack-overflow checks in generated code (docs/architecture.md "Run-time errors: unwinding").
//
// A function that can take part in a recursion compares the stack pointer with the thread's
// limit on entry (`weir_stack_limit`, initial-exec TLS, set by the runtime for every thread that
// runs Weir code: runtime/object/io.c) and, below it, calls `weir_rt_stack_overflow(name, loc)`,
// a run-time error like `error`: the frames are unwound, their landing pads drop what they own,
// and `catchError`, the rule engine or the actor's turn boundary takes it. The runtime keeps its
// SIGSEGV handler as a backstop (C code can still overflow).
//
// The code generator emits a check in every Weir function and lambda (`begin`, a call of the
// returned callee through its own invoke machinery so that the function's owned parameters are
// dropped, then `end`); `prune` then removes the checks of the functions that cannot recurse.
// WEIR_STACK_CHECK=0 in the compiler's environment emits none (to measure what they cost);
// WEIR_STACK_CHECK_DEBUG=1 prints the call graph `prune` sees and which components grow.
#pragma once
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>
#include <string>

namespace weir::codegen::stackcheck {

bool enabled();

struct Check {
  llvm::BasicBlock* body = nullptr;   // where the function goes on
  llvm::FunctionCallee panic;         // void weir_rt_stack_overflow(ptr name, ptr loc), noreturn
};

// At the builder's position (the end of a function's prologue): `sp < limit ? overflow : body`.
// Leaves the builder in the overflow block, where the caller emits the call of `panic`.
Check begin(llvm::IRBuilder<>& b, llvm::Module& m);
// After that call: `unreachable`, and the builder goes on in `body`.
void end(llvm::IRBuilder<>& b, const Check& c);

// Removes the check of every function that lies on no cycle of the call graph that grows the
// stack (a cycle of musttail calls is a loop), where a call through a pointer (a closure's code)
// or into the runtime that may call back may reach every function whose address is taken. Run
// on the module before optimisation.
void prune(llvm::Module& m);

// The name a run-time error shows for a Core function (`Main.depth$rec1` -> `depth`).
std::string displayName(const std::string& coreName);

}  // namespace weir::codegen::stackcheck
