// Tail recursion modulo constructor contexts (see trmc.hpp).
#include "core/trmc.hpp"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "support/scc.hpp"

namespace weir::core {

namespace {

ExprPtr deepCopy(const ExprPtr& e) {
  auto r = std::make_shared<Expr>(*e);
  forEachChild(*r, [](ExprPtr& c) { c = deepCopy(c); });
  return r;
}

struct Pass {
  Program& prog;
  // The functions that get a worker together (one strongly connected component of the
  // tail-call graph, see trmc()): a saturated call to one of them in a hole or in a worker's
  // tail position goes to its worker. Usually just the function itself.
  const std::unordered_map<std::string, std::pair<size_t, std::string>>& group;  // name -> arity, worker

  VarId fresh() { return prog.nextVar++; }

  // The worker for call e, or null when e is not a saturated call to a member of the group.
  const std::string* memberCall(const Expr& e) const {
    if (e.kind != Expr::App || e.args[0]->kind != Expr::Global) return nullptr;
    auto it = group.find(e.args[0]->name);
    if (it == group.end() || e.args.size() != it->second.first + 1) return nullptr;
    return &it->second.second;
  }
  bool selfCall(const Expr& e) const { return memberCall(e) != nullptr; }

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
        if (dest && selfCall(*e)) {  // a plain tail call in the group keeps the destination
          auto r = std::make_shared<Expr>(*e);
          r->args[0] = mkGlobal(*memberCall(*e));
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
    call->args[0] = mkGlobal(*memberCall(*at));
    // innermost cell with the hole, its address, then each enclosing cell around the previous
    spine.back()->args[static_cast<size_t>(path.back())] = mkPrim(PrimOp::TrmcHole, {});
    VarId cell = fresh();
    lets.emplace_back(cell, spine.back());
    VarId hole = fresh();
    auto field = mkPrim(PrimOp::TrmcField, {mkVar(cell)});
    field->index = path.back();
    field->name = spine.back()->name;  // the constructor: codegen finds the field's word in its layout
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

// The saturated calls to functions of p in the tail positions of e, and in the holes a
// constructor context in tail position could have (its arguments up to the first effectful one,
// from the last): the edges of the tail-call graph.
void tailCalls(const Expr& e, const std::unordered_map<std::string, size_t>& index, const Program& p,
               std::vector<size_t>& out) {
  switch (e.kind) {
    case Expr::Let: case Expr::LetRec: case Expr::Dup: case Expr::Drop:
      tailCalls(*e.args.back(), index, p, out);
      return;
    case Expr::Case: case Expr::LitCase:
      for (auto& a : e.alts) tailCalls(*a.body, index, p, out);
      for (auto& a : e.litAlts) tailCalls(*a.body, index, p, out);
      if (e.deflt) tailCalls(*e.deflt, index, p, out);
      return;
    case Expr::Con:
      for (size_t j = e.args.size(); j-- > 0;) {
        const Expr& a = *e.args[j];
        if (a.kind == Expr::App || a.kind == Expr::Con) tailCalls(a, index, p, out);
        if (!isPure(a)) return;
      }
      return;
    case Expr::App: {
      if (e.args[0]->kind != Expr::Global) return;
      auto it = index.find(e.args[0]->name);
      if (it != index.end() && e.args.size() == p.functions[it->second].params.size() + 1) out.push_back(it->second);
      return;
    }
    default: return;
  }
}

// Strongly connected components of the tail-call graph among the candidates.
std::vector<std::vector<size_t>> components(const Program& p, const std::vector<size_t>& candidates) {
  std::unordered_map<std::string, size_t> index;
  for (size_t c : candidates) index[p.functions[c].name] = c;
  std::vector<std::vector<size_t>> edges(p.functions.size());
  for (size_t c : candidates) tailCalls(*p.functions[c].body, index, p, edges[c]);
  return support::stronglyConnected(edges, &candidates);
}

const std::string kWorkerSuffix = "$trmc";

}  // namespace

std::string trmcWorkerName(const std::string& name) { return name + kWorkerSuffix; }

std::string trmcFunctionName(const std::string& name) {
  bool worker = name.size() > kWorkerSuffix.size() &&
                name.compare(name.size() - kWorkerSuffix.size(), kWorkerSuffix.size(), kWorkerSuffix) == 0;
  return worker ? name.substr(0, name.size() - kWorkerSuffix.size()) : name;
}

int trmc(Program& p) {
  std::unordered_set<std::string> names;
  for (auto& f : p.functions) names.insert(f.name);
  // Candidates: functions not transformed yet (a second run sees only the newly lifted ones).
  std::vector<size_t> candidates;
  for (size_t k = 0; k < p.functions.size(); k++) {
    const Function& f = p.functions[k];
    if (!f.trmcWorker && f.body && !names.count(trmcWorkerName(f.name))) candidates.push_back(k);
  }
  // Functions that call each other in tail position get their workers together: the loops of
  // a nested list comprehension (core/lower/comprehension.cpp) -- the inner loop's last step
  // calls the outer one, which calls the inner one again -- then stay in constant stack, each
  // worker tail-calling the other's with the destination.
  std::vector<Function> workers;
  for (auto& comp : components(p, candidates)) {
    std::unordered_map<std::string, std::pair<size_t, std::string>> group;
    for (size_t k : comp) group[p.functions[k].name] = {p.functions[k].params.size(), trmcWorkerName(p.functions[k].name)};
    Pass pass{p, group};
    bool any = false;
    for (size_t k : comp) any = any || pass.qualifies(*p.functions[k].body);
    if (!any) continue;
    for (size_t k : comp) {
      Function& f = p.functions[k];
      Function w;
      w.name = trmcWorkerName(f.name);
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
  }
  int n = static_cast<int>(workers.size());
  for (auto& w : workers) p.functions.push_back(std::move(w));
  return n;
}

}  // namespace weir::core
