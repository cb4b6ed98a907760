// The simplifier (core/simplify.hpp): each rewrite happens where it should and not where it
// must not, on small Core inputs; the result still goes through rc insertion and its verifier.
#include <catch2/catch.hpp>

#include "core/core.hpp"
#include "core/rc.hpp"
#include "core/simplify.hpp"

#include "core_support.hpp"

using namespace weir::core;
using core_test::count;

namespace {
ExprPtr v(VarId x) { return mkVar(x); }
ExprPtr call(const char* f, std::vector<ExprPtr> args, std::string loc = "") {
  auto e = mkApp(mkGlobal(f), std::move(args));
  e->loc = std::move(loc);
  return e;
}
ExprPtr nothing() { return mkCon(0, "Nothing", {}); }
ExprPtr just(ExprPtr x) { return mkCon(1, "Just", {std::move(x)}); }
ExprPtr add(ExprPtr a, ExprPtr b) { return mkPrim(PrimOp::IntAdd, {std::move(a), std::move(b)}); }
// case m of Nothing -> none; Just y -> some
ExprPtr caseMaybe(VarId m, ExprPtr none, VarId y, ExprPtr some) {
  return mkCase(m, {Alt{0, {}, std::move(none)}, Alt{1, {y}, std::move(some)}});
}

using Result = core_test::PassResult<SimplifyStats>;

// Simplifies the program whose entry is M.main, then checks that rc insertion still verifies.
Result run(std::vector<Function> fs, std::vector<Global> gs = {}) {
  return core_test::runPassChecked<SimplifyStats>(std::move(fs), std::move(gs), [](Program& p) { return simplify(p); });
}

Result runExpr(ExprPtr body) { return run({Function{"M.main", {0}, std::move(body), ""}}); }
}  // namespace

TEST_CASE("simplify: a Maybe built and matched at once is never allocated", "[core][simplify]") {
  // let m = Just(x + 1) in case m of Nothing -> 0; Just y -> y + y
  auto r = runExpr(mkLet(1, just(add(v(0), mkInt(1))), caseMaybe(1, mkInt(0), 2, add(v(2), v(2)))));
  INFO(r.text);
  CHECK(count(r.text, "Just") == 0);
  CHECK(count(r.text, "case") == 0);
  CHECK(count(r.text, "%IntAdd") == 2);  // x + 1 is computed once, bound, and added to itself
  CHECK(r.stats.knownCases == 1);
  CHECK(r.stats.deadLets == 1);
}

TEST_CASE("simplify: a constructor still used elsewhere is kept", "[core][simplify]") {
  // let m = Just(x) in case m of Nothing -> m; Just y -> m   (m is returned: must be built)
  auto r = runExpr(mkLet(1, just(v(0)), caseMaybe(1, v(1), 2, v(1))));
  INFO(r.text);
  CHECK(count(r.text, "Just") == 1);
  CHECK(count(r.text, "case") == 0);  // the case itself is still resolved
}

TEST_CASE("simplify: the fields of a known constructor keep their order of evaluation", "[core][simplify]") {
  // let m = Pair(f(1), g(2)) in case m of Pair(a, b) -> b     f and g may act: both run, f first
  auto pair = mkCon(0, "Pair", {call("M.f", {mkInt(1)}), call("M.g", {mkInt(2)})});
  Function f{"M.f", {10}, mkPrim(PrimOp::PutStrLn, {v(10)}), ""};
  Function g{"M.g", {11}, mkPrim(PrimOp::PutStrLn, {v(11)}), ""};
  Function mainF{"M.main", {0}, mkLet(1, pair, mkCase(1, {Alt{0, {2, 3}, v(3)}})), ""};
  auto r = run({f, g, mainF});
  std::string body = r.body("M.main");
  INFO(body);
  CHECK(count(body, "Pair") == 0);
  REQUIRE(count(body, "%PutStrLn(1)") == 1);
  REQUIRE(count(body, "%PutStrLn(2)") == 1);
  CHECK(body.find("%PutStrLn(1)") < body.find("%PutStrLn(2)"));
}

