// Codegen: LetRec, LitCase, dictionaries (Proj), CAF globals, and a leak check under valgrind.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "codegen/codegen.hpp"
#include "core/core.hpp"
#include "core/rc.hpp"

#include "codegen_support.hpp"

using namespace weir::core;
using namespace weir::test;

namespace {
ExprPtr v(VarId x) { return mkVar(x); }
ExprPtr add(ExprPtr a, ExprPtr b) { return prim(PrimOp::IntAdd, {std::move(a), std::move(b)}); }
ExprPtr lines(P& p, std::vector<ExprPtr> es) {
  ExprPtr r = es.back();
  for (size_t k = es.size() - 1; k-- > 0;) r = seq(p, es[k], r);
  return r;
}
LitAlt intAlt(int64_t i, ExprPtr body) { LitAlt a; a.kind = LitAlt::Int; a.i = i; a.body = std::move(body); return a; }
LitAlt strAlt(std::string s, ExprPtr body) { LitAlt a; a.kind = LitAlt::String; a.s = std::move(s); a.body = std::move(body); return a; }
LitAlt charAlt(uint32_t c, ExprPtr body) { LitAlt a; a.kind = LitAlt::Char; a.i = c; a.body = std::move(body); return a; }

// sumTo n = letrec go i acc = if i > n then acc else go (i + 1) (acc + i) in go 1 0
void addLetRec(P& p) {
  VarId n = p.fresh(), go = p.fresh(), i = p.fresh(), acc = p.fresh();
  ExprPtr goBody = ifte(p, prim(PrimOp::IntGt, {v(i), v(n)}), v(acc),
                        mkApp(v(go), {add(v(i), mkInt(1)), add(v(acc), v(i))}));
  p.fn("Main.sumTo", {n}, mkLetRec({Binding{go, mkLam({i, acc}, goBody)}}, mkApp(v(go), {mkInt(1), mkInt(0)})));
  // evenOdd n = letrec ev k = if k == 0 then 1 else od (k-1); od k = if k == 0 then 0 else ev (k-1)
  //             in let f = ev in f n        (ev used as a value, too)
  VarId m = p.fresh(), ev = p.fresh(), od = p.fresh(), k1 = p.fresh(), k2 = p.fresh(), f = p.fresh();
  ExprPtr evBody = ifte(p, prim(PrimOp::IntEq, {v(k1), mkInt(0)}), mkInt(1),
                        mkApp(v(od), {prim(PrimOp::IntSub, {v(k1), mkInt(1)})}));
  ExprPtr odBody = ifte(p, prim(PrimOp::IntEq, {v(k2), mkInt(0)}), mkInt(0),
                        mkApp(v(ev), {prim(PrimOp::IntSub, {v(k2), mkInt(1)})}));
  p.fn("Main.parity", {m},
       mkLetRec({Binding{ev, mkLam({k1}, evBody)}, Binding{od, mkLam({k2}, odBody)}},
                mkLet(f, v(ev), mkApp(v(f), {v(m)}))));
  // counter with a captured offset used as a value: mapAdd off = letrec g x = x + off in twice g 1
  VarId off = p.fresh(), g = p.fresh(), x = p.fresh();
  p.fn("Main.mapAdd", {off},
       mkLetRec({Binding{g, mkLam({x}, add(v(x), v(off)))}}, call("Main.twice", {v(g), mkInt(1)})));
  VarId tf = p.fresh(), tx = p.fresh();
  p.fn("Main.twice", {tf, tx}, mkApp(v(tf), {mkApp(v(tf), {v(tx)})}));
}
}  // namespace

TEST_CASE("LetRec: local recursion in constant stack, mutual recursion, recursive closures as values", "[codegen]") {
  P p;
  addLetRec(p);
  VarId w = p.fresh();
  p.fn("Main.main", {w},
       lines(p, {putLn(showI(call("Main.sumTo", {mkInt(10000000)}))), putLn(showI(call("Main.parity", {mkInt(1000001)}))),
                 putLn(showI(call("Main.mapAdd", {mkInt(20)})))}));
  p.prog.entry = "Main.main";
  for (int opt : {0, 2}) {
    auto r = compileAndRun(p.prog, opt, "WEIR_STACK_SIZE=1M");
    CHECK(r.status == 0);
    CHECK(r.out == "50000005000000\n0\n41\n");
  }
}

