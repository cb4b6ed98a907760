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

// The argument for parameter k of a direct call of cf (borrowed: the caller keeps its
// reference). A raw value boxed for a borrowed boxed parameter is a temporary the caller
// drops after the call: it is added to `temps`.
// ownedAll: the caller gives up every argument (rc's view of an over-saturated call).
Value* Gen::directArg(const core::Function& cf, size_t k, const Expr& a, std::vector<Value*>& temps,
                 bool ownedAll) {
  Type* t = repType(cf.paramRep(k));
  if (t == i64 && a.kind == Expr::LitInt) return b.getInt64(static_cast<uint64_t>(a.i));
  Value* v = genV(a, false);
  if (!v) return nullptr;
  if (t == ptrT && isRaw(v)) {
    v = box(v);
    if (cf.isBorrowed(k) && !ownedAll) temps.push_back(v);
    return v;
  }
  return convert(v, t, ownedAll || !cf.isBorrowed(k));
}

// Static immortal closure for a top-level function used as a value: its code is a wrapper
// taking (self, args...) that tail-calls the function. The closure's code owns its arguments:
// when the function borrows some (core/borrow.hpp), the wrapper calls it and drops those.
Constant* Gen::staticClosure(const std::string& name) {
  auto& c = staticClosures[name];
  if (c) return c;
  Function* target = llfuncs.at(name);
  const core::Function& cf = *funcs.at(name);
  size_t n = cf.params.size();
  auto* w = Function::Create(fnType(n + 1), Function::InternalLinkage, symbol(name) + "$clo", mod);
  w->setCallingConv(CallingConv::Tail);
  auto ip = b.saveIP();
  b.SetInsertPoint(BasicBlock::Create(ctx, "entry", w));
  // The closure's code owns its (boxed) arguments: a raw parameter gets the value and the box
  // is dropped at once; a borrowed boxed one is ours during the call: dropped after it, or by
  // the landing pad if the call fails. (Built in the middle of another function: nothing here
  // touches that function's `live`.)
  std::vector<Value*> args, lent;
  for (size_t k = 1; k <= n; k++) {
    Value* a = w->getArg(static_cast<unsigned>(k));
    Type* t = target->getFunctionType()->getParamType(static_cast<unsigned>(k - 1));
    if (t != ptrT) a = unboxValue(a, t, true);
    else if (cf.isBorrowed(k - 1)) lent.push_back(a);
    args.push_back(a);
  }
  bool boxedResult = target->getReturnType() == ptrT;
  Value* r;
  if (lent.empty()) r = tailCall(target, target->getFunctionType(), args, boxedResult);
  else r = callOrInvoke(w, target->getFunctionType(), target, args, lent, nullptr, true, nullptr);
  for (Value* a : lent) drop(a);
  b.CreateRet(boxValue(r));
  b.restoreIP(ip);
  c = closureConst(symbol(name) + "$closure", w, n);
  return c;
}

CallInst* Gen::tailCall(Value* callee, FunctionType* ft, const std::vector<Value*>& args, bool must) {
  CallInst* call = b.CreateCall(ft, callee, args);
  call->setCallingConv(CallingConv::Tail);
  if (must) call->setTailCallKind(CallInst::TCK_MustTail);
  return call;
}

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

// ---------------------------------------------------------------- apply helpers
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
    releaseReuse();
    if (cur->getReturnType() == ptrT) {
      b.CreateRet(tailCall(a, a->getFunctionType(), all, true));
      return nullptr;
    }
    // a worker with a raw result: the call's boxed result is converted, then returned
    Value* c = mayFail(a->getFunctionType(), a, all, all, true);
    own(c);
    return result(c, true);
  }
  if (tail) {
    releaseReuse();
    b.CreateRet(tailCall(a, a->getFunctionType(), all, true));
    return nullptr;
  }
  Value* c = mayFail(a->getFunctionType(), a, all, all, true);
  own(c);
  return c;
}

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

  // closure
  b.SetInsertPoint(isClo);
  {
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
      Value* r = callOrInvoke(fn, fnType(k + 1), code, first, rest, nullptr, true, nullptr);  // rest: ours
      Function* ap = applyFn(n - k);
      rest.insert(rest.begin(), r);
      b.CreateRet(tailCall(ap, ap->getFunctionType(), rest, true));
    }
    b.SetInsertPoint(bad);
    b.CreateCall(rt["weir_rt_panic"], {cstring("internal error: bad closure arity"), cstring("")});
    b.CreateUnreachable();
  }

  // PAP
  b.SetInsertPoint(isPap);
  {
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
      Value* r = callOrInvoke(fn, a1->getFunctionType(), a1, first, rest, nullptr, true, nullptr);
      Function* a2 = applyFn(n - k);
      rest.insert(rest.begin(), r);
      b.CreateRet(tailCall(a2, a2->getFunctionType(), rest, true));
    }
    b.SetInsertPoint(bad);
    b.CreateCall(rt["weir_rt_panic"], {cstring("internal error: bad partial application"), cstring("")});
    b.CreateUnreachable();
  }
}

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

// ---------------------------------------------------------------- expressions
Value* Gen::var(VarId v) {
  auto it = vars.find(v);
  if (it == vars.end()) bug("unbound variable v" + std::to_string(v) + " in " + curName);
  return it->second;
}

// Operand known to be immortal (never needs a drop).
bool Gen::immortalExpr(const Expr& e) {
  switch (e.kind) {
    case Expr::Global: case Expr::LitInt: case Expr::LitFloat: case Expr::LitChar: case Expr::LitString:
      return true;
    case Expr::Con: return e.args.empty();
    default: return false;
  }
}

