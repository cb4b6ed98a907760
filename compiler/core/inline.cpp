// The whole-program side of the simplifier (see simplify.hpp): which calls are inlined, the
// order functions are simplified in (callees first), and removal of functions no longer called.
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/callsite.hpp"
#include "core/simplifier.hpp"
#include "support/scc.hpp"

namespace weir::core {

namespace {

template <class F>
void walk(const Expr& e, const F& f) {
  f(e);
  forEachChild(const_cast<Expr&>(e), [&](ExprPtr& c) { walk(*c, f); });
}

bool failing(const Expr& e) {
  return (e.kind == Expr::Error || e.kind == Expr::Prim) && e.loc.rfind(kLibraryLocPrefix, 0) == 0;
}

struct Inliner {
  Program& p;
  const SimplifyOptions& opts;
  SimplifyStats stats;
  std::unordered_map<std::string, size_t> index;  // function name -> position in p.functions
  std::unordered_map<std::string, size_t> arities;  // function name -> number of parameters

  // Per function, filled as it is simplified:
  struct Info {
    std::vector<size_t> callees;  // functions it refers to (calls or values)
    int refs = 0;                 // references to it in the whole program
    bool recursive = false;       // in a cycle of the reference graph
    bool done = false;            // simplified: its body may be copied
    int size = 0;
    bool plainCalls = false;      // has a call that records no call site (see below)
    bool testHere = false;        // asks the runtime for its caller's location
  };
  std::vector<Info> info;

  Inliner(Program& prog, const SimplifyOptions& o) : p(prog), opts(o) {}

  void references() {
    info.assign(p.functions.size(), {});
    for (size_t i = 0; i < p.functions.size(); i++) {
      index[p.functions[i].name] = i;
      arities[p.functions[i].name] = p.functions[i].params.size();
    }
    auto scan = [&](const Expr& body, Info* in) {
      walk(body, [&](const Expr& e) {
        if (e.kind == Expr::Global) {
          auto it = index.find(e.name);
          if (it == index.end()) return;
          info[it->second].refs++;
          if (in) in->callees.push_back(it->second);
        }
      });
    };
    for (size_t i = 0; i < p.functions.size(); i++) scan(*p.functions[i].body, &info[i]);
    for (auto& g : p.globals) scan(*g.body, nullptr);
    auto entry = index.find(p.entry);
    if (entry != index.end()) info[entry->second].refs += 2;  // called from outside: never "once"
  }

  // Strongly connected components of the call graph, callees first; a function calling itself
  // or in a component of several is recursive.
  std::vector<size_t> order;
  void components() {
    std::vector<std::vector<size_t>> edges(p.functions.size());
    for (size_t v = 0; v < edges.size(); v++) {
      edges[v].assign(info[v].callees.begin(), info[v].callees.end());
      for (size_t w : edges[v])
        if (w == v) info[v].recursive = true;
    }
    for (auto& comp : support::stronglyConnected(edges)) {
      if (comp.size() > 1)
        for (size_t c : comp) info[c].recursive = true;
      order.insert(order.end(), comp.begin(), comp.end());
    }
  }

  // The call to replace, or nullptr. A call that records its site (it calls a function that
  // can fail inside the library, callsite.hpp) is inlined only when every way the copy can fail
  // in the library is one of its own failing operations, which then take the call's location;
  // a call inside the copy that records none would otherwise report a stale call site.
  ExprPtr inlineCall(const Expr& call) {
    auto it = index.find(call.args[0]->name);
    if (it == index.end()) return nullptr;
    const Function& f = p.functions[it->second];
    const Info& in = info[it->second];
    if (!in.done || in.recursive || in.testHere || call.args.size() - 1 < f.params.size()) return nullptr;
    bool once = in.refs == 1;
    if (in.size > (once ? opts.inlineOnceSize : opts.inlineSize)) return nullptr;
    if (!call.loc.empty() && in.plainCalls) return nullptr;
    std::unordered_map<VarId, VarId> ren;
    std::vector<VarId> params;
    for (VarId q : f.params) params.push_back(ren[q] = p.nextVar++);
    ExprPtr body = simp::copyFresh(*f.body, p.nextVar, std::move(ren));
    if (!call.loc.empty())
      walk(*body, [&](const Expr& e) {
        if (failing(e)) const_cast<Expr&>(e).loc = call.loc;
      });
    return simp::bindArgs(params, body, call, p.nextVar);
  }

  void finish(size_t i) {
    Info& in = info[i];
    const Function& f = p.functions[i];
    in.size = coreSize(*f.body);
    walk(*f.body, [&](const Expr& e) {
      if (e.kind == Expr::App && e.loc.empty()) in.plainCalls = true;
      if (e.kind == Expr::Prim && e.prim == PrimOp::CCall && e.name == "weir_test_here") in.testHere = true;
    });
    in.done = true;
  }

  ExprPtr rewrite(const ExprPtr& body) {
    simp::Rewriter rw(p, opts, stats);
    rw.inliner = [&](const Expr& call) { return inlineCall(call); };
    rw.fuel = opts.inlinesPerFunction;
    rw.arities = &arities;
    return rw.run(body);
  }

  // Keeps the functions the entry point and the globals still refer to.
  void removeUnused() {
    if (p.entry.empty()) return;
    std::unordered_map<std::string, size_t> idx;
    for (size_t i = 0; i < p.functions.size(); i++) idx[p.functions[i].name] = i;
    std::vector<bool> live(p.functions.size(), false);
    std::vector<size_t> work;
    auto mark = [&](const Expr& body) {
      walk(body, [&](const Expr& e) {
        if (e.kind != Expr::Global) return;
        auto it = idx.find(e.name);
        if (it != idx.end() && !live[it->second]) {
          live[it->second] = true;
          work.push_back(it->second);
        }
      });
    };
    if (auto it = idx.find(p.entry); it != idx.end()) {
      live[it->second] = true;
      work.push_back(it->second);
    }
    for (auto& g : p.globals) mark(*g.body);
    while (!work.empty()) {
      size_t i = work.back();
      work.pop_back();
      mark(*p.functions[i].body);
    }
    std::vector<Function> kept;
    for (size_t i = 0; i < p.functions.size(); i++)
      if (live[i]) kept.push_back(std::move(p.functions[i]));
      else stats.removed++;
    p.functions = std::move(kept);
  }

  void run() {
    references();
    components();
    for (size_t i : order) {
      p.functions[i].body = rewrite(p.functions[i].body);
      finish(i);
    }
    for (auto& g : p.globals) g.body = rewrite(g.body);
    removeUnused();
  }
};

}  // namespace

SimplifyStats simplify(Program& p, const SimplifyOptions& opts) {
  Inliner in(p, opts);
  in.run();
  return in.stats;
}

}  // namespace weir::core