TEST_CASE("LitCase on Int, Char and String", "[codegen]") {
  P p;
  VarId a = p.fresh(), c = p.fresh(), s = p.fresh();
  p.fn("Main.num", {a}, mkLitCase(a, {intAlt(1, mkString("one")), intAlt(-5, mkString("minus five")),
                                      intAlt(1000000000000, mkString("big"))}, mkString("other")));
  p.fn("Main.chr", {c}, mkLitCase(c, {charAlt('x', mkString("ex")), charAlt(0x3bb, mkString("lambda"))}, mkString("?")));
  p.fn("Main.str", {s}, mkLitCase(s, {strAlt("on", mkInt(1)), strAlt("off", mkInt(0))}, mkInt(-1)));
  VarId w = p.fresh();
  p.fn("Main.main", {w},
       lines(p, {putLn(call("Main.num", {mkInt(1)})), putLn(call("Main.num", {mkInt(-5)})),
                 putLn(call("Main.num", {add(mkInt(999999999999), mkInt(1))})), putLn(call("Main.num", {mkInt(2)})),
                 putLn(call("Main.chr", {mkChar('x')})), putLn(call("Main.chr", {mkChar(0x3bb)})),
                 putLn(call("Main.chr", {mkChar('y')})),
                 putLn(showI(call("Main.str", {prim(PrimOp::StringAppend, {mkString("o"), mkString("ff")})}))),
                 putLn(showI(call("Main.str", {mkString("on")}))), putLn(showI(call("Main.str", {mkString("o")})))}));
  p.prog.entry = "Main.main";
  for (int opt : {0, 2}) {
    auto r = compileAndRun(p.prog, opt);
    CHECK(r.status == 0);
    CHECK(r.out == "one\nminus five\nbig\nother\nex\nlambda\n?\n0\n1\n-1\n");
  }
}

TEST_CASE("CAF globals, dictionaries and an entry that is a global IO action", "[codegen]") {
  P p;
  // global Main.dict = ShowDict { show = \x -> "<" ++ showInt x ++ ">", base = 40 }
  VarId x = p.fresh();
  ExprPtr showFn = mkLam({x}, prim(PrimOp::StringAppend,
                                   {mkString("<"), prim(PrimOp::StringAppend, {showI(v(x)), mkString(">")})}));
  p.prog.globals.push_back(Global{"Main.dict", mkCon(0, "Dict", {showFn, mkInt(40)})});
  // global Main.answer = base dict + 2  (uses an earlier global)
  p.prog.globals.push_back(Global{"Main.answer", add(mkProj(mkGlobal("Main.dict"), 1), mkInt(2))});
  // global Main.main = \w -> putStrLn ((dict.0) answer)
  VarId w = p.fresh();
  p.prog.globals.push_back(
      Global{"Main.main", mkLam({w}, putLn(mkApp(mkProj(mkGlobal("Main.dict"), 0), {mkGlobal("Main.answer")})))});
  p.prog.entry = "Main.main";
  for (int opt : {0, 2}) {
    auto r = compileAndRun(p.prog, opt);
    CHECK(r.status == 0);
    CHECK(r.out == "<42>\n");
  }
}

namespace {
void addMapProgram(P& p, int64_t n, const std::string& mainName);
}

