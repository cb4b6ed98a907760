// Stack-overflow checks in generated code: see stackcheck.hpp.
#include "codegen/stackcheck.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <vector>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Metadata.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/TargetParser/Triple.h>
#include <llvm/Transforms/Utils/Local.h>
#include "support/scc.hpp"

using namespace llvm;

namespace weir::codegen::stackcheck {

namespace {
const char* const kPanic = "weir_rt_stack_overflow";
const char* const kLimit = "weir_stack_limit";
const char* const kTag = "weir.stackcheck";
}  // namespace

bool enabled() {
  const char* e = std::getenv("WEIR_STACK_CHECK");
  return !(e && std::string(e) == "0");
}

Check begin(IRBuilder<>& b, Module& m) {
  LLVMContext& ctx = m.getContext();
  Type* i64 = Type::getInt64Ty(ctx);
  PointerType* ptrT = PointerType::get(ctx, 0);
  Check c;
  c.panic = m.getOrInsertFunction(kPanic, FunctionType::get(Type::getVoidTy(ctx), {ptrT, ptrT}, false));
  if (auto* f = dyn_cast<Function>(c.panic.getCallee())) {
    f->addFnAttr(Attribute::NoReturn);
    f->addFnAttr(Attribute::Cold);
  }
  auto* limit = cast<GlobalVariable>(m.getOrInsertGlobal(kLimit, i64));
  limit->setThreadLocalMode(GlobalValue::InitialExecTLSModel);  // one per thread (io.c)
  // The stack pointer itself: llvm.read_register reads it without forcing a frame pointer
  // (llvm.frameaddress would); other targets fall back to the frame address.
  Value* sp;
  Triple t(m.getTargetTriple());
  const char* reg = t.getArch() == Triple::x86_64 ? "rsp" : t.getArch() == Triple::aarch64 ? "sp" : nullptr;
  if (reg) {
    Function* rr = Intrinsic::getDeclaration(&m, Intrinsic::read_register, {i64});
    sp = b.CreateCall(rr, {MetadataAsValue::get(ctx, MDNode::get(ctx, {MDString::get(ctx, reg)}))});
  } else {
    Function* fa = Intrinsic::getDeclaration(&m, Intrinsic::frameaddress, {ptrT});
    sp = b.CreatePtrToInt(b.CreateCall(fa, {b.getInt32(0)}), i64);
  }
  LoadInst* lim = b.CreateAlignedLoad(i64, limit, Align(8));
  // Set before the thread runs any Weir code and never changed while it does: invariant, so in
  // a loop (self tail calls become one) it is loaded once, before the loop, and each iteration
  // costs a compare and a branch.
  lim->setMetadata(LLVMContext::MD_invariant_load, MDNode::get(ctx, {}));
  Function* fn = b.GetInsertBlock()->getParent();
  auto* over = BasicBlock::Create(ctx, "stack_overflow", fn);
  c.body = BasicBlock::Create(ctx, "body", fn);
  BranchInst* br = b.CreateCondBr(b.CreateICmpULT(sp, lim), over, c.body,
                                  MDBuilder(ctx).createBranchWeights(1, 1u << 20));
  br->setMetadata(kTag, MDNode::get(ctx, {}));
  b.SetInsertPoint(over);
  return c;
}

void end(IRBuilder<>& b, const Check& c) {
  b.CreateUnreachable();
  b.SetInsertPoint(c.body);
}

namespace {

// Whether `v` (a function) is used other than as a callee: stored in a closure, passed to the
// runtime. Its entry in weir_function_table (every function's) does not count.
bool addressTaken(const Value* v) {
  for (const Use& u : v->uses()) {
    const User* user = u.getUser();
    if (auto* call = dyn_cast<CallBase>(user)) {
      if (call->isCallee(&u)) continue;
      // `weir.main` given to weir_rt_main, which calls it once: the program's root, on no cycle.
      Function* callee = call->getCalledFunction();
      if (callee && callee->getName() == "weir_rt_main") continue;
      return true;
    }
    if (auto* g = dyn_cast<GlobalVariable>(user)) {
      if (g->getName() == "weir_function_table") continue;
      return true;
    }
    if (isa<Constant>(user)) {
      if (addressTaken(user)) return true;
      continue;
    }
    return true;
  }
  return false;
}

// The check emitted by `begin` in `f`, if any.
BranchInst* findCheck(Function& f) {
  for (auto& bb : f)
    if (auto* br = dyn_cast<BranchInst>(bb.getTerminator()))
      if (br->getMetadata(kTag)) return br;
  return nullptr;
}

}  // namespace

void prune(Module& m) {
  // Nodes: the defined functions, plus one node `any` standing for "some function whose address
  // is taken": a call through a pointer, or a call into the runtime that may call back (not
  // nounwind), reaches it, and it reaches every address-taken function. An edge `grows` unless
  // it is a musttail call (the caller's frame is gone: a cycle of those is a loop) or the step
  // from `any` to a function (the call into `any` carries the growth).
  struct Edge {
    size_t to;
    bool grows;
  };
  std::vector<Function*> fns;
  std::map<Function*, size_t> index;
  for (Function& f : m)
    if (!f.isDeclaration()) {
      index[&f] = fns.size();
      fns.push_back(&f);
    }
  const size_t any = fns.size();
  std::vector<std::vector<Edge>> succ(fns.size() + 1);
  for (size_t k = 0; k < fns.size(); k++) {
    Function* f = fns[k];
    if (addressTaken(f)) succ[any].push_back({k, false});
    int toAny = 0;   // 0: no edge, 1: tail calls only, 2: a growing one
    for (auto& bb : *f)
      for (auto& inst : bb) {
        auto* call = dyn_cast<CallBase>(&inst);
        if (!call) continue;
        auto* ci = dyn_cast<CallInst>(call);
        bool tail = ci && ci->isMustTailCall();
        Function* callee = call->getCalledFunction();
        if (!callee) {
          if (!call->isInlineAsm()) toAny = std::max(toAny, tail ? 1 : 2);
          continue;
        }
        if (callee->isDeclaration()) {
          if (callee->isIntrinsic() || callee->doesNotReturn() || callee->doesNotThrow()) continue;
          toAny = 2;   // the runtime's frame stays below the callback
          continue;
        }
        succ[k].push_back({index.at(callee), !tail});
      }
    if (toAny) succ[k].push_back({any, toAny == 2});
  }

  // Strongly connected components of the call graph.
  size_t n = succ.size();
  std::vector<std::vector<size_t>> edges(n);
  for (size_t v = 0; v < n; v++)
    for (const Edge& e : succ[v]) edges[v].push_back(e.to);
  std::vector<std::vector<size_t>> members = support::stronglyConnected(edges);
  size_t comps = members.size();
  std::vector<size_t> comp(n, SIZE_MAX);
  for (size_t c = 0; c < comps; c++)
    for (size_t v : members[c]) comp[v] = c;

  // A component in which some edge grows the stack holds a cycle through that edge: the stack
  // can grow without bound there, and each of its functions keeps its check (any one on the
  // cycle would do; which one is not worth computing). Elsewhere the stack is bounded by the
  // cycles below: no check.
  std::vector<bool> grows(comps, false);
  for (size_t v = 0; v < n; v++)
    for (const Edge& e : succ[v])
      if (e.grows && comp[e.to] == comp[v]) grows[comp[v]] = true;
  if (std::getenv("WEIR_STACK_CHECK_DEBUG"))
    for (size_t v = 0; v < n; v++) {
      errs() << (v < fns.size() ? fns[v]->getName() : "any") << " comp " << comp[v] << (grows[comp[v]] ? " grows" : "") << " ->";
      for (const Edge& e : succ[v]) errs() << " " << (e.to < fns.size() ? fns[e.to]->getName() : "any") << (e.grows ? "+" : "");
      errs() << "\n";
    }
  for (size_t k = 0; k < fns.size(); k++) {
    if (grows[comp[k]]) continue;
    Function* f = fns[k];
    BranchInst* br = findCheck(*f);
    if (!br) continue;   // no check here (a wrapper, main, ...)
    BasicBlock* body = br->getSuccessor(1);
    Value* cond = br->getCondition();
    BranchInst::Create(body, br);
    br->eraseFromParent();
    RecursivelyDeleteTriviallyDeadInstructions(cond);
    removeUnreachableBlocks(*f);
  }
}

std::string displayName(const std::string& coreName) {
  std::string name = coreName;
  for (const char* cut : {"$rec", "$s", "$trmc", "$own"}) {  // lifted, specialised, trmc workers, owning walks
    auto at = name.find(cut);
    if (at != std::string::npos && at > 0) name = name.substr(0, at);
  }
  auto dot = name.rfind('.');
  if (dot != std::string::npos && dot + 1 < name.size() && name[0] != '$') name = name.substr(dot + 1);
  return name;
}

}  // namespace weir::codegen::stackcheck
