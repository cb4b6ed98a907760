#include <catch2/catch.hpp>

#include "codegen/codegen.hpp"
#include "core/core.hpp"

namespace weir::test {
struct RunResult {
  std::string out, err;
  int status = -1;
};
RunResult compileAndRun(const core::Program& p, int opt, const std::string& prefix = "");
}  // namespace weir::test

using namespace weir::core;
using weir::test::compileAndRun;

namespace {

// A tiny builder for test programs.
struct P {
  Program prog;
  VarId fresh() { return prog.nextVar++; }
  void fn(const std::string& name, std::vector<VarId> params, ExprPtr body) {
    prog.functions.push_back(Function{name, std::move(params), std::move(body), ""});
  }
  // Main.main world = body
  void main(ExprPtr body) {
    VarId w = fresh();
    fn("Main.main", {w}, std::move(body));
    prog.entry = "Main.main";
  }
};

ExprPtr prim(PrimOp op, std::vector<ExprPtr> as, std::string loc = "") { return mkPrim(op, std::move(as), std::move(loc)); }
ExprPtr putLn(ExprPtr s) { return prim(PrimOp::PutStrLn, {std::move(s)}); }
ExprPtr showI(ExprPtr i) { return prim(PrimOp::ShowInt, {std::move(i)}); }
ExprPtr call(const std::string& f, std::vector<ExprPtr> as) { return mkApp(mkGlobal(f), std::move(as)); }
// if c then t else e   (c is a Bool expression)
ExprPtr ifte(P& p, ExprPtr c, ExprPtr t, ExprPtr e) {
  VarId b = p.fresh();
  return mkLet(b, std::move(c), mkCase(b, {Alt{1, {}, std::move(t)}, Alt{0, {}, std::move(e)}}));
}
// a; b   (sequencing IO effects inside one world-taking function)
ExprPtr seq(P& p, ExprPtr a, ExprPtr b) {
  VarId u = p.fresh();
  return mkLet(u, std::move(a), std::move(b));
}

}  // namespace

TEST_CASE("hello world", "[codegen]") {
  P p;
  p.main(putLn(mkString("Hello, Weir!")));
  for (int opt : {0, 2}) {
    auto r = compileAndRun(p.prog, opt);
    CHECK(r.status == 0);
    CHECK(r.out == "Hello, Weir!\n");
  }
}

TEST_CASE("factorial", "[codegen]") {
  P p;
  VarId n = p.fresh();
  p.fn("Main.fact", {n},
       ifte(p, prim(PrimOp::IntEq, {mkVar(n), mkInt(0)}), mkInt(1),
            prim(PrimOp::IntMul, {mkVar(n), call("Main.fact", {prim(PrimOp::IntSub, {mkVar(n), mkInt(1)})})})));
  p.main(seq(p, putLn(showI(call("Main.fact", {mkInt(10)}))), putLn(showI(call("Main.fact", {mkInt(20)})))));
  for (int opt : {0, 2}) {
    auto r = compileAndRun(p.prog, opt);
    CHECK(r.status == 0);
    CHECK(r.out == "3628800\n2432902008176640000\n");
  }
}