// A primitive whose result is always a static object (Bool or Ordering constructor).
bool Gen::immortalResult(const Expr& e) {
  if (e.kind != Expr::Prim) return false;
  switch (e.prim) {
    case PrimOp::IntEq: case PrimOp::IntNe: case PrimOp::IntLt: case PrimOp::IntLe: case PrimOp::IntGt:
    case PrimOp::IntGe: case PrimOp::IntCompare: case PrimOp::FloatEq: case PrimOp::FloatNe:
    case PrimOp::FloatLt: case PrimOp::FloatLe: case PrimOp::FloatGt: case PrimOp::FloatGe:
    case PrimOp::FloatCompare: case PrimOp::CharEq: case PrimOp::CharLt: case PrimOp::CharLe:
    case PrimOp::CharCompare: case PrimOp::StringEq: case PrimOp::StringCompare: case PrimOp::TrmcFill:
      return true;
    default: return false;
  }
}

// A call of a destination-passing worker (core/trmc.hpp): its result is unit.
bool Gen::trmcWorkerCall(const Expr& e) const {
  if (e.kind != Expr::App || e.args[0]->kind != Expr::Global) return false;
  auto it = funcs.find(e.args[0]->name);
  return it != funcs.end() && it->second->trmcWorker;
}

// Evaluates args in order; false if one of them does not return.
bool Gen::genArgs(const std::vector<core::ExprPtr>& es, size_t from, std::vector<Value*>& out) {
  for (size_t k = from; k < es.size(); k++) {
    Value* v = gen(*es[k], false);
    if (!v) return false;
    out.push_back(v);
  }
  return true;
}

// Frees a pending reuse cell (before control leaves the straight-line path).
void Gen::releaseReuse() {
  if (!reuse.cell) return;
  Value* cell = reuse.cell;
  uint64_t size = reuse.size;
  reuse = {};
  auto* fr = BasicBlock::Create(ctx, "reuse.free", cur);
  auto* cont = BasicBlock::Create(ctx, "reuse.done", cur);
  b.CreateCondBr(b.CreateIsNull(cell), cont, fr);
  b.SetInsertPoint(fr);
  b.CreateCall(freeCellFn, {cell, b.getInt64(size)});
  b.CreateBr(cont);
  b.SetInsertPoint(cont);
}

// Is there a constructor with n fields on the straight-line path of e (before any branch)?
bool Gen::reusable(const Expr& e, size_t n) {
  switch (e.kind) {
    case Expr::Con:
      for (auto& a : e.args) if (reusable(*a, n)) return true;
      return e.args.size() == n;
    case Expr::Case: case Expr::LitCase: case Expr::Lam: case Expr::LetRec: return false;
    default:
      for (auto& a : e.args) if (reusable(*a, n)) return true;
      return false;
  }
}

// Emits a return if tail; returns the value otherwise (nullptr once the block is closed).
Value* Gen::result(Value* v, bool tail) {
  if (tail && v) {
    v = convert(v, cur->getReturnType(), true);
    releaseReuse();
    b.CreateRet(v);
    return nullptr;
  }
  return v;
}

// e's value as an owned object (or, in tail position, returned; nullptr then).
Value* Gen::gen(const Expr& e, bool tail) {
  Value* v = genV(e, tail);
  return tail ? v : box(v);
}

