// Tail recursion modulo constructor contexts (core/trmc.hpp) on small Core inputs, and how it
// composes with rc insertion (core/rc.hpp) and borrowed parameters (core/borrow.hpp).
#include <catch2/catch.hpp>

#include "core/core.hpp"
#include "core/rc.hpp"
#include "core/trmc.hpp"

#include "core_support.hpp"

using namespace weir::core;
using namespace core_test;

namespace {

// map f xs = case xs of Nil -> Nil; Cons x t -> Cons (f x) (map f t)
Function mapFn() {
  return Function{"M.map", {0, 1},
                  mkCase(1, {Alt{0, {}, nil()}, Alt{1, {2, 3}, cons(mkApp(v(0), {v(2)}), call("M.map", {v(0), v(3)}))}}),
                  ""};
}


const Function* find(const Program& p, const std::string& name) {
  for (auto& f : p.functions) if (f.name == name) return &f;
  return nullptr;
}

std::string body(const Program& p, const std::string& name) {
  const Function* f = find(p, name);
  return f ? print(*f->body) : "<no " + name + ">";
}

// Inserts rc into a copy and checks the ownership discipline; returns the printed program.
std::string rcChecked(const Program& p) {
  Program q = p;
  insertRc(q);
  std::string text = print(q), err;
  INFO(text);
  bool ok = verifyRc(q, err);
  INFO(err);
  CHECK(ok);
  return text;
}
}  // namespace

TEST_CASE("trmc: map becomes a wrapper and a destination-passing loop", "[core][trmc]") {
  Program p = programOf({mapFn()});
  CHECK(trmc(p) == 1);
  REQUIRE(p.functions.size() == 2);
  const Function* w = find(p, "M.map$trmc");
  REQUIRE(w);
  CHECK(w->trmcWorker);
  CHECK(w->params.size() == 3);
  std::string text = print(p);
  INFO(text);
  CHECK(text.find("fun M.map$trmc(v0, v1, !v") != std::string::npos);  // the destination is shown
  std::string wb = body(p, "M.map$trmc");
  // the empty case writes Nil to the destination; the cons case allocates a cell with a hole,
  // writes it, and loops with the hole's address as the destination (a tail call)
  CHECK(wb.find("%TrmcFill(v100, Nil#0)") != std::string::npos);
  CHECK(count(wb, "%TrmcHole()") == 1);
  CHECK(wb.find("%TrmcField.1(") != std::string::npos);
  CHECK(count(wb, "(@M.map$trmc)(v0, v3, ") == 1);
  CHECK(wb.find("(@M.map)(") == std::string::npos);
  // the wrapper builds the first cell and calls the worker once
  std::string mb = body(p, "M.map");
  CHECK(mb.find("(@M.map$trmc)(v0, v3, ") != std::string::npos);
  CHECK(mb.find("(@M.map)(") == std::string::npos);
  std::string rc = rcChecked(p);
  // the destination (v100), the cell under construction (v102) and its hole (v103) are used
  // exactly once on every path: rc never counts them
  INFO(rc);
  for (const char* x : {"v100;", "v102;", "v103;"}) {
    CHECK(count(rc, std::string("dup ") + x) == 0);
    CHECK(count(rc, std::string("drop ") + x) == 0);
  }
}

TEST_CASE("trmc: functions without the shape are left untouched", "[core][trmc]") {
  // len xs = case xs of Nil -> 0; Cons _ t -> 1 + len t
  Function len{"M.len", {0},
               mkCase(0, {Alt{0, {}, mkInt(0)}, Alt{1, {1, 2}, mkPrim(PrimOp::IntAdd, {mkInt(1), call("M.len", {v(2)})})}}),
               ""};
  // rev xs acc: already a tail call
  Function rev{"M.rev", {0, 1}, mkCase(0, {Alt{0, {}, v(1)}, Alt{1, {2, 3}, call("M.rev", {v(3), cons(v(2), v(1))})}}), ""};
  // the recursive call is not saturated: a partial application inside the cell
  Function pap{"M.pap", {0, 1}, mkCase(0, {Alt{0, {}, nil()}, Alt{1, {2, 3}, cons(v(2), call("M.pap", {v(3)}))}}), ""};
  Program p = programOf({len, rev, pap});
  std::string before = print(p);
  CHECK(trmc(p) == 0);
  CHECK(print(p) == before);
}

