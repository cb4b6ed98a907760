// Heap objects: allocation with the header word, and the always-inline helpers generated into
// every module (weir.alloc, weir.free_cell, weir.dup, weir.drop, weir.drop_scalar, weir.box_int:
// the fast paths of runtime/include/weir/rt.h), plus boxing a Float.
#include <functional>

#include "codegen/context.hpp"

namespace weir::codegen {

// A new object of `size` bytes with its header word (count 1): the inline free-list fast path for
// small sizes.
Value* Gen::alloc(uint64_t size, uint64_t head) {
  Value* o = allocCell(size);
  store(ConstantInt::get(i64, head), o, 0);
  return o;
}

// The memory of a new object: a size class's cell, or the runtime's for a larger object (the
// inline path indexes the free lists by size: a constructor of over WEIR_MAX_SMALL bytes
// reaching it through a reuse token read past them -- found with a 35-field constructor).
Value* Gen::allocCell(uint64_t size) {
  return size <= MAX_SMALL ? b.CreateCall(allocFn, {ConstantInt::get(i64, size)})
                           : slowCall("weir_alloc", {ConstantInt::get(i64, size)});
}

Value* Gen::alloc(uint64_t size, uint64_t kind, uint64_t nfields, uint64_t tag) {
  return alloc(size, header(1, kind, nfields, tag));
}

// weir.alloc / weir.free_cell / weir.dup / weir.drop / weir.drop_scalar / weir.box_int: small
// always-inline helpers (the fast paths of rt.h).
void Gen::defineRcHelpers() {
  defineAllocHelpers();
  defineDupHelper();
  // weir.drop and weir.drop_scalar differ only in how the last reference frees the object.
  dropFn = defineDropHelper("weir.drop", [&](Value* o) { slowCall("weir_free_obj", {o}); });
  dropScalarFn = defineDropHelper("weir.drop_scalar", [&](Value* o) { b.CreateCall(freeCellFn, {o, b.getInt64(16)}); });
  defineBoxIntHelper();
}

// A call of the runtime's slow path `name` (weir_alloc, weir_free_obj, ...) through a
// preserve_most wrapper: the wrapper saves the registers it needs, so the caller keeps its own
// values in registers across it instead of in callee-saved ones -- which every function that
// might take the slow path would otherwise save in its prologue. That halves the frames of
// non-tail recursion (cfold's constFolding: 64 -> 32 bytes). WEIR_PRESERVE_MOST=0: direct calls.
Value* Gen::slowCall(const char* name, ArrayRef<Value*> args) {
  static const bool off = [] {
    const char* e = std::getenv("WEIR_PRESERVE_MOST");
    return e && std::string(e) == "0";
  }();
  FunctionCallee target = rt.at(name);
  if (off) return b.CreateCall(target, args);
  // LLVM 16 restores RAX in a preserve_most function's epilogue even when it returns its value
  // there, so a wrapper whose target returns something hands it over in a thread-local slot.
  Type* ret = target.getFunctionType()->getReturnType();
  GlobalVariable* slot = nullptr;
  if (!ret->isVoidTy()) {
    slot = mod.getGlobalVariable("weir.slow_result", true);
    if (!slot) {
      slot = new GlobalVariable(mod, ptrT, false, GlobalValue::InternalLinkage, ConstantPointerNull::get(ptrT),
                                "weir.slow_result", nullptr, GlobalValue::InitialExecTLSModel);
      slot->setAlignment(Align(8));
    }
  }
  std::string wname = std::string("weir.pm.") + name;
  Function* w = mod.getFunction(wname);
  if (!w) {
    auto* ft = FunctionType::get(voidT, target.getFunctionType()->params(), false);
    w = Function::Create(ft, Function::InternalLinkage, wname, mod);
    w->setCallingConv(CallingConv::PreserveMost);
    w->addFnAttr(Attribute::NoInline);
    w->addFnAttr(Attribute::NoUnwind);
    auto* saved = b.GetInsertBlock();
    auto savedPt = b.GetInsertPoint();
    b.SetInsertPoint(BasicBlock::Create(ctx, "entry", w));
    std::vector<Value*> fwd;
    for (auto& a : w->args()) fwd.push_back(&a);
    CallInst* c = b.CreateCall(target, fwd);
    // A tail call would leave the wrapper's frame before the C function clobbers what the
    // wrapper promised to keep.
    c->setTailCallKind(CallInst::TCK_NoTail);
    if (slot) b.CreateAlignedStore(c, slot, Align(8));
    b.CreateRetVoid();
    if (saved) b.SetInsertPoint(saved, savedPt);
  }
  CallInst* call = b.CreateCall(w, args);
  call->setCallingConv(CallingConv::PreserveMost);
  if (!slot) return call;
  return b.CreateAlignedLoad(ptrT, slot, Align(8));
}

// An internal always-inline, nounwind helper function.
Function* Gen::inlineHelper(const char* name, FunctionType* ft) {
  auto* f = Function::Create(ft, Function::InternalLinkage, name, mod);
  f->addFnAttr(Attribute::AlwaysInline);
  f->addFnAttr(Attribute::NoUnwind);
  return f;
}

// Inline fast paths of the allocator (rt.h): pop / push the thread's free list. A head of 1
// (WEIR_FREE_LIST_SYSTEM: every object a malloc block, for valgrind) sends both to the runtime.
void Gen::defineAllocHelpers() {
  auto* lists = new GlobalVariable(mod, ArrayType::get(ptrT, NUM_CLASSES), false, GlobalValue::ExternalLinkage,
                                   nullptr, "weir_free_lists", nullptr, GlobalValue::InitialExecTLSModel);
  lists->setAlignment(Align(8));
  allocFn = inlineHelper("weir.alloc", FunctionType::get(ptrT, {i64}, false));
  allocFn->addRetAttr(Attribute::NoAlias);
  {
    Value* size = allocFn->getArg(0);
    auto* entry = BasicBlock::Create(ctx, "entry", allocFn);
    auto* fast = BasicBlock::Create(ctx, "fast", allocFn);
    auto* empty = BasicBlock::Create(ctx, "empty", allocFn);
    auto* bump = BasicBlock::Create(ctx, "bump", allocFn);
    auto* unpooled = BasicBlock::Create(ctx, "unpooled", allocFn);
    auto* carve = BasicBlock::Create(ctx, "carve", allocFn);
    auto* slow = BasicBlock::Create(ctx, "slow", allocFn);
    b.SetInsertPoint(entry);
    Value* cls = b.CreateLShr(b.CreateAdd(size, b.getInt64(7)), 3);
    Value* slot = b.CreateInBoundsGEP(ptrT, lists, {cls});
    Value* head = b.CreateAlignedLoad(ptrT, slot, Align(8));
    Value* headBits = b.CreatePtrToInt(head, i64);
    b.CreateCondBr(b.CreateICmpULE(headBits, b.getInt64(1)), empty, fast);
    b.SetInsertPoint(fast);
    b.CreateAlignedStore(b.CreateAlignedLoad(ptrT, head, Align(8)), slot, Align(8));
    b.CreateRet(head);
    // The list is empty (not WEIR_FREE_LIST_SYSTEM): carve from the bump region (rt.h).
    b.SetInsertPoint(empty);
    b.CreateCondBr(b.CreateICmpEQ(headBits, b.getInt64(0)), bump, slow);
    b.SetInsertPoint(bump);
    auto* bumpT = StructType::get(ctx, {ptrT, ptrT, i64});  // rt.h's weir_bump_region: ptr, limit, carved
    auto* region = new GlobalVariable(mod, bumpT, false, GlobalValue::ExternalLinkage, nullptr, "weir_bump", nullptr,
                                      GlobalValue::InitialExecTLSModel);
    region->setAlignment(Align(8));
    Value* ptrSlot = b.CreateStructGEP(bumpT, region, 0);
    Value* p = b.CreateAlignedLoad(ptrT, ptrSlot, Align(8));
    Value* np = b.CreateGEP(i8, p, b.CreateShl(cls, 3));
    Value* limit = b.CreateAlignedLoad(ptrT, b.CreateStructGEP(bumpT, region, 1), Align(8));
    b.CreateCondBr(b.CreateICmpULE(b.CreatePtrToInt(np, i64), b.CreatePtrToInt(limit, i64)), unpooled, slow);
    b.SetInsertPoint(unpooled);
    auto* pool = new GlobalVariable(mod, ArrayType::get(ptrT, NUM_CLASSES), false, GlobalValue::ExternalLinkage,
                                    nullptr, "weir_heap_pool");
    pool->setAlignment(Align(8));
    LoadInst* pooled = b.CreateAlignedLoad(ptrT, b.CreateInBoundsGEP(ptrT, pool, {cls}), Align(8));
    pooled->setAtomic(AtomicOrdering::Monotonic);   // a hint, as the runtime's pool_take reads it
    b.CreateCondBr(b.CreateIsNull(pooled), carve, slow);
    b.SetInsertPoint(carve);
    b.CreateAlignedStore(np, ptrSlot, Align(8));
    Value* carvedSlot = b.CreateStructGEP(bumpT, region, 2);
    b.CreateAlignedStore(b.CreateAdd(b.CreateAlignedLoad(i64, carvedSlot, Align(8)), b.getInt64(1)), carvedSlot,
                         Align(8));
    b.CreateRet(p);
    b.SetInsertPoint(slow);
    b.CreateRet(slowCall("weir_alloc", {size}));
  }
  freeCellFn = inlineHelper("weir.free_cell", FunctionType::get(voidT, {ptrT, i64}, false));
  {
    Value* o = freeCellFn->getArg(0);
    Value* size = freeCellFn->getArg(1);
    auto* entry = BasicBlock::Create(ctx, "entry", freeCellFn);
    auto* small = BasicBlock::Create(ctx, "small", freeCellFn);
    auto* fast = BasicBlock::Create(ctx, "fast", freeCellFn);
    auto* slow = BasicBlock::Create(ctx, "slow", freeCellFn);
    b.SetInsertPoint(entry);
    b.CreateCondBr(b.CreateICmpUGT(size, b.getInt64(MAX_SMALL)), slow, small);
    b.SetInsertPoint(small);
    Value* cls = b.CreateLShr(b.CreateAdd(size, b.getInt64(7)), 3);
    Value* slot = b.CreateInBoundsGEP(ptrT, lists, {cls});
    Value* head = b.CreateAlignedLoad(ptrT, slot, Align(8));
    b.CreateCondBr(b.CreateICmpEQ(b.CreatePtrToInt(head, i64), b.getInt64(1)), slow, fast);
    b.SetInsertPoint(fast);
    b.CreateAlignedStore(head, o, Align(8));
    b.CreateAlignedStore(o, slot, Align(8));
    b.CreateRetVoid();
    b.SetInsertPoint(slow);
    slowCall("weir_free_cell", {o});
    b.CreateRetVoid();
  }
}

// weir.dup: increment a positive count; a shared object's (negative) count goes to the runtime;
// an immortal one (0) is left alone.
void Gen::defineDupHelper() {
  dupFn = inlineHelper("weir.dup", FunctionType::get(voidT, {ptrT}, false));
  Value* o = dupFn->getArg(0);
  auto* entry = BasicBlock::Create(ctx, "entry", dupFn);
  auto* inc = BasicBlock::Create(ctx, "inc", dupFn);
  auto* other = BasicBlock::Create(ctx, "other", dupFn);
  auto* shared = BasicBlock::Create(ctx, "shared", dupFn);
  auto* done = BasicBlock::Create(ctx, "done", dupFn);
  b.SetInsertPoint(entry);
  Value* rc = b.CreateAlignedLoad(i32, o, Align(8));
  b.CreateCondBr(b.CreateICmpSGT(rc, b.getInt32(0)), inc, other);
  b.SetInsertPoint(inc);
  b.CreateAlignedStore(b.CreateAdd(rc, b.getInt32(1)), o, Align(8));
  b.CreateRetVoid();
  b.SetInsertPoint(other);
  b.CreateCondBr(b.CreateICmpSLT(rc, b.getInt32(0)), shared, done);
  b.SetInsertPoint(shared);
  slowCall("weir_dup_shared", {o});
  b.CreateRetVoid();
  b.SetInsertPoint(done);
  b.CreateRetVoid();
}

// A drop helper: decrement a count above 1, free the object at 1 (freeLast), hand a shared
// object to the runtime, leave an immortal one alone.
Function* Gen::defineDropHelper(const char* name, const std::function<void(Value*)>& freeLast) {
  Function* fn = inlineHelper(name, FunctionType::get(voidT, {ptrT}, false));
  Value* o = fn->getArg(0);
  auto* entry = BasicBlock::Create(ctx, "entry", fn);
  auto* dec = BasicBlock::Create(ctx, "dec", fn);
  auto* notdec = BasicBlock::Create(ctx, "notdec", fn);
  auto* fr = BasicBlock::Create(ctx, "free", fn);
  auto* other = BasicBlock::Create(ctx, "other", fn);
  auto* shared = BasicBlock::Create(ctx, "shared", fn);
  auto* done = BasicBlock::Create(ctx, "done", fn);
  b.SetInsertPoint(entry);
  Value* rc = b.CreateAlignedLoad(i32, o, Align(8));
  b.CreateCondBr(b.CreateICmpSGT(rc, b.getInt32(1)), dec, notdec);
  b.SetInsertPoint(dec);
  b.CreateAlignedStore(b.CreateSub(rc, b.getInt32(1)), o, Align(8));
  b.CreateRetVoid();
  b.SetInsertPoint(notdec);
  b.CreateCondBr(b.CreateICmpEQ(rc, b.getInt32(1)), fr, other);
  b.SetInsertPoint(fr);
  freeLast(o);
  b.CreateRetVoid();
  b.SetInsertPoint(other);
  b.CreateCondBr(b.CreateICmpSLT(rc, b.getInt32(0)), shared, done);
  b.SetInsertPoint(shared);
  slowCall("weir_drop_shared", {o});
  b.CreateRetVoid();
  b.SetInsertPoint(done);
  b.CreateRetVoid();
  return fn;
}

// weir.box_int: a small Int is a pointer into the runtime's static table, a big one a new object.
void Gen::defineBoxIntHelper() {
  auto* sm = new GlobalVariable(mod, ArrayType::get(i8, 16 * SMALL_INT_COUNT), true, GlobalValue::ExternalLinkage,
                                nullptr, "weir_small_ints");
  boxIntFn = inlineHelper("weir.box_int", FunctionType::get(ptrT, {i64}, false));
  Value* v = boxIntFn->getArg(0);
  auto* entry = BasicBlock::Create(ctx, "entry", boxIntFn);
  auto* small = BasicBlock::Create(ctx, "small", boxIntFn);
  auto* big = BasicBlock::Create(ctx, "big", boxIntFn);
  b.SetInsertPoint(entry);
  Value* idx = b.CreateSub(v, b.getInt64(static_cast<uint64_t>(SMALL_INT_MIN)));
  b.CreateCondBr(b.CreateICmpULT(idx, b.getInt64(SMALL_INT_COUNT)), small, big);
  b.SetInsertPoint(small);
  b.CreateRet(b.CreateInBoundsGEP(i8, sm, {b.CreateShl(idx, 4)}));
  b.SetInsertPoint(big);
  Value* o = alloc(16, K_INT, 0, 0);
  store(v, o, OFF_VALUE);
  b.CreateRet(o);
}

// A Float as a new boxed object (no static cache for Floats).
Value* Gen::boxFloat(Value* v) {
  Value* o = alloc(16, K_FLOAT, 0, 0);
  store(v, o, OFF_VALUE);
  return o;
}

}  // namespace weir::codegen