TEST_CASE("simplify: a small wrapper chain is inlined and its functions removed", "[core][simplify]") {
  // addOne x = x + 1; twice x = addOne (addOne x); main w = twice w
  Function addOne{"M.addOne", {10}, add(v(10), mkInt(1)), ""};
  Function twice{"M.twice", {20}, call("M.addOne", {call("M.addOne", {v(20)})}), ""};
  Function mainF{"M.main", {0}, call("M.twice", {v(0)}), ""};
  auto r = run({addOne, twice, mainF});
  INFO(r.text);
  CHECK(r.body("M.main").find("@M.") == std::string::npos);
  CHECK(count(r.body("M.main"), "%IntAdd") == 2);
  CHECK(r.fn("M.addOne") == nullptr);
  CHECK(r.fn("M.twice") == nullptr);
  CHECK(r.stats.removed == 2);
}

TEST_CASE("simplify: an argument used twice by the inlined body is evaluated once", "[core][simplify]") {
  // double x = x + x; main w = double (expensive w)
  Function dbl{"M.double", {10}, add(v(10), v(10)), ""};
  Function expensive{"M.expensive", {30}, mkPrim(PrimOp::StringLength, {mkPrim(PrimOp::ShowInt, {v(30)})}), ""};
  Function big{"M.big", {40}, v(40), ""};
  // expensive is called twice in the program, so it is inlined only if small (it is): make the
  // argument a call of a function that is not inlined instead -- one that recurses.
  Function loop{"M.loop", {50}, mkCase(50, {Alt{0, {}, mkInt(0)}, Alt{1, {51}, call("M.loop", {v(51)})}}), ""};
  Function mainF{"M.main", {0}, call("M.double", {call("M.loop", {v(0)})}), ""};
  auto r = run({dbl, loop, mainF});
  std::string body = r.body("M.main");
  INFO(body);
  CHECK(count(body, "@M.loop") == 1);
  CHECK(count(body, "@M.double") == 0);
  CHECK(count(body, "%IntAdd") == 1);
  (void)expensive;
  (void)big;
}

TEST_CASE("simplify: a recursive function is not inlined", "[core][simplify]") {
  Function loop{"M.loop", {50}, mkCase(50, {Alt{0, {}, mkInt(0)}, Alt{1, {51}, call("M.loop", {v(51)})}}), ""};
  // even/odd: mutually recursive
  Function even{"M.even", {60}, mkCase(60, {Alt{0, {}, mkInt(1)}, Alt{1, {61}, call("M.odd", {v(61)})}}), ""};
  Function odd{"M.odd", {70}, mkCase(70, {Alt{0, {}, mkInt(0)}, Alt{1, {71}, call("M.even", {v(71)})}}), ""};
  Function mainF{"M.main", {0}, add(call("M.loop", {v(0)}), call("M.even", {v(0)})), ""};
  auto r = run({loop, even, odd, mainF});
  std::string body = r.body("M.main");
  INFO(r.text);
  CHECK(count(body, "@M.loop") == 1);
  CHECK(count(body, "@M.even") == 1);
  CHECK(r.fn("M.loop"));
  CHECK(r.fn("M.even"));
  CHECK(r.fn("M.odd"));
  CHECK(r.stats.inlined == 0);
}

