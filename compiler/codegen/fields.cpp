// Constructor fields: the word of the cell each one lies in (core::ConLayout: pointers first,
// then the raw words of Int, Float, Char and Bool fields) and how a raw word is read and written.
#include "codegen/context.hpp"

namespace weir::codegen {

// The byte offset of field k of constructor `con` in its cell.
int64_t Gen::fieldOffset(const std::string& con, size_t k) const {
  const core::ConLayout* l = prog.layout(con);
  size_t slot = l && k < l->slots.size() ? static_cast<size_t>(l->slots[k]) : k;
  return OFF_FIELDS + 8 * static_cast<int64_t>(slot);
}


// The header word of a new cell of `con` with n fields: kind K_CON with the raw word count in
// its high 4 bits, nfields the pointer fields only (rt.h).
uint64_t Gen::conHeader(uint64_t rc, const std::string& con, size_t n, uint64_t tag) const {
  const core::ConLayout* l = prog.layout(con);
  if (!l) return header(rc, K_CON, n, tag);
  if (l->reps.size() != n) bug("constructor " + con + " with " + std::to_string(n) + " fields, its layout has " +
                               std::to_string(l->reps.size()));
  return header(rc, K_CON | (static_cast<uint64_t>(l->raw) << 4), static_cast<uint64_t>(l->boxed), tag);
}

// Field k of the constructor `con` in obj: a borrowed pointer, or its raw value (a Char is the
// word's low 32 bits, a Bool its low bit: little-endian, rt.h).
Value* Gen::loadField(Value* obj, const std::string& con, size_t k) {
  int64_t off = fieldOffset(con, k);
  switch (prog.fieldRep(con, k)) {
    case core::Rep::Boxed: return loadPtr(obj, off);
    case core::Rep::Int: return loadI64(obj, off);
    case core::Rep::Float: return b.CreateAlignedLoad(dbl, gep(obj, off), Align(8));
    case core::Rep::Char: return b.CreateAlignedLoad(i32, gep(obj, off), Align(8));
    case core::Rep::Bool: return b.CreateTrunc(loadI64(obj, off), Type::getInt1Ty(ctx));
  }
  bug("unknown field representation");
}

// Stores v, an owned object or a raw value of the field's type (convertField), as field k.
void Gen::storeField(Value* obj, const std::string& con, size_t k, Value* v) {
  if (v->getType() == i32 || v->getType()->isIntegerTy(1)) v = b.CreateZExt(v, i64);
  store(v, obj, fieldOffset(con, k));
}

// v, owned, made what field k of `con` holds: boxed for a pointer field, unboxed for a raw one
// (an object given for a raw field is consumed here).
Value* Gen::convertField(Value* v, const std::string& con, size_t k) {
  return convert(v, repType(prog.fieldRep(con, k)), true);
}

// A static field: the constant object, or the raw word of a literal for a raw field; nullptr
// when a is not static.
Constant* Gen::staticField(const Expr& a, const std::string& con, size_t k) {
  core::Rep r = prog.fieldRep(con, k);
  if (r == core::Rep::Boxed) return staticValue(a);
  if (r == core::Rep::Int && a.kind == Expr::LitInt) return ConstantInt::get(i64, static_cast<uint64_t>(a.i));
  if (r == core::Rep::Char && a.kind == Expr::LitChar) return ConstantInt::get(i64, static_cast<uint64_t>(a.i));
  if (r == core::Rep::Float && a.kind == Expr::LitFloat) return ConstantFP::get(dbl, a.f);
  if (r == core::Rep::Bool && a.kind == Expr::Con && a.args.empty() &&
      (a.name == "Prelude.True" || a.name == "Prelude.False"))
    return ConstantInt::get(i64, a.tag == 1 ? 1 : 0);
  return nullptr;
}

}  // namespace weir::codegen
