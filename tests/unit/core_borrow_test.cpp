// Borrowed-parameter inference (core/borrow.hpp) and how rc insertion uses it.
#include <catch2/catch.hpp>

#include "core/borrow.hpp"
#include "core/core.hpp"
#include "core/rc.hpp"

#include "core_support.hpp"

using namespace weir::core;
using namespace core_test;

namespace {

// len xs = case xs of Nil -> 0; Cons _ t -> 1 + len t      (not tail recursive)
Function len() {
  return Function{"M.len", {0}, mkCase(0, {Alt{0, {}, mkInt(0)}, Alt{1, {1, 2}, mkPrim(PrimOp::IntAdd, {mkInt(1), call("M.len", {v(2)})})}}), ""};
}

// two xs = case xs of Nil -> 0; Cons _ t -> case t of Nil -> 1; Cons _ _ -> 2   (reads, no walk)
Function two() {
  return Function{"M.two", {0}, mkCase(0, {Alt{0, {}, mkInt(0)}, Alt{1, {1, 2}, mkCase(2, {Alt{0, {}, mkInt(1)}, Alt{1, {3, 4}, mkInt(2)}})}}), ""};
}

struct Rc {
  Program p;
  std::string text;
  const Function& fn(const std::string& name) const {
    for (auto& f : p.functions) if (f.name == name) return f;
    FAIL("no function " << name);
    return p.functions[0];
  }
  std::string body(const std::string& name) const { return print(*fn(name).body); }
};

Rc rc(std::vector<Function> fs) {
  Rc r;
  r.p.functions = std::move(fs);
  r.p.entry = "M.main";
  r.p.nextVar = 100;
  insertRc(r.p);
  r.text = print(r.p);
  INFO(r.text);
  std::string err;
  CHECK(verifyRc(r.p, err));
  INFO(err);
  return r;
}

}  // namespace

TEST_CASE("borrow: a function that only walks a list borrows it and counts nothing", "[core]") {
  // safe q d xs = case xs of Nil -> True; Cons x t -> case q /= x of True -> safe q (d + 1) t; False -> False
  Function safe{"M.safe", {0, 1, 2},
                mkCase(2, {Alt{0, {}, mkCon(1, "True", {})},
                           Alt{1, {3, 4},
                               mkLet(5, mkPrim(PrimOp::IntNe, {v(0), v(3)}),
                                     mkCase(5, {Alt{1, {}, call("M.safe", {v(0), mkPrim(PrimOp::IntAdd, {v(1), mkInt(1)}), v(4)})},
                                                Alt{0, {}, mkCon(0, "False", {})}}))}}),
                ""};
  Rc r = rc({safe, Function{"M.main", {10}, call("M.safe", {mkInt(1), mkInt(1), nil()}), ""}});
  INFO(r.text);
  CHECK(r.fn("M.safe").borrowed == std::vector<bool>{true, false, true});
  CHECK(r.text.find("fun M.safe(^v0, v1, ^v2) =") != std::string::npos);
  std::string b = r.body("M.safe");
  for (const char* x : {"v0;", "v2;", "v3;", "v4;"}) {  // q, xs and its fields: never counted
    CHECK(count(b, std::string("dup ") + x) == 0);
    CHECK(count(b, std::string("drop ") + x) == 0);
  }
  // d is owned: the recursive call passes a temporary (d + 1), which a borrowed d would have to
  // drop after the call -- no longer a tail call. The call stays in tail position.
  CHECK(b.find("(@M.safe)(v0, let v100 = %IntAdd(v1, 1)") != std::string::npos);
  CHECK(b.find("v100, v4)") != std::string::npos);
  CHECK(r.fn("M.main").borrowed.empty() == false);
  CHECK(r.fn("M.main").isBorrowed(0) == false);  // the entry keeps owned parameters
}

TEST_CASE("borrow: non-tail recursion over a borrowed list needs no dup of the tail", "[core]") {
  Rc r = rc({len(), Function{"M.main", {10}, call("M.len", {nil()}), ""}});
  CHECK(r.fn("M.len").isBorrowed(0));
  CHECK(count(r.body("M.len"), "dup") == 0);
  CHECK(count(r.body("M.len"), "drop") == 0);
}

TEST_CASE("borrow: a matched cell rebuilt with the same size stays owned (in-place reuse)", "[core]") {
  // inc xs = case xs of Nil -> Nil; Cons h t -> Cons (h + 1) (inc t)
  Function inc{"M.inc", {0},
               mkCase(0, {Alt{0, {}, nil()}, Alt{1, {1, 2}, cons(mkPrim(PrimOp::IntAdd, {v(1), mkInt(1)}), call("M.inc", {v(2)}))}}),
               ""};
  Rc r = rc({inc, Function{"M.main", {10}, call("M.inc", {nil()}), ""}});
  CHECK_FALSE(r.fn("M.inc").isBorrowed(0));
  CHECK(r.body("M.inc").find("drop v0;") != std::string::npos);  // dup fields; drop xs: codegen's reuse
}

