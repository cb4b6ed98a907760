// Primitive operations (core::PrimOp): scalar arithmetic and comparisons on raw operands,
// division checks, math intrinsics, runtime calls for strings and I/O, C calls, and the
// destination-passing primitives of tail recursion modulo cons.
#include "codegen/context.hpp"

namespace weir::codegen {

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

}  // namespace weir::codegen
