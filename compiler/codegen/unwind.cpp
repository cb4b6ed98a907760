// Unwinding (docs/architecture.md, "Run-time errors: unwinding"): the bookkeeping of what the
// frame being generated owns (`live`), and calls that may fail becoming invokes whose landing
// pads drop it.
#include <algorithm>

#include "codegen/context.hpp"

namespace weir::codegen {

// `live` bookkeeping: a reference the frame now owns / one it has given away or dropped.
// Constants are immortal and never tracked; giving away what is not tracked (a borrowed or
// immortal value) changes nothing.
// A raw value (core/repr.hpp: an i64, double, i32 or i1) is no object: never tracked.
void Gen::own(Value* v) {
  if (v && !isa<Constant>(v) && !isRaw(v)) live.push_back(v);
}

// A reference given away or dropped: its newest entry leaves `live`.
void Gen::consume(Value* v) {
  for (size_t k = live.size(); k-- > 0;)
    if (live[k] == v) {
      live.erase(live.begin() + static_cast<long>(k));
      return;
    }
}

// What the frame owns at a join of branches: what it owned before them and still owns at the
// end of every branch that reaches the join (core/rc.hpp: all of them consume the same).
std::vector<Value*> Gen::common(const std::vector<Value*>& before, const std::vector<std::vector<Value*>>& ends) {
  std::vector<Value*> out;
  std::map<Value*, size_t> taken;
  for (Value* v : before) {
    size_t need = ++taken[v];
    bool all = true;
    for (auto& e : ends)
      if (static_cast<size_t>(std::count(e.begin(), e.end(), v)) < need) all = false;
    if (all) out.push_back(v);
  }
  return out;
}

// A landing pad that drops `drops` -- freeing the held reuse cells among them (null at run time
// when the scrutinee was shared) -- then goes on unwinding. Shared by the calls of a function
// with the same drop list (each of its values dominates every such call, so it dominates the pad).
BasicBlock* Gen::landingPad(Function* fn, const std::vector<Value*>& drops, std::map<std::vector<Value*>, BasicBlock*>* cache) {
  std::vector<Value*> key = drops;
  std::sort(key.begin(), key.end());  // the key only: the pad drops in `drops` order
  if (cache) {
    auto it = cache->find(key);
    if (it != cache->end()) return it->second;
  }
  auto ip = b.saveIP();
  auto* bb = BasicBlock::Create(ctx, "unwind", fn);
  b.SetInsertPoint(bb);
  LandingPadInst* lp = b.CreateLandingPad(StructType::get(ctx, {ptrT, i32}), 0);
  lp->setCleanup(true);
  // Through preserve_most wrappers (objects.cpp, slowCall): the exception, live across these
  // calls, would otherwise need a callee-saved register that every frame of the function saves.
  for (size_t k = drops.size(); k-- > 0;)  // the newest first
    slowCall(tokenCells.count(drops[k]) ? "weir_unwind_free_cell" : "weir_unwind_drop", {drops[k]});
  b.CreateResume(lp);
  b.restoreIP(ip);
  if (!fn->hasPersonalityFn()) fn->setPersonalityFn(personalityFn);
  if (cache) (*cache)[key] = bb;
  return bb;
}

// A call that may fail in `fn`: an invoke when something must be dropped if it does
// (`drops`), a plain call otherwise. Continues in the call's normal successor.
CallBase* Gen::callOrInvoke(Function* fn, FunctionType* ft, Value* callee, const std::vector<Value*>& args,
                       const std::vector<Value*>& drops, bool tailcc, std::map<std::vector<Value*>, BasicBlock*>* cache) {
  CallBase* c;
  if (drops.empty() || !unwinding) {
    c = b.CreateCall(ft, callee, args);
  } else {
    BasicBlock* pad = landingPad(fn, drops, cache);
    auto* normal = BasicBlock::Create(ctx, "ok", fn);
    c = b.CreateInvoke(ft, callee, normal, pad, args);
    b.SetInsertPoint(normal);
  }
  if (tailcc) c->setCallingConv(CallingConv::Tail);
  return c;
}

// A non-tail call that may fail, in the function being generated: the pad drops what is live
// except `consumed` (what the call takes over). Afterwards `consumed` is no longer live; the
// caller owns the result (`own` it unless it is immortal).
CallBase* Gen::mayFail(FunctionType* ft, Value* callee, const std::vector<Value*>& args,
                  const std::vector<Value*>& consumed, bool tailcc) {
  for (Value* v : consumed) consume(v);
  return callOrInvoke(cur, ft, callee, args, live, tailcc, &pads);
}

// mayFail of a runtime function (not a tailcc call).
CallBase* Gen::mayFail(FunctionCallee f, const std::vector<Value*>& args, const std::vector<Value*>& consumed) {
  return mayFail(f.getFunctionType(), f.getCallee(), args, consumed, false);
}

}  // namespace weir::codegen
