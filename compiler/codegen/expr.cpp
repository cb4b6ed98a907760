// Expressions: gen/genV dispatch on the Core expression kind; variables, globals, literals,
// let, constructors, projections, Dup and Drop are lowered here, the other kinds in their own
// files (call.cpp, closure.cpp, case.cpp, prim.cpp).
#include "codegen/context.hpp"

namespace weir::codegen {

// The value bound to a variable in the function being generated.
Value* Gen::var(VarId v) {
  auto it = vars.find(v);
  if (it == vars.end()) bug("unbound variable v" + std::to_string(v) + " in " + curName);
  return it->second;
}

// Operand known to be immortal (never needs a drop).
bool Gen::immortalExpr(const Expr& e) {
  switch (e.kind) {
    case Expr::Global: case Expr::LitInt: case Expr::LitFloat: case Expr::LitChar: case Expr::LitString:
      return true;
    case Expr::Con: return e.args.empty();
    default: return false;
  }
}

// A primitive whose result is always a static object (Bool or Ordering constructor).
bool Gen::immortalResult(const Expr& e) {
  if (e.kind != Expr::Prim) return false;
  switch (e.prim) {
    case PrimOp::IntEq: case PrimOp::IntNe: case PrimOp::IntLt: case PrimOp::IntLe: case PrimOp::IntGt:
    case PrimOp::IntGe: case PrimOp::IntCompare: case PrimOp::FloatEq: case PrimOp::FloatNe:
    case PrimOp::FloatLt: case PrimOp::FloatLe: case PrimOp::FloatGt: case PrimOp::FloatGe:
    case PrimOp::FloatCompare: case PrimOp::CharEq: case PrimOp::CharLt: case PrimOp::CharLe:
    case PrimOp::CharCompare: case PrimOp::StringEq: case PrimOp::StringCompare: case PrimOp::TrmcFill:
    case PrimOp::UniqueOrStatic:
      return true;
    default: return false;
  }
}

// A call of a destination-passing worker (core/trmc.hpp): its result is unit.
bool Gen::trmcWorkerCall(const Expr& e) const {
  if (e.kind != Expr::App || e.args[0]->kind != Expr::Global) return false;
  auto it = funcs.find(e.args[0]->name);
  return it != funcs.end() && it->second->trmcWorker;
}

// Evaluates args in order; false if one of them does not return.
bool Gen::genArgs(const std::vector<core::ExprPtr>& es, size_t from, std::vector<Value*>& out) {
  for (size_t k = from; k < es.size(); k++) {
    Value* v = gen(*es[k], false);
    if (!v) return false;
    out.push_back(v);
  }
  return true;
}

// Emits a return if tail; returns the value otherwise (nullptr once the block is closed).
Value* Gen::result(Value* v, bool tail) {
  if (tail && v) {
    v = convert(v, cur->getReturnType(), true);
    for (Value* h : live)  // core/reuse.hpp uses every token on every path
      if (tokenCells.count(h)) bug("a reuse token still held at a return");
    b.CreateRet(v);
    return nullptr;
  }
  return v;
}

// e's value as an owned object (or, in tail position, returned; nullptr then).
Value* Gen::gen(const Expr& e, bool tail) {
  Value* v = genV(e, tail);
  return tail ? v : box(v);
}

// e's value, raw (i64/double/i32/i1: no object, no count) where e computes it so (a scalar
// primitive, a raw variable, a call of a worker with a raw result), an owned object otherwise.
Value* Gen::genV(const Expr& e, bool tail) {
  switch (e.kind) {
    case Expr::Var: return result(var(e.var), tail);
    case Expr::Global: return result(global(e.name), tail);
    // literals are raw constants; boxed, they are the static objects (box)
    case Expr::LitInt: return result(b.getInt64(static_cast<uint64_t>(e.i)), tail);
    case Expr::LitFloat: return result(ConstantFP::get(dbl, e.f), tail);
    case Expr::LitChar: return result(b.getInt32(static_cast<uint32_t>(e.i)), tail);
    case Expr::LitString: return result(stringLit(e.s), tail);
    case Expr::App: return genApp(e, tail);
    case Expr::Lam: return result(genLam(e), tail);
    case Expr::Let: return genLet(e, tail);
    case Expr::LetRec: bug("LetRec reached codegen (liftLetRec not run)");
    case Expr::Con: return genCon(e, tail);
    case Expr::Proj: return genProj(e, tail);
    case Expr::Case: return genCase(e, tail);
    case Expr::LitCase: return genLitCase(e, tail);
    case Expr::Prim: return genPrim(e, tail);
    case Expr::Error:  // what the frame owns is dropped by the landing pad (rc.hpp rule 8)
      mayFail(rt["weir_rt_panic"], {cstring(e.s), cstring(e.loc)}, {});
      b.CreateUnreachable();
      return nullptr;
    case Expr::Dup: return genDup(e, tail);
    case Expr::Drop: return genDrop(e, tail);
    case Expr::FreeReuse:
      freeReuse(e.var);
      return genV(*e.args[0], tail);
  }
  bug("unknown expression kind");
}

// let x = e1 in e2: a raw value used boxed twice or more is boxed once here; a value known to
// be immortal (a literal, a comparison's result, a trmc worker's unit) is never counted.
Value* Gen::genLet(const Expr& e, bool tail) {
  Value* v = genV(*e.args[0], false);
  if (!v) return nullptr;
  if (isRaw(v)) {
    auto u = letUses.find(e.var);
    if (u != letUses.end() && u->second >= 2) v = box(v);
  }
  if (!isa<Constant>(v)) v->setName("v" + std::to_string(e.var));
  vars[e.var] = v;
  if (immortalExpr(*e.args[0]) || immortalResult(*e.args[0]) || trmcWorkerCall(*e.args[0])) {
    immortalVars.insert(e.var);
    consume(v);  // never counted, never dropped
  }
  return genV(*e.args[1], tail);
}

// A constructor application: a raw Bool, a static object (nullary, or every field static), or
// a new cell (the pending reuse cell when it has the size) that takes over its fields.
Value* Gen::genCon(const Expr& e, bool tail) {
  if (e.args.empty() && (e.name == "Prelude.True" || e.name == "Prelude.False"))
    return result(b.getInt1(e.tag == 1), tail);  // a raw Bool constant
  if (e.args.empty()) return result(nullary(e.tag), tail);
  if (Constant* c = staticCon(e)) {  // all fields static: no allocation (core/reuse.hpp gives it no token)
    if (e.token >= 0) freeReuse(e.token);
    return result(c, tail);
  }
  if (e.args.size() > 255) bug("constructor with more than 255 fields");
  if (e.tag < 0 || e.tag > 65535) bug("constructor tag out of range");
  std::vector<Value*> vs;
  for (size_t k = 0; k < e.args.size(); k++) {  // raw where the field is (fields.cpp)
    Value* v = genV(*e.args[k], false);
    if (!v) return nullptr;
    vs.push_back(convertField(v, e.name, k));
  }
  uint64_t size = 8 + 8 * vs.size();
  uint64_t head = conHeader(1, e.name, vs.size(), static_cast<uint64_t>(e.tag));
  Value* o;
  if (e.token >= 0) {  // in the cell of a dead scrutinee, if it was unique (core/reuse.hpp)
    o = reuseCell(e.token, size);
    store(ConstantInt::get(i64, head), o, 0);
  } else {
    o = alloc(size, head);
  }
  for (size_t k = 0; k < vs.size(); k++) storeField(o, e.name, k, vs[k]);
  for (Value* v : vs) if (!isRaw(v)) consume(v);
  own(o);
  return result(o, tail);
}

// Field e.index of a constructor (named e.name when the lowering knows it: a record's field may
// be a raw word): dup'ed out of it, then the constructor is dropped.
Value* Gen::genProj(const Expr& e, bool tail) {
  Value* o = gen(*e.args[0], false);
  if (!o) return nullptr;
  Value* fld = loadField(o, e.name, static_cast<size_t>(e.index));
  bool raw = isRaw(fld);
  if (!raw) dup(fld);
  if (!immortalExpr(*e.args[0])) drop(o);
  consume(o);
  if (!raw) own(fld);
  return result(fld, tail);
}

// Dup x; e (core/rc.hpp): a no-op for an immortal or raw x.
Value* Gen::genDup(const Expr& e, bool tail) {
  if (!immortalVars.count(e.var) && !isRaw(var(e.var))) {
    dup(var(e.var));
    own(var(e.var));
  }
  return genV(*e.args[0], tail);
}

// Drop x; e (core/rc.hpp): a no-op for an immortal or raw x, the scalar drop for a boxed scalar.
Value* Gen::genDrop(const Expr& e, bool tail) {
  if (e.token >= 0) bug("a drop-reuse that does not start its case alternative");  // specialiseAlt's
  if (immortalVars.count(e.var) || isRaw(var(e.var))) {}
  else if (scalarVars.count(e.var)) dropScalar(var(e.var));
  else drop(var(e.var));
  consume(var(e.var));
  return genV(*e.args[0], tail);
}

// A top-level name as a value: a function's static closure, or a CAF global's value.
Value* Gen::global(const std::string& name) {
  if (funcs.count(name)) return staticClosure(name);
  auto it = globals.find(name);
  if (it == globals.end()) bug("unknown global '" + name + "'");
  return b.CreateAlignedLoad(ptrT, it->second, Align(8));
}

}  // namespace weir::codegen
