// Primitive operations (core::PrimOp): scalar arithmetic and comparisons on raw operands,
// division checks, math intrinsics, runtime calls for strings and I/O, C calls, and the
// destination-passing primitives of tail recursion modulo cons.
#include "codegen/context.hpp"

namespace weir::codegen {

// A call of an LLVM intrinsic.
Value* Gen::intrinsic(Intrinsic::ID id, std::vector<Value*> args, std::vector<Type*> tys) {
  Function* f = Intrinsic::getDeclaration(&mod, id, tys);
  return b.CreateCall(f, args);
}

// The run-time error of a division by zero (d == 0).
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
    return result(gep(var(e.args[0]->var), fieldOffset(e.name, static_cast<size_t>(e.index))), tail);
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
  if (op == PrimOp::UniqueOrStatic) {  // reads a variable's count (core/rc.hpp rule 10, owning walks)
    if (e.args[0]->kind != Expr::Var) bug("UniqueOrStatic of something other than a variable");
    Value* o = genV(*e.args[0], false);
    if (!o) return nullptr;
    if (isRaw(o)) o = box(o);  // a record field read at another type, in code that never runs (convert)
    Value* rc = b.CreateAlignedLoad(i32, o, Align(8));
    return result(b.CreateICmpULE(rc, b.getInt32(1)), tail);  // 1: unique, 0: immortal; < 0: shared
  }
  PrimCall c{e, tail, rawOut, {}, {}};
  if (core::primBorrows(op)) {
    if (!primOperands(e, c.raw)) return nullptr;
  } else if (!genArgs(e.args, 0, c.vs)) {
    return nullptr;
  }
  switch (op) {
    case PrimOp::IntAdd: case PrimOp::IntSub: case PrimOp::IntMul: case PrimOp::IntNeg: case PrimOp::IntQuot:
    case PrimOp::IntRem: case PrimOp::IntDiv: case PrimOp::IntMod: case PrimOp::IntEq: case PrimOp::IntNe:
    case PrimOp::IntLt: case PrimOp::IntLe: case PrimOp::IntGt: case PrimOp::IntGe: case PrimOp::IntCompare:
    case PrimOp::IntAnd: case PrimOp::IntOr: case PrimOp::IntXor: case PrimOp::IntShl: case PrimOp::IntShr:
    case PrimOp::IntNot:
      return genIntPrim(c);
    case PrimOp::FloatAdd: case PrimOp::FloatSub: case PrimOp::FloatMul: case PrimOp::FloatDiv:
    case PrimOp::FloatNeg: case PrimOp::FloatEq: case PrimOp::FloatNe: case PrimOp::FloatLt: case PrimOp::FloatLe:
    case PrimOp::FloatGt: case PrimOp::FloatGe: case PrimOp::FloatCompare: case PrimOp::IntToFloat:
    case PrimOp::FloatRound: case PrimOp::FloatTruncate: case PrimOp::FloatFloor: case PrimOp::FloatCeiling:
    case PrimOp::FloatSqrt: case PrimOp::FloatExp: case PrimOp::FloatLog: case PrimOp::FloatSin:
    case PrimOp::FloatCos: case PrimOp::FloatPow:
      return genFloatPrim(c);
    case PrimOp::CharOrd: case PrimOp::CharChr: case PrimOp::CharEq: case PrimOp::CharLt: case PrimOp::CharLe:
    case PrimOp::CharCompare:
      return genCharPrim(c);
    case PrimOp::StringAppend: case PrimOp::StringEq: case PrimOp::StringCompare: case PrimOp::StringLength:
    case PrimOp::ShowInt: case PrimOp::ShowFloat: case PrimOp::ShowChar: case PrimOp::ShowString:
    case PrimOp::StringFromChar: case PrimOp::PutStrLn: case PrimOp::PutStr: case PrimOp::Error:
    case PrimOp::CCall:
      return genRuntimePrim(c);
    case PrimOp::TrmcHole: case PrimOp::TrmcField: case PrimOp::TrmcFill: case PrimOp::UniqueOrStatic:
      break;  // above
  }
  bug("unknown primitive");
}

