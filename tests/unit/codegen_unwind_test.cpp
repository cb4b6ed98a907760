// Codegen: unwinding a caught run-time error (docs/architecture.md "Run-time errors: unwinding").
// A call that may fail while the frame owns something is an `invoke` whose landing pad drops it;
// a program that fails deep in a recursion inside weir_catch ends with no object alive.
#include <catch2/catch.hpp>

#include "codegen/codegen.hpp"
#include "core/core.hpp"

#include "codegen_support.hpp"

using namespace weir::core;
using namespace weir::test;
namespace cg = weir::codegen;

namespace {
// build n = if n == 0 then [] else n : build (n - 1)
// deep xs k = if k == 0 then error "boom" else xs : deep xs (k - 1)     (xs needed after the call)
// wrap k = let r = deep [] k in [r]                                      (owns nothing at the call)
// main = case weir_catch (\_ _ -> deep (build 1000) 300) of Left s -> putStrLn s; Right _ -> ...
P unwindProgram() {
  P p;
  defineBuild(p);
  VarId xs = p.fresh(), k = p.fresh(), r = p.fresh();
  p.fn("Main.deep", {xs, k},
       ifte(p, prim(PrimOp::IntEq, {mkVar(k), mkInt(0)}), mkError("boom", "t.weir:1:1"),
            mkLet(r, call("Main.deep", {mkVar(xs), prim(PrimOp::IntSub, {mkVar(k), mkInt(1)})}),
                  mkCon(1, ":", {mkVar(r), mkVar(xs)}))));
  VarId k2 = p.fresh(), r2 = p.fresh();
  p.fn("Main.wrap", {k2},
       mkLet(r2, call("Main.deep", {mkCon(0, "[]", {}), mkVar(k2)}), mkCon(1, ":", {mkVar(r2), mkCon(0, "[]", {})})));
  catchingMain(p, call("Main.deep", {call("Main.build", {mkInt(1000)}), mkInt(300)}));
  return p;
}

}  // namespace

TEST_CASE("a call that may fail while the frame owns a value is an invoke whose pad drops it", "[codegen][unwind]") {
  std::string ir = weir::test::irAtO0(unwindProgram().prog);
  std::string deep = functionText(ir, "Main.deep");
  INFO(deep);
  CHECK(deep.find("personality ptr @__gcc_personality_v0") != std::string::npos);
  CHECK(deep.find("invoke tailcc ptr @Main.deep(") != std::string::npos);
  CHECK(deep.find("landingpad { ptr, i32 }") != std::string::npos);
  // through the preserve_most wrapper (codegen/objects.cpp, slowCall)
  CHECK(deep.find("call preserve_mostcc void @weir.pm.weir_unwind_drop(ptr %v") != std::string::npos);
  CHECK(deep.find("resume { ptr, i32 }") != std::string::npos);
  // the error itself: what the frame owns there (xs) is dropped by the pad of weir_rt_panic
  CHECK(deep.find("invoke void @weir_rt_panic(") != std::string::npos);
  std::string wrap = functionText(ir, "Main.wrap");
  INFO(wrap);
  CHECK(wrap.find("call tailcc ptr @Main.deep(") != std::string::npos);
  CHECK(wrap.find("invoke") == std::string::npos);      // it owns nothing at the call
  CHECK(wrap.find("landingpad") == std::string::npos);
}

TEST_CASE("an error deep in a recursion inside weir_catch frees what every frame held", "[codegen][unwind]") {
  for (int opt : {0, 2}) {
    auto r = compileAndRun(unwindProgram().prog, opt, "WEIR_LEAK_CHECK=1");
    INFO("opt " << opt << ": " << r.err);
    CHECK(r.out == "t.weir:1:1: runtime error: boom\n");
    CHECK(r.status == 0);   // 99 with objects still alive (the list, held by 300 frames)
  }
}
