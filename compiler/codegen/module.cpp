// Lowering of a whole program (Gen::run gives the order): every Core function declared, then
// defined; the CAF globals' initialisers; C `main`; the runtime's declarations; the function
// table the fatal-signal handler reads. Also what every generated function starts with.
#include <map>

#include "codegen/context.hpp"
#include "codegen/stackcheck.hpp"

namespace weir::codegen {

// The LLVM types every file uses.
Gen::Gen(LLVMContext& c, Module& m, const core::Program& p) : ctx(c), mod(m), prog(p), b(c) {
  ptrT = PointerType::get(ctx, 0);  // opaque pointer
  i64 = Type::getInt64Ty(ctx);
  i32 = Type::getInt32Ty(ctx);
  i16 = Type::getInt16Ty(ctx);
  i8 = Type::getInt8Ty(ctx);
  dbl = Type::getDoubleTy(ctx);
  voidT = Type::getVoidTy(ctx);
}

// Lowers the whole program into the module, in this order.
void Gen::run() {
  // Reserve C `main` first so no internal symbol can take its name.
  mainFn = Function::Create(FunctionType::get(i32, {i32, ptrT}, false), Function::ExternalLinkage, "main", mod);
  declareRuntime();
  for (auto& f : prog.functions) {
    if (f.params.empty()) bug("function " + f.name + " has no parameters");
    if (funcs.count(f.name)) bug("duplicate function " + f.name);
    funcs[f.name] = &f;
    auto* fn = Function::Create(workerType(f), Function::InternalLinkage, symbol(f.name), mod);
    fn->setCallingConv(CallingConv::Tail);
    llfuncs[f.name] = fn;
    maxArity = std::max<size_t>(maxArity, f.params.size());
  }
  for (auto& g : prog.globals) {
    if (funcs.count(g.name) || globals.count(g.name)) bug("duplicate global " + g.name);
    auto* gv = new GlobalVariable(mod, ptrT, false, GlobalValue::InternalLinkage,
                                  ConstantPointerNull::get(ptrT), symbol(g.name) + ".value");
    gv->setAlignment(Align(8));
    globals[g.name] = gv;
  }
  scanArities();
  callees = std::make_unique<core::Callees>(prog);
  for (auto& f : prog.functions) defineFunction(f);
  std::vector<Function*> inits;
  for (auto& g : prog.globals) inits.push_back(defineGlobalInit(g));
  defineMain(inits);
  defineCEntryPoints();
  defineApplies();
  defineFunctionTable();
}

// `weir_function_table`: every function of this module (start address, source location,
// name), ending with a null entry. The runtime's fatal-signal handler uses it to say
// which function a stack overflow happened in (runtime/object/io.c).
void Gen::defineFunctionTable() {
  std::map<const Function*, const core::Function*> weir;
  for (auto& [name, fn] : llfuncs) weir[fn] = funcs.at(name);
  auto* entryT = StructType::get(ctx, {ptrT, ptrT, ptrT});
  std::vector<Constant*> entries;
  for (Function& fn : mod.functions()) {
    if (fn.isDeclaration()) continue;
    std::string loc, name;
    auto it = weir.find(&fn);
    if (it != weir.end()) {
      loc = it->second->loc;
      name = stackcheck::displayName(it->second->name);
    }
    entries.push_back(ConstantStruct::get(entryT, {&fn, cstring(loc), cstring(name)}));
  }
  entries.push_back(ConstantStruct::get(entryT, {ConstantPointerNull::get(ptrT), ConstantPointerNull::get(ptrT),
                                                  ConstantPointerNull::get(ptrT)}));
  auto* arrT = ArrayType::get(entryT, entries.size());
  new GlobalVariable(mod, arrT, true, GlobalValue::ExternalLinkage, ConstantArray::get(arrT, entries),
                     "weir_function_table");
}

// The runtime's functions the generated code calls (rt.h), and the helpers of objects.cpp.
void Gen::declareRuntime() {
  // Every runtime function is nounwind except the ones that raise a run-time error (noreturn
  // ones and weir_chr): calls of those are invokes when the frame owns something.
  auto decl = [&](const char* name, Type* ret, std::vector<Type*> ps, bool noreturn = false,
                  bool mayFail = false) {
    FunctionCallee c = mod.getOrInsertFunction(name, FunctionType::get(ret, ps, false));
    auto* f = cast<Function>(c.getCallee());
    if (!noreturn && !mayFail) f->addFnAttr(Attribute::NoUnwind);
    if (noreturn) { f->addFnAttr(Attribute::NoReturn); f->addFnAttr(Attribute::Cold); }
    rt[name] = c;
  };
  decl("weir_rt_init", voidT, {i32, ptrT});
  decl("weir_rt_exit", voidT, {});
  decl("weir_rt_main", i32, {i32, ptrT, ptrT});
  decl("weir_alloc", ptrT, {i64});
  cast<Function>(rt["weir_alloc"].getCallee())->addRetAttr(Attribute::NoAlias);
  decl("weir_free_obj", voidT, {ptrT});
  decl("weir_free_cell", voidT, {ptrT});
  decl("weir_dup_shared", voidT, {ptrT});
  decl("weir_drop_shared", voidT, {ptrT});
  decl("weir_unpack", voidT, {ptrT});
  decl("weir_mark_immortal", voidT, {ptrT});
  decl("weir_pap_make", ptrT, {ptrT, i32, ptrT});
  decl("weir_pap_extend", ptrT, {ptrT, i32, ptrT});
  decl("weir_box_char", ptrT, {i32});
  decl("weir_chr", ptrT, {i64, ptrT}, false, true);
  decl("weir_string_append", ptrT, {ptrT, ptrT});
  decl("weir_string_eq", ptrT, {ptrT, ptrT});
  decl("weir_string_compare", ptrT, {ptrT, ptrT});
  decl("weir_string_length", ptrT, {ptrT});
  decl("weir_string_from_char", ptrT, {ptrT});
  decl("weir_string_cmp_raw", i32, {ptrT, ptrT});
  decl("weir_show_int", ptrT, {ptrT});
  decl("weir_show_float", ptrT, {ptrT});
  decl("weir_show_char", ptrT, {ptrT});
  decl("weir_show_string", ptrT, {ptrT});
  decl("weir_put_str", ptrT, {ptrT});
  decl("weir_put_str_ln", ptrT, {ptrT});
  decl("weir_rt_panic", voidT, {ptrT, ptrT}, true);
  decl("weir_rt_error", voidT, {ptrT, ptrT}, true);
  decl("weir_rt_div_zero", voidT, {ptrT}, true);
  decl("weir_unwind_drop", voidT, {ptrT});
  decl("weir_unwind_free_cell", voidT, {ptrT});
  cast<Function>(rt["weir_unwind_drop"].getCallee())->addFnAttr(Attribute::Cold);
  cast<Function>(rt["weir_unwind_free_cell"].getCallee())->addFnAttr(Attribute::Cold);
  // Landing pads are cleanups only (nothing is caught in compiled code: the runtime stops the
  // unwinding at the handler's boundary, runtime/object/unwind.c), so C's personality fits.
  personalityFn = Function::Create(FunctionType::get(i32, true), Function::ExternalLinkage,
                                   "__gcc_personality_v0", mod);
  defineRcHelpers();
}

// The largest lambda arity in e, for weir.applyN's PAP case (maxArity).
void Gen::scanExpr(const Expr& e) {
  if (e.kind == Expr::Lam) maxArity = std::max(maxArity, e.params.size());
  for (auto& a : e.args) scanExpr(*a);
  for (auto& a : e.alts) scanExpr(*a.body);
  for (auto& a : e.litAlts) scanExpr(*a.body);
  if (e.deflt) scanExpr(*e.deflt);
}

// maxArity over the whole program.
void Gen::scanArities() {
  for (auto& f : prog.functions) scanExpr(*f.body);
  for (auto& g : prog.globals) scanExpr(*g.body);
}

// Starts generating f: a fresh function state and its entry block.
void Gen::beginFunction(Function* f, const std::string& name) {
  cur = f;
  curName = name;
  vars.clear();
  scalarVars.clear();
  immortalVars.clear();
  live.clear();
  pads.clear();
  b.SetInsertPoint(BasicBlock::Create(ctx, "entry", f));
}

// A stack-overflow check (stackcheck.hpp) once the frame owns its parameters: its run-time
// error drops them like any failing call's. `name`: the Core function (a lambda: its parent).
void Gen::stackCheck(const std::string& name) {
  if (!stackcheck::enabled()) return;
  stackcheck::Check c = stackcheck::begin(b, mod);
  auto it = funcs.find(name);
  mayFail(c.panic, {cstring(stackcheck::displayName(name)), cstring(it != funcs.end() ? it->second->loc : "")}, {});
  stackcheck::end(b, c);
}

// A Core function's worker: its parameters bound (owned ones are the frame's), a stack check,
// its body in tail position.
void Gen::defineFunction(const core::Function& f) {
  Function* fn = llfuncs.at(f.name);
  beginFunction(fn, f.name);
  letUses = core::boxedUses(*callees, f.params, f.paramReps, f.resultRep, *f.body);
  for (size_t k = 0; k < f.params.size(); k++) {
    fn->getArg(static_cast<unsigned>(k))->setName("v" + std::to_string(f.params[k]));
    vars[f.params[k]] = fn->getArg(static_cast<unsigned>(k));
    // Owned parameters are the frame's; a borrowed one is the caller's, and a trmc worker's
    // destination is an address, not an object.
    bool dest = f.trmcWorker && k + 1 == f.params.size();
    if (!f.isBorrowed(k) && !dest) own(fn->getArg(static_cast<unsigned>(k)));
  }
  stackCheck(f.name);
  beginSelfLoop(f);
  finish(gen(*f.body, true));
}

// The initialiser of a CAF global: its body, evaluated once by main.
Function* Gen::defineGlobalInit(const core::Global& g) {
  auto* fn = Function::Create(fnType(0), Function::InternalLinkage, symbol(g.name) + "$init", mod);
  fn->setCallingConv(CallingConv::Tail);
  beginFunction(fn, g.name);
  letUses = core::boxedUses(*callees, {}, {}, core::Rep::Boxed, *g.body);
  finish(gen(*g.body, true));
  return fn;
}

// C `main` (through weir_rt_main) and weir.main: the globals initialised in order and made
// immortal, then the entry IO action applied to unit.
void Gen::defineMain(const std::vector<Function*>& inits) {
  auto* bodyFn = Function::Create(FunctionType::get(voidT, {}, false), Function::InternalLinkage, "weir.main", mod);
  beginFunction(mainFn, "main");
  b.CreateRet(b.CreateCall(rt["weir_rt_main"], {mainFn->getArg(0), mainFn->getArg(1), bodyFn}));
  beginFunction(bodyFn, "main");
  for (size_t k = 0; k < inits.size(); k++) {
    CallInst* v = b.CreateCall(inits[k]->getFunctionType(), inits[k], {});
    v->setCallingConv(CallingConv::Tail);
    b.CreateCall(rt["weir_mark_immortal"], {v});
    b.CreateAlignedStore(v, globals.at(prog.globals[k].name), Align(8));
  }
  Value* r = nullptr;
  auto fit = funcs.find(prog.entry);
  if (fit != funcs.end() && fit->second->params.size() == 1) {
    Function* f = llfuncs.at(prog.entry);
    CallInst* c = b.CreateCall(f->getFunctionType(), f, {unitObj()});
    c->setCallingConv(CallingConv::Tail);
    r = c;
  } else {
    Value* action;
    if (fit != funcs.end()) action = staticClosure(prog.entry);
    else if (globals.count(prog.entry)) action = b.CreateAlignedLoad(ptrT, globals.at(prog.entry), Align(8));
    else bug("entry '" + prog.entry + "' is neither a function nor a global");
    r = apply(action, {unitObj()}, false);
  }
  drop(r);
  b.CreateRetVoid();
}

}  // namespace weir::codegen