// The operands of a borrowing primitive (rc.hpp), read as its operandType: each is read as
// soon as it is evaluated; Var operands are borrowed, other operands are temporaries dropped
// right after the read. An operand that is itself a scalar primitive of that type is never
// boxed (genPrim's rawOut). False if an operand does not return.
bool Gen::primOperands(const Expr& e, std::vector<Value*>& raw) {
  PrimOp op = e.prim;
  char ty = operandType(op);
  for (auto& a : e.args) {
    if (a->kind == Expr::Prim && (ty == 'i' || ty == 'f') && rawResultType(a->prim) == ty) {
      Value* v = nullptr;
      if (!genPrim(*a, false, &v)) return false;
      raw.push_back(v);
      continue;
    }
    Value* o = genV(*a, false);
    if (!o) return false;
    Type* t = ty == 'f' ? dbl : ty == 'c' ? i32 : i64;
    if (isRaw(o)) {
      raw.push_back(convert(o, t, true));  // of another raw kind only in code that never runs (convert)
      continue;
    }
    raw.push_back(b.CreateAlignedLoad(t, gep(o, OFF_VALUE), Align(8)));
    if (a->kind == Expr::Var) scalarVars.insert(a->var);
    if (a->kind != Expr::Var && !immortalExpr(*a)) {
      dropScalar(o);
      consume(o);
    }
  }
  return true;
}

// A scalar result: stored in c.rawOut when the caller wants it unboxed, else the primitive's
// value (raw: boxed, and owned, where an object is needed).
Value* Gen::rawResult(PrimCall& c, Value* v) {
  if (c.rawOut) return *c.rawOut = v;
  return result(v, c.tail);
}

// A comparison's Ordering: the static LT, EQ or GT constructor.
Value* Gen::ordering(PrimCall& c, Value* lt, Value* eq) {
  Value* r = b.CreateSelect(lt, nullary(0), b.CreateSelect(eq, nullary(1), nullary(2)));
  return result(r, c.tail);
}

// A runtime function that cannot fail: takes its operands, gives an owned result
// (`immortal`: a Bool, an Ordering or unit, not tracked).
Value* Gen::rtCall(PrimCall& c, const char* name, bool immortal) {
  std::vector<Value*> as(c.vs.begin(), c.vs.end());
  Value* r = b.CreateCall(rt[name], as);
  for (Value* v : c.vs) consume(v);
  if (!immortal) own(r);
  return result(r, c.tail);
}

// A Float converted to an Int (saturating: NaN is 0, out of range the nearest bound).
Value* Gen::fptosi(Value* d) { return intrinsic(Intrinsic::fptosi_sat, {d}, {i64, dbl}); }

// Int primitives: 64-bit wrapping arithmetic, comparisons, bit operations.
Value* Gen::genIntPrim(PrimCall& c) {
  const std::vector<Value*>& x = c.raw;
  switch (c.e.prim) {
    case PrimOp::IntAdd: return rawResult(c, b.CreateAdd(x[0], x[1]));
    case PrimOp::IntSub: return rawResult(c, b.CreateSub(x[0], x[1]));
    case PrimOp::IntMul: return rawResult(c, b.CreateMul(x[0], x[1]));
    case PrimOp::IntNeg: return rawResult(c, b.CreateSub(b.getInt64(0), x[0]));
    case PrimOp::IntQuot: case PrimOp::IntRem: case PrimOp::IntDiv: case PrimOp::IntMod:
      return intDivision(c);
    case PrimOp::IntEq: return result(b.CreateICmpEQ(x[0], x[1]), c.tail);
    case PrimOp::IntNe: return result(b.CreateICmpNE(x[0], x[1]), c.tail);
    case PrimOp::IntLt: return result(b.CreateICmpSLT(x[0], x[1]), c.tail);
    case PrimOp::IntLe: return result(b.CreateICmpSLE(x[0], x[1]), c.tail);
    case PrimOp::IntGt: return result(b.CreateICmpSGT(x[0], x[1]), c.tail);
    case PrimOp::IntGe: return result(b.CreateICmpSGE(x[0], x[1]), c.tail);
    case PrimOp::IntCompare:
      return ordering(c, b.CreateICmpSLT(x[0], x[1]), b.CreateICmpEQ(x[0], x[1]));
    case PrimOp::IntAnd: return rawResult(c, b.CreateAnd(x[0], x[1]));
    case PrimOp::IntOr: return rawResult(c, b.CreateOr(x[0], x[1]));
    case PrimOp::IntXor: return rawResult(c, b.CreateXor(x[0], x[1]));
    case PrimOp::IntShl: {
      Value* big = b.CreateICmpUGE(x[1], b.getInt64(64));
      Value* sh = b.CreateShl(x[0], b.CreateSelect(big, b.getInt64(0), x[1]));
      return rawResult(c, b.CreateSelect(big, b.getInt64(0), sh));
    }
    case PrimOp::IntShr: {
      Value* big = b.CreateICmpUGE(x[1], b.getInt64(64));
      return rawResult(c, b.CreateAShr(x[0], b.CreateSelect(big, b.getInt64(63), x[1])));
    }
    case PrimOp::IntNot: return rawResult(c, b.CreateNot(x[0]));
    default: break;
  }
  bug("not an Int primitive");
}

