#include <catch2/catch.hpp>

#include "codegen/codegen.hpp"
#include "core/core.hpp"

#include "codegen_support.hpp"

using namespace weir::core;

using namespace weir::test;

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

namespace {
// loop(i, acc) = if i == 0 then acc else loop(i - 1, acc + i)
void addLoop(P& p) {
  VarId i = p.fresh(), acc = p.fresh();
  p.fn("Main.loop", {i, acc},
       ifte(p, prim(PrimOp::IntEq, {mkVar(i), mkInt(0)}), mkVar(acc),
            call("Main.loop", {prim(PrimOp::IntSub, {mkVar(i), mkInt(1)}), prim(PrimOp::IntAdd, {mkVar(acc), mkVar(i)})})));
}
}  // namespace

TEST_CASE("tail-recursive loop of 10^8 iterations runs in constant stack", "[codegen]") {
  P p;
  addLoop(p);
  p.main(putLn(showI(call("Main.loop", {mkInt(100000000), mkInt(0)}))));
  auto r = compileAndRun(p.prog, 2, "WEIR_STACK_SIZE=1M");
  CHECK(r.status == 0);
  CHECK(r.out == "5000000050000000\n");
}

TEST_CASE("tail-recursive loop at -O0 is still a musttail loop", "[codegen]") {
  P p;
  addLoop(p);
  p.main(putLn(showI(call("Main.loop", {mkInt(3000000), mkInt(0)}))));
  auto r = compileAndRun(p.prog, 0, "WEIR_STACK_SIZE=1M");
  CHECK(r.status == 0);
  CHECK(r.out == "4500001500000\n");
}

TEST_CASE("mutual recursion even/odd 10^7", "[codegen]") {
  P p;
  for (auto [name, other, base] : {std::tuple{"Main.even", "Main.odd", 1}, std::tuple{"Main.odd", "Main.even", 0}}) {
    VarId n = p.fresh();
    p.fn(name, {n},
         ifte(p, prim(PrimOp::IntEq, {mkVar(n), mkInt(0)}), mkCon(base, base ? "True" : "False", {}),
              call(other, {prim(PrimOp::IntSub, {mkVar(n), mkInt(1)})})));
  }
  VarId b = p.fresh();
  p.main(mkLet(b, call("Main.even", {mkInt(10000001)}),
               mkCase(b, {Alt{0, {}, putLn(mkString("odd"))}, Alt{1, {}, putLn(mkString("even"))}})));
  for (int opt : {0, 2}) {
    auto r = compileAndRun(p.prog, opt, "WEIR_STACK_SIZE=1M");
    CHECK(r.status == 0);
    CHECK(r.out == "odd\n");
  }
}

namespace {
ExprPtr add(ExprPtr a, ExprPtr b) { return prim(PrimOp::IntAdd, {std::move(a), std::move(b)}); }
ExprPtr sub(ExprPtr a, ExprPtr b) { return prim(PrimOp::IntSub, {std::move(a), std::move(b)}); }
ExprPtr mul(ExprPtr a, ExprPtr b) { return prim(PrimOp::IntMul, {std::move(a), std::move(b)}); }
ExprPtr app(ExprPtr f, std::vector<ExprPtr> as) { return mkApp(std::move(f), std::move(as)); }
ExprPtr v(VarId x) { return mkVar(x); }
ExprPtr nil() { return mkCon(0, "Nil", {}); }
ExprPtr cons(ExprPtr h, ExprPtr t) { return mkCon(1, "Cons", {std::move(h), std::move(t)}); }
// Several IO lines in sequence.
ExprPtr lines(P& p, std::vector<ExprPtr> es) {
  ExprPtr r = es.back();
  for (size_t k = es.size() - 1; k-- > 0;) r = seq(p, es[k], r);
  return r;
}
}  // namespace

