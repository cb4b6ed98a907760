// Codegen: textual IR, assembly for other targets, optimisation levels, internal errors.
#include <catch2/catch.hpp>

#include <cstdio>

#include "codegen/codegen.hpp"
#include "core/core.hpp"

#include "codegen_support.hpp"

using namespace weir::core;
namespace cg = weir::codegen;

namespace {
// loop i = if i == 0 then "done" else loop (i - 1);  main w = putStrLn (loop 10)
Program loopProgram() {
  Program p;
  VarId i = p.nextVar++, b = p.nextVar++, w = p.nextVar++;
  p.functions.push_back(Function{
      "Main.loop", {i},
      mkLet(b, mkPrim(PrimOp::IntEq, {mkVar(i), mkInt(0)}),
            mkCase(b, {Alt{1, {}, mkString("done")},
                       Alt{0, {}, mkApp(mkGlobal("Main.loop"), {mkPrim(PrimOp::IntSub, {mkVar(i), mkInt(1)})})}})),
      ""});
  p.functions.push_back(
      Function{"Main.main", {w}, mkPrim(PrimOp::PutStrLn, {mkApp(mkGlobal("Main.loop"), {mkInt(10)})}), ""});
  p.entry = "Main.main";
  return p;
}
}  // namespace

TEST_CASE("textual LLVM IR uses tailcc and musttail", "[codegen]") {
  std::string ir = weir::test::irAtO0(loopProgram());
  // i is an Int (an operand of IntEq and IntSub): the worker takes it raw (core/repr.hpp)
  CHECK(ir.find("define internal tailcc ptr @Main.loop(i64") != std::string::npos);
  // a self tail call branches back to the loop head (call.cpp, beginSelfLoop): no call
  std::string loop = weir::test::functionText(ir, "Main.loop");
  CHECK(loop.find("br label %loop") != std::string::npos);
  CHECK(loop.find("call tailcc ptr @Main.loop(") == std::string::npos);
  CHECK(ir.find("define i32 @main(i32") != std::string::npos);
  // a tail call of another function stays a musttail call: ping i = if i == 0 then "done" else
  // pong (i - 1); pong i = ping i
  Program q;
  VarId i = q.nextVar++, c = q.nextVar++, j = q.nextVar++, w = q.nextVar++;
  q.functions.push_back(Function{
      "Main.ping", {i},
      mkLet(c, mkPrim(PrimOp::IntEq, {mkVar(i), mkInt(0)}),
            mkCase(c, {Alt{1, {}, mkString("done")},
                       Alt{0, {}, mkApp(mkGlobal("Main.pong"), {mkPrim(PrimOp::IntSub, {mkVar(i), mkInt(1)})})}})),
      ""});
  q.functions.push_back(Function{"Main.pong", {j}, mkApp(mkGlobal("Main.ping"), {mkVar(j)}), ""});
  q.functions.push_back(
      Function{"Main.main", {w}, mkPrim(PrimOp::PutStrLn, {mkApp(mkGlobal("Main.ping"), {mkInt(10)})}), ""});
  q.entry = "Main.main";
  std::string ir2 = weir::test::irAtO0(q);
  CHECK(ir2.find("musttail call tailcc ptr @Main.pong(") != std::string::npos);
  CHECK(ir2.find("musttail call tailcc ptr @Main.ping(") != std::string::npos);
}

TEST_CASE("assembly and objects for the host and for aarch64", "[codegen]") {
  cg::Options o;
  std::string text, err;
  REQUIRE(cg::emitAsm(weir::test::finished(loopProgram()), o, text, err));
  CHECK(text.find("main:") != std::string::npos);
  o.triple = "aarch64-linux-gnu";
  text.clear();
  REQUIRE(cg::emitAsm(weir::test::finished(loopProgram()), o, text, err));
  CHECK(text.find("main:") != std::string::npos);
  CHECK(text.find("\tret") != std::string::npos);
  std::string obj = "/tmp/weir-codegen-emit-test.o";
  REQUIRE(cg::emitObject(weir::test::finished(loopProgram()), o, obj, err));
  std::FILE* f = std::fopen(obj.c_str(), "rb");
  REQUIRE(f);
  unsigned char hdr[20] = {};
  CHECK(std::fread(hdr, 1, 20, f) == 20);
  std::fclose(f);
  std::remove(obj.c_str());
  CHECK(hdr[1] == 'E');
  CHECK(hdr[18] == 183);  // EM_AARCH64
}

