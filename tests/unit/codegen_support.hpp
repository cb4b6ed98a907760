// Shared by the codegen tests: running a Core program (codegen_run.cpp) and a small
// builder for hand-written Core programs.
#pragma once
#include <string>
#include <vector>

#include "core/core.hpp"

namespace weir::test {

struct RunResult {
  std::string out, err;
  int status = -1;
};

// What codegen takes: p after the back end's passes of the pipeline (core/pipeline.hpp, from
// lift-letrec to the end: Dup/Drop, representations), with the Core verifier after each when
// `verify`. rcInserted: p already has its Dup/Drop (written by hand): only the representations
// are chosen, and p is not verified (tests of the leak checkers leak on purpose).
core::Program finished(core::Program p, bool rcInserted = false, bool verify = true);

// The LLVM IR codegen emits at -O0 for finished(p) (the test fails when codegen refuses it).
std::string irAtO0(const core::Program& p);

// Compiles p at -O`opt` (after finished(p, rcInserted)), links it with the runtime, runs it and
// captures its output.
RunResult compileAndRun(const core::Program& p, int opt, const std::string& prefix = "", bool rcInserted = false);

// A tiny builder for test programs.
struct P {
  core::Program prog;
  core::VarId fresh() { return prog.nextVar++; }
  void fn(const std::string& name, std::vector<core::VarId> params, core::ExprPtr body) {
    prog.functions.push_back(core::Function{name, std::move(params), std::move(body), ""});
  }
  // Main.main world = body
  void main(core::ExprPtr body) {
    core::VarId w = fresh();
    fn("Main.main", {w}, std::move(body));
    prog.entry = "Main.main";
  }
};

inline core::ExprPtr prim(core::PrimOp op, std::vector<core::ExprPtr> as, std::string loc = "") {
  return core::mkPrim(op, std::move(as), std::move(loc));
}
inline core::ExprPtr putLn(core::ExprPtr s) { return prim(core::PrimOp::PutStrLn, {std::move(s)}); }
inline core::ExprPtr showI(core::ExprPtr i) { return prim(core::PrimOp::ShowInt, {std::move(i)}); }
inline core::ExprPtr call(const std::string& f, std::vector<core::ExprPtr> as) {
  return core::mkApp(core::mkGlobal(f), std::move(as));
}
// if c then t else e   (c is a Bool expression)
inline core::ExprPtr ifte(P& p, core::ExprPtr c, core::ExprPtr t, core::ExprPtr e) {
  core::VarId b = p.fresh();
  return core::mkLet(b, std::move(c),
                     core::mkCase(b, {core::Alt{1, {}, std::move(t)}, core::Alt{0, {}, std::move(e)}}));
}
// a; b   (sequencing IO effects inside one world-taking function)
inline core::ExprPtr seq(P& p, core::ExprPtr a, core::ExprPtr b) { return core::mkLet(p.fresh(), std::move(a), std::move(b)); }

// Main.build n = if n == 0 then [] else n : build (n - 1)   (a list of n Ints; a loop after trmc)
inline void defineBuild(P& p) {
  using namespace core;
  VarId n = p.fresh();
  p.fn("Main.build", {n},
       ifte(p, prim(PrimOp::IntEq, {mkVar(n), mkInt(0)}), mkCon(0, "[]", {}),
            mkCon(1, ":", {mkVar(n), call("Main.build", {prim(PrimOp::IntSub, {mkVar(n), mkInt(1)})})})));
}

// main = case weir_catch (\_ _ -> work) of Left s -> putStrLn s; Right _ -> putStrLn "not caught"
inline void catchingMain(P& p, core::ExprPtr work) {
  using namespace core;
  VarId u = p.fresh(), w = p.fresh(), e = p.fresh(), s = p.fresh(), v = p.fresh();
  p.main(mkLet(e, mkCCall("weir_catch", {mkLam({u}, mkLam({w}, std::move(work)))}),
               mkCase(e, {Alt{0, {s}, putLn(mkVar(s))}, Alt{1, {v}, putLn(mkString("not caught"))}})));
}

// The text of one function `define ... @name(...) { ... }` of an LLVM module's text ("" if absent).
inline std::string functionText(const std::string& ir, const std::string& name) {
  auto at = ir.find("@" + name + "(");
  while (at != std::string::npos && ir.rfind("define", at) < ir.rfind('\n', at)) at = ir.find("@" + name + "(", at + 1);
  if (at == std::string::npos) return "";
  auto start = ir.rfind("define", at);
  return ir.substr(start, ir.find("\n}\n", at) - start);
}

}  // namespace weir::test
