// Tail recursion modulo constructor contexts (see trmc.hpp).
#include "core/trmc.hpp"

#include <cstdlib>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace weir::core {

namespace {

ExprPtr deepCopy(const ExprPtr& e) {
  auto r = std::make_shared<Expr>(*e);
  forEachChild(*r, [](ExprPtr& c) { c = deepCopy(c); });
  return r;
}

struct Pass {
  Program& prog;
  const Function& fn;
  std::string worker;

  VarId fresh() { return prog.nextVar++; }

  bool selfCall(const Expr& e) const {
    return e.kind == Expr::App && e.args[0]->kind == Expr::Global && e.args[0]->name == fn.name &&
           e.args.size() == fn.params.size() + 1;
  }

  // The argument indexes from constructor e down to the self-call that becomes the hole: the
  // last one in evaluation order after which only effect-free arguments are evaluated.
  bool findHole(const Expr& e, std::vector<int>& path) const {
    for (int j = static_cast<int>(e.args.size()) - 1; j >= 0; j--) {
      const Expr& a = *e.args[static_cast<size_t>(j)];
      if (selfCall(a)) {
        path = {j};
        return true;
      }
      std::vector<int> sub;
      if (a.kind == Expr::Con && !a.args.empty() && findHole(a, sub)) {
        path = {j};
        path.insert(path.end(), sub.begin(), sub.end());
        return true;
      }
      if (!isPure(a)) return false;
    }
    return false;
  }

  // Does some tail position of e hold a qualifying constructor context?
  bool qualifies(const Expr& e) const {
    switch (e.kind) {
      case Expr::Let: case Expr::LetRec: case Expr::Dup: case Expr::Drop:
        return qualifies(*e.args.back());
      case Expr::Case: case Expr::LitCase: {
        for (auto& a : e.alts) if (qualifies(*a.body)) return true;
        for (auto& a : e.litAlts) if (qualifies(*a.body)) return true;
        return e.deflt && qualifies(*e.deflt);
      }
      case Expr::Con: {
        std::vector<int> path;
        return !e.args.empty() && findHole(e, path);
      }
      default: return false;
    }
  }

  // Rewrites the tail positions of e: in the worker (dest set) every result is written to dest;
  // in the function itself (no dest) only the qualifying contexts change. Non-tail parts are
  // shared with e.
  ExprPtr rewrite(const ExprPtr& e, std::optional<VarId> dest) {
    switch (e->kind) {
      case Expr::Let: case Expr::LetRec: case Expr::Dup: case Expr::Drop: {
        auto r = std::make_shared<Expr>(*e);
        r->args.back() = rewrite(e->args.back(), dest);
        return r;
      }
      case Expr::Case: case Expr::LitCase: {
        auto r = std::make_shared<Expr>(*e);
        for (auto& a : r->alts) a.body = rewrite(a.body, dest);
        for (auto& a : r->litAlts) a.body = rewrite(a.body, dest);
        if (r->deflt) r->deflt = rewrite(r->deflt, dest);
        return r;
      }
      case Expr::Con: {
        std::vector<int> path;
        if (!e->args.empty() && findHole(*e, path)) return context(e, path, dest);
        break;
      }
      case Expr::App:
        if (dest && selfCall(*e)) {  // a plain self tail call keeps the destination
          auto r = std::make_shared<Expr>(*e);
          r->args[0] = mkGlobal(worker);
          r->args.push_back(mkVar(*dest));
          return r;
        }
        break;
      case Expr::Error: return e;  // exits: nothing to write
      default: break;
    }
    if (!dest) return e;
    return mkPrim(PrimOp::TrmcFill, {mkVar(*dest), e});
  }

  // The context e with the self-call at `path` (argument indexes, outermost first).
  ExprPtr context(const ExprPtr& e, const std::vector<int>& path, std::optional<VarId> dest) {
    std::vector<std::pair<VarId, ExprPtr>> lets;  // arguments evaluated before the call, in order
    std::vector<ExprPtr> spine;                   // copies of the constructors, outermost first
    ExprPtr at = e;
    for (int k : path) {
      auto c = std::make_shared<Expr>(*at);
      for (int j = 0; j < k; j++) {
        ExprPtr& a = c->args[static_cast<size_t>(j)];
        if (isAtom(*a)) continue;
        VarId t = fresh();
        lets.emplace_back(t, a);
        a = mkVar(t);
      }
      spine.push_back(c);
      at = at->args[static_cast<size_t>(k)];
    }
    auto call = std::make_shared<Expr>(*at);
    call->args[0] = mkGlobal(worker);
    // innermost cell with the hole, its address, then each enclosing cell around the previous
    spine.back()->args[static_cast<size_t>(path.back())] = mkPrim(PrimOp::TrmcHole, {});
    VarId cell = fresh();
    lets.emplace_back(cell, spine.back());
    VarId hole = fresh();
    auto field = mkPrim(PrimOp::TrmcField, {mkVar(cell)});
    field->index = path.back();
    lets.emplace_back(hole, field);
    for (size_t lvl = spine.size() - 1; lvl-- > 0;) {
      spine[lvl]->args[static_cast<size_t>(path[lvl])] = mkVar(cell);
      cell = fresh();
      lets.emplace_back(cell, spine[lvl]);
    }
    call->args.push_back(mkVar(hole));
    ExprPtr body;
    if (dest) {  // write the new cells to dest, loop on into the hole
      body = mkLet(fresh(), mkPrim(PrimOp::TrmcFill, {mkVar(*dest), mkVar(cell)}), call);
    } else {  // fill the hole once with the worker, return the cells
      body = mkLet(fresh(), call, mkVar(cell));
    }
    for (auto it = lets.rbegin(); it != lets.rend(); ++it) body = mkLet(it->first, it->second, body);
    return body;
  }
};

}  // namespace

int trmc(Program& p) {
  std::unordered_set<std::string> names;
  for (auto& f : p.functions) names.insert(f.name);
  std::vector<Function> workers;
  for (auto& f : p.functions) {
    if (f.trmcWorker || !f.body) continue;
    Pass pass{p, f, f.name + "$trmc"};
    if (names.count(pass.worker) || !pass.qualifies(*f.body)) continue;
    Function w;
    w.name = pass.worker;
    w.params = f.params;
    VarId dest = p.nextVar++;
    w.params.push_back(dest);
    w.body = pass.rewrite(deepCopy(f.body), dest);
    w.loc = f.loc;
    w.trmcWorker = true;
    f.body = pass.rewrite(f.body, std::nullopt);
    names.insert(w.name);
    workers.push_back(std::move(w));
  }
  int n = static_cast<int>(workers.size());
  for (auto& w : workers) p.functions.push_back(std::move(w));
  return n;
}

}  // namespace weir::core