TEST_CASE("trmc: an effect after the recursive call keeps the function as it is", "[core][trmc]") {
  // bad xs = case xs of Nil -> Nil; Cons x t -> Pair (bad t) (error "boom"): the error must come
  // after the recursion (which may itself fail first), so the call cannot become the hole
  Function bad{"M.bad", {0},
               mkCase(0, {Alt{0, {}, nil()},
                          Alt{1, {1, 2}, mkCon(0, "Pair", {call("M.bad", {v(2)}), mkPrim(PrimOp::Error, {mkString("boom")})})}}),
               ""};
  Program p = programOf({bad});
  CHECK(trmc(p) == 0);
  // an effect-free value after the call is fine: it is evaluated before the loop goes on
  Function ok{"M.ok", {0},
              mkCase(0, {Alt{0, {}, nil()}, Alt{1, {1, 2}, mkCon(0, "Pair", {call("M.ok", {v(2)}), cons(v(1), nil())})}}), ""};
  Program q = programOf({ok});
  CHECK(trmc(q) == 1);
  rcChecked(q);
}

TEST_CASE("trmc: earlier arguments keep their order, the last recursive call is the hole", "[core][trmc]") {
  // tmap t = case t of Leaf -> Leaf; Node l x r -> Node (tmap l) (x + 1) (tmap r)
  Function tmap{"M.tmap", {0},
                mkCase(0, {Alt{0, {}, mkCon(0, "Leaf", {})},
                           Alt{1, {1, 2, 3},
                               mkCon(1, "Node", {call("M.tmap", {v(1)}), mkPrim(PrimOp::IntAdd, {v(2), mkInt(1)}),
                                                 call("M.tmap", {v(3)})})}}),
                ""};
  Program p = programOf({tmap});
  CHECK(trmc(p) == 1);
  std::string wb = body(p, "M.tmap$trmc");
  INFO(wb);
  // the left call is an ordinary (non-tail) call of the wrapper, let-bound before the sum
  size_t left = wb.find("= (@M.tmap)(v1)");
  size_t sum = wb.find("= %IntAdd(v2, 1)");
  REQUIRE(left != std::string::npos);
  REQUIRE(sum != std::string::npos);
  CHECK(left < sum);
  CHECK(wb.find("%TrmcField.2(") != std::string::npos);
  CHECK(wb.find("(@M.tmap$trmc)(v3, ") != std::string::npos);
  rcChecked(p);
}

TEST_CASE("trmc: a context two constructors deep and branches that are not contexts", "[core][trmc]") {
  // f xs = case xs of
  //   Nil -> Nil
  //   Cons x t -> case x of 0 -> f t                       (plain tail call: keeps the destination)
  //                         1 -> error "one"               (writes nothing)
  //                         _ -> Link x (Box (f t))         (hole in the inner cell)
  Function f{"M.f", {0},
             mkCase(0, {Alt{0, {}, nil()},
                        Alt{1, {1, 2},
                            mkLitCase(1, {LitAlt{LitAlt::Int, 0, "", call("M.f", {v(2)})},
                                          LitAlt{LitAlt::Int, 1, "", mkError("one", "t:1:1")}},
                                      mkCon(1, "Link", {v(1), mkCon(0, "Box", {call("M.f", {v(2)})})}))}}),
             ""};
  Program p = programOf({f});
  CHECK(trmc(p) == 1);
  std::string wb = body(p, "M.f$trmc");
  INFO(wb);
  CHECK(count(wb, "(@M.f$trmc)(v2, ") == 2);  // the plain tail call and the loop
  CHECK(wb.find("Box#0(%TrmcHole())") != std::string::npos);
  CHECK(wb.find("%TrmcField.0(") != std::string::npos);
  CHECK(wb.find("error \"one\"") != std::string::npos);
  std::string mb = body(p, "M.f");
  INFO(mb);
  CHECK(mb.find("(@M.f)(v2)") != std::string::npos);  // the wrapper's own tail call is unchanged
  rcChecked(p);
}