// quot, rem (truncating) and div, mod (flooring); division by zero is a run-time error.
Value* Gen::intDivision(PrimCall& c) {
  const std::vector<Value*>& x = c.raw;
  divCheck(x[1], c.e.loc);
  // INT64_MIN / -1 would trap: with d == -1, quot = -n (wrapping) and rem = 0.
  Value* m1 = b.CreateICmpEQ(x[1], b.getInt64(static_cast<uint64_t>(-1)));
  Value* d = b.CreateSelect(m1, b.getInt64(1), x[1]);
  Value* q = b.CreateSelect(m1, b.CreateSub(b.getInt64(0), x[0]), b.CreateSDiv(x[0], d));
  Value* r = b.CreateSRem(x[0], d);
  if (c.e.prim == PrimOp::IntQuot) return rawResult(c, q);
  if (c.e.prim == PrimOp::IntRem) return rawResult(c, r);
  // floor: adjust when the remainder is non-zero and its sign differs from the divisor's
  Value* adj = b.CreateAnd(b.CreateICmpNE(r, b.getInt64(0)),
                           b.CreateICmpSLT(b.CreateXor(r, x[1]), b.getInt64(0)));
  if (c.e.prim == PrimOp::IntDiv) return rawResult(c, b.CreateSub(q, b.CreateZExt(adj, i64)));
  return rawResult(c, b.CreateSelect(adj, b.CreateAdd(r, x[1]), r));
}

// Float primitives: IEEE double arithmetic, comparisons, conversions to and from Int, the math
// functions.
Value* Gen::genFloatPrim(PrimCall& c) {
  const std::vector<Value*>& x = c.raw;
  switch (c.e.prim) {
    case PrimOp::FloatAdd: return rawResult(c, b.CreateFAdd(x[0], x[1]));
    case PrimOp::FloatSub: return rawResult(c, b.CreateFSub(x[0], x[1]));
    case PrimOp::FloatMul: return rawResult(c, b.CreateFMul(x[0], x[1]));
    case PrimOp::FloatDiv: return rawResult(c, b.CreateFDiv(x[0], x[1]));
    case PrimOp::FloatNeg: return rawResult(c, b.CreateFNeg(x[0]));
    case PrimOp::FloatEq: return result(b.CreateFCmpOEQ(x[0], x[1]), c.tail);
    case PrimOp::FloatNe: return result(b.CreateFCmpUNE(x[0], x[1]), c.tail);
    case PrimOp::FloatLt: return result(b.CreateFCmpOLT(x[0], x[1]), c.tail);
    case PrimOp::FloatLe: return result(b.CreateFCmpOLE(x[0], x[1]), c.tail);
    case PrimOp::FloatGt: return result(b.CreateFCmpOGT(x[0], x[1]), c.tail);
    case PrimOp::FloatGe: return result(b.CreateFCmpOGE(x[0], x[1]), c.tail);
    case PrimOp::FloatCompare:
      return ordering(c, b.CreateFCmpOLT(x[0], x[1]), b.CreateFCmpOEQ(x[0], x[1]));
    case PrimOp::IntToFloat: return rawResult(c, b.CreateSIToFP(x[0], dbl));
    case PrimOp::FloatRound: {  // Haskell rounds half to even: rint in the default rounding mode
      return rawResult(c, fptosi(intrinsic(Intrinsic::rint, {x[0]}, {dbl})));
    }
    case PrimOp::FloatTruncate: return rawResult(c, fptosi(x[0]));
    case PrimOp::FloatFloor: return rawResult(c, fptosi(intrinsic(Intrinsic::floor, {x[0]}, {dbl})));
    case PrimOp::FloatCeiling: return rawResult(c, fptosi(intrinsic(Intrinsic::ceil, {x[0]}, {dbl})));
    case PrimOp::FloatSqrt: return rawResult(c, intrinsic(Intrinsic::sqrt, {x[0]}, {dbl}));
    case PrimOp::FloatExp: return rawResult(c, intrinsic(Intrinsic::exp, {x[0]}, {dbl}));
    case PrimOp::FloatLog: return rawResult(c, intrinsic(Intrinsic::log, {x[0]}, {dbl}));
    case PrimOp::FloatSin: return rawResult(c, intrinsic(Intrinsic::sin, {x[0]}, {dbl}));
    case PrimOp::FloatCos: return rawResult(c, intrinsic(Intrinsic::cos, {x[0]}, {dbl}));
    case PrimOp::FloatPow: return rawResult(c, intrinsic(Intrinsic::pow, {x[0], x[1]}, {dbl}));
    default: break;
  }
  bug("not a Float primitive");
}

