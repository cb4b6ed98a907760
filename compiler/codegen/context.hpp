// The state of Core -> LLVM IR lowering, shared by the files that lower each construct
// (README.md in this folder says what lives where). One Gen lowers one core::Program into one
// llvm::Module: module-wide state (the module's functions, globals, static objects, runtime
// declarations) and the state of the function being generated (variables, what the frame owns,
// the reuse tokens held). Private to compiler/codegen/: the driver sees codegen.hpp only.
//
// The object layout constants below mirror runtime/include/weir/rt.h.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include "core/core.hpp"
#include "core/repr.hpp"

namespace weir::codegen {

using namespace llvm;
using core::Expr;
using core::PrimOp;
using core::VarId;

// ---- object layout (rt.h) ----
enum Kind : uint64_t { K_CON = 0, K_CLOSURE = 1, K_PAP = 2, K_INT = 3, K_FLOAT = 4, K_CHAR = 5, K_STRING = 6 };
constexpr int OFF_RC = 0, OFF_KIND = 4, OFF_TAG = 6, OFF_VALUE = 8, OFF_FIELDS = 8;
constexpr int OFF_CODE = 8, OFF_ARITY = 16, OFF_NCAPT = 20, OFF_CAPT = 24;
constexpr int OFF_PAP_FN = 8, OFF_PAP_NARGS = 20, OFF_PAP_ARGS = 24;
constexpr int64_t SMALL_INT_MIN = -256, SMALL_INT_COUNT = 1280;
constexpr uint64_t MAX_SMALL = 256, NUM_CLASSES = MAX_SMALL / 8 + 1;

// An object's first word: count, kind, number of fields, constructor tag.
inline uint64_t header(uint64_t rc, uint64_t kind, uint64_t nfields, uint64_t tag) {
  return (rc & 0xffffffffu) | (kind << 32) | (nfields << 40) | (tag << 48);
}

// An internal compiler error: thrown by bug(), reported by codegen.cpp's buildModule.
struct CompileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
[[noreturn]] inline void bug(const std::string& m) { throw CompileError(m); }

class Gen {
 public:
  // module.cpp: LLVM types of the context.
  Gen(LLVMContext& c, Module& m, const core::Program& p);
  // module.cpp: defines every function, global initialiser, `main` and helper of the program.
  void run();

 private:
  LLVMContext& ctx;
  Module& mod;
  const core::Program& prog;
  IRBuilder<> b;
  PointerType* ptrT;
  Type *i64, *i32, *i16, *i8, *dbl, *voidT;

  // ---- the module
  std::map<std::string, const core::Function*> funcs;
  std::map<std::string, Function*> llfuncs;
  std::map<std::string, GlobalVariable*> globals;
  std::map<std::string, Constant*> staticClosures;
  std::map<int, Constant*> nullaryObjs;
  std::map<int64_t, Constant*> intLits;
  std::map<uint64_t, Constant*> floatLits;
  std::map<int64_t, Constant*> charLits;
  std::map<std::string, Constant*> stringLits, cstrings;
  std::map<size_t, Function*> applies;
  std::unordered_map<const Expr*, Constant*> staticCons;
  size_t maxArity = 1;
  Function* mainFn = nullptr;
  Function *dupFn = nullptr, *dropFn = nullptr, *dropScalarFn = nullptr, *boxIntFn = nullptr;
  Function *allocFn = nullptr, *freeCellFn = nullptr;
  std::map<std::string, FunctionCallee> rt;

  // ---- the function being generated
  Function* cur = nullptr;
  std::string curName;
  std::unordered_map<VarId, Value*> vars;
  std::set<VarId> scalarVars;  // variables known to hold boxed scalars (no children)
  // variables known to hold an immortal object (a comparison's Bool or Ordering, a literal):
  // their Dup/Drop are no-ops
  std::set<VarId> immortalVars;
  // uses of each variable that need a boxed object (core::boxedUses): a let-bound raw value
  // with two or more is boxed once at its binding instead of at each use
  std::unordered_map<VarId, int> letUses;
  std::unique_ptr<core::Callees> callees;  // the program's functions by name, for letUses
  // Perceus reuse tokens (core/reuse.hpp): the cell a drop-reuse kept -- null at run time when
  // the scrutinee was shared -- and its size, until a constructor or a free-reuse takes it.
  // A token's cell is in `live` while it is held; a landing pad frees the ones in tokenCells.
  std::unordered_map<VarId, std::pair<Value*, uint64_t>> tokens;
  std::set<Value*> tokenCells;
  int lamCounter = 0;

