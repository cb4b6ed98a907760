// Unknown calls: a function value applied to arguments goes through weir.applyN, generated
// here for each N used, which handles exact, partial (a PAP) and over-application of closures and
// PAPs. Also weir_apply1..3, the C entry points the runtime calls closures through.
#include "codegen/context.hpp"

namespace weir::codegen {

// weir_apply1 / 2 / 3: C-callable entry points into the closure calling convention, for the
// runtime (e.g. a scheduler invoking handler closures with the world). Declared in rt.h.
void Gen::defineCEntryPoints() {
  for (size_t n : {1, 2, 3}) {
    auto* f = Function::Create(fnType(n + 1), Function::ExternalLinkage, "weir_apply" + std::to_string(n), mod);
    beginFunction(f, "weir_apply");
    std::vector<Value*> args;
    for (size_t k = 1; k <= n; k++) args.push_back(f->getArg(static_cast<unsigned>(k)));
    b.CreateRet(apply(f->getArg(0), args, false));
  }
}

// weir.applyN, declared on first use (defineApplies defines every one used).
Function* Gen::applyFn(size_t n) {
  auto& f = applies[n];
  if (!f) {
    f = Function::Create(fnType(n + 1), Function::InternalLinkage, "weir.apply" + std::to_string(n), mod);
    f->setCallingConv(CallingConv::Tail);
  }
  return f;
}

// Calls an unknown function value `f` (owned) with owned args.
Value* Gen::apply(Value* f, const std::vector<Value*>& args, bool tail) {
  Function* a = applyFn(args.size());
  std::vector<Value*> all{f};
  all.insert(all.end(), args.begin(), args.end());
  if (tail) {
    if (cur->getReturnType() == ptrT) {
      b.CreateRet(tailCall(a, a->getFunctionType(), all, true));
      return nullptr;
    }
    // a worker with a raw result: the call's boxed result is converted, then returned
    Value* c = mayFail(a->getFunctionType(), a, all, all, true);
    own(c);
    return result(c, true);
  }
  Value* c = mayFail(a->getFunctionType(), a, all, all, true);
  own(c);
  return c;
}

// A stack array (an alloca in the entry block) holding args, for the runtime's PAP functions.
Value* Gen::argArray(const std::vector<Value*>& args) {
  IRBuilder<> eb(&cur->getEntryBlock(), cur->getEntryBlock().begin());
  Value* arr = eb.CreateAlloca(ArrayType::get(ptrT, args.size()));
  for (size_t k = 0; k < args.size(); k++) store(args[k], arr, static_cast<int64_t>(8 * k));
  return arr;
}

// weir.applyN(f, a1..aN): exact, partial and over-application of closures and PAPs.
void Gen::defineApply(size_t n, Function* fn) {
  cur = fn;
  auto arg = [&](size_t k) -> Value* { return fn->getArg(static_cast<unsigned>(k)); };  // 0 = f
  auto* entry = BasicBlock::Create(ctx, "entry", fn);
  b.SetInsertPoint(entry);
  Value* f = arg(0);
  Value* kind = b.CreateLoad(i8, gep(f, OFF_KIND));
  auto* isClo = BasicBlock::Create(ctx, "closure", fn);
  auto* isPap = BasicBlock::Create(ctx, "pap", fn);
  b.CreateCondBr(b.CreateICmpEQ(kind, b.getInt8(K_CLOSURE)), isClo, isPap);
  std::vector<Value*> as;
  for (size_t k = 1; k <= n; k++) as.push_back(arg(k));
  b.SetInsertPoint(isClo);
  applyClosure(n, fn, f, as);
  b.SetInsertPoint(isPap);
  applyPap(n, fn, f, as);
}

// weir.applyN's closure case: its arity against n gives an exact call of its code, a new PAP,
// or a call with the first arguments whose result is applied to the rest.
void Gen::applyClosure(size_t n, Function* fn, Value* f, const std::vector<Value*>& as) {
  Value* arity = b.CreateLoad(i32, gep(f, OFF_ARITY));
  Value* code = loadPtr(f, OFF_CODE);
  auto* exact = BasicBlock::Create(ctx, "exact", fn);
  auto* notExact = BasicBlock::Create(ctx, "notexact", fn);
  auto* partial = BasicBlock::Create(ctx, "partial", fn);
  auto* over = BasicBlock::Create(ctx, "over", fn);
  b.CreateCondBr(b.CreateICmpEQ(arity, b.getInt32(static_cast<uint32_t>(n))), exact, notExact);
  b.SetInsertPoint(exact);
  {
    std::vector<Value*> all{f};
    all.insert(all.end(), as.begin(), as.end());
    b.CreateRet(tailCall(code, fnType(n + 1), all, true));
  }
  b.SetInsertPoint(notExact);
  b.CreateCondBr(b.CreateICmpUGT(arity, b.getInt32(static_cast<uint32_t>(n))), partial, over);
  b.SetInsertPoint(partial);
  b.CreateRet(b.CreateCall(rt["weir_pap_make"], {f, b.getInt32(static_cast<uint32_t>(n)), argArray(as)}));
  b.SetInsertPoint(over);
  auto* bad = BasicBlock::Create(ctx, "bad", fn);
  SwitchInst* sw = b.CreateSwitch(arity, bad);
  for (size_t k = 1; k < n; k++) {
    auto* bb = BasicBlock::Create(ctx, "over" + std::to_string(k), fn);
    sw->addCase(b.getInt32(static_cast<uint32_t>(k)), bb);
    b.SetInsertPoint(bb);
    std::vector<Value*> first{f}, rest;
    for (size_t j = 0; j < n; j++) (j < k ? first : rest).push_back(as[j]);
    Value* r = callOrInvoke(fn, fnType(k + 1), code, first, rest, true, nullptr);  // rest: ours
    Function* ap = applyFn(n - k);
    rest.insert(rest.begin(), r);
    b.CreateRet(tailCall(ap, ap->getFunctionType(), rest, true));
  }
  b.SetInsertPoint(bad);
  b.CreateCall(rt["weir_rt_panic"], {cstring("internal error: bad closure arity"), cstring("")});
  b.CreateUnreachable();
}

// weir.applyN's PAP case: the arguments it holds and n complete it (a call of its closure's
// code with all of them), extend it, or complete it with the first ones and apply the result
// to the rest.
void Gen::applyPap(size_t n, Function* fn, Value* f, const std::vector<Value*>& as) {
  Value* total = b.CreateLoad(i32, gep(f, OFF_ARITY));
  Value* nargs = b.CreateLoad(i32, gep(f, OFF_PAP_NARGS));
  Value* need = b.CreateSub(total, nargs);
  auto* exact = BasicBlock::Create(ctx, "pexact", fn);
  auto* notExact = BasicBlock::Create(ctx, "pnotexact", fn);
  auto* partial = BasicBlock::Create(ctx, "ppartial", fn);
  auto* over = BasicBlock::Create(ctx, "pover", fn);
  auto* bad = BasicBlock::Create(ctx, "pbad", fn);
  b.CreateCondBr(b.CreateICmpEQ(need, b.getInt32(static_cast<uint32_t>(n))), exact, notExact);
  b.SetInsertPoint(exact);
  SwitchInst* sw = b.CreateSwitch(total, bad);
  for (size_t t = n + 1; t <= maxArity; t++) {
    auto* bb = BasicBlock::Create(ctx, "total" + std::to_string(t), fn);
    sw->addCase(b.getInt32(static_cast<uint32_t>(t)), bb);
    b.SetInsertPoint(bb);
    Value* clo = loadPtr(f, OFF_PAP_FN);
    std::vector<Value*> all{clo};
    for (size_t j = 0; j < t - n; j++) all.push_back(loadPtr(f, OFF_PAP_ARGS + 8 * static_cast<int64_t>(j)));
    all.insert(all.end(), as.begin(), as.end());
    b.CreateCall(rt["weir_unpack"], {f});
    Value* code = loadPtr(clo, OFF_CODE);
    b.CreateRet(tailCall(code, fnType(t + 1), all, true));
  }
  b.SetInsertPoint(notExact);
  b.CreateCondBr(b.CreateICmpUGT(need, b.getInt32(static_cast<uint32_t>(n))), partial, over);
  b.SetInsertPoint(partial);
  b.CreateRet(b.CreateCall(rt["weir_pap_extend"], {f, b.getInt32(static_cast<uint32_t>(n)), argArray(as)}));
  b.SetInsertPoint(over);
  SwitchInst* sw2 = b.CreateSwitch(need, bad);
  for (size_t k = 1; k < n; k++) {
    auto* bb = BasicBlock::Create(ctx, "pover" + std::to_string(k), fn);
    sw2->addCase(b.getInt32(static_cast<uint32_t>(k)), bb);
    b.SetInsertPoint(bb);
    std::vector<Value*> first{f}, rest;
    for (size_t j = 0; j < n; j++) (j < k ? first : rest).push_back(as[j]);
    Function* a1 = applyFn(k);
    Value* r = callOrInvoke(fn, a1->getFunctionType(), a1, first, rest, true, nullptr);
    Function* a2 = applyFn(n - k);
    rest.insert(rest.begin(), r);
    b.CreateRet(tailCall(a2, a2->getFunctionType(), rest, true));
  }
  b.SetInsertPoint(bad);
  b.CreateCall(rt["weir_rt_panic"], {cstring("internal error: bad partial application"), cstring("")});
  b.CreateUnreachable();
}

// Defines every weir.applyN used, including those the definitions themselves use.
void Gen::defineApplies() {
  std::set<size_t> done;
  for (;;) {
    size_t next = 0;
    for (auto& [n, f] : applies)
      if (!done.count(n)) { next = n; break; }
    if (!next) break;
    done.insert(next);
    defineApply(next, applies.at(next));
  }
}

}  // namespace weir::codegen
