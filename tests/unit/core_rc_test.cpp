// Core: builders, printer, LetRec lifting, reference-count insertion and its verifier.
#include <catch2/catch.hpp>

#include <chrono>

#include "core/core.hpp"
#include "core/lift.hpp"
#include "core/rc.hpp"

#include "core_support.hpp"

using namespace weir::core;
using core_test::count;
using core_test::eachVariableBoundOnce;

namespace {
ExprPtr v(VarId x) { return mkVar(x); }
ExprPtr add(ExprPtr a, ExprPtr b) { return mkPrim(PrimOp::IntAdd, {std::move(a), std::move(b)}); }
Program one(std::vector<VarId> params, ExprPtr body, VarId next = 100) {
  Program p;
  p.functions.push_back(Function{"M.f", std::move(params), std::move(body), ""});
  p.entry = "M.f";
  p.nextVar = next;
  return p;
}
std::string rcText(Program p) {
  insertRc(p);
  std::string err;
  INFO(print(p));
  CHECK(verifyRc(p, err));
  INFO(err);
  return print(*p.functions[0].body);
}
}  // namespace

TEST_CASE("printer shows every construct", "[core]") {
  Program p = one({0, 1},
                  mkLet(2, mkApp(mkGlobal("M.g"), {v(0), mkInt(3), mkFloat(1.5), mkChar('x'), mkString("s\n")}),
                        mkCase(2, {Alt{1, {3, 4}, mkCon(1, "Cons", {v(3), v(4)})}}, mkError("oops", "a.weir:1:2"))));
  std::string t = print(p);
  CHECK(t.find("fun M.f(v0, v1) =") != std::string::npos);
  CHECK(t.find("let v2 = (@M.g)(v0, 3, 1.5, '\\u{78}', \"s\\n\")") != std::string::npos);
  CHECK(t.find("#1(v3, v4) ->") != std::string::npos);
  CHECK(t.find("Cons#1(v3, v4)") != std::string::npos);
  CHECK(t.find("error \"oops\" @a.weir:1:2") != std::string::npos);
  CHECK(t.find("entry M.f") != std::string::npos);
}

TEST_CASE("free variables", "[core]") {
  ExprPtr e = mkLam({1}, mkLet(2, add(v(1), v(5)), mkCase(3, {Alt{0, {4}, add(v(4), v(2))}}, v(6))));
  CHECK(freeVars(*e) == std::vector<VarId>{3, 5, 6});
}

TEST_CASE("rc: unused parameter is dropped, single use is moved", "[core]") {
  std::string t = rcText(one({0, 1}, v(0)));
  CHECK(t == "drop v1;\nv0");
}

TEST_CASE("rc: a variable consumed twice is dup'ed once", "[core]") {
  std::string t = rcText(one({0}, mkCon(0, "Pair", {v(0), v(0)})));
  CHECK(count(t, "dup v0") == 1);
  CHECK(count(t, "drop") == 0);
}

TEST_CASE("rc: scalar primitives borrow variables; the last reader drops", "[core]") {
  std::string t = rcText(one({0}, add(v(0), v(0))));
  CHECK(count(t, "dup") == 0);
  CHECK(count(t, "drop v0") == 1);
  // f x = g (x - 1) (x + 2): only the second reader drops x, nothing is dup'ed
  t = rcText(one({0}, mkApp(mkGlobal("M.g"), {mkPrim(PrimOp::IntSub, {v(0), mkInt(1)}), add(v(0), mkInt(2))})));
  CHECK(count(t, "dup") == 0);
  CHECK(count(t, "drop v0") == 1);
  CHECK(t.find("%IntSub(v0, 1)") < t.find("drop v0"));
  CHECK(t.find("%IntAdd(v0, 2)") < t.find("drop v0"));
}

TEST_CASE("rc: let-bound variable never used is dropped right after binding", "[core]") {
  std::string t = rcText(one({0}, mkLet(1, mkString("x"), v(0))));
  CHECK(t.find("in drop v1;") != std::string::npos);
}

TEST_CASE("rc: case dups used fields, drops the scrutinee and dead variables per branch", "[core]") {
  // f xs y = case xs of Nil -> y; Cons h t -> h
  std::string t = rcText(one({0, 1}, mkCase(0, {Alt{0, {}, v(1)}, Alt{1, {2, 3}, v(2)}})));
  // Nil branch: drop xs; Cons branch: dup h; drop xs; drop y
  CHECK(t.find("#0 ->\n    drop v0;\n    v1") != std::string::npos);
  CHECK(t.find("dup v2;\n    drop v0;\n    drop v1;\n    v2") != std::string::npos);
  CHECK(count(t, "v3") == 1);  // only bound, the unused field is never touched
}

