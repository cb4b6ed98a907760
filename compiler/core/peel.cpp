#include "core/peel.hpp"

#include <map>
#include <unordered_map>

#include "core/copy.hpp"
#include "core/trmc.hpp"

namespace weir::core {

namespace {

// No call, no case, no let, no primitive: a variable, a literal, a global, or a constructor of
// those (at most an allocation).
bool cheap(const Expr& e) {
  if (isAtom(e)) return true;
  if (e.kind != Expr::Con) return false;
  for (auto& a : e.args)
    if (!isAtom(*a)) return false;
  return true;
}

// What a peelable function looks like: its body is a case on parameter `k` with a cheap
// alternative and one that is not.
struct Peelable {
  const Function* fn = nullptr;
  size_t k = 0;
};

// At most this many alternatives in a peeled case: a recursive function matching many literals
// is not copied to each of its call sites.
constexpr int MAX_PEELED_ALTERNATIVES = 8;

bool peelable(const Function& f, size_t& k) {
  if (f.trmcWorker || !f.body) return false;
  const Expr& b = *f.body;
  if (b.kind != Expr::Case && b.kind != Expr::LitCase) return false;
  k = f.params.size();
  for (size_t i = 0; i < f.params.size(); i++)
    if (f.params[i] == b.scrut) k = i;
  if (k == f.params.size()) return false;
  int cheapOnes = 0, others = 0;
  auto count = [&](const ExprPtr& body) { (cheap(*body) ? cheapOnes : others)++; };
  for (auto& a : b.alts) count(a.body);
  for (auto& a : b.litAlts) count(a.body);
  if (b.deflt) count(b.deflt);
  // The peeled case keeps the cheap alternatives and, when the default is cheap, a call for each
  // other one (else the default is the call).
  int kept = b.deflt && cheap(*b.deflt) ? cheapOnes + others : cheapOnes + 1;
  return cheapOnes > 0 && others > 0 && kept <= MAX_PEELED_ALTERNATIVES;
}

struct Peeler {
  Program& p;
  std::map<std::string, Peelable> peelables;
  std::string caller;   // the function being rewritten (its trmc worker counts as itself)
  int peeled = 0;

  explicit Peeler(Program& prog) : p(prog) {
    for (auto& f : p.functions) {
      size_t k = 0;
      if (peelable(f, k)) peelables[f.name] = {&f, k};
    }
  }

  // The peeled form of the saturated call `g(args)` (see peel.hpp).
  ExprPtr peel(const Peelable& g, Expr& call) {
    const Function& fn = *g.fn;
    std::vector<VarId> argVars;
    std::vector<std::pair<VarId, ExprPtr>> lets;
    for (size_t i = 1; i < call.args.size(); i++) {
      if (call.args[i]->kind == Expr::Var) {
        argVars.push_back(call.args[i]->var);
        continue;
      }
      VarId t = p.nextVar++;
      lets.push_back({t, call.args[i]});
      argVars.push_back(t);
    }
    std::unordered_map<VarId, VarId> params;
    for (size_t i = 0; i < fn.params.size(); i++) params[fn.params[i]] = argVars[i];
    auto callAgain = [&] {  // keeps the call site's location (core/callsite.hpp)
      std::vector<ExprPtr> as;
      for (VarId a : argVars) as.push_back(mkVar(a));
      ExprPtr again = mkApp(mkGlobal(fn.name), std::move(as));
      again->loc = call.loc;
      return again;
    };
    // A cheap body with the parameters renamed (and a case alternative's fields, to fresh ones,
    // which are appended to *freshFields).
    auto copyCheap = [&](const Expr& body, const std::vector<VarId>& fields = {},
                         std::vector<VarId>* freshFields = nullptr) {
      auto ren = params;
      for (VarId f : fields) freshFields->push_back(ren[f] = p.nextVar++);
      return copyFresh(body, p.nextVar, ren);
    };
    const Expr& b = *fn.body;
    bool cheapDefault = b.deflt && cheap(*b.deflt);
    ExprPtr out;
    if (b.kind == Expr::Case) {
      std::vector<Alt> alts;
      for (auto& a : b.alts) {
        bool c = cheap(*a.body);
        if (!c && !cheapDefault) continue;  // left to the default: the call
        Alt n{a.tag, {}, nullptr, a.con};
        if (c) n.body = copyCheap(*a.body, a.fields, &n.fields);
        else {
          for (size_t i = 0; i < a.fields.size(); i++) n.fields.push_back(p.nextVar++);
          n.body = callAgain();
        }
        alts.push_back(std::move(n));
      }
      out = mkCase(argVars[g.k], std::move(alts), cheapDefault ? copyCheap(*b.deflt) : callAgain());
    } else {
      std::vector<LitAlt> alts;
      for (auto& a : b.litAlts) {
        bool c = cheap(*a.body);
        if (!c && !cheapDefault) continue;
        LitAlt n = a;
        n.body = c ? copyCheap(*a.body) : callAgain();
        alts.push_back(std::move(n));
      }
      out = mkLitCase(argVars[g.k], std::move(alts), cheapDefault ? copyCheap(*b.deflt) : callAgain());
    }
    for (size_t i = lets.size(); i-- > 0;) out = mkLet(lets[i].first, lets[i].second, out);
    peeled++;
    return out;
  }

  // Rewrites the non-tail calls under slot; `tail` says whether slot is a tail position of the
  // function (a lambda's body is one of the lambda's, not of the function).
  void visit(ExprPtr& slot, bool tail) {
    Expr& e = *slot;
    switch (e.kind) {
      case Expr::Let:
        visit(e.args[0], false);
        visit(e.args[1], tail);
        return;
      case Expr::LetRec:
        for (auto& bd : e.binds) visit(bd.lam, false);
        visit(e.args[0], tail);
        return;
      case Expr::Lam:
        visit(e.args[0], true);
        return;
      case Expr::Case: case Expr::LitCase:
        for (auto& a : e.alts) visit(a.body, tail);
        for (auto& a : e.litAlts) visit(a.body, tail);
        if (e.deflt) visit(e.deflt, tail);
        return;
      case Expr::Dup: case Expr::Drop: case Expr::FreeReuse:
        visit(e.args[0], tail);
        return;
      default:
        break;
    }
    for (auto& a : e.args) visit(a, false);
    if (tail || e.kind != Expr::App || e.args[0]->kind != Expr::Global) return;
    auto it = peelables.find(e.args[0]->name);
    if (it == peelables.end() || trmcFunctionName(it->first) != caller) return;
    if (e.args.size() - 1 != it->second.fn->params.size()) return;
    slot = peel(it->second, e);
  }
};

}  // namespace

int peelBaseCases(Program& p) {
  Peeler peeler(p);
  if (peeler.peelables.empty()) return 0;
  for (auto& f : p.functions) {
    if (!f.body) continue;
    peeler.caller = trmcFunctionName(f.name);
    peeler.visit(f.body, true);
  }
  return peeler.peeled;
}

}  // namespace weir::core
