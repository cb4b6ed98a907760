// Functions as values: a lambda becomes its own LLVM function (code taking the closure and its
// arguments) and a closure object capturing its free variables; a top-level function used as a
// value gets a static closure whose code wraps it.
#include "codegen/context.hpp"
#include "core/lift.hpp"

namespace weir::codegen {

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
  else r = callOrInvoke(w, target->getFunctionType(), target, args, lent, true, nullptr);
  for (Value* a : lent) drop(a);
  b.CreateRet(boxValue(r));
  b.restoreIP(ip);
  c = closureConst(symbol(name) + "$closure", w, n);
  return c;
}

// \x.. -> e: a new LLVM function for the body, generated in its own function state (the
// enclosing function's is saved around it), and the closure object capturing the free variables.
Value* Gen::genLam(const Expr& e) {
  std::vector<VarId> fvs = core::freeVars(e);
  size_t n = e.params.size();
  if (n == 0) bug("Lam without parameters");
  std::string name = symbol(curName) + "$lam" + std::to_string(lamCounter++);
  auto* fn = Function::Create(fnType(n + 1), Function::InternalLinkage, name, mod);
  fn->setCallingConv(CallingConv::Tail);
  std::vector<Value*> captured;
  for (VarId v : fvs) captured.push_back(box(var(v)));  // a raw value is captured boxed
  auto ip = b.saveIP();
  SavedFunction saved = saveFunction();
  defineLambda(e, fn, fvs, saved.curName);
  restoreFunction(std::move(saved));
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

// The code of lambda e, fn(self, params...): its captures (fvs) loaded from the closure and
// unpacked, its parameters bound, its body in tail position. `parent`: the Core function it
// is in (the stack check names it).
void Gen::defineLambda(const Expr& e, Function* fn, const std::vector<VarId>& fvs, const std::string& parent) {
  size_t n = e.params.size();
  beginFunction(fn, parent);
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
  stackCheck(parent);
  finish(gen(*e.args[0], true));
}

// The state of the function being generated, moved out (a lambda's body is generated next).
Gen::SavedFunction Gen::saveFunction() {
  SavedFunction s{cur, curName, std::move(vars), std::move(scalarVars), std::move(immortalVars),
                  std::move(live), std::move(pads)};
  return s;
}

// Back to the function saveFunction moved out.
void Gen::restoreFunction(SavedFunction&& s) {
  vars = std::move(s.vars);
  scalarVars = std::move(s.scalarVars);
  immortalVars = std::move(s.immortalVars);
  live = std::move(s.live);
  pads = std::move(s.pads);
  cur = s.cur;
  curName = std::move(s.curName);
}

}  // namespace weir::codegen