TEST_CASE("trmc: running it again changes nothing", "[core][trmc]") {
  Program p = programOf({mapFn()});
  CHECK(trmc(p) == 1);
  std::string once = print(p);
  CHECK(trmc(p) == 0);
  CHECK(print(p) == once);
}

TEST_CASE("trmc: rc keeps a unique input's cells for reuse and counts nothing extra", "[core][trmc]") {
  // with a known function instead of a closure: inc xs = Cons (x + 1) (inc t)
  Function inc{"M.inc", {0},
               mkCase(0, {Alt{0, {}, nil()},
                          Alt{1, {1, 2}, cons(mkPrim(PrimOp::IntAdd, {v(1), mkInt(1)}), call("M.inc", {v(2)}))}}),
               ""};
  Program p = programOf({inc});
  CHECK(trmc(p) == 1);
  Program q = p;
  insertRc(q);
  std::string err;
  CHECK(verifyRc(q, err));
  std::string wb = print(*find(q, "M.inc$trmc")->body);
  INFO(wb);
  // xs is owned (its cell can be reused for the new one): the worker dups the fields it uses
  // and drops xs (`dup x; dup t; drop xs`, which codegen turns into reuse of xs's cell), x is
  // dropped after the sum, the unit result of the fill is dropped (a no-op: it is immortal)
  CHECK(!find(q, "M.inc$trmc")->isBorrowed(0));
  CHECK(count(wb, "dup ") == 2);
  CHECK(wb.find("dup v1;\n    dup v2;\n    drop v0;") != std::string::npos);
  CHECK(count(wb, "drop ") == 4);  // xs in both branches, x, the fill's unit
}

// concat as a comprehension's loops are lowered (core/lower/comprehension.cpp): the inner loop
// walks one list and at its end calls the outer loop, which calls the inner loop on the next list.
//   outer ys = case ys of Nil -> Nil; Cons y t -> inner y t
//   inner xs t = case xs of Nil -> outer t; Cons x r -> Cons x (inner r t)
TEST_CASE("trmc: functions that tail-call each other get their workers together", "[core][trmc]") {
  Function outer{"M.outer", {0}, mkCase(0, {Alt{0, {}, nil()}, Alt{1, {1, 2}, call("M.inner", {v(1), v(2)})}}), ""};
  Function inner{"M.inner", {10, 11},
                 mkCase(10, {Alt{0, {}, call("M.outer", {v(11)})},
                             Alt{1, {12, 13}, cons(v(12), call("M.inner", {v(13), v(11)}))}}),
                 ""};
  // Calls the loop in tail position but is not called back: it keeps its frame, no worker.
  Function user{"M.user", {20}, call("M.outer", {v(20)}), ""};
  Program p = programOf({outer, inner, user});
  CHECK(trmc(p) == 2);
  REQUIRE(find(p, "M.outer$trmc"));
  REQUIRE(find(p, "M.inner$trmc"));
  CHECK(!find(p, "M.user$trmc"));
  std::string text = print(p);
  INFO(text);
  // each worker passes its destination on to the other's in tail position: no frame per list
  std::string ow = body(p, "M.outer$trmc");
  CHECK(ow.find("(@M.inner$trmc)(v1, v2, v") != std::string::npos);
  CHECK(ow.find("(@M.inner)(") == std::string::npos);
  std::string iw = body(p, "M.inner$trmc");
  CHECK(iw.find("(@M.outer$trmc)(v11, v") != std::string::npos);
  CHECK(iw.find("(@M.outer)(") == std::string::npos);
  CHECK(count(iw, "%TrmcHole()") == 1);
  // outer itself has no context of its own: left as it is
  CHECK(body(p, "M.outer").find("$trmc") == std::string::npos);
  CHECK(body(p, "M.user") == print(*call("M.outer", {v(20)})));
  rcChecked(p);
  CHECK(trmc(p) == 0);  // again: nothing left to do
}
