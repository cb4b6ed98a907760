// Case and LitCase: a switch on the constructor tag or the literal, each alternative lowered with
// what the frame owns before the branches, and the join of their values (a phi, raw when every
// branch gives the same raw type).
#include <algorithm>
#include <set>

#include "codegen/context.hpp"

namespace weir::codegen {

// The end of a branch with value v (nullptr: it does not return): into the join's phi.
void Gen::branchDone(Join& j, Value* v) {
  if (j.tail || !v) return;
  if (!j.block) j.block = BasicBlock::Create(ctx, "join", cur);
  j.incoming.push_back({v, b.GetInsertBlock()});
  b.CreateBr(j.block);
  consume(v);
  j.ends.push_back(live);
}

// The branches' values meet raw when they are all of one raw type; otherwise the raw ones are
// boxed at the end of their branch.
Value* Gen::joinResult(Join& j) {
  if (j.tail || j.incoming.empty()) return nullptr;
  Type* t = j.incoming[0].first->getType();
  for (auto& [v, bb] : j.incoming)
    if (v->getType() != t) t = ptrT;
  if (t == ptrT) {
    for (auto& [v, bb] : j.incoming) {
      if (!isRaw(v)) continue;
      b.SetInsertPoint(bb->getTerminator());
      v = boxValue(v);  // given to the phi (live is recomputed below)
    }
  }
  b.SetInsertPoint(j.block);
  PHINode* phi = b.CreatePHI(t, static_cast<unsigned>(j.incoming.size()));
  for (auto& [v, bb] : j.incoming) phi->addIncoming(v, bb);
  live = common(j.before, j.ends);
  bool immortal = true;  // every branch gives a constant: so does the phi
  for (auto& [v, bb] : j.incoming) immortal = immortal && isa<Constant>(v);
  if (!immortal) own(phi);
  return phi;
}

// case x of alternatives: a switch on the tag (a raw Bool is its own tag), each alternative
// with the fields bound and drop-specialised (reuse.cpp).
Value* Gen::genCase(const Expr& e, bool tail) {
  Value* s = var(e.scrut);
  // A raw scrutinee is a Bool (its own tag). Any other raw value, or a Bool matched with fields,
  // is a record field read at another type than its shape holds, in code that never runs
  // (convert, raw.cpp): boxed, so the IR stays valid.
  bool fields = std::any_of(e.alts.begin(), e.alts.end(), [](const core::Alt& a) { return !a.fields.empty(); });
  if (isRaw(s) && (!s->getType()->isIntegerTy(1) || fields)) s = box(s);
  Join j{tail};
  j.before = live;
  auto genAlt = [&](const core::Alt& a) {
    live = j.before;
    std::vector<Value*> fields;
    for (size_t k = 0; k < a.fields.size(); k++) {
      Value* fv = loadField(s, a.con, k);  // a raw field is a raw variable (fields.cpp)
      fv->setName("v" + std::to_string(a.fields[k]));
      vars[a.fields[k]] = fv;
      fields.push_back(fv);
    }
    const Expr* body = specialiseAlt(a, e.scrut, s, fields);
    branchDone(j, genV(body ? *body : *a.body, tail));
  };
  if (e.alts.size() == 1 && !e.deflt) {
    genAlt(e.alts[0]);
    return joinResult(j);
  }
  // a raw Bool is its own tag (False 0, True 1)
  Value* tag = isRaw(s) ? b.CreateZExt(s, i16) : b.CreateLoad(i16, gep(s, OFF_TAG));
  auto* dflt = BasicBlock::Create(ctx, e.deflt ? "default" : "nomatch", cur);
  SwitchInst* sw = b.CreateSwitch(tag, dflt, static_cast<unsigned>(e.alts.size()));
  for (auto& a : e.alts) {
    auto* bb = BasicBlock::Create(ctx, "tag" + std::to_string(a.tag), cur);
    sw->addCase(b.getInt16(static_cast<uint16_t>(a.tag)), bb);
    b.SetInsertPoint(bb);
    genAlt(a);
  }
  b.SetInsertPoint(dflt);
  live = j.before;
  if (e.deflt) branchDone(j, genV(*e.deflt, tail));
  else b.CreateUnreachable();
  return joinResult(j);
}

// A case on an Int, Char or String literal: a switch, or for strings a chain of comparisons.
Value* Gen::genLitCase(const Expr& e, bool tail) {
  Value* s = var(e.scrut);
  bool stringAlts = !e.litAlts.empty() && e.litAlts[0].kind == core::LitAlt::String;
  if (isRaw(s) && (stringAlts || s->getType() == dbl)) s = box(s);  // as in genCase: code that never runs
  Join j{tail};
  j.before = live;
  if (!e.deflt) bug("LitCase without default");
  bool strings = !e.litAlts.empty() && e.litAlts[0].kind == core::LitAlt::String;
  auto* dflt = BasicBlock::Create(ctx, "default", cur);
  if (strings) {
    for (auto& a : e.litAlts) {
      auto* yes = BasicBlock::Create(ctx, "lit", cur);
      auto* no = BasicBlock::Create(ctx, "next", cur);
      Value* c = b.CreateCall(rt["weir_string_cmp_raw"], {s, stringLit(a.s)});
      b.CreateCondBr(b.CreateICmpEQ(c, b.getInt32(0)), yes, no);
      b.SetInsertPoint(yes);
      live = j.before;
      branchDone(j, genV(*a.body, tail));
      b.SetInsertPoint(no);
    }
    b.CreateBr(dflt);
  } else if (!e.litAlts.empty()) {
    bool chars = e.litAlts[0].kind == core::LitAlt::Char;
    Value* v = isRaw(s) ? s : chars ? b.CreateLoad(i32, gep(s, OFF_VALUE)) : loadI64(s, OFF_VALUE);
    if (v->getType() != i64) v = b.CreateZExt(v, i64);
    SwitchInst* sw = b.CreateSwitch(v, dflt, static_cast<unsigned>(e.litAlts.size()));
    std::set<int64_t> seen;
    for (auto& a : e.litAlts) {
      if (!seen.insert(a.i).second) continue;  // first match wins
      auto* bb = BasicBlock::Create(ctx, "lit", cur);
      sw->addCase(b.getInt64(static_cast<uint64_t>(a.i)), bb);
      b.SetInsertPoint(bb);
      live = j.before;
      branchDone(j, genV(*a.body, tail));
    }
  } else {
    b.CreateBr(dflt);
  }
  b.SetInsertPoint(dflt);
  live = j.before;
  branchDone(j, genV(*e.deflt, tail));
  return joinResult(j);
}

}  // namespace weir::codegen