// e's value, raw (i64/double/i32/i1: no object, no count) where e computes it so (a scalar
// primitive, a raw variable, a call of a worker with a raw result), an owned object otherwise.
Value* Gen::genV(const Expr& e, bool tail) {
  switch (e.kind) {
    case Expr::Var: return result(var(e.var), tail);
    case Expr::Global: return result(global(e.name), tail);
    // literals are raw constants; boxed, they are the static objects (box)
    case Expr::LitInt: return result(b.getInt64(static_cast<uint64_t>(e.i)), tail);
    case Expr::LitFloat: return result(ConstantFP::get(dbl, e.f), tail);
    case Expr::LitChar: return result(b.getInt32(static_cast<uint32_t>(e.i)), tail);
    case Expr::LitString: return result(stringLit(e.s), tail);
    case Expr::App: return genApp(e, tail);
    case Expr::Lam: return result(genLam(e), tail);
    case Expr::Let: {
      Value* v = genV(*e.args[0], false);
      if (!v) return nullptr;
      if (isRaw(v)) {
        auto u = letUses.find(e.var);
        if (u != letUses.end() && u->second >= 2) v = box(v);
      }
      if (!isa<Constant>(v)) v->setName("v" + std::to_string(e.var));
      vars[e.var] = v;
      if (immortalExpr(*e.args[0]) || immortalResult(*e.args[0]) || trmcWorkerCall(*e.args[0])) {
        immortalVars.insert(e.var);
        consume(v);  // never counted, never dropped
      }
      return genV(*e.args[1], tail);
    }
    case Expr::LetRec: bug("LetRec reached codegen (liftLetRec not run)");
    case Expr::Con: {
      if (e.args.empty() && (e.name == "Prelude.True" || e.name == "Prelude.False"))
        return result(b.getInt1(e.tag == 1), tail);  // a raw Bool constant
      if (e.args.empty()) return result(nullary(e.tag), tail);
      if (Constant* c = staticCon(e)) return result(c, tail);  // all fields static: no allocation
      if (e.args.size() > 255) bug("constructor with more than 255 fields");
      if (e.tag < 0 || e.tag > 65535) bug("constructor tag out of range");
      std::vector<Value*> vs;
      if (!genArgs(e.args, 0, vs)) return nullptr;
      uint64_t size = 8 + 8 * vs.size();
      Value* o;
      if (reuse.cell && reuse.size == size) {  // in place of the dead scrutinee, if it was unique
        Value* cell = reuse.cell;
        reuse = {};
        BasicBlock* here = b.GetInsertBlock();
        auto* fresh = BasicBlock::Create(ctx, "reuse.alloc", cur);
        auto* cont = BasicBlock::Create(ctx, "reuse.cont", cur);
        b.CreateCondBr(b.CreateIsNull(cell), fresh, cont);
        b.SetInsertPoint(fresh);
        Value* a = b.CreateCall(allocFn, {ConstantInt::get(i64, size)});
        b.CreateBr(cont);
        b.SetInsertPoint(cont);
        PHINode* phi = b.CreatePHI(ptrT, 2);
        phi->addIncoming(cell, here);
        phi->addIncoming(a, fresh);
        o = phi;
        store(ConstantInt::get(i64, header(1, K_CON, vs.size(), static_cast<uint64_t>(e.tag))), o, 0);
      } else {
        o = alloc(size, K_CON, vs.size(), static_cast<uint64_t>(e.tag));
      }
      for (size_t k = 0; k < vs.size(); k++) store(vs[k], o, OFF_FIELDS + 8 * static_cast<int64_t>(k));
      for (Value* v : vs) consume(v);
      own(o);
      return result(o, tail);
    }
    case Expr::Proj: {
      Value* o = gen(*e.args[0], false);
      if (!o) return nullptr;
      Value* fld = loadPtr(o, OFF_FIELDS + 8 * static_cast<int64_t>(e.index));
      dup(fld);
      if (!immortalExpr(*e.args[0])) drop(o);
      consume(o);
      own(fld);
      return result(fld, tail);
    }
    case Expr::Case: return genCase(e, tail);
    case Expr::LitCase: return genLitCase(e, tail);
    case Expr::Prim: return genPrim(e, tail);
    case Expr::Error:  // what the frame owns is dropped by the landing pad (rc.hpp rule 8)
      mayFail(rt["weir_rt_panic"], {cstring(e.s), cstring(e.loc)}, {});
      b.CreateUnreachable();
      return nullptr;
    case Expr::Dup:
      if (!immortalVars.count(e.var) && !isRaw(var(e.var))) {
        dup(var(e.var));
        own(var(e.var));
      }
      return genV(*e.args[0], tail);
    case Expr::Drop:
      if (immortalVars.count(e.var) || isRaw(var(e.var))) {}
      else if (scalarVars.count(e.var)) dropScalar(var(e.var));
      else drop(var(e.var));
      consume(var(e.var));
      return genV(*e.args[0], tail);
  }
  bug("unknown expression kind");
}

Value* Gen::global(const std::string& name) {
  if (funcs.count(name)) return staticClosure(name);
  auto it = globals.find(name);
  if (it == globals.end()) bug("unknown global '" + name + "'");
  return b.CreateAlignedLoad(ptrT, it->second, Align(8));
}

Value* Gen::genApp(const Expr& e, bool tail) {
  const Expr& f = *e.args[0];
  size_t n = e.args.size() - 1;
  if (n == 0) bug("App without arguments");
  if (f.kind == Expr::Global && funcs.count(f.name)) {
    Function* fn = llfuncs.at(f.name);
    const core::Function& cf = *funcs.at(f.name);
    size_t arity = cf.params.size();
    std::vector<Value*> as, temps;
    if (n >= arity) {  // the worker's convention for the first `arity` arguments
      for (size_t k = 0; k < n; k++) {
        Value* v = k < arity ? directArg(cf, k, *e.args[k + 1], temps, n > arity) : gen(*e.args[k + 1], false);
        if (!v) return nullptr;
        as.push_back(v);
      }
    } else if (!genArgs(e.args, 1, as)) {
      return nullptr;
    }
    if (!e.loc.empty()) {  // a call that may fail in the library: remember the caller (core/callsite.hpp)
      auto* site = cast<GlobalVariable>(mod.getOrInsertGlobal("weir_rt_call_site", ptrT));
      site->setThreadLocalMode(GlobalValue::InitialExecTLSModel);  // one per thread (io.c): actors
      b.CreateStore(cstring(e.loc), site);
    }
    // What a direct call takes over: its arguments at owned positions (a borrowed one stays
    // the caller's during the call).
    auto taken = [&](const std::vector<Value*>& xs) {
      std::vector<Value*> t;
      for (size_t k = 0; k < xs.size(); k++)
        if (!cf.isBorrowed(k)) t.push_back(xs[k]);
      return t;
    };
    if (n == arity) {
      // a tail call stays one when the worker returns what this function returns and no
      // temporary is left to drop after it
      if (tail && temps.empty() && fn->getReturnType() == cur->getReturnType()) {
        releaseReuse();
        return result(tailCall(fn, fn->getFunctionType(), as, true), true);
      }
      if (tail) releaseReuse();
      Value* c = mayFail(fn->getFunctionType(), fn, as, taken(as), true);
      if (!trmcWorkerCall(e)) own(c);  // a trmc worker returns unit
      for (Value* t : temps) {  // raw values boxed for borrowed parameters
        drop(t);
        consume(t);
      }
      return result(c, tail);
    }
    if (n < arity) {
      Value* pap = b.CreateCall(rt["weir_pap_make"],
                                {staticClosure(f.name), b.getInt32(static_cast<uint32_t>(n)), argArray(as)});
      for (Value* a : as) consume(a);
      own(pap);
      return result(pap, tail);
    }
    std::vector<Value*> first(as.begin(), as.begin() + static_cast<long>(arity));
    std::vector<Value*> rest(as.begin() + static_cast<long>(arity), as.end());
    Value* r = mayFail(fn->getFunctionType(), fn, first, taken(first), true);
    own(r);
    // rc treats an over-saturated call as owning all its arguments: drop the lent ones
    for (size_t k = 0; k < arity; k++)
      if (cf.isBorrowed(k) && !isRaw(first[k])) {
        drop(first[k]);
        consume(first[k]);
      }
    return apply(box(r), rest, tail);
  }
  Value* fv = gen(f, false);
  if (!fv) return nullptr;
  std::vector<Value*> as;
  if (!genArgs(e.args, 1, as)) return nullptr;
  return apply(fv, as, tail);
}