  // Unwinding (docs/architecture.md, "Run-time errors: unwinding"): `live` is the multiset of
  // references the function being generated owns at the current point -- owned parameters,
  // the results of calls, constructors and primitives not yet consumed, dup'ed variables --
  // in the order they were taken. A call that may fail (a run-time error below it) becomes an
  // `invoke` whose landing pad drops what is live at the call, minus what the call itself
  // consumes (a held reuse token's cell is freed); landing pads with the same list are shared.
  std::vector<Value*> live;
  std::map<std::vector<Value*>, BasicBlock*> pads;
  Function* personalityFn = nullptr;
  // WEIR_UNWIND=0: no landing pads (a caught error leaks what the frames held, as before they
  // existed), to measure what they cost.
  bool unwinding = !(std::getenv("WEIR_UNWIND") && std::string(std::getenv("WEIR_UNWIND")) == "0");

  // ---- small helpers
  // The closure calling convention's type: n object pointers in, one out.
  FunctionType* fnType(size_t n) { return FunctionType::get(ptrT, std::vector<Type*>(n, ptrT), false); }
  // Is v a raw (unboxed) value rather than an object pointer?
  bool isRaw(Value* v) const { return v->getType() != ptrT; }
  // The LLVM symbol of a Core name: qualified names as they are, local ones prefixed.
  static std::string symbol(const std::string& name) {
    return name.find('.') != std::string::npos ? name : "weir.u." + name;
  }
  // The address `off` bytes into the object p.
  Value* gep(Value* p, int64_t off) {
    if (off == 0) return p;
    return b.CreateConstInBoundsGEP1_64(i8, p, static_cast<uint64_t>(off));
  }
  // Loads and stores of an object's 8-byte words.
  Value* loadPtr(Value* obj, int64_t off) { return b.CreateAlignedLoad(ptrT, gep(obj, off), Align(8)); }
  Value* loadI64(Value* obj, int64_t off) { return b.CreateAlignedLoad(i64, gep(obj, off), Align(8)); }
  void store(Value* v, Value* obj, int64_t off) { b.CreateAlignedStore(v, gep(obj, off), Align(8)); }
  // Calls of the always-inline helpers objects.cpp defines.
  void dup(Value* v) { b.CreateCall(dupFn, {v}); }
  // Drop of an object known to be a boxed scalar (no children).
  void dropScalar(Value* v) { b.CreateCall(dropScalarFn, {v}); }
  void drop(Value* v) { b.CreateCall(dropFn, {v}); }
  Value* boxInt(Value* v) { return b.CreateCall(boxIntFn, {v}); }
  Value* boxChar(Value* v) { return b.CreateCall(rt["weir_box_char"], {v}); }
  // The static Bool and unit objects.
  Constant* boolObj(bool v) { return nullary(v ? 1 : 0); }
  Constant* unitObj() { return nullary(0); }
  // Returns v from the function being generated (nothing when the block is already closed).
  void finish(Value* v) {
    if (v) b.CreateRet(v);
  }

  // ---- module.cpp: the module's functions, globals, `main`, runtime declarations
  void defineFunctionTable();
  void declareRuntime();
  void scanExpr(const Expr& e);
  void scanArities();
  void beginFunction(Function* f, const std::string& name);
  void stackCheck(const std::string& name);
  void defineFunction(const core::Function& f);
  // A function that tail-calls itself loops instead (call.cpp): the block after its stack check
  // and a phi per parameter, which a self tail call feeds and branches back to.
  struct SelfLoop {
    BasicBlock* head;
    std::vector<PHINode*> params;
  };
  std::unordered_map<Function*, SelfLoop> selfLoops;
  void beginSelfLoop(const core::Function& f);
  Value* loopBack(Function* fn, const std::vector<Value*>& args);
  Function* defineGlobalInit(const core::Global& g);
  void defineMain(const std::vector<Function*>& inits);