TEST_CASE("closures, partial and over-application", "[codegen]") {
  P p;
  {  // adder n = \x -> x + n
    VarId n = p.fresh(), x = p.fresh();
    p.fn("Main.adder", {n}, mkLam({x}, add(v(x), v(n))));
  }
  {  // twice f x = f (f x)
    VarId f = p.fresh(), x = p.fresh();
    p.fn("Main.twice", {f, x}, app(v(f), {app(v(f), {v(x)})}));
  }
  {  // add3 a b c = a * 100 + b * 10 + c
    VarId a = p.fresh(), b = p.fresh(), c = p.fresh();
    p.fn("Main.add3", {a, b, c}, add(add(mul(v(a), mkInt(100)), mul(v(b), mkInt(10))), v(c)));
  }
  {  // mk a b = \c -> a - b - c
    VarId a = p.fresh(), b = p.fresh(), c = p.fresh();
    p.fn("Main.mk", {a, b}, mkLam({c}, sub(sub(v(a), v(b)), v(c))));
  }
  VarId f1 = p.fresh(), f2 = p.fresh(), h = p.fresh(), a = p.fresh(), b = p.fresh(), pm = p.fresh(),
        big = p.fresh(), y = p.fresh(), a2 = p.fresh();
  p.main(lines(p, {
      putLn(showI(call("Main.twice", {call("Main.adder", {mkInt(5)}), mkInt(10)}))),   // 20
      mkLet(f1, call("Main.add3", {mkInt(1)}),                                          // PAP of a known function
            mkLet(f2, app(v(f1), {mkInt(2)}),                                           // PAP extended
                  putLn(showI(app(v(f2), {mkInt(3)}))))),                               // 123
      putLn(showI(app(call("Main.add3", {mkInt(4), mkInt(5)}), {mkInt(6)}))),          // 456
      putLn(showI(call("Main.mk", {mkInt(10), mkInt(3), mkInt(2)}))),                  // known over-application: 5
      mkLet(h, mkLam({a}, mkLam({b}, sub(v(a), v(b)))),                                 // unknown over-application
            putLn(showI(app(v(h), {mkInt(10), mkInt(3)})))),                            // 7
      mkLet(pm, call("Main.mk", {mkInt(1)}),                                            // PAP over-application
            putLn(showI(app(v(pm), {mkInt(2), mkInt(3)})))),                            // -4
      mkLet(big, mkInt(1) /*unused*/, putLn(showI(app(mkGlobal("Main.add3"), {mkInt(7), mkInt(8), mkInt(9)})))),
      mkLet(y, mkInt(1000000), putLn(showI(call("Main.twice", {mkLam({a2}, mul(v(a2), v(y))), mkInt(3)})))),
  }));
  for (int opt : {0, 2}) {
    auto r = compileAndRun(p.prog, opt);
    CHECK(r.status == 0);
    CHECK(r.out == "20\n123\n456\n5\n7\n-4\n789\n3000000000000\n");
  }
}

namespace {
// build n acc = if n == 0 then acc else build (n - 1) (n : acc)
// sum xs acc = case xs of [] -> acc; h : t -> sum t (acc + h)
void addLists(P& p) {
  VarId n = p.fresh(), acc = p.fresh();
  p.fn("Main.build", {n, acc},
       ifte(p, prim(PrimOp::IntEq, {v(n), mkInt(0)}), v(acc),
            call("Main.build", {sub(v(n), mkInt(1)), cons(v(n), v(acc))})));
  VarId xs = p.fresh(), s = p.fresh(), hd = p.fresh(), tl = p.fresh();
  p.fn("Main.sum", {xs, s},
       mkCase(xs, {Alt{0, {}, v(s)}, Alt{1, {hd, tl}, call("Main.sum", {v(tl), add(v(s), v(hd))})}}));
}
}  // namespace

TEST_CASE("lists: build and sum a million elements, free ten million", "[codegen]") {
  P p;
  addLists(p);
  VarId xs = p.fresh(), l = p.fresh(), hd = p.fresh(), tl = p.fresh();
  p.main(lines(p, {
      putLn(showI(call("Main.sum", {call("Main.build", {mkInt(1000000), nil()}), mkInt(0)}))),
      // the head of a 10^7-element list; dropping the list must not recurse
      mkLet(l, call("Main.build", {mkInt(10000000), nil()}),
            mkCase(l, {Alt{1, {hd, tl}, putLn(showI(v(hd)))}, Alt{0, {}, putLn(mkString("empty"))}})),
      // a shared list: summed twice
      mkLet(xs, call("Main.build", {mkInt(1000), nil()}),
            putLn(showI(add(call("Main.sum", {v(xs), mkInt(0)}), call("Main.sum", {v(xs), mkInt(0)}))))),
  }));
  auto r = compileAndRun(p.prog, 2, "WEIR_STACK_SIZE=1M");
  CHECK(r.status == 0);
  CHECK(r.out == "500000500000\n1\n1001000\n");
}