TEST_CASE("simplify: the size budget stops a big function called twice, not one called once", "[core][simplify]") {
  // big x = x + 1 + 1 + ... (40 additions): over the budget of 30 nodes
  ExprPtr e = v(10);
  for (int i = 0; i < 40; i++) e = add(e, v(10));
  Function bigTwice{"M.big", {10}, e, ""};
  ExprPtr e2 = v(20);
  for (int i = 0; i < 40; i++) e2 = add(e2, v(20));
  Function bigOnce{"M.bigOnce", {20}, e2, ""};
  Function mainF{"M.main", {0}, add(add(call("M.big", {v(0)}), call("M.big", {mkInt(2)})), call("M.bigOnce", {v(0)})), ""};
  auto r = run({bigTwice, bigOnce, mainF});
  std::string body = r.body("M.main");
  INFO(r.text);
  CHECK(count(body, "@M.big(") == 0);
  CHECK(count(body, "(@M.big)") == 2);
  CHECK(count(body, "@M.bigOnce") == 0);
  CHECK(r.fn("M.bigOnce") == nullptr);
}

TEST_CASE("simplify: a let with an effect or a possible failure is kept even when unused", "[core][simplify]") {
  Function act{"M.act", {10}, mkPrim(PrimOp::PutStrLn, {v(10)}), ""};
  Function loop{"M.loop", {50}, mkCase(50, {Alt{0, {}, mkInt(0)}, Alt{1, {51}, call("M.loop", {v(51)})}}), ""};
  // let a = loop(w) in let b = 7 / w in let c = w + 1 in let d = Just(w) in 0
  Function mainF{"M.main", {0},
                 mkLet(1, call("M.loop", {v(0)}),
                       mkLet(2, mkPrim(PrimOp::IntQuot, {mkInt(7), v(0)}, "m.weir:1:1"),
                             mkLet(3, add(v(0), mkInt(1)), mkLet(4, just(v(0)), mkInt(0))))),
                 ""};
  auto r = run({act, loop, mainF});
  std::string body = r.body("M.main");
  INFO(body);
  CHECK(count(body, "@M.loop") == 1);
  CHECK(count(body, "%IntQuot") == 1);
  CHECK(count(body, "%IntAdd") == 0);
  CHECK(count(body, "Just") == 0);
  CHECK(r.stats.deadLets == 2);
}

TEST_CASE("simplify: case-of-case pushes a match into the branches that build its scrutinee", "[core][simplify]") {
  // let m = case b of False -> Nothing; True -> Just(x) in case m of Nothing -> 0; Just y -> y + 1
  auto inner = mkCase(1, {Alt{0, {}, nothing()}, Alt{1, {}, just(v(0))}});
  auto r = runExpr(mkLet(1, mkPrim(PrimOp::IntLt, {v(0), mkInt(10)}),
                         mkLet(2, inner, caseMaybe(2, mkInt(0), 3, add(v(3), mkInt(1))))));
  std::string body = r.text;
  INFO(body);
  CHECK(count(body, "Just") == 0);
  CHECK(count(body, "Nothing") == 0);
  CHECK(count(body, "case") == 1);  // only the case on the comparison is left
  CHECK(r.stats.caseOfCase == 1);
}

TEST_CASE("simplify: case-of-case is not done when no branch is known", "[core][simplify]") {
  Function loop{"M.loop", {50}, mkCase(50, {Alt{0, {}, mkInt(0)}, Alt{1, {51}, call("M.loop", {v(51)})}}), ""};
  auto inner = mkCase(1, {Alt{0, {}, call("M.loop", {v(0)})}, Alt{1, {}, call("M.loop", {mkInt(3)})}});
  Function mainF{"M.main", {0},
                 mkLet(1, mkPrim(PrimOp::IntLt, {v(0), mkInt(10)}),
                       mkLet(2, inner, caseMaybe(2, mkInt(0), 3, add(v(3), mkInt(1))))),
                 ""};
  auto r = run({loop, mainF});
  CHECK(r.stats.caseOfCase == 0);
  CHECK(count(r.body("M.main"), "case") == 2);
}