Value* Gen::genLam(const Expr& e) {
  std::vector<VarId> fvs = core::freeVars(e);
  size_t n = e.params.size();
  if (n == 0) bug("Lam without parameters");
  std::string name = symbol(curName) + "$lam" + std::to_string(lamCounter++);
  auto* fn = Function::Create(fnType(n + 1), Function::InternalLinkage, name, mod);
  fn->setCallingConv(CallingConv::Tail);
  std::vector<Value*> captured;
  for (VarId v : fvs) captured.push_back(box(var(v)));  // a raw value is captured boxed
  // generate the body in its own context
  auto ip = b.saveIP();
  Function* savedCur = cur;
  std::string savedName = curName;
  auto savedVars = std::move(vars);
  auto savedScalars = std::move(scalarVars);
  auto savedImmortals = std::move(immortalVars);
  auto savedLive = std::move(live);
  auto savedPads = std::move(pads);
  Reuse savedReuse = reuse;
  reuse = {};
  beginFunction(fn, savedName);
  Value* self = fn->getArg(0);
  self->setName("self");
  for (size_t k = 0; k < fvs.size(); k++) {
    Value* c = loadPtr(self, OFF_CAPT + 8 * static_cast<int64_t>(k));
    c->setName("v" + std::to_string(fvs[k]));
    vars[fvs[k]] = c;
  }
  if (!fvs.empty()) {
    // unpack: a unique closure's cell is freed (its captures move to us); a shared one
    // keeps them, so dup each and decrement the closure (which cannot die here).
    auto* uniq = BasicBlock::Create(ctx, "unique", fn);
    auto* shared = BasicBlock::Create(ctx, "shared", fn);
    auto* body = BasicBlock::Create(ctx, "body", fn);
    Value* rc = b.CreateAlignedLoad(i32, self, Align(8));
    b.CreateCondBr(b.CreateICmpEQ(rc, b.getInt32(1)), uniq, shared);
    b.SetInsertPoint(uniq);
    b.CreateCall(freeCellFn, {self, b.getInt64(OFF_CAPT + 8 * fvs.size())});
    b.CreateBr(body);
    b.SetInsertPoint(shared);
    for (VarId v : fvs) dup(vars[v]);
    drop(self);
    b.CreateBr(body);
    b.SetInsertPoint(body);
    for (VarId v : fvs) own(vars[v]);  // unpacked: the body owns its captures
  }
  for (size_t k = 0; k < n; k++) {
    fn->getArg(static_cast<unsigned>(k + 1))->setName("v" + std::to_string(e.params[k]));
    vars[e.params[k]] = fn->getArg(static_cast<unsigned>(k + 1));
    own(fn->getArg(static_cast<unsigned>(k + 1)));  // a lambda owns its parameters
  }
  stackCheck(savedName);
  finish(gen(*e.args[0], true));
  vars = std::move(savedVars);
  scalarVars = std::move(savedScalars);
  immortalVars = std::move(savedImmortals);
  live = std::move(savedLive);
  pads = std::move(savedPads);
  reuse = savedReuse;
  cur = savedCur;
  curName = savedName;
  b.restoreIP(ip);
  if (fvs.empty()) return closureConst(name + ".closure", fn, n);
  Value* o = alloc(OFF_CAPT + 8 * fvs.size(), K_CLOSURE, 0, 0);
  store(fn, o, OFF_CODE);
  store(ConstantInt::get(i64, n | (static_cast<uint64_t>(fvs.size()) << 32)), o, OFF_ARITY);
  for (size_t k = 0; k < captured.size(); k++) store(captured[k], o, OFF_CAPT + 8 * static_cast<int64_t>(k));
  for (Value* c : captured) consume(c);  // the closure owns its environment
  own(o);
  return o;
}

void Gen::branchDone(Join& j, Value* v) {
  if (!v) reuse = {};  // the branch ended (error): its pending cell, if any, is its own
  if (j.tail || !v) return;
  releaseReuse();
  if (!j.block) j.block = BasicBlock::Create(ctx, "join", cur);
  j.incoming.push_back({v, b.GetInsertBlock()});
  b.CreateBr(j.block);
  consume(v);
  j.ends.push_back(live);
}

