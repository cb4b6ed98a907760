// Core: the small IR between type checking and LLVM.
//
// Untyped at the value level (every value is one uniform word: a pointer to a
// runtime object, see runtime/include/weir/rt.h) but fully explicit:
//  - strict, A-normal-ish: arguments of App/Con/PrimOp are arbitrary Exprs,
//    evaluated left to right;
//  - every variable has a unique id within its function;
//  - pattern matching is already compiled to Case on constructor tags and
//    LitCase on literal values;
//  - type classes are already elaborated to dictionary records (Con/Proj);
//  - IO actions are ordinary closures taking one "world" argument (unit).
// The lowering (core/lower/) produces it, the passes of core/pipeline.hpp optimise it and
// insert Dup/Drop (core/rc.cpp), codegen/ turns it into LLVM IR; core/verify.hpp checks it.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace weir::core {

struct Expr;
using ExprPtr = std::shared_ptr<Expr>;

using VarId = int32_t;

// Primitive operations. Operands and results are runtime objects (boxed);
// codegen may unbox internally. Bool results are the Bool constructor objects
// (False = tag 0, True = tag 1). Names in comments are the `foreign import prim`
// names used in stdlib/Prelude.weir.
enum class PrimOp : uint16_t {
  // Int (64-bit wrapping)
  IntAdd, IntSub, IntMul, IntNeg,
  IntQuot, IntRem,     // truncating; division by zero is a runtime error
  IntDiv, IntMod,      // flooring (Haskell div/mod); division by zero is a runtime error
  IntEq, IntNe, IntLt, IntLe, IntGt, IntGe,
  IntCompare,          // -> Ordering (LT=0, EQ=1, GT=2)
  IntAnd, IntOr, IntXor, IntShl, IntShr, IntNot,
  // Float (IEEE double)
  FloatAdd, FloatSub, FloatMul, FloatDiv, FloatNeg,
  FloatEq, FloatNe, FloatLt, FloatLe, FloatGt, FloatGe, FloatCompare,
  IntToFloat, FloatRound, FloatTruncate, FloatFloor, FloatCeiling,  // rounding ops -> Int
  FloatSqrt, FloatExp, FloatLog, FloatSin, FloatCos, FloatPow,
  // Char (Unicode scalar value)
  CharOrd, CharChr, CharEq, CharLt, CharLe, CharCompare,
  // String (UTF-8, immutable)
  StringAppend, StringEq, StringCompare, StringLength /* in code points */,
  ShowInt, ShowFloat, ShowChar /* 'a' quoted */, ShowString /* "a" quoted and escaped */,
  StringFromChar,
  // Effects (executed when evaluated; the desugarer wraps them in world-taking closures)
  PutStrLn, PutStr,
  // Errors
  Error,               // args: [String message]; prints message + location, exits 1
  // C ABI call (`foreign import ccall "sym"`): Expr::name is the C symbol; any number of
  // operands, each passed as an owned weir_obj*; the result is an owned weir_obj*.
  CCall,
  // Tail recursion modulo constructors (core/trmc.hpp; never written by users):
  TrmcHole,   // (): the placeholder stored in a constructor field to be filled later (null)
  TrmcField,  // (cell): the address of field Expr::index of `cell`, a constructor Expr::name (borrows it): a destination
  TrmcFill,   // (dest, v): stores v (consumed) at destination dest (consumed); result: unit
  // Inserted by rc (core/rc.hpp rule 10, owning walks; never written by users):
  UniqueOrStatic,  // (x): True if x's count is 1 or 0 (immortal): no other reference counts it (reads x)
};

struct Alt {
  int tag = 0;                 // constructor tag
  std::vector<VarId> fields;   // bound to the constructor's fields (exactly its arity)
  ExprPtr body;
  // The constructor's name as a Con of it is written ("Main.Add", ":"), when the lowering knows
  // it (pattern matching); "" otherwise. The simplifier shares a matched value instead of
  // rebuilding it only when the names agree (simplify.hpp).
  std::string con;
};

struct LitAlt {
  // Literal to compare with (Int, Char, or String compared by value).
  enum Kind { Int, Char, String } kind = Int;
  int64_t i = 0;
  std::string s;
  ExprPtr body;
};

struct Binding {  // LetRec
  VarId var;
  ExprPtr lam;    // must be Lam
};