TEST_CASE("simplify: literals fold and select literal cases", "[core][simplify]") {
  // let n = 2 in let t = n == 0 in case t of True -> 1; False -> case n of 2 -> 20; _ -> 30
  auto r = runExpr(mkLet(1, mkInt(2),
                         mkLet(2, mkPrim(PrimOp::IntEq, {v(1), mkInt(0)}),
                               mkCase(2, {Alt{1, {}, mkInt(1)},
                                          Alt{0, {}, mkLitCase(1, {LitAlt{LitAlt::Int, 2, "", mkInt(20)}}, mkInt(30))}}))));
  CHECK(r.body("M.main") == "20");
}

TEST_CASE("simplify: beta reduction and projections of known constructors", "[core][simplify]") {
  // (\a b -> a + b)(w, 1)      and     let p = Pair(w, 5) in p.1
  auto r1 = runExpr(mkApp(mkLam({1, 2}, add(v(1), v(2))), {v(0), mkInt(1)}));
  CHECK(r1.body("M.main") == "%IntAdd(v0, 1)");
  CHECK(r1.stats.beta == 1);
  auto r2 = runExpr(mkLet(1, mkCon(0, "Pair", {v(0), mkInt(5)}), mkProj(v(1), 1)));
  CHECK(r2.body("M.main") == "5");
}

TEST_CASE("simplify: a match inside an alternative that matched the same variable is resolved", "[core][simplify]") {
  // case m of Nothing -> 0; Just y -> case m of Nothing -> 1; Just z -> z
  auto r = runExpr(caseMaybe(0, mkInt(0), 1, caseMaybe(0, mkInt(1), 2, v(2))));
  std::string body = r.body("M.main");
  INFO(body);
  CHECK(count(body, "case") == 1);
  CHECK(count(body, "v1") == 2);  // the field of the outer match is the result
}

TEST_CASE("simplify: an inlined library failure reports the caller's location", "[core][simplify]") {
  // fromJust m = case m of Nothing -> error "fromJust" @lib:...; Just x -> x
  Function fromJust{"M.fromJust", {10},
                    caseMaybe(10, mkError("Maybe.fromJust: Nothing", "lib:Prelude.weir:5:1"), 11, v(11)), ""};
  // a library function whose copy would call another one (recursive: not inlined) without a
  // call site: that one's failure would be reported at a stale call site
  Function fail{"M.fail", {30}, mkCase(30, {Alt{0, {}, mkError("no", "lib:Prelude.weir:9:1")}, Alt{1, {31}, call("M.fail", {v(31)})}}), ""};
  Function other{"M.other", {20}, mkCase(20, {Alt{0, {}, call("M.fail", {v(20)})}, Alt{1, {21}, v(21)}}), ""};
  Function mainF{"M.main", {0},
                 add(call("M.fromJust", {v(0)}, "main.weir:3:7"), call("M.other", {v(0)}, "main.weir:4:9")), ""};
  auto r = run({fromJust, fail, other, mainF});
  std::string body = r.body("M.main");
  INFO(r.text);
  CHECK(count(body, "@main.weir:3:7") == 1);   // the error now carries the call's location
  CHECK(count(body, "(@M.other)") == 1);       // its copy would lose the call site: not inlined
  CHECK(count(body, "@lib:") == 0);
}

TEST_CASE("simplify: a function applied to more arguments than it takes keeps the order", "[core][simplify]") {
  // k x = \y -> x + y ; main w = k(w, 3)   (over-saturated: the lambda is then applied in place)
  Function k{"M.k", {10}, mkLam({11}, add(v(10), v(11))), ""};
  Function mainF{"M.main", {0}, call("M.k", {v(0), mkInt(3)}), ""};
  auto r = run({k, mainF});
  CHECK(r.body("M.main") == "%IntAdd(v0, 3)");
}

TEST_CASE("simplify: case-of-case leaves a failing branch as it is", "[core][simplify]") {
  // let m = case b of False -> error "no"; True -> Just(x) in case m of Nothing -> 0; Just y -> y
  auto inner = mkCase(1, {Alt{0, {}, mkError("no", "m.weir:1:1")}, Alt{1, {}, just(v(0))}});
  auto r = runExpr(mkLet(1, mkPrim(PrimOp::IntLt, {v(0), mkInt(10)}), mkLet(2, inner, caseMaybe(2, mkInt(0), 3, v(3)))));
  std::string body = r.body("M.main");
  INFO(body);
  CHECK(count(body, "Just") == 0);
  CHECK(count(body, "error \"no\"") == 1);
  CHECK(r.stats.caseOfCase == 1);
}