TEST_CASE("borrow: returned, stored, captured or applied parameters (or consumed fields) are owned", "[core]") {
  Rc r = rc({Function{"M.id", {0}, v(0), ""},
             Function{"M.store", {0}, cons(v(0), nil()), ""},
             Function{"M.capture", {0}, mkLam({1}, mkPrim(PrimOp::IntAdd, {v(0), v(1)})), ""},
             Function{"M.apply", {0}, mkApp(v(0), {mkInt(1)}), ""},
             Function{"M.unused", {0}, mkInt(1), ""},
             // head xs = case xs of Nil -> 0; Cons h _ -> h: h is moved out of an owned cell
             Function{"M.head", {0}, mkCase(0, {Alt{0, {}, mkInt(0)}, Alt{1, {1, 2}, v(1)}}), ""},
             Function{"M.main", {10}, mkInt(0), ""}});
  for (const char* f : {"M.id", "M.store", "M.capture", "M.apply", "M.head"}) {
    INFO(f);
    CHECK_FALSE(r.fn(f).isBorrowed(0));
  }
  CHECK(r.fn("M.unused").isBorrowed(0));  // never consumed: the caller keeps it
  CHECK(count(r.body("M.unused"), "drop") == 0);
}

TEST_CASE("borrow: the caller lends a variable and drops it after its last use", "[core]") {
  // k ys = let zs = Cons 1 ys in two zs + 1
  Rc r = rc({two(), Function{"M.k", {0}, mkLet(1, cons(mkInt(1), v(0)), mkPrim(PrimOp::IntAdd, {call("M.two", {v(1)}), mkInt(1)})), ""},
             Function{"M.main", {10}, call("M.k", {nil()}), ""}});
  CHECK(r.fn("M.two").isBorrowed(0));
  std::string b = r.body("M.k");
  CHECK(count(b, "dup") == 0);
  CHECK(b.find("(@M.two)(v1)") < b.find("drop v1;"));  // lent, dropped after the call
}

TEST_CASE("borrow: a walk given the last reference takes an owning copy that frees as it goes", "[core]") {
  // k ys = let zs = Cons 1 ys in len zs + 1;  j ys = let zs = Cons 1 ys in len zs + len zs
  Rc r = rc({len(), Function{"M.k", {0}, mkLet(1, cons(mkInt(1), v(0)), mkPrim(PrimOp::IntAdd, {call("M.len", {v(1)}), mkInt(1)})), ""},
             Function{"M.j", {0}, mkLet(1, cons(mkInt(1), v(0)), mkPrim(PrimOp::IntAdd, {call("M.len", {v(1)}), call("M.len", {v(1)})})), ""},
             Function{"M.main", {10}, mkPrim(PrimOp::IntAdd, {call("M.k", {nil()}), call("M.j", {nil()})}), ""}});
  CHECK(r.fn("M.len").isBorrowed(0));
  const Function& own = r.fn("M.len$own");
  CHECK_FALSE(own.isBorrowed(0));
  std::string b = r.body("M.k");
  INFO(b);
  CHECK(b.find("(@M.len$own)(v1)") != std::string::npos);  // consumed: no drop after the call
  CHECK(count(b, "drop v1;") == 0);
  std::string j = r.body("M.j");
  INFO(j);
  CHECK(j.find("(@M.len)(v1)") != std::string::npos);      // lent first: not its last use
  CHECK(j.find("(@M.len$own)(v1)") != std::string::npos);  // the second call is
  std::string o = r.body("M.len$own");
  INFO(o);
  // unique or static: the walk owns the cell (dup fields, drop it: codegen frees it in place)
  // and goes on owning the tail; shared: the borrowing walk, then one drop
  CHECK(o.find("%UniqueOrStatic(v0)") != std::string::npos);
  CHECK(o.find("(@M.len$own)(v") != std::string::npos);
  CHECK(o.find("(@M.len)(v0)") < o.find("drop v0;\n      v"));
  CHECK(r.fn("M.len").body->kind == Expr::Case);  // the original is unchanged
  CHECK(print(*r.fn("M.len").body).find("$own") == std::string::npos);
}

TEST_CASE("borrow: no owning copy for a function that does not walk its parameter", "[core]") {
  // two reads two cells and stops; k gives it the last reference: lent, dropped after
  Rc r = rc({two(), Function{"M.k", {0}, call("M.two", {cons(mkInt(1), v(0))}), ""},
             Function{"M.main", {10}, mkPrim(PrimOp::IntAdd, {call("M.two", {cons(mkInt(1), nil())}), mkInt(0)}), ""}});
  for (auto& f : r.p.functions) CHECK(f.name.find("$own") == std::string::npos);
}

