// Codegen: stack-overflow checks (compiler/codegen/stackcheck.hpp). A function on a cycle of the
// call graph that grows the stack compares the stack pointer with the thread's limit on entry; a
// stack overflow is then a run-time error unwound like `error`, so what the frames held is freed.
#include <catch2/catch.hpp>
#include <cstdlib>

#include "codegen/codegen.hpp"
#include "core/core.hpp"

#include "codegen_support.hpp"

using namespace weir::core;
using namespace weir::test;
namespace cg = weir::codegen;

namespace {
// build n = if n == 0 then [] else n : build (n - 1)                    (trmc: a loop)
// loop n = if n == 0 then 0 else loop (n - 1)                            (tail calls only)
// deep xs k = if k == 0 then 0 else let r = deep xs (k - 1) in r + length-ish xs
//                                                                        (xs needed after the call)
// wrap k = deep (build 3) k                                              (calls, but on no cycle)
// main = case weir_catch (\_ _ -> deep (build 1000) 10^9) of Left s -> putStrLn s; Right _ -> ...
P overflowProgram() {
  P p;
  defineBuild(p);
  VarId m = p.fresh();
  p.fn("Main.loop", {m},
       ifte(p, prim(PrimOp::IntEq, {mkVar(m), mkInt(0)}), mkInt(0),
            call("Main.loop", {prim(PrimOp::IntSub, {mkVar(m), mkInt(1)})})));
  VarId xs = p.fresh(), k = p.fresh(), r = p.fresh();
  p.fn("Main.deep", {xs, k},
       ifte(p, prim(PrimOp::IntEq, {mkVar(k), mkInt(0)}), mkCon(0, "[]", {}),
            mkLet(r, call("Main.deep", {mkVar(xs), prim(PrimOp::IntSub, {mkVar(k), mkInt(1)})}),
                  mkCon(1, ":", {mkVar(r), mkVar(xs)}))));
  VarId k2 = p.fresh();
  p.fn("Main.wrap", {k2}, call("Main.deep", {call("Main.build", {mkInt(3)}), mkVar(k2)}));
  catchingMain(p, call("Main.deep", {call("Main.build", {mkInt(1000)}), mkInt(1000000000)}));
  return p;
}

bool hasCheck(const std::string& fn) { return fn.find("@weir_stack_limit") != std::string::npos; }
}  // namespace

TEST_CASE("only functions on a cycle that grows the stack check it", "[codegen][stackcheck]") {
  std::string ir = weir::test::irAtO0(overflowProgram().prog);
  std::string deep = functionText(ir, "Main.deep");
  INFO(deep);
  CHECK(hasCheck(deep));
  CHECK(deep.find("@llvm.read_register.i64") != std::string::npos);
  // the frame owns xs on entry: the check's call is an invoke whose pad drops it
  CHECK(deep.find("invoke void @weir_rt_stack_overflow(") != std::string::npos);
  CHECK(!hasCheck(functionText(ir, "Main.wrap")));   // on no cycle
  CHECK(!hasCheck(functionText(ir, "Main.loop")));   // a cycle of musttail calls: a loop
  INFO(functionText(ir, "Main.main"));
  CHECK(!hasCheck(functionText(ir, "Main.main")));
  CHECK(ir.find("@weir_stack_limit = external thread_local(initialexec) global i64") != std::string::npos);
}

TEST_CASE("WEIR_STACK_CHECK=0 in the compiler's environment emits no check", "[codegen][stackcheck]") {
  cg::Options o;
  o.optLevel = 0;
  std::string ir, err;
  setenv("WEIR_STACK_CHECK", "0", 1);
  bool ok = cg::emitLLVM(weir::test::finished(overflowProgram().prog), o, ir, err);
  unsetenv("WEIR_STACK_CHECK");
  REQUIRE(ok);
  CHECK(!hasCheck(ir));
}

TEST_CASE("a stack overflow inside weir_catch is unwound and frees what every frame held", "[codegen][stackcheck]") {
  for (int opt : {0, 2}) {
    auto r = compileAndRun(overflowProgram().prog, opt, "WEIR_LEAK_CHECK=1 WEIR_STACK_SIZE=2M");
    INFO("opt " << opt << ": " << r.err);
    CHECK(r.out == "runtime error: stack overflow in `deep` (recursion too deep)\n");
    CHECK(r.status == 0);   // 99 with objects still alive
    // The SIGSEGV backstop alone (no limit set at run time) catches it too, without unwinding.
    auto b = compileAndRun(overflowProgram().prog, opt, "WEIR_LEAK_CHECK=1 WEIR_STACK_SIZE=2M WEIR_STACK_CHECK=0");
    INFO("backstop: " << b.err);
    CHECK(b.out.rfind("runtime error: stack overflow", 0) == 0);
    CHECK(b.status == 99);
  }
}