TEST_CASE("strings and show", "[codegen]") {
  P p;
  auto showF = [](double d) { return prim(PrimOp::ShowFloat, {mkFloat(d)}); };
  auto app2 = [](ExprPtr a, ExprPtr b) { return prim(PrimOp::StringAppend, {std::move(a), std::move(b)}); };
  VarId s = p.fresh();
  p.main(lines(p, {
      putLn(app2(mkString("abc"), app2(mkString(""), mkString("déf")))),
      putLn(showI(prim(PrimOp::StringLength, {mkString("déf☃")}))),
      putLn(showI(mkInt(-42))),
      putLn(showF(1.5)), putLn(showF(0.1)), putLn(showF(0.01)), putLn(showF(1.0e7)), putLn(showF(1234567.0)),
      putLn(showF(-2.0)), putLn(showF(0.0)), putLn(showF(1.0 / 3.0)), putLn(showF(123.456e-10)),
      putLn(prim(PrimOp::ShowFloat, {prim(PrimOp::FloatDiv, {mkFloat(1.0), mkFloat(0.0)})})),
      putLn(prim(PrimOp::ShowChar, {mkChar('a')})),
      putLn(prim(PrimOp::ShowChar, {mkChar('\'')})),
      putLn(prim(PrimOp::ShowChar, {mkChar(0x3bb)})),
      putLn(prim(PrimOp::ShowString, {mkString("a\"b\n\x01" "2é")})),
      putLn(prim(PrimOp::StringFromChar, {prim(PrimOp::CharChr, {mkInt(0x2603)})})),
      mkLet(s, prim(PrimOp::StringCompare, {mkString("abc"), mkString("abd")}),
            mkCase(s, {Alt{0, {}, putLn(mkString("LT"))}, Alt{1, {}, putLn(mkString("EQ"))},
                       Alt{2, {}, putLn(mkString("GT"))}})),
      prim(PrimOp::PutStr, {mkString("no newline")}),
  }));
  for (int opt : {0, 2}) {
    auto r = compileAndRun(p.prog, opt);
    CHECK(r.status == 0);
    CHECK(r.out ==
          "abcdéf\n4\n-42\n1.5\n0.1\n1.0e-2\n1.0e7\n1234567.0\n-2.0\n0.0\n0.3333333333333333\n1.23456e-8\n"
          "Infinity\n'a'\n'\\''\n'λ'\n\"a\\\"b\\n\\SOH2é\"\n☃\nLT\nno newline");
  }
}

TEST_CASE("runtime errors print the location and exit with status 1", "[codegen]") {
  SECTION("error") {
    P p;
    p.main(seq(p, putLn(mkString("before")), prim(PrimOp::Error, {mkString("boom")}, "main.weir:3:5")));
    auto r = compileAndRun(p.prog, 2);
    CHECK(r.status == 1);
    CHECK(r.out == "before\n");
    CHECK(r.err == "main.weir:3:5: runtime error: boom\n");
  }
  SECTION("division by zero") {
    for (auto op : {PrimOp::IntDiv, PrimOp::IntMod, PrimOp::IntQuot, PrimOp::IntRem}) {
      P p;
      VarId a = p.fresh(), b = p.fresh();
      p.fn("Main.f", {a, b}, prim(op, {v(a), v(b)}, "div.weir:7:12"));
      p.main(putLn(showI(call("Main.f", {mkInt(10), mkInt(0)}))));
      auto r = compileAndRun(p.prog, 0);
      CHECK(r.status == 1);
      CHECK(r.out == "");
      CHECK(r.err == "div.weir:7:12: runtime error: divide by zero\n");
    }
  }
  SECTION("non-exhaustive match") {
    P p;
    VarId m = p.fresh(), x = p.fresh();
    p.fn("Main.fromJust", {m},
         mkCase(m, {Alt{1, {x}, v(x)}, Alt{0, {}, mkError("non-exhaustive patterns in fromJust", "lib.weir:1:1")}}));
    p.main(seq(p, putLn(showI(call("Main.fromJust", {mkCon(1, "Just", {mkInt(7)})}))),
               putLn(showI(call("Main.fromJust", {mkCon(0, "Nothing", {})})))));
    auto r = compileAndRun(p.prog, 2);
    CHECK(r.status == 1);
    CHECK(r.out == "7\n");
    CHECK(r.err == "lib.weir:1:1: runtime error: non-exhaustive patterns in fromJust\n");
  }
}

TEST_CASE("integer division semantics", "[codegen]") {
  P p;
  std::vector<ExprPtr> out;
  for (auto [a, b] : {std::pair<int64_t, int64_t>{7, 2}, {-7, 2}, {7, -2}, {-7, -2}, {INT64_MIN, -1}}) {
    for (auto op : {PrimOp::IntDiv, PrimOp::IntMod, PrimOp::IntQuot, PrimOp::IntRem})
      out.push_back(prim(PrimOp::PutStr, {prim(PrimOp::StringAppend, {showI(prim(op, {mkInt(a), mkInt(b)}, "x")), mkString(" ")})}));
  }
  out.push_back(putLn(mkString("")));
  p.main(lines(p, out));
  for (int opt : {0, 2}) {
    auto r = compileAndRun(p.prog, opt);
    CHECK(r.status == 0);
    CHECK(r.out == "3 1 3 1 -4 1 -3 -1 -4 -1 -3 1 3 -1 3 -1 -9223372036854775808 0 -9223372036854775808 0 \n");
  }
}