// The branches' values meet raw when they are all of one raw type; otherwise the raw ones are
// boxed at the end of their branch.
Value* Gen::joinResult(Join& j) {
  if (j.tail || j.incoming.empty()) return nullptr;
  Type* t = j.incoming[0].first->getType();
  for (auto& [v, bb] : j.incoming)
    if (v->getType() != t) t = ptrT;
  if (t == ptrT) {
    for (auto& [v, bb] : j.incoming) {
      if (!isRaw(v)) continue;
      b.SetInsertPoint(bb->getTerminator());
      v = boxValue(v);  // given to the phi (live is recomputed below)
    }
  }
  b.SetInsertPoint(j.block);
  PHINode* phi = b.CreatePHI(t, static_cast<unsigned>(j.incoming.size()));
  for (auto& [v, bb] : j.incoming) phi->addIncoming(v, bb);
  live = common(j.before, j.ends);
  bool immortal = true;  // every branch gives a constant: so does the phi
  for (auto& [v, bb] : j.incoming) immortal = immortal && isa<Constant>(v);
  if (!immortal) own(phi);
  return phi;
}

// Drop specialisation (Perceus): an alternative starting with `dup f_i...; drop scrut; rest`
// becomes: if scrut is unique, free its cell and drop the fields the branch does not use
// (the used ones are moved out); otherwise dup the used fields and decrement scrut.
const Expr* Gen::specialiseAlt(const core::Alt& a, VarId scrut, Value* s, const std::vector<Value*>& fields) {
  const Expr* e = a.body.get();
  std::set<VarId> duped;
  while (e->kind == Expr::Dup &&
         std::find(a.fields.begin(), a.fields.end(), e->var) != a.fields.end() && !duped.count(e->var)) {
    duped.insert(e->var);
    e = e->args[0].get();
  }
  if (e->kind != Expr::Drop || e->var != scrut || a.fields.empty()) return nullptr;
  uint64_t size = 8 + 8 * a.fields.size();
  bool keep = reusable(*e->args[0], a.fields.size());
  auto* uniq = BasicBlock::Create(ctx, "unique", cur);
  auto* shared = BasicBlock::Create(ctx, "shared", cur);
  auto* cont = BasicBlock::Create(ctx, "cont", cur);
  Value* rc = b.CreateAlignedLoad(i32, s, Align(8));
  b.CreateCondBr(b.CreateICmpEQ(rc, b.getInt32(1)), uniq, shared);
  b.SetInsertPoint(uniq);
  for (size_t k = 0; k < a.fields.size(); k++)
    if (!duped.count(a.fields[k])) drop(fields[k]);
  if (!keep) b.CreateCall(freeCellFn, {s, b.getInt64(size)});
  b.CreateBr(cont);
  b.SetInsertPoint(shared);
  for (size_t k = 0; k < a.fields.size(); k++)
    if (duped.count(a.fields[k])) dup(fields[k]);
  drop(s);  // count >= 2, immortal or shared: never frees here
  b.CreateBr(cont);
  b.SetInsertPoint(cont);
  for (size_t k = 0; k < a.fields.size(); k++)
    if (duped.count(a.fields[k])) own(fields[k]);
  consume(s);
  if (keep) {
    PHINode* cell = b.CreatePHI(ptrT, 2, "reuse");
    cell->addIncoming(s, uniq);
    cell->addIncoming(ConstantPointerNull::get(ptrT), shared);
    reuse = {cell, size};
  }
  return e->args[0].get();
}

Value* Gen::genCase(const Expr& e, bool tail) {
  releaseReuse();
  Value* s = var(e.scrut);
  Join j{tail};
  j.before = live;
  auto genAlt = [&](const core::Alt& a) {
    live = j.before;
    std::vector<Value*> fields;
    for (size_t k = 0; k < a.fields.size(); k++) {
      Value* fv = loadPtr(s, OFF_FIELDS + 8 * static_cast<int64_t>(k));
      fv->setName("v" + std::to_string(a.fields[k]));
      vars[a.fields[k]] = fv;
      fields.push_back(fv);
    }
    const Expr* body = specialiseAlt(a, e.scrut, s, fields);
    branchDone(j, genV(body ? *body : *a.body, tail));
  };
  if (e.alts.size() == 1 && !e.deflt) {
    genAlt(e.alts[0]);
    return joinResult(j);
  }
  // a raw Bool is its own tag (False 0, True 1)
  Value* tag = isRaw(s) ? b.CreateZExt(s, i16) : b.CreateLoad(i16, gep(s, OFF_TAG));
  auto* dflt = BasicBlock::Create(ctx, e.deflt ? "default" : "nomatch", cur);
  SwitchInst* sw = b.CreateSwitch(tag, dflt, static_cast<unsigned>(e.alts.size()));
  for (auto& a : e.alts) {
    auto* bb = BasicBlock::Create(ctx, "tag" + std::to_string(a.tag), cur);
    sw->addCase(b.getInt16(static_cast<uint16_t>(a.tag)), bb);
    b.SetInsertPoint(bb);
    genAlt(a);
  }
  b.SetInsertPoint(dflt);
  live = j.before;
  if (e.deflt) branchDone(j, genV(*e.deflt, tail));
  else b.CreateUnreachable();
  return joinResult(j);
}