  // ---- raw.cpp: raw (unboxed) values, boxing and unboxing
  Type* repType(core::Rep r);
  FunctionType* workerType(const core::Function& f);
  Value* boxValue(Value* v);
  Value* box(Value* v);
  Value* unboxValue(Value* o, Type* t, bool owned);
  Value* unbox(Value* o, Type* t, bool owned);
  Value* convert(Value* v, Type* t, bool owned);

  // ---- objects.cpp: allocation and the reference-counting helpers
  Value* alloc(uint64_t size, uint64_t head);
  Value* alloc(uint64_t size, uint64_t kind, uint64_t nfields, uint64_t tag);
  // fields.cpp: where a constructor's fields lie (core::ConLayout), raw words read and written
  int64_t fieldOffset(const std::string& con, size_t k) const;
  uint64_t conHeader(uint64_t rc, const std::string& con, size_t n, uint64_t tag) const;
  Value* loadField(Value* obj, const std::string& con, size_t k);
  void storeField(Value* obj, const std::string& con, size_t k, Value* v);
  Value* convertField(Value* v, const std::string& con, size_t k);
  Constant* staticField(const Expr& a, const std::string& con, size_t k);
  void defineRcHelpers();
  Value* slowCall(const char* name, ArrayRef<Value*> args);
  Value* allocCell(uint64_t size);
  Function* inlineHelper(const char* name, FunctionType* ft);
  void defineAllocHelpers();
  void defineDupHelper();
  Function* defineDropHelper(const char* name, const std::function<void(Value*)>& freeLast);
  void defineBoxIntHelper();
  Value* boxFloat(Value* v);

  // ---- statics.cpp: static immortal objects (literals, constructors, C strings)
  Constant* staticObj(const std::string& name, Constant* init);
  Constant* nullary(int tag);
  Constant* intLit(int64_t v);
  Constant* floatLit(double v);
  Constant* charLit(int64_t v);
  Constant* stringLit(const std::string& s);
  Constant* cstring(const std::string& s);
  Constant* closureConst(const std::string& name, Function* code, size_t arity);
  Constant* staticValue(const Expr& e);
  Constant* staticCon(const Expr& e);

  // ---- unwind.cpp: what the frame owns (`live`) and landing pads
  void own(Value* v);
  void consume(Value* v);
  static std::vector<Value*> common(const std::vector<Value*>& before, const std::vector<std::vector<Value*>>& ends);
  BasicBlock* landingPad(Function* fn, const std::vector<Value*>& drops, std::map<std::vector<Value*>, BasicBlock*>* cache);
  CallBase* callOrInvoke(Function* fn, FunctionType* ft, Value* callee, const std::vector<Value*>& args,
                         const std::vector<Value*>& drops, bool tailcc, std::map<std::vector<Value*>, BasicBlock*>* cache);
  CallBase* mayFail(FunctionType* ft, Value* callee, const std::vector<Value*>& args,
                    const std::vector<Value*>& consumed, bool tailcc);
  CallBase* mayFail(FunctionCallee f, const std::vector<Value*>& args, const std::vector<Value*>& consumed);

  // ---- apply.cpp: unknown calls through weir.applyN (closures, PAPs), C entry points
  Function* applyFn(size_t n);
  Value* apply(Value* f, const std::vector<Value*>& args, bool tail);
  Value* argArray(const std::vector<Value*>& args);
  void defineApply(size_t n, Function* fn);
  void applyClosure(size_t n, Function* fn, Value* f, const std::vector<Value*>& as);
  void applyPap(size_t n, Function* fn, Value* f, const std::vector<Value*>& as);
  void defineApplies();
  void defineCEntryPoints();