TEST_CASE("no leaks under valgrind nor the leak checker", "[codegen][valgrind]") {
  // A leak test never passes silently: without valgrind it fails (scripts/setup installs it).
  REQUIRE(std::system("valgrind --version >/dev/null 2>&1") == 0);
  P p;
  addLetRec(p);
  addMapProgram(p, 100, "Main.mapMain");  // Perceus reuse, unique and shared
  // lists, closures capturing lists, PAPs, strings, a shared list, projections
  VarId n = p.fresh(), acc = p.fresh();
  p.fn("Main.buildStrs", {n, acc},
       ifte(p, prim(PrimOp::IntEq, {v(n), mkInt(0)}), v(acc),
            call("Main.buildStrs", {prim(PrimOp::IntSub, {v(n), mkInt(1)}),
                                mkCon(1, "Cons", {prim(PrimOp::ShowInt, {v(n)}), v(acc)})})));
  VarId xs = p.fresh(), hd = p.fresh(), tl = p.fresh(), sep = p.fresh();
  p.fn("Main.join", {xs, sep},
       mkCase(xs, {Alt{0, {}, mkString("")},
                   Alt{1, {hd, tl}, prim(PrimOp::StringAppend, {v(hd), prim(PrimOp::StringAppend, {v(sep), call("Main.join", {v(tl), v(sep)})})})}}));
  VarId a = p.fresh(), b = p.fresh(), c = p.fresh();
  p.fn("Main.add3", {a, b, c}, add(add(v(a), v(b)), v(c)));
  VarId w = p.fresh(), l = p.fresh(), f = p.fresh(), pr = p.fresh(), k = p.fresh(), unused = p.fresh(), h2 = p.fresh(),
        t2 = p.fresh(), l3 = p.fresh();
  p.fn("Main.main", {w},
       lines(p, {putLn(showI(call("Main.sumTo", {mkInt(1000)}))),
                 mkLet(l, call("Main.buildStrs", {mkInt(50), mkCon(0, "Nil", {})}),
                       mkLet(f, mkLam({k}, call("Main.join", {v(l), v(k)})),
                             lines(p, {putLn(mkApp(v(f), {mkString(",")})), putLn(mkApp(v(f), {mkString(";")}))}))),
                 mkLet(pr, call("Main.add3", {mkInt(100000), mkInt(200000)}),
                       mkLet(unused, mkCon(0, "Pair", {v(pr), mkString("x")}), putLn(mkString("pap dropped")))),
                 mkLet(l3, call("Main.buildStrs", {mkInt(5), mkCon(0, "Nil", {})}),
                       mkCase(l3, {Alt{1, {h2, t2}, putLn(v(h2))}, Alt{0, {}, putLn(mkString("empty"))}})),
                 putLn(showI(call("Main.mapAdd", {mkInt(1000)}))),
                 putLn(showI(call("Main.parity", {mkInt(11)}))),
                 call("Main.mapMain", {mkCon(0, "Unit", {})})}));
  p.prog.entry = "Main.main";
  std::string err;
  REQUIRE(verifyRc([&] { Program q = p.prog; insertRc(q); return q; }(), err));
  auto r = compileAndRun(p.prog, 0, "valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9");
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("500500\n1,2,3,") == 0);
  CHECK(r.out.find("pap dropped\n1\n2001\n0\n5150\n11100\n21\n43\n") != std::string::npos);
  for (int opt : {0, 2}) {
    for (const char* mode : {"env WEIR_LEAK_CHECK=1", "env WEIR_LEAK_CHECK=2"}) {
      auto c = compileAndRun(p.prog, opt, mode);
      INFO(mode << " -O" << opt << ": " << c.err);
      CHECK(c.status == 0);
      CHECK(c.out.find("pap dropped\n1\n2001\n0\n5150\n11100\n21\n43\n") != std::string::npos);
    }
  }
}

// s is dup'ed once too often: its string is never freed.
static void addLeakingMain(P& p) {
  VarId w = p.fresh(), s = p.fresh();
  p.fn("Main.main", {w},
       mkLet(s, prim(PrimOp::ShowInt, {mkInt(123456)}), mkDup(s, putLn(mkVar(s)))));
  p.prog.entry = "Main.main";
}

TEST_CASE("the leak checker does catch a leak, in both modes", "[codegen][leakcheck]") {
  P p;
  addLeakingMain(p);
  auto counted = compileAndRun(p.prog, 2, "env WEIR_LEAK_CHECK=1", /*rcInserted=*/true);
  CHECK(counted.status == 99);
  CHECK(counted.out == "123456\n");
  CHECK(counted.err.find("weir: leak check: 1 object still alive at exit") != std::string::npos);
  auto listed = compileAndRun(p.prog, 0, "env WEIR_LEAK_CHECK=2", /*rcInserted=*/true);
  CHECK(listed.status == 99);
  CHECK(listed.err.find("1 x String") != std::string::npos);
  auto off = compileAndRun(p.prog, 2, "", /*rcInserted=*/true);
  CHECK(off.status == 0);  // off unless asked: a leak does not change a production run
}

TEST_CASE("the valgrind check does catch a leak", "[codegen][valgrind]") {
  REQUIRE(std::system("valgrind --version >/dev/null 2>&1") == 0);
  P p;
  VarId w = p.fresh(), s = p.fresh();
  // s is dup'ed once too often: its string is never freed
  p.fn("Main.main", {w},
       mkLet(s, prim(PrimOp::ShowInt, {mkInt(123456)}), mkDup(s, putLn(mkVar(s)))));
  p.prog.entry = "Main.main";
  auto r = compileAndRun(p.prog, 0, "valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9",
                         /*rcInserted=*/true);
  CHECK(r.status == 9);
  CHECK(r.out == "123456\n");
}