struct Expr {
  enum Kind {
    Var,      // local variable                        (var)
    Global,   // top-level function or value           (name)
    LitInt,   // (i)
    LitFloat, // (f)
    LitChar,  // (i = code point)
    LitString,// (s)
    App,      // call: args[0] applied to args[1..]     (args)
    Lam,      // closure                               (params, body = args[0]); free vars captured
    Let,      // let var = args[0] in args[1]          (var, args)
    LetRec,   // mutually recursive local closures     (binds, args = [body])
    Con,      // allocate constructor                   (tag, name, args); nullary -> static object
    Proj,     // field `index` of a constructor object  (args = [obj], index)
    Case,     // switch on constructor tag of Var scrut (scrut, alts, deflt may be null)
    LitCase,  // switch on literal value of Var scrut   (scrut, litAlts, deflt required)
    Prim,     // primitive op                            (prim, args)
    Error,    // runtime error: message + source location (s = message, loc = "file:line:col")
    Dup,      // inserted by rc: increment var, then args[0]
    Drop,     // inserted by rc: decrement var, then args[0]; with a token (core/reuse.hpp):
              // drop-reuse, binding `token` to var's cell if var was unique, to none if not
    FreeReuse,// inserted by reuse: free the cell of reuse token `var` (if any), then args[0]
  } kind = Var;

  VarId var = -1;
  std::string name;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::string loc;             // Error / Prim Error / IntDiv...: source location for runtime errors
  std::vector<ExprPtr> args;
  std::vector<VarId> params;   // Lam
  std::vector<Binding> binds;  // LetRec
  int tag = 0;                 // Con
  int index = 0;               // Proj
  VarId scrut = -1;            // Case / LitCase
  VarId token = -1;            // Drop: the reuse token it binds; Con: the token whose cell it takes
  std::vector<Alt> alts;       // Case
  std::vector<LitAlt> litAlts; // LitCase
  ExprPtr deflt;               // Case / LitCase default branch
  PrimOp prim = PrimOp::IntAdd;
};

// How a value is passed and held in generated code (core/repr.hpp): Boxed is the uniform
// pointer to a runtime object; the others are raw machine values (Int: i64, Float: double,
// Char: i32, Bool: i1) with no object and no count, boxed only where a pointer is needed.
enum class Rep : uint8_t { Boxed, Int, Float, Char, Bool };
const char* repName(Rep r);   // "Boxed", "Int", ...

// Where a constructor's fields lie in its cell when some are raw (item 1 of value
// representation, docs/architecture.md): a field declared Int, Float, Char or Bool is one raw
// 8-byte word -- no object, no count -- stored after the pointer fields, so the runtime, which
// follows the header's `nfields` pointers, never reads it as one; the header's kind byte
// counts the raw words in its high 4 bits (rt.h). The cell keeps its size (8 bytes a field).
struct ConLayout {
  std::vector<Rep> reps;   // each field's representation, in declaration order
  std::vector<int> slots;  // each field's word in the cell (0 = the first after the header)
  int boxed = 0;           // pointer fields first: the header's nfields
  int raw = 0;             // raw words after them (at most MAX_RAW)
  static constexpr int MAX_RAW = 15;
  // The layout of fields with these representations; past MAX_RAW raw ones, the rest are Boxed.
  static ConLayout of(std::vector<Rep> reps);
  // WEIR_RAW_FIELDS=0: every field a pointer, records' too (for measuring what raw fields save).
  static bool switchedOff();
};

// A top-level function: a known arity, called directly when saturated.
struct Function {
  std::string name;            // unique, already mangled ("Main.main", "Prelude.map")
  std::vector<VarId> params;   // arity = params.size() (>= 1)
  ExprPtr body;
  std::string loc;             // definition site, for stack traces / errors
  // Set by rc insertion (core/borrow.hpp): borrowed[k] means parameter k is BORROWED -- the
  // caller keeps its reference across a saturated direct call and the body never consumes
  // it. Empty (the default) or false: the parameter is owned.
  std::vector<bool> borrowed;
  // Set by core/trmc.hpp on the destination-passing worker of a function: its last parameter
  // is a destination (an address made by TrmcField), not an object; printed `!v`.
  bool trmcWorker = false;
  // Whether the last parameter is the world token of IO (the unit `()`; core/ioarity.hpp): set
  // by the lowering on the IO primitives and IO foreign imports, and by ioArity on the
  // functions it expands. Pure and Bind are `primPureIO` (\x w -> x) and `primBindIO`
  // (\m k w -> k (m w) w), which ioArity replaces by straight-line code. Printed `~w`.
  enum class World : uint8_t { None, Last, Pure, Bind } world = World::None;
  // Set by core/repr.hpp (inferReps): the representation of each parameter and of the result
  // in the function's direct-call convention. Empty / Boxed (the default): every value boxed.
  // Calls through the function's closure always use boxed values (codegen's wrapper converts).
  std::vector<Rep> paramReps;
  Rep resultRep = Rep::Boxed;
  bool isBorrowed(size_t k) const { return k < borrowed.size() && borrowed[k]; }
  Rep paramRep(size_t k) const { return k < paramReps.size() ? paramReps[k] : Rep::Boxed; }
};

