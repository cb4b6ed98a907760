// Raw (unboxed) values, core/repr.hpp: an Int is an i64, a Float a double, a Char an i32, a
// Bool an i1 where representation inference says so. Their LLVM types, and boxing, unboxing and
// conversion between the two representations (with what the frame owns kept up to date).
#include "codegen/context.hpp"

namespace weir::codegen {

// The LLVM type of a representation (core/repr.hpp): i64 Int, double Float, i32 Char, i1 Bool.
Type* Gen::repType(core::Rep r) {
  switch (r) {
    case core::Rep::Int: return i64;
    case core::Rep::Float: return dbl;
    case core::Rep::Char: return i32;
    case core::Rep::Bool: return Type::getInt1Ty(ctx);
    case core::Rep::Boxed: break;
  }
  return ptrT;
}

// A top-level function's direct-call signature (its worker): raw where repr inferred it.
FunctionType* Gen::workerType(const core::Function& f) {
  std::vector<Type*> ps;
  for (size_t k = 0; k < f.params.size(); k++) ps.push_back(repType(f.paramRep(k)));
  return FunctionType::get(repType(f.resultRep), ps, false);
}

// A fresh owned object for v (v itself if it is one already): small Ints and ASCII Chars
// come from the runtime's static caches, Bools are the static True/False. Not tracked in
// `live` (box does that).
Value* Gen::boxValue(Value* v) {
  if (!v || !isRaw(v)) return v;
  if (auto* c = dyn_cast<ConstantInt>(v)) {  // a literal: its static immortal object
    if (v->getType() == i64) return intLit(c->getSExtValue());
    if (v->getType() == i32) return charLit(static_cast<int64_t>(c->getZExtValue()));
    return boolObj(c->isOne());
  }
  if (auto* c = dyn_cast<ConstantFP>(v)) return floatLit(c->getValueAPF().convertToDouble());
  if (v->getType() == i64) return boxInt(v);
  if (v->getType() == dbl) return boxFloat(v);
  if (v->getType() == i32) return boxChar(v);
  if (v->getType()->isIntegerTy(1)) return b.CreateSelect(v, boolObj(true), boolObj(false));
  bug("box of an unknown raw type");
}

// boxValue in the function being generated: the new box is the frame's (`live`) until it is
// given away, so a call failing before then drops it. (A Bool's box is static: not tracked.)
Value* Gen::box(Value* v) {
  if (!v || !isRaw(v)) return v;
  Value* o = boxValue(v);
  if (!v->getType()->isIntegerTy(1)) own(o);
  return o;
}

// The raw value of type t in the object o; owned: o is the caller's reference, given up here.
// Not tracked in `live` (unbox does that).
Value* Gen::unboxValue(Value* o, Type* t, bool owned) {
  if (t->isIntegerTy(1)) return b.CreateICmpEQ(b.CreateLoad(i16, gep(o, OFF_TAG)), b.getInt16(1));  // static
  Value* v = b.CreateAlignedLoad(t, gep(o, OFF_VALUE), Align(8));
  if (owned && !isa<Constant>(o)) dropScalar(o);
  return v;
}

// unboxValue in the function being generated: an owned o is consumed (dropped here).
Value* Gen::unbox(Value* o, Type* t, bool owned) {
  Value* v = unboxValue(o, t, owned);
  if (owned) consume(o);
  return v;
}

// v converted to type t (a pointer or a raw type); owned as for unbox.
Value* Gen::convert(Value* v, Type* t, bool owned) {
  if (v->getType() == t) return v;
  if (t == ptrT) return box(v);
  if (!isRaw(v)) return unbox(v, t, owned);
  // A raw value of another kind: a record field read at another type than every record of its
  // shape holds -- row-polymorphic code's alternative for a shape it is never given, or code
  // reading a shape no reachable literal builds at that type (docs/architecture.md, "Raw fields
  // in records"). It never runs; through a box the IR stays valid.
  return unbox(box(v), t, true);
}

}  // namespace weir::codegen
