// Call sites for library run-time errors (see callsite.hpp).
#include "core/callsite.hpp"

#include <map>
#include <set>

namespace weir::core {

namespace {

bool failing(const Expr& e) {
  if (e.kind == Expr::Error) return true;
  if (e.kind != Expr::Prim) return false;
  switch (e.prim) {
    case PrimOp::Error: case PrimOp::IntDiv: case PrimOp::IntMod: case PrimOp::IntQuot: case PrimOp::IntRem:
      return true;
    case PrimOp::CCall:   // Test.weir asks for its caller's location (an assertion's, a test's)
      return e.name == "weir_test_here";
    default:
      return false;
  }
}

template <class F>
void walk(Expr& e, const F& f) {
  f(e);
  forEachChild(e, [&](ExprPtr& c) { walk(*c, f); });
}

}  // namespace

void markLibraryCallSites(Program& p, const std::function<bool(const std::string&)>& inLibrary) {
  // Functions that can fail in the library, directly or through the functions they call.
  std::set<std::string> fails;
  std::map<std::string, std::set<std::string>> callers;  // callee -> functions calling it
  std::vector<std::string> work;
  for (auto& fn : p.functions) {
    bool direct = false;
    walk(*fn.body, [&](Expr& e) {
      if (failing(e) && inLibrary(e.loc)) {
        e.loc = kLibraryLocPrefix + e.loc;
        direct = true;
      }
      if (e.kind == Expr::App && e.args[0]->kind == Expr::Global) callers[e.args[0]->name].insert(fn.name);
    });
    if (direct && fails.insert(fn.name).second) work.push_back(fn.name);
  }
  for (auto& g : p.globals)
    walk(*g.body, [&](Expr& e) {
      if (failing(e) && inLibrary(e.loc)) e.loc = kLibraryLocPrefix + e.loc;
    });
  while (!work.empty()) {
    std::string f = work.back();
    work.pop_back();
    for (auto& c : callers[f])
      if (fails.insert(c).second) work.push_back(c);
  }
  auto keep = [&](Expr& e) {
    if (e.kind != Expr::App || e.loc.empty()) return;
    if (e.args[0]->kind != Expr::Global || !fails.count(e.args[0]->name)) e.loc.clear();
  };
  for (auto& fn : p.functions) walk(*fn.body, keep);
  for (auto& g : p.globals) walk(*g.body, keep);
}

}  // namespace weir::core