TEST_CASE("borrow: a tail call that would have to drop afterwards makes the parameter owned", "[core]") {
  // k ys = len (Cons 1 ys): the caller would drop the new cell after a tail call
  Rc r = rc({len(), Function{"M.k", {0}, call("M.len", {cons(mkInt(1), v(0))}), ""},
             Function{"M.main", {10}, call("M.k", {nil()}), ""}});
  CHECK_FALSE(r.fn("M.len").isBorrowed(0));
}

TEST_CASE("borrow: a temporary lent to a call is bound first and dropped after", "[core]") {
  // k ys = two (Cons 1 ys) + 1
  Rc r = rc({two(), Function{"M.k", {0}, mkPrim(PrimOp::IntAdd, {call("M.two", {cons(mkInt(1), v(0))}), mkInt(1)}), ""},
             Function{"M.main", {10}, call("M.k", {nil()}), ""}});
  REQUIRE(r.fn("M.two").isBorrowed(0));
  std::string b = r.body("M.k");
  INFO(b);
  CHECK(b.find("let v100 = Cons#1(1, v0)") != std::string::npos);
  CHECK(b.find("(@M.two)(v100)") < b.find("drop v100;"));
}

TEST_CASE("borrow: a variable lent and consumed by the same call is dup'ed for the consumer", "[core]") {
  // pair a b = case a of Nil -> b; Cons _ _ -> b   (a borrowed, b owned);  q xs = pair xs xs + 0
  Function pair{"M.pair", {0, 1}, mkCase(0, {Alt{0, {}, v(1)}, Alt{1, {2, 3}, v(1)}}), ""};
  Rc r = rc({pair, Function{"M.q", {0}, mkPrim(PrimOp::IntAdd, {call("M.pair", {v(0), v(0)}), mkInt(0)}), ""},
             Function{"M.main", {10}, call("M.q", {nil()}), ""}});
  REQUIRE(r.fn("M.pair").borrowed == std::vector<bool>{true, false});
  std::string b = r.body("M.q");
  INFO(b);
  CHECK(count(b, "dup v0;") == 1);  // the owned position gets a reference of its own
  CHECK(b.find("(@M.pair)(v0, dup v0;") < b.find("drop v0;"));  // the lent one lives through the call
}

TEST_CASE("borrow: the verifier rejects misuse of a borrowed parameter", "[core]") {
  std::string err;
  SECTION("a borrowed parameter consumed") {
    Program p;
    p.functions.push_back(Function{"M.f", {0}, v(0), "", {true}});
    CHECK_FALSE(verifyRc(p, err));
  }
  SECTION("a variable lent to a call and consumed by the same call") {
    Program p;
    p.functions.push_back(Function{"M.pair", {0, 1}, v(1), "", {true, false}});
    p.functions.push_back(Function{"M.q", {5}, call("M.pair", {v(5), v(5)}), ""});
    CHECK_FALSE(verifyRc(p, err));
    CHECK(err.find("same call") != std::string::npos);
  }
  SECTION("a temporary in a borrowed position") {
    Program p;
    p.functions.push_back(Function{"M.g", {0}, mkInt(1), "", {true}});
    p.functions.push_back(Function{"M.q", {5}, call("M.g", {cons(mkInt(1), v(5))}), ""});
    CHECK_FALSE(verifyRc(p, err));
  }
}

TEST_CASE("borrow: returning a raw field leaves the parameter borrowed", "[core]") {
  // data Pt = Pt Int String; getX p = case p of Pt x _ -> x;  getS p = case p of Pt _ s -> s
  auto program = [](bool layout) {
    Program p;
    p.functions = {Function{"M.getX", {0}, mkCase(0, {Alt{0, {1, 2}, v(1), "M.Pt"}}), ""},
                   Function{"M.getS", {0}, mkCase(0, {Alt{0, {1, 2}, v(2), "M.Pt"}}), ""},
                   Function{"M.main", {10}, mkPrim(PrimOp::IntAdd, {call("M.getX", {mkCon(0, "M.Pt", {mkInt(1), mkString("s")})}), mkInt(0)}), ""}};
    p.entry = "M.main";
    p.nextVar = 100;
    if (layout) p.layouts["M.Pt"] = ConLayout::of({Rep::Int, Rep::Boxed});
    insertRc(p);
    return p;
  };
  Program raw = program(true), boxed = program(false);
  INFO(print(raw));
  CHECK(raw.functions[0].isBorrowed(0));        // the Int is copied out of the cell: nothing owned
  CHECK_FALSE(raw.functions[1].isBorrowed(0));  // a pointer field returned: moved out, owned
  CHECK_FALSE(boxed.functions[0].isBorrowed(0));
  std::string err;
  CHECK(verifyRc(raw, err));
  INFO(err);
}
