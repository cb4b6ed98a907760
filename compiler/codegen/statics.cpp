// Static immortal objects (count 0, never freed): literals, nullary constructors, constructors
// whose fields are all static, closures of functions with nothing captured, and the C strings
// (source locations, messages) passed to the runtime. Each is created once per module.
#include <cstring>

#include "codegen/context.hpp"

namespace weir::codegen {

// A private constant global holding an object (8-byte aligned, address not significant).
Constant* Gen::staticObj(const std::string& name, Constant* init) {
  auto* g = new GlobalVariable(mod, init->getType(), true, GlobalValue::PrivateLinkage, init, name);
  g->setAlignment(Align(8));
  g->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  return g;
}

// The static object of a nullary constructor (True, Nothing, unit, an Ordering...).
Constant* Gen::nullary(int tag) {
  if (tag < 0 || tag > 65535) bug("constructor tag out of range");
  auto& c = nullaryObjs[tag];
  if (!c) c = staticObj("weir.con." + std::to_string(tag),
                        ConstantStruct::getAnon(ctx, {ConstantInt::get(i64, header(0, K_CON, 0, tag))}));
  return c;
}

// The static objects of literals, one per distinct value.
Constant* Gen::intLit(int64_t v) {
  auto& c = intLits[v];
  if (!c) c = staticObj("weir.int", ConstantStruct::getAnon(ctx, {ConstantInt::get(i64, header(0, K_INT, 0, 0)),
                                                                 ConstantInt::get(i64, static_cast<uint64_t>(v))}));
  return c;
}

Constant* Gen::floatLit(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  auto& c = floatLits[bits];
  if (!c) c = staticObj("weir.float", ConstantStruct::getAnon(ctx, {ConstantInt::get(i64, header(0, K_FLOAT, 0, 0)),
                                                                   ConstantFP::get(dbl, v)}));
  return c;
}

Constant* Gen::charLit(int64_t v) {
  auto& c = charLits[v];
  if (!c) c = staticObj("weir.char", ConstantStruct::getAnon(ctx, {ConstantInt::get(i64, header(0, K_CHAR, 0, 0)),
                                                                  ConstantInt::get(i64, static_cast<uint64_t>(v))}));
  return c;
}

Constant* Gen::stringLit(const std::string& s) {
  auto& c = stringLits[s];
  if (!c) c = staticObj("weir.str", ConstantStruct::getAnon(ctx, {ConstantInt::get(i64, header(0, K_STRING, 0, 0)),
                                                                 ConstantInt::get(i64, s.size()),
                                                                 ConstantDataArray::getString(ctx, s, true)}));
  return c;
}

// A NUL-terminated C string constant (source locations and messages for the runtime).
Constant* Gen::cstring(const std::string& s) {
  auto& c = cstrings[s];
  if (!c) {
    auto* g = new GlobalVariable(mod, ArrayType::get(i8, s.size() + 1), true, GlobalValue::PrivateLinkage,
                                 ConstantDataArray::getString(ctx, s, true), "weir.cstr");
    g->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
    c = g;
  }
  return c;
}

// A static closure (nothing captured) with the given code and arity.
Constant* Gen::closureConst(const std::string& name, Function* code, size_t arity) {
  return staticObj(name, ConstantStruct::getAnon(ctx, {ConstantInt::get(i64, header(0, K_CLOSURE, 0, 0)), code,
                                                       ConstantInt::get(i64, arity)}));
}

// A constant, immortal object for an expression made only of literals, nullary and static
// constructors and top-level functions; nullptr if e is not static.
Constant* Gen::staticValue(const Expr& e) {
  switch (e.kind) {
    case Expr::LitInt: return intLit(e.i);
    case Expr::LitFloat: return floatLit(e.f);
    case Expr::LitChar: return charLit(e.i);
    case Expr::LitString: return stringLit(e.s);
    case Expr::Global: return funcs.count(e.name) ? staticClosure(e.name) : nullptr;
    case Expr::Con: return e.args.empty() ? nullary(e.tag) : staticCon(e);
    default: return nullptr;
  }
}

// A constructor whose fields are all static, as a static object; nullptr otherwise.
Constant* Gen::staticCon(const Expr& e) {
  auto memo = staticCons.find(&e);  // (memoised: long literal lists stay linear)
  if (memo != staticCons.end()) return memo->second;
  staticCons[&e] = nullptr;
  if (e.args.size() > 255 || e.tag < 0 || e.tag > 65535) return nullptr;
  std::vector<Constant*> fields(e.args.size() + 1);
  fields[0] = ConstantInt::get(i64, conHeader(0, e.name, e.args.size(), static_cast<uint64_t>(e.tag)));
  for (size_t k = 0; k < e.args.size(); k++) {  // each in its word (fields.cpp)
    Constant* c = staticField(*e.args[k], e.name, k);
    if (!c) return nullptr;
    fields[1 + static_cast<size_t>(fieldOffset(e.name, k) - OFF_FIELDS) / 8] = c;
  }
  Constant* obj = staticObj("weir.static", ConstantStruct::getAnon(ctx, fields));
  staticCons[&e] = obj;
  return obj;
}

}  // namespace weir::codegen