// Char primitives (Unicode scalar values: an i32).
Value* Gen::genCharPrim(PrimCall& c) {
  const std::vector<Value*>& x = c.raw;
  switch (c.e.prim) {
    case PrimOp::CharOrd: return rawResult(c, b.CreateZExt(x[0], i64));
    case PrimOp::CharChr: {
      Value* r = mayFail(rt["weir_chr"], {x[0], cstring(c.e.loc)}, {});
      own(r);
      return result(r, c.tail);
    }
    case PrimOp::CharEq: return result(b.CreateICmpEQ(x[0], x[1]), c.tail);
    case PrimOp::CharLt: return result(b.CreateICmpULT(x[0], x[1]), c.tail);
    case PrimOp::CharLe: return result(b.CreateICmpULE(x[0], x[1]), c.tail);
    case PrimOp::CharCompare:
      return ordering(c, b.CreateICmpULT(x[0], x[1]), b.CreateICmpEQ(x[0], x[1]));
    default: break;
  }
  bug("not a Char primitive");
}

// Primitives the runtime implements: strings, show, output, `error`, and C calls.
Value* Gen::genRuntimePrim(PrimCall& c) {
  if (c.e.prim == PrimOp::CCall) {  // `foreign import ccall`: weir_obj* sym(weir_obj*, ...)
    // It may fail (a run-time error in the library) or run Weir code that fails (weir_catch,
    // the actor runtime's `call`): not nounwind.
    auto* ft = FunctionType::get(ptrT, std::vector<Type*>(c.vs.size(), ptrT), false);
    FunctionCallee f = mod.getOrInsertFunction(c.e.name, ft);
    std::vector<Value*> as(c.vs.begin(), c.vs.end());
    Value* r = mayFail(f, as, as);
    own(r);
    return result(r, c.tail);
  }
  switch (c.e.prim) {
    case PrimOp::StringAppend: return rtCall(c, "weir_string_append");
    case PrimOp::StringEq: return rtCall(c, "weir_string_eq", true);
    case PrimOp::StringCompare: return rtCall(c, "weir_string_compare", true);
    case PrimOp::StringLength: return rtCall(c, "weir_string_length");
    case PrimOp::ShowInt: return rtCall(c, "weir_show_int");
    case PrimOp::ShowFloat: return rtCall(c, "weir_show_float");
    case PrimOp::ShowChar: return rtCall(c, "weir_show_char");
    case PrimOp::ShowString: return rtCall(c, "weir_show_string");
    case PrimOp::StringFromChar: return rtCall(c, "weir_string_from_char");
    case PrimOp::PutStrLn: return rtCall(c, "weir_put_str_ln", true);
    case PrimOp::PutStr: return rtCall(c, "weir_put_str", true);
    case PrimOp::Error:
      mayFail(rt["weir_rt_error"], {c.vs[0], cstring(c.e.loc)}, {c.vs[0]});
      b.CreateUnreachable();
      return nullptr;
    default: break;
  }
  bug("not a runtime primitive");
}

}  // namespace weir::codegen
