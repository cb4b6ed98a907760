// Builders for small Core inputs in the core pass tests (a list is Nil | Cons h t), and what
// those tests check on the output: how often a text occurs in printed Core, whether every
// variable of a function is bound once (rc insertion and codegen key their maps on variable ids).
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "core/core.hpp"
#include "core/rc.hpp"
#include "core/verify.hpp"

namespace core_test {
using namespace weir::core;
inline ExprPtr v(VarId x) { return mkVar(x); }
inline ExprPtr call(const char* f, std::vector<ExprPtr> args) { return mkApp(mkGlobal(f), std::move(args)); }
inline ExprPtr nil() { return mkCon(0, "Nil", {}); }
inline ExprPtr cons(ExprPtr h, ExprPtr t) { return mkCon(1, "Cons", {std::move(h), std::move(t)}); }

// A program of these functions, entry `M.main`, fresh variables from 100 (the inputs number
// theirs below).
inline Program programOf(std::vector<Function> fs) {
  Program p;
  p.functions = std::move(fs);
  p.entry = "M.main";
  p.nextVar = 100;
  return p;
}

inline int count(const std::string& s, const std::string& needle) {
  int n = 0;
  for (size_t pos = s.find(needle); pos != std::string::npos; pos = s.find(needle, pos + 1)) n++;
  return n;
}

inline void collectBinders(const Expr& e, std::set<VarId>& seen, bool& twice) {
  auto bind = [&](VarId x) { if (!seen.insert(x).second) twice = true; };
  if (e.kind == Expr::Let) bind(e.var);
  for (VarId q : e.params) bind(q);
  for (auto& b : e.binds) bind(b.var);
  for (auto& a : e.alts) for (VarId f : a.fields) bind(f);
  forEachChild(const_cast<Expr&>(e), [&](ExprPtr& c) { collectBinders(*c, seen, twice); });
}
inline bool eachVariableBoundOnce(const Function& f) {
  std::set<VarId> seen(f.params.begin(), f.params.end());
  bool twice = false;
  collectBinders(*f.body, seen, twice);
  return !twice;
}

// What every Core pass must leave: a program the Core verifier accepts (core/verify.hpp: each
// variable bound before use and once in each function, ...), and that rc insertion then
// accepts (the verifiers' message in `err` otherwise).
inline bool passOutputValid(const Program& input, std::string& err) {
  Program p = input;
  bool hasEntry = false;  // many inputs name M.main as the entry without defining it
  for (auto& f : p.functions) hasEntry = hasEntry || f.name == p.entry;
  for (auto& g : p.globals) hasEntry = hasEntry || g.name == p.entry;
  if (!hasEntry) p.entry.clear();
  if (!verify(p, {}, err)) return false;
  for (auto& f : p.functions)
    if (!eachVariableBoundOnce(f)) {
      err = f.name + " binds a variable twice";
      return false;
    }
  Program rc = p;
  insertRc(rc);
  return verify(rc, {true, true}, err);
}

// A pass's output program with its statistics: a function by name, its printed body
// ("<removed>" when the pass removed it).
template <class Stats>
struct PassResult {
  Program p;
  Stats stats;
  std::string text;
  const Function* fn(const std::string& name) const {
    for (auto& f : p.functions) if (f.name == name) return &f;
    return nullptr;
  }
  std::string body(const std::string& name) const {
    auto f = fn(name);
    return f ? print(*f->body) : "<removed>";
  }
};
// Runs `pass` over a program of `fs` (entry M.main) and checks its output with passOutputValid.
template <class Stats, class Pass>
PassResult<Stats> runPassChecked(std::vector<Function> fs, std::vector<Global> gs, Pass pass) {
  PassResult<Stats> r;
  r.p.functions = std::move(fs);
  r.p.globals = std::move(gs);
  r.p.entry = "M.main";
  r.p.nextVar = 1000;
  r.stats = pass(r.p);
  r.text = print(r.p);
  std::string err;
  bool valid = passOutputValid(r.p, err);
  INFO(r.text);
  INFO(err);
  CHECK(valid);
  return r;
}
}  // namespace core_test