TEST_CASE("all optimisation levels produce working programs", "[codegen]") {
  for (int opt : {1, 3}) {
    auto r = weir::test::compileAndRun(loopProgram(), opt);
    CHECK(r.status == 0);
    CHECK(r.out == "done\n");
  }
}

TEST_CASE("malformed Core is reported as an internal compiler error", "[codegen]") {
  cg::Options o;
  std::string ir, err;
  Program p = loopProgram();
  p.functions[1].body = mkApp(mkGlobal("Main.nowhere"), {mkInt(1)});
  CHECK_FALSE(cg::emitLLVM(weir::test::finished(p, false, /*verify=*/false), o, ir, err));
  CHECK(err.find("internal compiler error") != std::string::npos);
  CHECK(err.find("Main.nowhere") != std::string::npos);
  p = loopProgram();
  p.entry = "Main.missing";
  CHECK_FALSE(cg::emitLLVM(weir::test::finished(p, false, /*verify=*/false), o, ir, err));
  CHECK(err.find("Main.missing") != std::string::npos);
  // Core that did not go through the pass pipeline (no Dup/Drop): codegen runs no pass itself.
  CHECK_FALSE(cg::emitLLVM(loopProgram(), o, ir, err));
  CHECK(err.find("internal compiler error") != std::string::npos);
  CHECK(err.find("without reference counting") != std::string::npos);
  o.triple = "no-such-target";
  CHECK_FALSE(cg::emitLLVM(weir::test::finished(loopProgram()), o, ir, err));
}

// absPlus n = let m = (if n < 0 then 0 - n else n) in m + 1;  main w = putStrLn (show (absPlus (-41)))
TEST_CASE("raw values: an Int worker, a comparison branched on as i1, a case joined as i64", "[codegen]") {
  Program p;
  VarId n = p.nextVar++, m = p.nextVar++, c = p.nextVar++, w = p.nextVar++;
  p.functions.push_back(Function{
      "Main.absPlus", {n},
      mkLet(m,
            mkLet(c, mkPrim(PrimOp::IntLt, {mkVar(n), mkInt(0)}),
                  mkCase(c, {Alt{1, {}, mkPrim(PrimOp::IntSub, {mkInt(0), mkVar(n)})}, Alt{0, {}, mkVar(n)}})),
            mkPrim(PrimOp::IntAdd, {mkVar(m), mkInt(1)})),
      ""});
  p.functions.push_back(Function{
      "Main.main", {w}, mkPrim(PrimOp::PutStrLn, {mkPrim(PrimOp::ShowInt, {mkApp(mkGlobal("Main.absPlus"), {mkInt(-41)})})}),
      ""});
  p.entry = "Main.main";
  std::string ir = weir::test::irAtO0(p);
  INFO(ir);
  CHECK(ir.find("define internal tailcc i64 @Main.absPlus(i64") != std::string::npos);
  CHECK(ir.find("phi i64") != std::string::npos);
  auto r = weir::test::compileAndRun(p, 2);
  CHECK(r.status == 0);
  CHECK(r.out == "42\n");
}