TEST_CASE("deep non-tail recursion runs on the big stack; overflow is a runtime error", "[codegen]") {
  P p;
  // depth n = if n == 0 then 0 else 1 + abs (depth (n - 1)): `abs` keeps the recursive call a
  // real non-tail call (on raw Ints, core/repr.hpp, LLVM turns `1 + depth (n - 1)` into a loop)
  VarId x = p.fresh();
  p.fn("Main.abs", {x}, ifte(p, prim(PrimOp::IntLt, {v(x), mkInt(0)}), prim(PrimOp::IntNeg, {v(x)}), v(x)));
  VarId n = p.fresh();
  p.fn("Main.depth", {n},
       ifte(p, prim(PrimOp::IntEq, {v(n), mkInt(0)}), mkInt(0),
            add(mkInt(1), call("Main.abs", {call("Main.depth", {prim(PrimOp::IntSub, {v(n), mkInt(1)})})}))));
  VarId w = p.fresh();
  p.fn("Main.main", {w}, seq(p, putLn(mkString("start")), putLn(showI(call("Main.depth", {mkInt(1000000)})))));
  p.prog.entry = "Main.main";
  auto r = compileAndRun(p.prog, 2);
  CHECK(r.status == 0);
  CHECK(r.out == "start\n1000000\n");
  r = compileAndRun(p.prog, 2, "WEIR_STACK_SIZE=1M");
  CHECK(r.status == 1);
  CHECK(r.out == "start\n");
  // the stack check (compiler/codegen/stackcheck.hpp) names the function that overflowed
  CHECK(r.err == "runtime error: stack overflow in `depth` (recursion too deep)\n");
}

namespace {
// incAll k xs = case xs of Nil -> Nil; Cons h t -> Cons (h + k) (mapAdd k t)      (reuses xs's cell)
// build n acc, sum xs acc as in the list test; swap p = case p of Pair a b -> Pair b a
void addMapProgram(P& p, int64_t n, const std::string& mainName = "Main.main") {
  VarId k = p.fresh(), xs = p.fresh(), h = p.fresh(), t = p.fresh();
  p.fn("Main.incAll", {k, xs},
       mkCase(xs, {Alt{0, {}, mkCon(0, "Nil", {})},
                   Alt{1, {h, t}, mkCon(1, "Cons", {add(v(h), v(k)), call("Main.incAll", {v(k), v(t)})})}}));
  VarId bn = p.fresh(), bacc = p.fresh();
  p.fn("Main.build", {bn, bacc},
       ifte(p, prim(PrimOp::IntEq, {v(bn), mkInt(0)}), v(bacc),
            call("Main.build", {prim(PrimOp::IntSub, {v(bn), mkInt(1)}), mkCon(1, "Cons", {v(bn), v(bacc)})})));
  VarId ys = p.fresh(), s = p.fresh(), yh = p.fresh(), yt = p.fresh();
  p.fn("Main.sum", {ys, s},
       mkCase(ys, {Alt{0, {}, v(s)}, Alt{1, {yh, yt}, call("Main.sum", {v(yt), add(v(s), v(yh))})}}));
  VarId pr = p.fresh(), a = p.fresh(), b2 = p.fresh();
  p.fn("Main.swap", {pr}, mkCase(pr, {Alt{0, {a, b2}, mkCon(0, "Pair", {v(b2), v(a)})}}));
  VarId w = p.fresh(), l = p.fresh(), l2 = p.fresh(), q = p.fresh(), q2 = p.fresh(), x = p.fresh(), y = p.fresh();
  VarId q3 = p.fresh(), q4 = p.fresh(), x2 = p.fresh(), y2 = p.fresh(), a2 = p.fresh(), b3 = p.fresh();  // bound once each
  p.fn(mainName, {w},
       lines(p, {
           // unique list: every cell is reused
           putLn(showI(call("Main.sum", {call("Main.incAll", {mkInt(1), call("Main.build", {mkInt(n), mkCon(0, "Nil", {})})}), mkInt(0)}))),
           // shared list: mapped while still referenced, then summed
           mkLet(l, call("Main.build", {mkInt(n), mkCon(0, "Nil", {})}),
                 mkLet(l2, call("Main.incAll", {mkInt(10), v(l)}),
                       putLn(showI(add(call("Main.sum", {v(l), mkInt(0)}), call("Main.sum", {v(l2), mkInt(0)})))))),
           // a pair swapped in place, and a shared pair swapped by copy
           mkLet(q, mkCon(0, "Pair", {prim(PrimOp::ShowInt, {mkInt(1)}), prim(PrimOp::ShowInt, {mkInt(2)})}),
                 mkLet(q2, call("Main.swap", {v(q)}),
                       mkCase(q2, {Alt{0, {x, y}, putLn(prim(PrimOp::StringAppend, {v(x), v(y)}))}}))),
           mkLet(q3, mkCon(0, "Pair", {prim(PrimOp::ShowInt, {mkInt(3)}), prim(PrimOp::ShowInt, {mkInt(4)})}),
                 mkLet(q4, call("Main.swap", {v(q3)}),
                       mkCase(q4, {Alt{0, {x2, y2}, mkCase(q3, {Alt{0, {a2, b3}, putLn(prim(PrimOp::StringAppend, {v(x2), v(a2)}))}})}}))),
       }));
  p.prog.entry = mainName;
}
}  // namespace