// A top-level value (a CAF): evaluated once at start-up, in the order given
// (the desugarer orders them so that each only uses earlier ones), then immortal.
struct Global {
  std::string name;
  ExprPtr body;
};

struct Program {
  std::vector<Function> functions;
  std::vector<Global> globals;
  std::string entry;           // name of the Global or Function holding `main :: IO ()`
  VarId nextVar = 0;           // fresh ids: anything >= nextVar is unused
  // Set by insertRc (core/rc.hpp): the program contains its Dup/Drop, as codegen requires
  // (tests that write Dup/Drop by hand set it themselves).
  bool rcInserted = false;
  // The constructors with a raw field, by name (core::ConLayout; set by the lowering); every
  // other constructor's fields are all pointers, in declaration order.
  std::map<std::string, ConLayout> layouts;
  const ConLayout* layout(const std::string& con) const {
    auto it = layouts.find(con);
    return it == layouts.end() ? nullptr : &it->second;
  }
  // The representation of field k of constructor con: Boxed unless its layout makes it raw.
  Rep fieldRep(const std::string& con, size_t k) const {
    const ConLayout* l = layout(con);
    return l && k < l->reps.size() ? l->reps[k] : Rep::Boxed;
  }
};

// Calls f on every sub-expression slot of e (operands, LetRec lambdas, case branches,
// default branch), in that order. f takes an ExprPtr& so a pass may replace the child.
template <class F>
void forEachChild(Expr& e, F&& f) {
  for (auto& a : e.args) if (a) f(a);
  for (auto& b : e.binds) if (b.lam) f(b.lam);
  for (auto& a : e.alts) if (a.body) f(a.body);
  for (auto& a : e.litAlts) if (a.body) f(a.body);
  if (e.deflt) f(e.deflt);
}

// Printing for --emit=core and tests.
std::string print(const Program& p);
std::string print(const Expr& e, int indent = 0);

// Helpers to build Core in the desugarer and in tests.
ExprPtr mkVar(VarId v);
ExprPtr mkGlobal(std::string name);
ExprPtr mkInt(int64_t i);
ExprPtr mkFloat(double f);
ExprPtr mkChar(uint32_t c);
ExprPtr mkString(std::string s);
ExprPtr mkApp(ExprPtr f, std::vector<ExprPtr> args);
ExprPtr mkLam(std::vector<VarId> params, ExprPtr body);
ExprPtr mkLet(VarId v, ExprPtr rhs, ExprPtr body);
ExprPtr mkCon(int tag, std::string name, std::vector<ExprPtr> args);
ExprPtr mkProj(ExprPtr obj, int index);
ExprPtr mkPrim(PrimOp op, std::vector<ExprPtr> args, std::string loc = "");
ExprPtr mkCCall(std::string symbol, std::vector<ExprPtr> args, std::string loc = "");
ExprPtr mkError(std::string message, std::string loc);

// --- Additions by the backend (core.cpp) ---
ExprPtr mkLetRec(std::vector<Binding> binds, ExprPtr body);
ExprPtr mkCase(VarId scrut, std::vector<Alt> alts, ExprPtr deflt = nullptr);
ExprPtr mkLitCase(VarId scrut, std::vector<LitAlt> alts, ExprPtr deflt);
ExprPtr mkDup(VarId v, ExprPtr body);
ExprPtr mkDrop(VarId v, ExprPtr body);
ExprPtr mkFreeReuse(VarId token, ExprPtr body);
const char* primName(PrimOp op);   // "IntAdd", ...
int primArity(PrimOp op);          // number of operands (-1: any, for CCall)
// True for the primitives that only read the scalar inside their operands (Int/Float/Char
// arithmetic, comparisons, conversions): after rc insertion they BORROW operands that are
// variables (the variable stays owned by the enclosing code) and consume any other operand.
// All other primitives (strings, show, IO, Error) consume their operands.
bool primBorrows(PrimOp op);
// False for the primitives that may fail, have an effect, or (float conversions, chr) reject input.
bool primPure(PrimOp op);

bool isLit(const Expr& e);
// A value that needs no evaluation and no allocation: may be copied to every use, and needs no
// let-binding to keep its place in the evaluation order.
bool isAtom(const Expr& e);
// Evaluating e has no effect and always terminates (no call, no failing or acting primitive):
// it may be dropped unevaluated, or evaluated earlier than written.
bool isPure(const Expr& e);
// The drop of `scrut` that starts alternative a after dups of distinct fields of a -- the shape
// rc gives an alternative that no longer needs its scrutinee, which codegen drop-specialises and
// core/reuse.hpp may make a drop-reuse -- or null.
Expr* scrutineeDrop(const Alt& a, VarId scrut);

}  // namespace weir::core
