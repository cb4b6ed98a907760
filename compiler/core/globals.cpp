// The top level of a whole program: what its entry point reaches, and the order its CAFs
// (globals) are initialised in. Run by the pass pipeline (core/pipeline.cpp).
#include "core/globals.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <set>

#include "support/scc.hpp"

namespace weir::core {

namespace {

// Globals referenced by an expression: all of them, and those in call position. `strict`:
// only those read while it is evaluated -- not those only under a lambda (a closure runs
// later), but a local function's (LetRec) in case it is called.
void globalRefs(const Expr& e, bool strict, std::set<std::string>& all, std::set<std::string>& called) {
  if (strict && e.kind == Expr::Lam) return;
  if (e.kind == Expr::Global) all.insert(e.name);
  if (e.kind == Expr::App && !e.args.empty()) {
    for (auto& a : e.args)
      if (a && a->kind == Expr::Global) called.insert(a->name);
  }
  for (auto& a : e.args) if (a) globalRefs(*a, strict, all, called);
  for (auto& b : e.binds) if (b.lam) globalRefs(*b.lam, false, all, called);
  for (auto& alt : e.alts) if (alt.body) globalRefs(*alt.body, strict, all, called);
  for (auto& alt : e.litAlts) if (alt.body) globalRefs(*alt.body, strict, all, called);
  if (e.deflt) globalRefs(*e.deflt, strict, all, called);
}

}  // namespace

// CAFs are initialised in an order where each only uses CAFs before it. A CAF depends
// on the CAFs it mentions, and on everything reachable from functions it calls or
// passes as arguments (a function stored in a constructor is not run at start-up).
void orderGlobals(Program& prog) {
  std::map<std::string, const Function*> funs;
  for (auto& f : prog.functions) funs[f.name] = &f;
  std::map<std::string, size_t> globalIdx;
  for (size_t i = 0; i < prog.globals.size(); ++i) globalIdx[prog.globals[i].name] = i;
  // CAFs reachable from each function (memoised, cycles tolerated).
  std::map<std::string, std::set<std::string>> funDeps;
  std::function<const std::set<std::string>&(const std::string&)> depsOf = [&](const std::string& fn) -> const std::set<std::string>& {
    auto it = funDeps.find(fn);
    if (it != funDeps.end()) return it->second;
    auto& out = funDeps[fn];
    std::set<std::string> all, called;
    globalRefs(*funs[fn]->body, false, all, called);
    std::vector<std::string> fs;
    for (auto& g : all) {
      if (globalIdx.count(g)) out.insert(g);
      else if (funs.count(g)) fs.push_back(g);
    }
    for (auto& g : fs) {
      const auto& sub = depsOf(g);
      funDeps[fn].insert(sub.begin(), sub.end());
    }
    return funDeps[fn];
  };
  std::vector<std::set<std::string>> deps(prog.globals.size());
  for (size_t i = 0; i < prog.globals.size(); ++i) {
    std::set<std::string> all, called;
    globalRefs(*prog.globals[i].body, false, all, called);
    for (auto& g : all) if (globalIdx.count(g)) deps[i].insert(g);
    for (auto& g : called)
      if (funs.count(g)) { const auto& s = depsOf(g); deps[i].insert(s.begin(), s.end()); }
  }
  // What each CAF reads while it is computed: references under a lambda are left out.
  // A recursive group of values whose back-references are under lambdas (parser
  // combinators, accepted by types/bindings.cpp) is ordered by these alone.
  std::vector<std::set<std::string>> strictDeps(prog.globals.size());
  for (size_t i = 0; i < prog.globals.size(); ++i) {
    std::set<std::string> all, called;
    globalRefs(*prog.globals[i].body, true, all, called);
    for (auto& g : all) if (globalIdx.count(g)) strictDeps[i].insert(g);
    for (auto& g : called)
      if (funs.count(g)) { const auto& s = depsOf(g); strictDeps[i].insert(s.begin(), s.end()); }
  }
  // Strongly connected components of all references, dependencies first; within a
  // component, strict references first.
  size_t n = prog.globals.size();
  std::vector<std::vector<size_t>> edges(n);
  for (size_t i = 0; i < n; ++i)
    for (auto& g : deps[i]) edges[i].push_back(globalIdx[g]);
  std::vector<std::vector<size_t>> comps = support::stronglyConnected(edges);
  std::vector<size_t> comp(n, SIZE_MAX);
  for (size_t c = 0; c < comps.size(); ++c) {
    std::sort(comps[c].begin(), comps[c].end());
    for (size_t i : comps[c]) comp[i] = c;
  }
  std::vector<Global> ordered;
  std::vector<int> state(n, 0);
  std::function<void(size_t)> visit = [&](size_t i) {
    if (state[i] != 0) return;  // 1: a strict cycle through functions: leave the order as declared
    state[i] = 1;
    for (auto& g : strictDeps[i]) if (comp[globalIdx[g]] == comp[i]) visit(globalIdx[g]);
    state[i] = 2;
    ordered.push_back(prog.globals[i]);
  };
  for (auto& c : comps)
    for (size_t i : c) visit(i);
  prog.globals = std::move(ordered);
}

// Keeps only what the entry point can reach (the whole Prelude is lowered, a
// program uses a little of it): smaller objects, faster builds.
void pruneUnreachable(Program& prog) {
  if (prog.entry.empty()) return;
  std::map<std::string, const Expr*> bodies;
  for (auto& f : prog.functions) bodies[f.name] = f.body.get();
  for (auto& g : prog.globals) bodies[g.name] = g.body.get();
  std::set<std::string> live;
  std::vector<std::string> work{prog.entry};
  while (!work.empty()) {
    std::string n = work.back();
    work.pop_back();
    if (!live.insert(n).second) continue;
    auto it = bodies.find(n);
    if (it == bodies.end() || !it->second) continue;
    std::set<std::string> all, called;
    globalRefs(*it->second, false, all, called);
    for (auto& r : all) if (!live.count(r)) work.push_back(r);
  }
  std::vector<Function> fs;
  for (auto& f : prog.functions) if (live.count(f.name)) fs.push_back(std::move(f));
  prog.functions = std::move(fs);
  std::vector<Global> gs;
  for (auto& g : prog.globals) if (live.count(g.name)) gs.push_back(std::move(g));
  prog.globals = std::move(gs);
}

}  // namespace weir::core
