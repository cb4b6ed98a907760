// Peeling the base cases of recursive calls (core/peel.hpp) on small Core inputs: which calls
// are peeled, what the peeled case keeps, and that the output is valid Core that rc accepts.
#include <catch2/catch.hpp>

#include "core/core.hpp"
#include "core/peel.hpp"

#include "core_support.hpp"

using namespace weir::core;
using namespace core_test;

namespace {

ExprPtr add1(ExprPtr x) { return mkPrim(PrimOp::IntAdd, {std::move(x), mkInt(1)}); }
ExprPtr sub1(ExprPtr x) { return mkPrim(PrimOp::IntSub, {std::move(x), mkInt(1)}); }
ExprPtr leaf() { return mkCon(0, "M.Leaf", {}); }
ExprPtr node(ExprPtr l, ExprPtr r) { return mkCon(1, "M.Node", {std::move(l), std::move(r)}); }

// go t acc = case t of Leaf -> acc; Node l r -> go l (go r (acc + 1))
Function walk() {
  return Function{"M.go", {0, 1},
                  mkCase(0, {Alt{0, {}, v(1), "M.Leaf"},
                             Alt{1, {2, 3}, call("M.go", {v(2), call("M.go", {v(3), add1(v(1))})}), "M.Node"}}),
                  ""};
}

std::string peeled(Program& p, int expected) {
  CHECK(peelBaseCases(p) == expected);
  std::string err;
  bool ok = passOutputValid(p, err);
  INFO(err);
  CHECK(ok);
  return print(p);
}

}  // namespace

TEST_CASE("peel: a tree walk answers the leaf case of its inner call at the call site", "[core][peel]") {
  Function go = walk();
  go.body->alts[1].body->args[2]->loc = "M.weir:3:9";  // a call site kept for library errors
  Program p = programOf({go});
  std::string text = peeled(p, 1);
  INFO(text);
  // The argument acc + 1 is evaluated once, before the case; the leaf alternative returns it; the
  // other constructor goes to the call; the outer (tail) call is left alone.
  CHECK(count(text, "%IntAdd") == 1);
  CHECK(count(text, "case v3 of") == 1);
  CHECK(count(text, "(@M.go)") == 2);
  const Expr& alt = *p.functions[0].body->alts[1].body;
  REQUIRE(alt.kind == Expr::App);
  const Expr& inner = *alt.args[2];
  REQUIRE(inner.kind == Expr::Let);
  const Expr& c = *inner.args[1];
  REQUIRE(c.kind == Expr::Case);
  CHECK(c.scrut == 3);
  REQUIRE(c.alts.size() == 1);
  CHECK(c.alts[0].tag == 0);
  CHECK(c.alts[0].body->kind == Expr::Var);
  CHECK(c.alts[0].body->var == inner.var);
  REQUIRE(c.deflt);
  CHECK(c.deflt->kind == Expr::App);
  CHECK(c.deflt->loc == "M.weir:3:9");
}

TEST_CASE("peel: tail calls, other functions' calls and unpeelable callees stay calls", "[core][peel]") {
  // len xs acc = case xs of Nil -> acc; Cons _ t -> len t (acc + 1): a tail call (a loop)
  Function len{"M.len", {0, 1}, mkCase(0, {Alt{0, {}, v(1)}, Alt{1, {2, 3}, call("M.len", {v(3), add1(v(1))})}}), ""};
  // main t = go t 0 + 1: a non-tail call from another function
  Function user{"M.main", {10}, add1(call("M.go", {v(10), mkInt(0)})), ""};
  // sum xs = case xs of Nil -> 0 + 0; Cons x t -> x + sum t: no cheap alternative
  Function sum{"M.sum", {20},
               mkCase(20, {Alt{0, {}, mkPrim(PrimOp::IntAdd, {mkInt(0), mkInt(0)})},
                           Alt{1, {21, 22}, mkPrim(PrimOp::IntAdd, {v(21), call("M.sum", {v(22)})})}}),
               ""};
  Program p = programOf({len, user, walk(), sum});
  std::string text = peeled(p, 1);  // only go's own inner call
  INFO(text);
  CHECK(count(text, "(@M.len)") == 1);
  CHECK(count(text, "(@M.sum)") == 1);
  CHECK(count(text, "(@M.go)") == 3);
}

TEST_CASE("peel: a literal base case, both calls inside a constructor", "[core][peel]") {
  // make d = case d of 0 -> Node Leaf Leaf; _ -> Node (make (d - 1)) (make (d - 1))
  Function make{"M.make", {0},
                mkLitCase(0, {LitAlt{LitAlt::Int, 0, "", node(leaf(), leaf())}},
                          node(call("M.make", {sub1(v(0))}), call("M.make", {sub1(v(0))}))),
                ""};
  Program p = programOf({make});
  std::string text = peeled(p, 2);
  INFO(text);
  CHECK(count(text, "M.Node#1(M.Leaf#0, M.Leaf#0)") == 3);  // the callee's and one per call site
  CHECK(count(text, "(@M.make)") == 2);
}