TEST_CASE("rc: the scrutinee stays owned when the branch uses it (as-pattern)", "[core]") {
  std::string t = rcText(one({0}, mkCase(0, {Alt{1, {1, 2}, mkCon(0, "Pair", {v(1), v(0)})}}, v(0))));
  CHECK(count(t, "drop v0") == 0);
  CHECK(t.find("dup v1;") != std::string::npos);
}

TEST_CASE("rc: lambdas consume their captures; the body owns captures and parameters", "[core]") {
  // f x y = let g = \z -> x + z in g y + x
  Program p = one({0, 1}, mkLet(2, mkLam({3}, add(v(0), v(3))), add(mkApp(v(2), {v(1)}), v(0))));
  std::string t = rcText(p);
  CHECK(count(t, "dup v0;") == 1);   // x is captured and still needed later
  CHECK(count(t, "drop v0;") == 2);  // after the additions (inside and outside the lambda)
}

TEST_CASE("rc: error paths drop nothing", "[core]") {
  std::string t = rcText(one({0, 1}, mkCase(0, {Alt{1, {}, v(1)}}, mkError("no", "x:1:1"))));
  CHECK(t.find("_ ->\n    error") != std::string::npos);
}

TEST_CASE("rc verifier rejects broken programs", "[core]") {
  std::string err;
  SECTION("double use") {
    Program p = one({0}, add(v(0), v(0)));
    CHECK_FALSE(verifyRc(p, err));
    CHECK(err.find("v0") != std::string::npos);
  }
  SECTION("leak") {
    Program p = one({0, 1}, v(0));
    CHECK_FALSE(verifyRc(p, err));
    CHECK(err.find("leaked") != std::string::npos);
  }
  SECTION("field used after its scrutinee is dropped") {
    Program p = one({0}, mkCase(0, {Alt{1, {1}, mkDrop(0, mkDup(1, v(1)))}}));
    CHECK_FALSE(verifyRc(p, err));
  }
  SECTION("branches disagree") {
    Program p = one({0, 1}, mkCase(0, {Alt{1, {}, mkDrop(1, mkInt(1))}, Alt{0, {}, mkInt(2)}}));
    CHECK_FALSE(verifyRc(p, err));
  }
}

TEST_CASE("LetRec lifting", "[core]") {
  // f n = letrec go i = if .. go (i + n) .. ; in go 0   and go used as a value
  Program p = one({0}, mkLetRec({Binding{1, mkLam({2}, mkApp(v(1), {add(v(2), v(0))}))}},
                                mkLet(3, v(1), mkApp(v(3), {mkInt(0)}))));
  liftLetRec(p);
  REQUIRE(p.functions.size() == 2);
  const Function& go = p.functions[1];
  CHECK(go.name == "M.f$rec1");
  CHECK(go.params == std::vector<VarId>{0, 2});  // environment first
  std::string t = print(p);
  CHECK(t.find("(@M.f$rec1)(v0, (v2 + v0)") == std::string::npos);  // printer uses %IntAdd
  CHECK(t.find("(@M.f$rec1)(v0, %IntAdd(v2, v0))") != std::string::npos);
  CHECK(t.find("let v3 = \\(v100) ->") != std::string::npos);  // the value use is a closure
  insertRc(p);
  std::string err;
  CHECK(verifyRc(p, err));
}

TEST_CASE("rc on a larger program verifies", "[core]") {
  // map f xs = case xs of Nil -> Nil; Cons h t -> Cons (f h) (map f t)
  Program p;
  p.functions.push_back(Function{"M.map", {0, 1},
                                 mkCase(1, {Alt{0, {}, mkCon(0, "Nil", {})},
                                            Alt{1, {2, 3}, mkCon(1, "Cons", {mkApp(v(0), {v(2)}), mkApp(mkGlobal("M.map"), {v(0), v(3)})})}}),
                                 ""});
  insertRc(p);
  std::string err;
  CHECK(verifyRc(p, err));
  std::string t = print(*p.functions[0].body);
  CHECK(t.find("drop v0;") != std::string::npos);  // f is dead in the Nil branch
  CHECK(t.find("dup v0;") != std::string::npos);   // and used twice in the Cons branch
}

TEST_CASE("rc: a deeply nested expression is handled in linear time", "[core]") {
  // 1 + 1 + ... + 1 with 6,000 terms (issue 11 item 8): free variables used to be recomputed
  // for every subtree, quadratic in the depth (10,000 terms took over 15 s in `weir build`).
  ExprPtr e = v(0);
  for (int k = 0; k < 6000; k++) e = add(e, mkInt(1));  // (deeper overflows the test stack)
  auto t0 = std::chrono::steady_clock::now();
  Program p = one({0}, e);
  insertRc(p);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::string err;
  CHECK(verifyRc(p, err));
  CHECK(s < 2.0);
}
