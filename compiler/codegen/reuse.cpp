// Perceus (core/rc.hpp, core/reuse.hpp): drop specialisation of a Case alternative that drops
// its scrutinee, and the reuse tokens: the scrutinee's cell, when it was unique, kept for the
// constructor core/reuse.hpp chose, or freed by a free-reuse on the paths that have none.
#include "codegen/context.hpp"

namespace weir::codegen {

// Drop specialisation (Perceus): an alternative starting with `dup f_i...; drop scrut; rest`
// (core::scrutineeDrop) becomes: if scrut is unique, free its cell -- or keep it as the
// drop-reuse's token -- and drop the fields the branch does not use (the used ones are moved
// out); if it is immortal (count 0), do nothing: everything an immortal object points to is
// immortal (static constants, weir_mark_immortal), so the fields need no dup either -- a walk
// over a tree whose leaves are one static `Node Nil Nil` passes each leaf with one compare;
// otherwise dup the used fields and decrement scrut (the token is null).
const Expr* Gen::specialiseAlt(const core::Alt& a, VarId scrut, Value* s, const std::vector<Value*>& fields) {
  const Expr* e = core::scrutineeDrop(a, scrut);
  if (!e || a.fields.empty()) return nullptr;
  std::set<VarId> duped;
  for (const Expr* d = a.body.get(); d != e; d = d->args[0].get()) duped.insert(d->var);
  uint64_t size = 8 + 8 * a.fields.size();
  bool keep = e->token >= 0;
  auto* uniq = BasicBlock::Create(ctx, "unique", cur);
  auto* notUniq = BasicBlock::Create(ctx, "not.unique", cur);
  auto* immortal = BasicBlock::Create(ctx, "immortal", cur);
  auto* shared = BasicBlock::Create(ctx, "shared", cur);
  auto* cont = BasicBlock::Create(ctx, "cont", cur);
  Value* rc = b.CreateAlignedLoad(i32, s, Align(8));
  b.CreateCondBr(b.CreateICmpEQ(rc, b.getInt32(1)), uniq, notUniq);
  b.SetInsertPoint(notUniq);
  b.CreateCondBr(b.CreateICmpEQ(rc, b.getInt32(0)), immortal, shared);
  b.SetInsertPoint(immortal);
  b.CreateBr(cont);
  b.SetInsertPoint(uniq);
  for (size_t k = 0; k < a.fields.size(); k++)  // a raw field has no count
    if (!duped.count(a.fields[k]) && !isRaw(fields[k])) drop(fields[k]);
  if (!keep) b.CreateCall(freeCellFn, {s, b.getInt64(size)});
  b.CreateBr(cont);
  b.SetInsertPoint(shared);
  for (size_t k = 0; k < a.fields.size(); k++)
    if (duped.count(a.fields[k]) && !isRaw(fields[k])) dup(fields[k]);
  drop(s);  // count >= 2 or shared: never frees here
  b.CreateBr(cont);
  b.SetInsertPoint(cont);
  for (size_t k = 0; k < a.fields.size(); k++)
    if (duped.count(a.fields[k]) && !isRaw(fields[k])) own(fields[k]);
  consume(s);
  if (keep) {
    PHINode* cell = b.CreatePHI(ptrT, 3, "reuse");
    cell->addIncoming(s, uniq);
    cell->addIncoming(ConstantPointerNull::get(ptrT), immortal);
    cell->addIncoming(ConstantPointerNull::get(ptrT), shared);
    tokens[e->token] = {cell, size};
    tokenCells.insert(cell);
    own(cell);  // held: a landing pad frees it
  }
  return e->args[0].get();
}

// The cell of reuse token t for a new constructor of `size` bytes: the dead scrutinee's cell,
// or a fresh one where it was shared (null at run time). The caller writes the header.
Value* Gen::reuseCell(VarId t, uint64_t size) {
  auto it = tokens.find(t);
  if (it == tokens.end()) bug("reuse token v" + std::to_string(t) + " taken before it is bound");
  auto [cell, cellSize] = it->second;
  if (cellSize != size) bug("a constructor of " + std::to_string(size) + " bytes in a reuse cell of " + std::to_string(cellSize));
  consume(cell);
  BasicBlock* here = b.GetInsertBlock();
  auto* fresh = BasicBlock::Create(ctx, "reuse.alloc", cur);
  auto* cont = BasicBlock::Create(ctx, "reuse.cont", cur);
  b.CreateCondBr(b.CreateIsNull(cell), fresh, cont);
  b.SetInsertPoint(fresh);
  Value* a = allocCell(size);
  b.CreateBr(cont);
  b.SetInsertPoint(cont);
  PHINode* phi = b.CreatePHI(ptrT, 2);
  phi->addIncoming(cell, here);
  phi->addIncoming(a, fresh);
  return phi;
}

// free-reuse t: the token's cell is not needed on this path; freed if there is one.
void Gen::freeReuse(VarId t) {
  auto it = tokens.find(t);
  if (it == tokens.end()) bug("reuse token v" + std::to_string(t) + " freed before it is bound");
  auto [cell, size] = it->second;
  consume(cell);
  auto* fr = BasicBlock::Create(ctx, "reuse.free", cur);
  auto* cont = BasicBlock::Create(ctx, "reuse.done", cur);
  b.CreateCondBr(b.CreateIsNull(cell), cont, fr);
  b.SetInsertPoint(fr);
  b.CreateCall(freeCellFn, {cell, b.getInt64(size)});
  b.CreateBr(cont);
  b.SetInsertPoint(cont);
}

}  // namespace weir::codegen
