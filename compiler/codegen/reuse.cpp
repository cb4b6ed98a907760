// Perceus (core/rc.hpp): drop specialisation of a Case alternative that drops its scrutinee,
// and reuse of the scrutinee's cell, when it was unique, for a constructor of the same size on
// the alternative's straight-line path.
#include "codegen/context.hpp"

namespace weir::codegen {

// Frees a pending reuse cell (before control leaves the straight-line path).
void Gen::releaseReuse() {
  if (!reuse.cell) return;
  Value* cell = reuse.cell;
  uint64_t size = reuse.size;
  reuse = {};
  auto* fr = BasicBlock::Create(ctx, "reuse.free", cur);
  auto* cont = BasicBlock::Create(ctx, "reuse.done", cur);
  b.CreateCondBr(b.CreateIsNull(cell), cont, fr);
  b.SetInsertPoint(fr);
  b.CreateCall(freeCellFn, {cell, b.getInt64(size)});
  b.CreateBr(cont);
  b.SetInsertPoint(cont);
}

// Is there a constructor with n fields on the straight-line path of e (before any branch)?
bool Gen::reusable(const Expr& e, size_t n) {
  switch (e.kind) {
    case Expr::Con:
      for (auto& a : e.args) if (reusable(*a, n)) return true;
      return e.args.size() == n;
    case Expr::Case: case Expr::LitCase: case Expr::Lam: case Expr::LetRec: return false;
    default:
      for (auto& a : e.args) if (reusable(*a, n)) return true;
      return false;
  }
}

// Drop specialisation (Perceus): an alternative starting with `dup f_i...; drop scrut; rest`
// becomes: if scrut is unique, free its cell and drop the fields the branch does not use
// (the used ones are moved out); otherwise dup the used fields and decrement scrut.
const Expr* Gen::specialiseAlt(const core::Alt& a, VarId scrut, Value* s, const std::vector<Value*>& fields) {
  const Expr* e = a.body.get();
  std::set<VarId> duped;
  while (e->kind == Expr::Dup &&
         std::find(a.fields.begin(), a.fields.end(), e->var) != a.fields.end() && !duped.count(e->var)) {
    duped.insert(e->var);
    e = e->args[0].get();
  }
  if (e->kind != Expr::Drop || e->var != scrut || a.fields.empty()) return nullptr;
  uint64_t size = 8 + 8 * a.fields.size();
  bool keep = reusable(*e->args[0], a.fields.size());
  auto* uniq = BasicBlock::Create(ctx, "unique", cur);
  auto* shared = BasicBlock::Create(ctx, "shared", cur);
  auto* cont = BasicBlock::Create(ctx, "cont", cur);
  Value* rc = b.CreateAlignedLoad(i32, s, Align(8));
  b.CreateCondBr(b.CreateICmpEQ(rc, b.getInt32(1)), uniq, shared);
  b.SetInsertPoint(uniq);
  for (size_t k = 0; k < a.fields.size(); k++)
    if (!duped.count(a.fields[k])) drop(fields[k]);
  if (!keep) b.CreateCall(freeCellFn, {s, b.getInt64(size)});
  b.CreateBr(cont);
  b.SetInsertPoint(shared);
  for (size_t k = 0; k < a.fields.size(); k++)
    if (duped.count(a.fields[k])) dup(fields[k]);
  drop(s);  // count >= 2, immortal or shared: never frees here
  b.CreateBr(cont);
  b.SetInsertPoint(cont);
  for (size_t k = 0; k < a.fields.size(); k++)
    if (duped.count(a.fields[k])) own(fields[k]);
  consume(s);
  if (keep) {
    PHINode* cell = b.CreatePHI(ptrT, 2, "reuse");
    cell->addIncoming(s, uniq);
    cell->addIncoming(ConstantPointerNull::get(ptrT), shared);
    reuse = {cell, size};
  }
  return e->args[0].get();
}

// The pending reuse cell taken for a new constructor of its size (the caller checked): the
// dead scrutinee's cell, or a fresh one where it was shared (null at run time). The caller
// writes the header.
Value* Gen::reuseCell(uint64_t size) {
  Value* cell = reuse.cell;
  reuse = {};
  BasicBlock* here = b.GetInsertBlock();
  auto* fresh = BasicBlock::Create(ctx, "reuse.alloc", cur);
  auto* cont = BasicBlock::Create(ctx, "reuse.cont", cur);
  b.CreateCondBr(b.CreateIsNull(cell), fresh, cont);
  b.SetInsertPoint(fresh);
  Value* a = b.CreateCall(allocFn, {ConstantInt::get(i64, size)});
  b.CreateBr(cont);
  b.SetInsertPoint(cont);
  PHINode* phi = b.CreatePHI(ptrT, 2);
  phi->addIncoming(cell, here);
  phi->addIncoming(a, fresh);
  return phi;
}

}  // namespace weir::codegen