Value* Gen::genLitCase(const Expr& e, bool tail) {
  releaseReuse();
  Value* s = var(e.scrut);
  Join j{tail};
  j.before = live;
  if (!e.deflt) bug("LitCase without default");
  bool strings = !e.litAlts.empty() && e.litAlts[0].kind == core::LitAlt::String;
  auto* dflt = BasicBlock::Create(ctx, "default", cur);
  if (strings) {
    for (auto& a : e.litAlts) {
      auto* yes = BasicBlock::Create(ctx, "lit", cur);
      auto* no = BasicBlock::Create(ctx, "next", cur);
      Value* c = b.CreateCall(rt["weir_string_cmp_raw"], {s, stringLit(a.s)});
      b.CreateCondBr(b.CreateICmpEQ(c, b.getInt32(0)), yes, no);
      b.SetInsertPoint(yes);
      live = j.before;
      branchDone(j, genV(*a.body, tail));
      b.SetInsertPoint(no);
    }
    b.CreateBr(dflt);
  } else if (!e.litAlts.empty()) {
    bool chars = e.litAlts[0].kind == core::LitAlt::Char;
    Value* v = isRaw(s) ? s : chars ? b.CreateLoad(i32, gep(s, OFF_VALUE)) : loadI64(s, OFF_VALUE);
    if (v->getType() != i64) v = b.CreateZExt(v, i64);
    SwitchInst* sw = b.CreateSwitch(v, dflt, static_cast<unsigned>(e.litAlts.size()));
    std::set<int64_t> seen;
    for (auto& a : e.litAlts) {
      if (!seen.insert(a.i).second) continue;  // first match wins
      auto* bb = BasicBlock::Create(ctx, "lit", cur);
      sw->addCase(b.getInt64(static_cast<uint64_t>(a.i)), bb);
      b.SetInsertPoint(bb);
      live = j.before;
      branchDone(j, genV(*a.body, tail));
    }
  } else {
    b.CreateBr(dflt);
  }
  b.SetInsertPoint(dflt);
  live = j.before;
  branchDone(j, genV(*e.deflt, tail));
  return joinResult(j);
}

// ---------------------------------------------------------------- primitives
Value* Gen::intrinsic(Intrinsic::ID id, std::vector<Value*> args, std::vector<Type*> tys) {
  Function* f = Intrinsic::getDeclaration(&mod, id, tys);
  return b.CreateCall(f, args);
}

void Gen::divCheck(Value* d, const std::string& loc) {
  auto* bad = BasicBlock::Create(ctx, "divzero", cur);
  auto* ok = BasicBlock::Create(ctx, "divok", cur);
  b.CreateCondBr(b.CreateICmpEQ(d, b.getInt64(0)), bad, ok);
  b.SetInsertPoint(bad);
  mayFail(rt["weir_rt_div_zero"], {cstring(loc)}, {});
  b.CreateUnreachable();
  b.SetInsertPoint(ok);
}

// The unboxed type a borrowing primitive reads its operands as ('i' Int, 'f' Float, 'c' Char):
// core::operandRep, which representation inference uses too.
char Gen::operandType(PrimOp op) {
  switch (core::operandRep(op)) {
    case core::Rep::Float: return 'f';
    case core::Rep::Char: return 'c';
    default: return 'i';
  }
}

// The unboxed type a scalar primitive computes before boxing it ('i' Int, 'f' Float), or 0.
char Gen::rawResultType(PrimOp op) {
  switch (core::primResultRep(op)) {
    case core::Rep::Int: return 'i';
    case core::Rep::Float: return 'f';
    default: return 0;
  }
}

// Destination-passing primitives of core/trmc.hpp: a hole is null until it is filled; a
// destination is the address of a field of a cell under construction.
Value* Gen::genTrmc(const Expr& e, bool tail) {
  if (e.prim == PrimOp::TrmcHole) return result(ConstantPointerNull::get(ptrT), tail);
  if (e.prim == PrimOp::TrmcField) {
    if (e.args.size() != 1 || e.args[0]->kind != Expr::Var) bug("TrmcField of a non-variable");
    return result(gep(var(e.args[0]->var), OFF_FIELDS + 8 * static_cast<int64_t>(e.index)), tail);
  }
  std::vector<Value*> vs;
  if (!genArgs(e.args, 0, vs)) return nullptr;
  b.CreateAlignedStore(vs[1], vs[0], Align(8));
  consume(vs[1]);  // now in the cell under construction
  return result(unitObj(), tail);
}

