// Applications: a call of a top-level function is a direct (tail) call of its worker, with
// raw or borrowed arguments where the worker takes them so, a PAP when it has too few arguments,
// and the rest applied through weir.applyN when it has too many; any other callee goes through
// apply.cpp.
#include <algorithm>

#include "codegen/context.hpp"

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

// Whether e calls the function `name` with all its arguments somewhere.
static bool callsItself(const Expr& e, const std::string& name, size_t arity) {
  if (e.kind == Expr::App && e.args[0]->kind == Expr::Global && e.args[0]->name == name && e.args.size() == arity + 1)
    return true;
  bool found = false;
  core::forEachChild(const_cast<Expr&>(e), [&](core::ExprPtr& c) { found = found || callsItself(*c, name, arity); });
  return found;
}

// A function that calls itself: its body starts at a loop head whose phis stand for the
// parameters (their names, and what the frame owns), so a self tail call is a branch back --
// a loop with no call, no prologue and no stack check per turn (LLVM keeps a musttail self
// call a call: nqueens' inner loop pushed and popped six registers per candidate).
void Gen::beginSelfLoop(const core::Function& f) {
  if (!callsItself(*f.body, f.name, f.params.size())) return;
  BasicBlock* from = b.GetInsertBlock();
  auto* head = BasicBlock::Create(ctx, "loop", cur);
  b.CreateBr(head);
  b.SetInsertPoint(head);
  SelfLoop l{head, {}};
  for (size_t k = 0; k < f.params.size(); k++) {
    Argument* a = cur->getArg(static_cast<unsigned>(k));
    PHINode* phi = b.CreatePHI(a->getType(), 2, "v" + std::to_string(f.params[k]));
    phi->addIncoming(a, from);
    l.params.push_back(phi);
    vars[f.params[k]] = phi;
    std::replace(live.begin(), live.end(), static_cast<Value*>(a), static_cast<Value*>(phi));
  }
  selfLoops[cur] = std::move(l);
}

// A self tail call: the arguments (in the worker's convention) to the loop head's phis.
Value* Gen::loopBack(Function* fn, const std::vector<Value*>& args) {
  SelfLoop& l = selfLoops.at(fn);
  for (Value* h : live)  // core/reuse.hpp uses every token on every path
    if (tokenCells.count(h)) bug("a reuse token still held at a self tail call");
  for (size_t k = 0; k < args.size(); k++) l.params[k]->addIncoming(args[k], b.GetInsertBlock());
  b.CreateBr(l.head);
  return nullptr;
}

// A tailcc call, musttail when `must`.
CallInst* Gen::tailCall(Value* callee, FunctionType* ft, const std::vector<Value*>& args, bool must) {
  CallInst* call = b.CreateCall(ft, callee, args);
  call->setCallingConv(CallingConv::Tail);
  if (must) call->setTailCallKind(CallInst::TCK_MustTail);
  return call;
}

// f a1..an: a known top-level function called directly (exact, PAP, or over-application
// through apply), anything else through apply.
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
        if (fn == cur && selfLoops.count(fn)) return loopBack(fn, as);
        return result(tailCall(fn, fn->getFunctionType(), as, true), true);
      }
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

}  // namespace weir::codegen