TEST_CASE("raw constructor fields: stored and read as raw words, counted in the header", "[codegen]") {
  // data Pt = Pt Int String (layout: the String first, the Int raw after it)
  // mk a = Pt a "s"; getX p = case p of Pt x _ -> x + 1; main = putStrLn (show (getX (mk 5000000000)))
  Program p;
  VarId a = p.nextVar++, q = p.nextVar++, x = p.nextVar++, s = p.nextVar++, w = p.nextVar++;
  p.functions.push_back(Function{"Main.mk", {a}, mkCon(0, "Main.Pt", {mkVar(a), mkString("s")}), ""});
  p.functions.push_back(Function{
      "Main.getX", {q}, mkCase(q, {Alt{0, {x, s}, mkPrim(PrimOp::IntAdd, {mkVar(x), mkInt(1)}), "Main.Pt"}}), ""});
  p.functions.push_back(Function{
      "Main.main", {w},
      mkPrim(PrimOp::PutStrLn, {mkPrim(PrimOp::ShowInt, {mkApp(mkGlobal("Main.getX"), {mkApp(mkGlobal("Main.mk"), {mkInt(5000000000)})})})}),
      ""});
  p.entry = "Main.main";
  p.layouts["Main.Pt"] = ConLayout::of({Rep::Int, Rep::Boxed});
  std::string ir = weir::test::irAtO0(p);
  INFO(ir);
  std::string mk = weir::test::functionText(ir, "Main.mk"), getX = weir::test::functionText(ir, "Main.getX");
  CHECK(mk.find("(i64") != std::string::npos);  // the Int arrives raw and is stored raw
  CHECK(mk.find("weir.box_int") == std::string::npos);
  // header: count 1, kind 0 with 1 raw word (0x10), 1 pointer field, tag 0
  CHECK(mk.find(std::to_string((1ull) | (0x10ull << 32) | (1ull << 40))) != std::string::npos);
  CHECK(getX.find("define internal tailcc i64 @Main.getX") != std::string::npos);  // read raw, no unboxing
  auto r = weir::test::compileAndRun(p, 2, "", false);
  CHECK(r.status == 0);
  CHECK(r.out == "5000000001\n");
  CHECK(r.err == "");
}

TEST_CASE("a matched immortal cell: no dups of its fields, no count touched", "[codegen]") {
  // mirror t = case t of Leaf -> Leaf; Node l r -> Node (mirror r) (mirror l)
  // size t = case t of Leaf -> 0; Node l r -> size l + size r + 1
  // main = putStrLn (show (size (mirror (Node (Node Leaf Leaf) Leaf))))   -- a static tree
  using weir::test::call;
  weir::test::P p;
  VarId t = p.fresh(), l = p.fresh(), r = p.fresh(), u = p.fresh(), l2 = p.fresh(), r2 = p.fresh();
  auto leaf = [] { return mkCon(0, "Main.Leaf", {}); };
  auto node = [](ExprPtr a, ExprPtr b) { return mkCon(1, "Main.Node", {std::move(a), std::move(b)}); };
  auto add = [](ExprPtr a, ExprPtr b) { return weir::test::prim(PrimOp::IntAdd, {std::move(a), std::move(b)}); };
  p.fn("Main.mirror", {t},
       mkCase(t, {Alt{0, {}, leaf(), "Main.Leaf"},
                  Alt{1, {l, r}, node(call("Main.mirror", {mkVar(r)}), call("Main.mirror", {mkVar(l)})), "Main.Node"}}));
  p.fn("Main.size", {u},
       mkCase(u, {Alt{0, {}, mkInt(0), "Main.Leaf"},
                  Alt{1, {l2, r2}, add(add(call("Main.size", {mkVar(l2)}), call("Main.size", {mkVar(r2)})), mkInt(1)),
                      "Main.Node"}}));
  p.main(weir::test::putLn(
      weir::test::showI(call("Main.size", {call("Main.mirror", {node(node(leaf(), leaf()), leaf())})}))));
  std::string ir = weir::test::irAtO0(p.prog);
  INFO(ir);
  // mirror owns t and drops it in the Node alternative: unique -> reuse the cell, count 0 ->
  // nothing, else dup l and r and decrement t
  CHECK(weir::test::functionText(ir, "Main.mirror").find("immortal:") != std::string::npos);
  auto run = weir::test::compileAndRun(p.prog, 2, "", false);
  CHECK(run.status == 0);
  CHECK(run.out == "2\n");
}