  // ---- closure.cpp: lambdas and top-level functions as values
  Constant* staticClosure(const std::string& name);
  Value* genLam(const Expr& e);
  void defineLambda(const Expr& e, Function* fn, const std::vector<VarId>& fvs, const std::string& parent);
  // The per-function state above, moved out while a lambda's body is generated.
  struct SavedFunction {
    Function* cur;
    std::string curName;
    std::unordered_map<VarId, Value*> vars;
    std::set<VarId> scalarVars, immortalVars;
    std::vector<Value*> live;
    std::map<std::vector<Value*>, BasicBlock*> pads;
  };
  SavedFunction saveFunction();
  void restoreFunction(SavedFunction&& s);

  // ---- call.cpp: applications (direct calls of top-level functions, the rest via apply)
  Value* directArg(const core::Function& cf, size_t k, const Expr& a, std::vector<Value*>& temps,
                   bool ownedAll = false);
  CallInst* tailCall(Value* callee, FunctionType* ft, const std::vector<Value*>& args, bool must);
  Value* genApp(const Expr& e, bool tail);

  // ---- expr.cpp: expressions (dispatch, variables, let, constructors, projections, dup/drop)
  Value* var(VarId v);
  static bool immortalExpr(const Expr& e);
  static bool immortalResult(const Expr& e);
  bool trmcWorkerCall(const Expr& e) const;
  bool genArgs(const std::vector<core::ExprPtr>& es, size_t from, std::vector<Value*>& out);
  Value* result(Value* v, bool tail);
  Value* gen(const Expr& e, bool tail);
  Value* genV(const Expr& e, bool tail);
  Value* genLet(const Expr& e, bool tail);
  Value* genCon(const Expr& e, bool tail);
  Value* genProj(const Expr& e, bool tail);
  Value* genDup(const Expr& e, bool tail);
  Value* genDrop(const Expr& e, bool tail);
  Value* global(const std::string& name);

  // ---- reuse.cpp: Perceus drop specialisation and reuse tokens (core/reuse.hpp)
  const Expr* specialiseAlt(const core::Alt& a, VarId scrut, Value* s, const std::vector<Value*>& fields);
  Value* reuseCell(VarId token, uint64_t size);
  void freeReuse(VarId token);

  // ---- case.cpp: Case and LitCase, and the join of their branches
  // Branch bodies: in tail position each returns itself; otherwise values meet in a phi.
  // `before`/`ends`: what the frame owns before the branches and at the end of each branch that
  // reaches the join (its result given to the phi), for `live` after the join.
  struct Join {
    bool tail;
    BasicBlock* block = nullptr;
    std::vector<std::pair<Value*, BasicBlock*>> incoming;
    std::vector<Value*> before;
    std::vector<std::vector<Value*>> ends;
  };
  void branchDone(Join& j, Value* v);
  Value* joinResult(Join& j);
  Value* genCase(const Expr& e, bool tail);
  Value* genLitCase(const Expr& e, bool tail);

  // ---- prim.cpp: primitive operations
  Value* intrinsic(Intrinsic::ID id, std::vector<Value*> args, std::vector<Type*> tys);
  void divCheck(Value* d, const std::string& loc);
  static char operandType(PrimOp op);
  static char rawResultType(PrimOp op);
  Value* genTrmc(const Expr& e, bool tail);
  Value* genPrim(const Expr& e, bool tail, Value** rawOut = nullptr);
  // A primitive being lowered: its operands, as objects (vs) or read unboxed (raw, for the
  // borrowing primitives), and where its result goes (genPrim's tail and rawOut).
  struct PrimCall {
    const Expr& e;
    bool tail;
    Value** rawOut;
    std::vector<Value*> vs, raw;
  };
  bool primOperands(const Expr& e, std::vector<Value*>& raw);
  Value* rawResult(PrimCall& c, Value* v);
  Value* ordering(PrimCall& c, Value* lt, Value* eq);
  Value* rtCall(PrimCall& c, const char* name, bool immortal = false);
  Value* fptosi(Value* d);
  Value* genIntPrim(PrimCall& c);
  Value* intDivision(PrimCall& c);
  Value* genFloatPrim(PrimCall& c);
  Value* genCharPrim(PrimCall& c);
  Value* genRuntimePrim(PrimCall& c);
};

}  // namespace weir::codegen