// With rawOut set, e must be a primitive with a rawResultType: its unboxed result is stored
// there and never boxed (an operand of an enclosing scalar primitive: `x /= y + d` allocates
// nothing and touches no count for `y + d`).
Value* Gen::genPrim(const Expr& e, bool tail, Value** rawOut) {
  PrimOp op = e.prim;
  if (core::primArity(op) >= 0 && static_cast<int>(e.args.size()) != core::primArity(op))
    bug(std::string("primitive ") + core::primName(op) + " with wrong number of operands");
  if (op == PrimOp::TrmcHole || op == PrimOp::TrmcField || op == PrimOp::TrmcFill) return genTrmc(e, tail);
  // Borrowing primitives (rc.hpp): each operand is read as soon as it is evaluated; Var
  // operands are borrowed, other operands are temporaries dropped right after the read.
  std::vector<Value*> vs, raw;
  if (core::primBorrows(op)) {
    char ty = operandType(op);
    for (auto& a : e.args) {
      if (a->kind == Expr::Prim && (ty == 'i' || ty == 'f') && rawResultType(a->prim) == ty) {
        Value* v = nullptr;
        if (!genPrim(*a, false, &v)) return nullptr;
        raw.push_back(v);
        continue;
      }
      Value* o = genV(*a, false);
      if (!o) return nullptr;
      Type* t = ty == 'f' ? dbl : ty == 'c' ? i32 : i64;
      if (isRaw(o)) {
        if (o->getType() != t) bug("raw operand of the wrong type for " + std::string(core::primName(op)));
        raw.push_back(o);
        continue;
      }
      raw.push_back(b.CreateAlignedLoad(t, gep(o, OFF_VALUE), Align(8)));
      if (a->kind == Expr::Var) scalarVars.insert(a->var);
      if (a->kind != Expr::Var && !immortalExpr(*a)) {
        dropScalar(o);
        consume(o);
      }
    }
  } else if (!genArgs(e.args, 0, vs)) {
    return nullptr;
  }
  // A runtime function that cannot fail: takes its operands, gives an owned result
  // (`immortal`: a Bool, an Ordering or unit, not tracked).
  auto rtCall = [&](const char* name, bool immortal = false) -> Value* {
    std::vector<Value*> as(vs.begin(), vs.end());
    Value* r = b.CreateCall(rt[name], as);
    for (Value* v : vs) consume(v);
    if (!immortal) own(r);
    return result(r, tail);
  };
  auto ints = [&] { return raw; };
  auto floats = [&] { return raw; };
  auto chars = [&] { return raw; };
  auto boolean = [&](Value* c) { return result(c, tail); };  // raw i1: boxed where needed
  auto ordering = [&](Value* lt, Value* eq) {
    Value* r = b.CreateSelect(lt, nullary(0), b.CreateSelect(eq, nullary(1), nullary(2)));
    return result(r, tail);
  };
  auto retInt = [&](Value* v) {
    if (rawOut) return *rawOut = v;
    return result(v, tail);  // raw: boxed (and owned) where an object is needed
  };
  auto retFloat = [&](Value* v) {
    if (rawOut) return *rawOut = v;
    return result(v, tail);
  };
  auto f2i = [&](Value* d) { return intrinsic(Intrinsic::fptosi_sat, {d}, {i64, dbl}); };

  if (op == PrimOp::CCall) {  // `foreign import ccall`: weir_obj* sym(weir_obj*, ...)
    // It may fail (a run-time error in the library) or run Weir code that fails (weir_catch,
    // the actor runtime's `call`): not nounwind.
    FunctionCallee c = mod.getOrInsertFunction(e.name, FunctionType::get(ptrT, std::vector<Type*>(vs.size(), ptrT), false));
    std::vector<Value*> as(vs.begin(), vs.end());
    Value* r = mayFail(c, as, as);
    own(r);
    return result(r, tail);
  }
  switch (op) {
    case PrimOp::IntAdd: { auto x = ints(); return retInt(b.CreateAdd(x[0], x[1])); }
    case PrimOp::IntSub: { auto x = ints(); return retInt(b.CreateSub(x[0], x[1])); }
    case PrimOp::IntMul: { auto x = ints(); return retInt(b.CreateMul(x[0], x[1])); }
    case PrimOp::IntNeg: { auto x = ints(); return retInt(b.CreateSub(b.getInt64(0), x[0])); }
    case PrimOp::IntQuot: case PrimOp::IntRem: case PrimOp::IntDiv: case PrimOp::IntMod: {
      auto x = ints();
      divCheck(x[1], e.loc);
      // INT64_MIN / -1 would trap: with d == -1, quot = -n (wrapping) and rem = 0.
      Value* m1 = b.CreateICmpEQ(x[1], b.getInt64(static_cast<uint64_t>(-1)));
      Value* d = b.CreateSelect(m1, b.getInt64(1), x[1]);
      Value* q = b.CreateSelect(m1, b.CreateSub(b.getInt64(0), x[0]), b.CreateSDiv(x[0], d));
      Value* r = b.CreateSRem(x[0], d);
      if (op == PrimOp::IntQuot) return retInt(q);
      if (op == PrimOp::IntRem) return retInt(r);
      // floor: adjust when the remainder is non-zero and its sign differs from the divisor's
      Value* adj = b.CreateAnd(b.CreateICmpNE(r, b.getInt64(0)),
                               b.CreateICmpSLT(b.CreateXor(r, x[1]), b.getInt64(0)));
      if (op == PrimOp::IntDiv) return retInt(b.CreateSub(q, b.CreateZExt(adj, i64)));
      return retInt(b.CreateSelect(adj, b.CreateAdd(r, x[1]), r));
    }
    case PrimOp::IntEq: { auto x = ints(); return boolean(b.CreateICmpEQ(x[0], x[1])); }
    case PrimOp::IntNe: { auto x = ints(); return boolean(b.CreateICmpNE(x[0], x[1])); }
    case PrimOp::IntLt: { auto x = ints(); return boolean(b.CreateICmpSLT(x[0], x[1])); }
    case PrimOp::IntLe: { auto x = ints(); return boolean(b.CreateICmpSLE(x[0], x[1])); }
    case PrimOp::IntGt: { auto x = ints(); return boolean(b.CreateICmpSGT(x[0], x[1])); }
    case PrimOp::IntGe: { auto x = ints(); return boolean(b.CreateICmpSGE(x[0], x[1])); }
    case PrimOp::IntCompare: {
      auto x = ints();
      return ordering(b.CreateICmpSLT(x[0], x[1]), b.CreateICmpEQ(x[0], x[1]));
    }
    case PrimOp::IntAnd: { auto x = ints(); return retInt(b.CreateAnd(x[0], x[1])); }
    case PrimOp::IntOr: { auto x = ints(); return retInt(b.CreateOr(x[0], x[1])); }
    case PrimOp::IntXor: { auto x = ints(); return retInt(b.CreateXor(x[0], x[1])); }
    case PrimOp::IntShl: {
      auto x = ints();
      Value* big = b.CreateICmpUGE(x[1], b.getInt64(64));
      Value* sh = b.CreateShl(x[0], b.CreateSelect(big, b.getInt64(0), x[1]));
      return retInt(b.CreateSelect(big, b.getInt64(0), sh));
    }
    case PrimOp::IntShr: {
      auto x = ints();
      Value* big = b.CreateICmpUGE(x[1], b.getInt64(64));
      return retInt(b.CreateAShr(x[0], b.CreateSelect(big, b.getInt64(63), x[1])));
    }
    case PrimOp::IntNot: { auto x = ints(); return retInt(b.CreateNot(x[0])); }
    case PrimOp::FloatAdd: { auto x = floats(); return retFloat(b.CreateFAdd(x[0], x[1])); }
    case PrimOp::FloatSub: { auto x = floats(); return retFloat(b.CreateFSub(x[0], x[1])); }
    case PrimOp::FloatMul: { auto x = floats(); return retFloat(b.CreateFMul(x[0], x[1])); }
    case PrimOp::FloatDiv: { auto x = floats(); return retFloat(b.CreateFDiv(x[0], x[1])); }
    case PrimOp::FloatNeg: { auto x = floats(); return retFloat(b.CreateFNeg(x[0])); }
    case PrimOp::FloatEq: { auto x = floats(); return boolean(b.CreateFCmpOEQ(x[0], x[1])); }
    case PrimOp::FloatNe: { auto x = floats(); return boolean(b.CreateFCmpUNE(x[0], x[1])); }
    case PrimOp::FloatLt: { auto x = floats(); return boolean(b.CreateFCmpOLT(x[0], x[1])); }
    case PrimOp::FloatLe: { auto x = floats(); return boolean(b.CreateFCmpOLE(x[0], x[1])); }
    case PrimOp::FloatGt: { auto x = floats(); return boolean(b.CreateFCmpOGT(x[0], x[1])); }
    case PrimOp::FloatGe: { auto x = floats(); return boolean(b.CreateFCmpOGE(x[0], x[1])); }
    case PrimOp::FloatCompare: {
      auto x = floats();
      return ordering(b.CreateFCmpOLT(x[0], x[1]), b.CreateFCmpOEQ(x[0], x[1]));
    }
    case PrimOp::IntToFloat: { auto x = ints(); return retFloat(b.CreateSIToFP(x[0], dbl)); }
    case PrimOp::FloatRound: {  // Haskell rounds half to even: rint in the default rounding mode
      auto x = floats();
      return retInt(f2i(intrinsic(Intrinsic::rint, {x[0]}, {dbl})));
    }
    case PrimOp::FloatTruncate: { auto x = floats(); return retInt(f2i(x[0])); }
    case PrimOp::FloatFloor: { auto x = floats(); return retInt(f2i(intrinsic(Intrinsic::floor, {x[0]}, {dbl}))); }
    case PrimOp::FloatCeiling: { auto x = floats(); return retInt(f2i(intrinsic(Intrinsic::ceil, {x[0]}, {dbl}))); }
    case PrimOp::FloatSqrt: { auto x = floats(); return retFloat(intrinsic(Intrinsic::sqrt, {x[0]}, {dbl})); }
    case PrimOp::FloatExp: { auto x = floats(); return retFloat(intrinsic(Intrinsic::exp, {x[0]}, {dbl})); }
    case PrimOp::FloatLog: { auto x = floats(); return retFloat(intrinsic(Intrinsic::log, {x[0]}, {dbl})); }
    case PrimOp::FloatSin: { auto x = floats(); return retFloat(intrinsic(Intrinsic::sin, {x[0]}, {dbl})); }
    case PrimOp::FloatCos: { auto x = floats(); return retFloat(intrinsic(Intrinsic::cos, {x[0]}, {dbl})); }
    case PrimOp::FloatPow: { auto x = floats(); return retFloat(intrinsic(Intrinsic::pow, {x[0], x[1]}, {dbl})); }
    case PrimOp::CharOrd: { auto x = chars(); return retInt(b.CreateZExt(x[0], i64)); }
    case PrimOp::CharChr: {
      auto x = ints();
      Value* r = mayFail(rt["weir_chr"], {x[0], cstring(e.loc)}, {});
      own(r);
      return result(r, tail);
    }
    case PrimOp::CharEq: { auto x = chars(); return boolean(b.CreateICmpEQ(x[0], x[1])); }
    case PrimOp::CharLt: { auto x = chars(); return boolean(b.CreateICmpULT(x[0], x[1])); }
    case PrimOp::CharLe: { auto x = chars(); return boolean(b.CreateICmpULE(x[0], x[1])); }
    case PrimOp::CharCompare: {
      auto x = chars();
      return ordering(b.CreateICmpULT(x[0], x[1]), b.CreateICmpEQ(x[0], x[1]));
    }
    case PrimOp::StringAppend: return rtCall("weir_string_append");
    case PrimOp::StringEq: return rtCall("weir_string_eq", true);
    case PrimOp::StringCompare: return rtCall("weir_string_compare", true);
    case PrimOp::StringLength: return rtCall("weir_string_length");
    case PrimOp::ShowInt: return rtCall("weir_show_int");
    case PrimOp::ShowFloat: return rtCall("weir_show_float");
    case PrimOp::ShowChar: return rtCall("weir_show_char");
    case PrimOp::ShowString: return rtCall("weir_show_string");
    case PrimOp::StringFromChar: return rtCall("weir_string_from_char");
    case PrimOp::PutStrLn: return rtCall("weir_put_str_ln", true);
    case PrimOp::PutStr: return rtCall("weir_put_str", true);
    case PrimOp::Error:
      mayFail(rt["weir_rt_error"], {vs[0], cstring(e.loc)}, {vs[0]});
      b.CreateUnreachable();
      return nullptr;
  }
  bug("unknown primitive");
}

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