TEST_CASE("simplify: a function with a local recursive function is copied with fresh variables", "[core][simplify]") {
  // rev xs = letrec go = \(ys, acc) -> case ys of Nil -> acc; Cons(h, t) -> go(t, Cons(h, acc)) in go(xs, Nil)
  auto go = mkLam({11, 12}, mkCase(11, {Alt{0, {}, v(12)},
                                        Alt{1, {13, 14}, mkApp(v(10), {v(14), mkCon(1, "Cons", {v(13), v(12)})})}}));
  Function rev{"M.rev", {1}, mkLetRec({Binding{10, go}}, mkApp(v(10), {v(1), mkCon(0, "Nil", {})})), ""};
  Function mainF{"M.main", {0}, mkCon(0, "Pair", {call("M.rev", {v(0)}), call("M.rev", {v(0)})}), ""};
  auto r = run({rev, mainF});  // run() checks that every variable is bound once
  std::string body = r.body("M.main");
  INFO(body);
  CHECK(count(body, "letrec") == 2);
  CHECK(count(body, "@M.rev") == 0);
}

TEST_CASE("simplify: an application of a case goes into its branches", "[core][simplify]") {
  // main w = (case w < 1 of True -> @M.f; False -> @M.g)(w)   ==>  case .. of True -> f(w); False -> g(w)
  Function f{"M.f", {10}, mkPrim(PrimOp::PutStrLn, {v(10)}), ""};
  Function g{"M.g", {11}, mkPrim(PrimOp::PutStr, {v(11)}), ""};
  auto pick = mkCase(1, {Alt{1, {}, mkGlobal("M.f")}, Alt{0, {}, mkGlobal("M.g")}});
  Function mainF{"M.main", {0}, mkLet(1, mkPrim(PrimOp::IntLt, {v(0), mkInt(1)}), mkApp(pick, {v(0)})), ""};
  auto r = run({f, g, mainF});
  std::string body = r.body("M.main");
  INFO(body);
  CHECK(count(body, "%PutStrLn(v0)") == 1);  // direct calls, inlined
  CHECK(count(body, "%PutStr(v0)") == 1);
  CHECK(count(body, ")(v0)") == 0);          // no unknown application left
}

TEST_CASE("simplify: a partial application used once is built where it is used", "[core][simplify]") {
  // put2 s w = putStrLn s   (as an IO primitive: the world last)
  Function put2{"M.put2", {10, 11}, mkPrim(PrimOp::PutStrLn, {v(10)}), ""};
  // main w = let a = put2("x") in case w < 1 of True -> a(w); False -> 0
  auto body = [](VarId a, VarId c, ExprPtr use) {
    return mkLet(a, call("M.put2", {mkString("x")}),
                 mkLet(c, mkPrim(PrimOp::IntLt, {v(0), mkInt(1)}), mkCase(c, {Alt{1, {}, std::move(use)}, Alt{0, {}, mkInt(0)}})));
  };
  Function once{"M.main", {0}, body(1, 2, mkApp(v(1), {v(0)})), ""};
  auto r = run({put2, once});
  std::string b = r.body("M.main");
  INFO(b);
  CHECK(count(b, "%PutStrLn(\"x\")") == 1);  // only in the branch: no closure built
  CHECK(count(b, "@M.put2") == 0);
  CHECK(r.stats.papsMoved == 1);

  // used twice (a >> a): built once, applied twice
  Function twice{"M.main", {0}, body(1, 2, mkLet(3, mkApp(v(1), {v(0)}), mkApp(v(1), {v(0)}))), ""};
  auto r2 = run({put2, twice});
  std::string b2 = r2.body("M.main");
  INFO(b2);
  CHECK(count(b2, "(@M.put2)(\"x\")") == 1);
  CHECK(count(b2, "(v1)(v0)") == 2);
  CHECK(r2.stats.papsMoved == 0);

  // used inside a lambda: it would be built at every call of the lambda
  Function lam{"M.main", {0}, body(1, 2, mkLam({4}, mkApp(v(1), {v(4)}))), ""};
  auto r3 = run({put2, lam});
  INFO(r3.body("M.main"));
  CHECK(count(r3.body("M.main"), "(@M.put2)(\"x\")") == 1);
  CHECK(r3.stats.papsMoved == 0);
}