TEST_CASE("peel: a cheap default is kept and the other alternatives call", "[core][peel]") {
  // fold e = case e of Add a b -> Add (fold a) (fold b); _ -> e
  Function fold{"M.fold", {0},
                mkCase(0, {Alt{2, {1, 2}, mkCon(2, "M.Add", {call("M.fold", {v(1)}), call("M.fold", {v(2)})}), "M.Add"}},
                       v(0)),
                ""};
  Program p = programOf({fold});
  std::string text = peeled(p, 2);
  INFO(text);
  const Expr& con = *p.functions[0].body->alts[0].body;
  REQUIRE(con.kind == Expr::Con);
  for (int i = 0; i < 2; i++) {
    const Expr& c = *con.args[i];
    REQUIRE(c.kind == Expr::Case);
    CHECK(c.scrut == (i == 0 ? 1 : 2));
    REQUIRE(c.alts.size() == 1);
    CHECK(c.alts[0].fields.size() == 2);
    CHECK(c.alts[0].body->kind == Expr::App);   // Add -> fold again
    REQUIRE(c.deflt);
    CHECK(c.deflt->kind == Expr::Var);           // anything else -> the argument itself
    CHECK(c.deflt->var == c.scrut);
  }
}

TEST_CASE("peel: a field returned by a cheap alternative is bound afresh at each call site", "[core][peel]") {
  // eval e = case e of Val n -> n; Add a b -> eval a + eval b
  Function eval{"M.eval", {0},
                mkCase(0, {Alt{0, {1}, v(1), "M.Val"},
                           Alt{1, {2, 3}, mkPrim(PrimOp::IntAdd, {call("M.eval", {v(2)}), call("M.eval", {v(3)})}), "M.Add"}}),
                ""};
  Program p = programOf({eval});
  std::string text = peeled(p, 2);
  INFO(text);
  CHECK(eachVariableBoundOnce(p.functions[0]));
  CHECK(count(text, "#0(v") == 3);  // the callee's Val alternative and one per call site
}

TEST_CASE("peel: a trmc worker's calls of its function are peeled, arguments in order", "[core][peel]") {
  // f$trmc's non-tail call of f (the left subtree), arguments an Int expression and a variable
  Function f{"M.f", {0, 1},
             mkLitCase(1, {LitAlt{LitAlt::Int, 0, "", leaf()}}, node(call("M.f", {v(0), sub1(v(1))}), leaf())), ""};
  Function w{"M.f$trmc", {10, 11, 12},
             mkLitCase(11, {LitAlt{LitAlt::Int, 0, "", mkPrim(PrimOp::TrmcFill, {v(12), leaf()})}},
                       mkPrim(PrimOp::TrmcFill, {v(12), node(call("M.f", {add1(v(10)), sub1(v(11))}), leaf())})),
             ""};
  w.trmcWorker = true;
  Program p = programOf({f, w});
  std::string text = peeled(p, 2);
  INFO(text);
  // In the worker: two let-bound arguments, in the order written, the case on the second.
  const Expr& fill = *p.functions[1].body->deflt;
  const Expr& con = *fill.args[1];
  const Expr& first = *con.args[0];
  REQUIRE(first.kind == Expr::Let);
  CHECK(first.args[0]->prim == PrimOp::IntAdd);
  const Expr& second = *first.args[1];
  REQUIRE(second.kind == Expr::Let);
  CHECK(second.args[0]->prim == PrimOp::IntSub);
  REQUIRE(second.args[1]->kind == Expr::LitCase);
  CHECK(second.args[1]->scrut == second.var);
}

TEST_CASE("peel: a function of many cheap clauses is not copied to its call sites", "[core][peel]") {
  // table n = case n of 0 -> 10; 1 -> 11; ... 9 -> 19; _ -> 1 + table (n - 10)
  std::vector<LitAlt> alts;
  for (int i = 0; i < 10; i++) alts.push_back(LitAlt{LitAlt::Int, i, "", mkInt(10 + i)});
  Function table{"M.table", {0}, mkLitCase(0, std::move(alts), add1(call("M.table", {sub1(v(0))}))), ""};
  Program p = programOf({table});
  peeled(p, 0);
  // with eight alternatives in all (seven cheap ones and the call) it is
  std::vector<LitAlt> few;
  for (int i = 0; i < 7; i++) few.push_back(LitAlt{LitAlt::Int, i, "", mkInt(10 + i)});
  Function small{"M.small", {0}, mkLitCase(0, std::move(few), add1(call("M.small", {sub1(v(0))}))), ""};
  Program q = programOf({small});
  peeled(q, 1);
}