TEST_CASE("constructor cells of unique scrutinees are reused", "[codegen]") {
  P p;
  addMapProgram(p, 1000000);
  for (int opt : {0, 2}) {
    auto r = compileAndRun(p.prog, opt);
    CHECK(r.status == 0);
    CHECK(r.out == "500001500000\n1000011000000\n21\n43\n");
  }
}

TEST_CASE("many parameters: tail calls with stack arguments, wide closures and PAPs", "[codegen]") {
  P p;
  // rot9 n a1..a8 = if n == 0 then a1*10^7 + ... else rot9 (n-1) a2 a3 ... a8 a1   (arguments on the stack)
  std::vector<VarId> ps;
  for (int k = 0; k < 9; k++) ps.push_back(p.fresh());
  ExprPtr digits = mkInt(0);
  for (int k = 1; k < 9; k++) digits = add(prim(PrimOp::IntMul, {digits, mkInt(10)}), v(ps[static_cast<size_t>(k)]));
  std::vector<ExprPtr> next{prim(PrimOp::IntSub, {v(ps[0]), mkInt(1)})};
  for (int k = 2; k < 9; k++) next.push_back(v(ps[static_cast<size_t>(k)]));
  next.push_back(v(ps[1]));
  p.fn("Main.rot9", ps, ifte(p, prim(PrimOp::IntEq, {v(ps[0]), mkInt(0)}), digits, call("Main.rot9", next)));
  std::vector<ExprPtr> start{mkInt(1000003)};
  for (int k = 1; k < 9; k++) start.push_back(mkInt(k));
  // the same through a PAP of 4 arguments, then 5 more through an unknown call
  VarId w = p.fresh(), pap = p.fresh();
  std::vector<ExprPtr> first{mkInt(3), mkInt(1), mkInt(2), mkInt(3)};
  std::vector<ExprPtr> rest{mkInt(4), mkInt(5), mkInt(6), mkInt(7), mkInt(8)};
  p.fn("Main.main", {w},
       seq(p, putLn(showI(call("Main.rot9", start))),
           mkLet(pap, call("Main.rot9", first), putLn(showI(mkApp(v(pap), rest))))));
  p.prog.entry = "Main.main";
  for (int opt : {0, 2}) {
    auto r = compileAndRun(p.prog, opt, "WEIR_STACK_SIZE=1M");
    CHECK(r.status == 0);
    CHECK(r.out == "45678123\n45678123\n");
  }
}

TEST_CASE("constant constructors are static objects that are never reused or freed", "[codegen]") {
  P p;
  addMapProgram(p, 10);
  // sum (mapAdd 1 [1, 2, 3]) twice over the same static list, and a static pair swapped
  ExprPtr lst = mkCon(1, "Cons", {mkInt(1), mkCon(1, "Cons", {mkInt(2), mkCon(1, "Cons", {mkInt(3), mkCon(0, "Nil", {})})})});
  VarId w = p.fresh(), l = p.fresh(), x = p.fresh(), y = p.fresh(), q = p.fresh();
  p.prog.functions.back() = Function{
      "Main.main", {w},
      lines(p, {mkLet(l, lst,
                      putLn(showI(add(call("Main.sum", {call("Main.incAll", {mkInt(1), v(l)}), mkInt(0)}),
                                      call("Main.sum", {v(l), mkInt(0)}))))),
                mkLet(q, call("Main.swap", {mkCon(0, "Pair", {mkString("a"), mkString("b")})}),
                      mkCase(q, {Alt{0, {x, y}, putLn(prim(PrimOp::StringAppend, {v(x), v(y)}))}}))}),
      ""};
  for (int opt : {0, 2}) {
    auto r = compileAndRun(p.prog, opt);
    CHECK(r.status == 0);
    CHECK(r.out == "15\nba\n");
  }
  std::string ir = weir::test::irAtO0(p.prog);
  CHECK(ir.find("@weir.static") != std::string::npos);
}