namespace {
// Alternatives as match compilation makes them: they carry their constructor's name.
Alt named(int tag, std::vector<VarId> fields, ExprPtr body, std::string con) {
  Alt a{tag, std::move(fields), std::move(body)};
  a.con = std::move(con);
  return a;
}
}  // namespace

TEST_CASE("simplify: a matched value rebuilt from its own fields is shared, not copied", "[core][simplify]") {
  // swap-like: case e of Pow(f, g) -> Pair(Pow(f, g), f)   (deriv's `pow f g` on a matched Pow)
  auto body = mkCase(0, {named(4, {1, 2}, mkCon(0, "Pair", {mkCon(4, "M.Pow", {v(1), v(2)}), v(1)}), "M.Pow"),
                         named(1, {3}, mkCon(1, "M.Val", {v(3)}), "M.Val")});
  auto r = runExpr(body);
  std::string text = r.body("M.main");
  INFO(text);
  CHECK(count(text, "M.Pow#") == 0);  // both rebuilds became v0 itself
  CHECK(count(text, "M.Val#") == 0);
  CHECK(count(text, "Pair#0(v0, v1)") == 1);
  CHECK(r.stats.rebuilds == 2);
  // and rc insertion keeps v0 alive in both branches (verified by run()).
}

TEST_CASE("simplify: a constructor that only looks like the matched one is still built", "[core][simplify]") {
  // case e of Add(f, g) -> [ Add(g, f), Mul(f, g), Add(f, f), Add'(f, g) of another type ]
  // and an alternative without a constructor name (not from a pattern): never shared.
  auto body = mkCase(0, {named(2, {1, 2},
                               mkCon(0, "T4", {mkCon(2, "M.Add", {v(2), v(1)}), mkCon(3, "M.Mul", {v(1), v(2)}),
                                               mkCon(2, "M.Add", {v(1), v(1)}), mkCon(2, "N.Plus", {v(1), v(2)})}),
                               "M.Add"),
                         Alt{3, {3, 4}, mkCon(3, "M.Mul", {v(3), v(4)})}});
  auto r = runExpr(body);
  std::string text = r.body("M.main");
  INFO(text);
  CHECK(count(text, "M.Add#2") == 2);
  CHECK(count(text, "M.Mul#3") == 2);
  CHECK(count(text, "N.Plus#2") == 1);
  CHECK(r.stats.rebuilds == 0);
}

TEST_CASE("simplify: the innermost matching alternative is shared, through nested cases", "[core][simplify]") {
  // case e of Add(a, b) -> case a of Val(n) -> Add(Val(n), b)     both levels: Add(a, b) is e
  auto body = mkCase(0, {named(2, {1, 2},
                               mkCase(1, {named(0, {3}, mkCon(2, "M.Add", {mkCon(0, "M.Val", {v(3)}), v(2)}), "M.Val")},
                                      mkInt(0)),
                               "M.Add")});
  auto r = runExpr(body);
  std::string text = r.body("M.main");
  INFO(text);
  CHECK(count(text, "M.Val#") == 0);
  CHECK(count(text, "M.Add#") == 0);
  CHECK(r.stats.rebuilds == 2);
}
