// Representation inference (core/repr.hpp): which parameters and results travel raw.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "core/core.hpp"
#include "core/pipeline.hpp"
#include "core/repr.hpp"

#include "core_support.hpp"

using namespace weir::core;
using namespace core_test;

namespace {

Program program(std::vector<Function> fs) {
  Program p = programOf(std::move(fs));
  inferReps(p);
  INFO(print(p));
  return p;
}

const Function& fn(const Program& p, const std::string& name) {
  for (auto& f : p.functions) if (f.name == name) return f;
  FAIL("no function " << name);
  return p.functions[0];
}

ExprPtr prim(PrimOp op, std::vector<ExprPtr> as) { return mkPrim(op, std::move(as)); }
ExprPtr boolCon(bool b) { return mkCon(b ? 1 : 0, b ? "Prelude.True" : "Prelude.False", {}); }
// if c then t else e, c bound to variable b
ExprPtr ifte(VarId b, ExprPtr c, ExprPtr t, ExprPtr e) {
  return mkLet(b, std::move(c), mkCase(b, {Alt{1, {}, std::move(t)}, Alt{0, {}, std::move(e)}}));
}
Function mainFn() { return Function{"M.main", {99}, mkCon(0, "Prelude.Unit", {}), ""}; }

}  // namespace

TEST_CASE("nqueens' safe: Int parameters, Bool result, the list stays boxed", "[repr]") {
  // safe q d xs = case xs of [] -> True; (x:t) -> if q /= x then safe q (d + 1) t else False
  Function safe{"M.safe", {0, 1, 2},
                mkCase(2, {Alt{0, {}, boolCon(true)},
                           Alt{1, {3, 4}, ifte(5, prim(PrimOp::IntNe, {v(0), v(3)}),
                                               call("M.safe", {v(0), prim(PrimOp::IntAdd, {v(1), mkInt(1)}), v(4)}),
                                               boolCon(false))}}),
                ""};
  Program p = program({safe, mainFn()});
  auto& f = fn(p, "M.safe");
  CHECK(f.paramReps == std::vector<Rep>{Rep::Int, Rep::Int, Rep::Boxed});
  CHECK(f.resultRep == Rep::Bool);
  CHECK(print(p).find("fun M.safe(v0: Int, v1: Int, v2): Bool =") != std::string::npos);
}

TEST_CASE("a length accumulator: Int parameter and Int result through the tail call", "[repr]") {
  // len acc xs = case xs of [] -> acc; (_:t) -> len (acc + 1) t
  Function len{"M.len", {0, 1},
               mkCase(1, {Alt{0, {}, v(0)}, Alt{1, {2, 3}, call("M.len", {prim(PrimOp::IntAdd, {v(0), mkInt(1)}), v(3)})}}),
               ""};
  Program p = program({len, mainFn()});
  CHECK(fn(p, "M.len").paramReps == std::vector<Rep>{Rep::Int, Rep::Boxed});
  CHECK(fn(p, "M.len").resultRep == Rep::Int);
}

TEST_CASE("a parameter stored in a constructor or captured stays boxed", "[repr]") {
  // range n acc = if n < 1 then acc else range (n - 1) (n : acc)     -- n is stored: boxed
  Function range{"M.range", {0, 1},
                 ifte(2, prim(PrimOp::IntLt, {v(0), mkInt(1)}), v(1),
                      call("M.range", {prim(PrimOp::IntSub, {v(0), mkInt(1)}), cons(v(0), v(1))})),
                 ""};
  // adder k = if k > 0 then (\x -> x + k) else (\x -> x)            -- k is captured: boxed
  Function adder{"M.adder", {10},
                 ifte(11, prim(PrimOp::IntGt, {v(10), mkInt(0)}), mkLam({12}, prim(PrimOp::IntAdd, {v(12), v(10)})),
                      mkLam({13}, v(13))),
                 ""};
  // use xs = case xs of (a : t) -> let _ = range a t in adder a   -- a caller passes a box
  Function use{"M.use", {20},
               mkCase(20, {Alt{0, {}, mkInt(0)},
                           Alt{1, {21, 22}, mkLet(23, call("M.range", {v(21), v(22)}), call("M.adder", {v(21)}))}}),
               ""};
  Program p = program({range, adder, use, mainFn()});
  CHECK(fn(p, "M.range").paramReps == std::vector<Rep>{Rep::Boxed, Rep::Boxed});
  CHECK(fn(p, "M.adder").paramReps == std::vector<Rep>{Rep::Boxed});
  CHECK(fn(p, "M.adder").resultRep == Rep::Boxed);
}

TEST_CASE("a loop counter stored once stays raw when every caller passes it raw", "[repr]") {
  // range n acc = if n < 1 then acc else range (n - 1) (n : acc), called as range 10 []: boxed,
  // every iteration would box n - 1 for the call; raw, it boxes n once, for the cell
  Function range{"M.range", {0, 1},
                 ifte(2, prim(PrimOp::IntLt, {v(0), mkInt(1)}), v(1),
                      call("M.range", {prim(PrimOp::IntSub, {v(0), mkInt(1)}), cons(v(0), v(1))})),
                 ""};
  Function start{"M.start", {10}, call("M.range", {mkInt(10), mkCon(0, "Prelude.[]", {})}), ""};
  // twice n = if n > 0 then n : n : [] else []  -- two uses that need an object: one box
  // shared beats two
  Function twice{"M.twice", {20},
                 ifte(21, prim(PrimOp::IntGt, {v(20), mkInt(0)}), cons(v(20), cons(v(20), mkCon(0, "Prelude.[]", {}))),
                      mkCon(0, "Prelude.[]", {})),
                 ""};
  Function twiceCaller{"M.twiceCaller", {30}, call("M.twice", {prim(PrimOp::IntAdd, {v(30), mkInt(1)})}), ""};
  Program p = program({range, start, twice, twiceCaller, mainFn()});
  CHECK(fn(p, "M.range").paramReps == std::vector<Rep>{Rep::Int, Rep::Boxed});
  CHECK(fn(p, "M.twice").paramReps == std::vector<Rep>{Rep::Boxed});
}

TEST_CASE("evidence flows through direct calls; Float and Char from their primitives and literals", "[repr]") {
  // inc x = x + 1;  wrap y = inc y  (y is an Int because inc's x is)
  Function inc{"M.inc", {0}, prim(PrimOp::IntAdd, {v(0), mkInt(1)}), ""};
  Function wrap{"M.wrap", {1}, call("M.inc", {v(1)}), ""};
  // half f = f / 2.0
  Function half{"M.half", {2}, prim(PrimOp::FloatDiv, {v(2), mkFloat(2.0)}), ""};
  // isA c = case c of 'a' -> True; _ -> False
  LitAlt a;
  a.kind = LitAlt::Char;
  a.i = 'a';
  a.body = boolCon(true);
  Function isA{"M.isA", {3}, mkLitCase(3, {a}, boolCon(false)), ""};
  Program p = program({inc, wrap, half, isA, mainFn()});
  CHECK(fn(p, "M.wrap").paramReps == std::vector<Rep>{Rep::Int});
  CHECK(fn(p, "M.wrap").resultRep == Rep::Int);
  CHECK(fn(p, "M.half").paramReps == std::vector<Rep>{Rep::Float});
  CHECK(fn(p, "M.half").resultRep == Rep::Float);
  CHECK(fn(p, "M.isA").paramReps == std::vector<Rep>{Rep::Char});
  CHECK(fn(p, "M.isA").resultRep == Rep::Bool);
}

TEST_CASE("results join: mixed or failing branches, mutual tail calls agree", "[repr]") {
  // f n = if n == 0 then "zero" else g (n - 1);  g n = if n == 0 then 1 else f (n - 1)
  Function f{"M.f", {0},
             ifte(1, prim(PrimOp::IntEq, {v(0), mkInt(0)}), mkString("zero"), call("M.g", {prim(PrimOp::IntSub, {v(0), mkInt(1)})})),
             ""};
  Function g{"M.g", {2},
             ifte(3, prim(PrimOp::IntEq, {v(2), mkInt(0)}), mkInt(1), call("M.f", {prim(PrimOp::IntSub, {v(2), mkInt(1)})})),
             ""};
  // h n = if n < 0 then error "negative" else n * 2   (the failing branch returns nothing)
  Function h{"M.h", {4}, ifte(5, prim(PrimOp::IntLt, {v(4), mkInt(0)}), mkError("negative", "t:1:1"), prim(PrimOp::IntMul, {v(4), mkInt(2)})), ""};
  // never n = error "never"   (no value at all: boxed)
  Function never{"M.never", {6}, mkError("never", "t:1:1"), ""};
  Program p = program({f, g, h, never, mainFn()});
  CHECK(fn(p, "M.f").resultRep == Rep::Boxed);
  CHECK(fn(p, "M.g").resultRep == Rep::Boxed);
  CHECK(fn(p, "M.f").paramReps == std::vector<Rep>{Rep::Int});
  CHECK(fn(p, "M.h").resultRep == Rep::Int);
  CHECK(fn(p, "M.never").resultRep == Rep::Boxed);
}

TEST_CASE("the entry function and a trmc worker's destination stay boxed", "[repr]") {
  Function main{"M.main", {0}, prim(PrimOp::IntAdd, {v(0), mkInt(1)}), ""};
  Program p = program({main});
  CHECK(fn(p, "M.main").paramReps == std::vector<Rep>{Rep::Boxed});
  CHECK(fn(p, "M.main").resultRep == Rep::Boxed);
}

TEST_CASE("a raw let-bound value: its uses that need an object are counted", "[repr]") {
  // body: let m = n * 3 in Cons m (Cons m Nil)   -- two boxed uses of m; n's are raw reads
  Program p;
  ExprPtr body = mkLet(1, prim(PrimOp::IntMul, {v(0), mkInt(3)}), cons(v(1), cons(v(1), nil())));
  auto uses = boxedUses(p, {0}, {Rep::Int}, Rep::Boxed, *body);
  CHECK(uses[1] == 2);
  CHECK(uses.count(0) == 0);
  // returned where the function returns a raw Int: no boxed use
  ExprPtr ret = mkLet(1, prim(PrimOp::IntMul, {v(0), mkInt(3)}), v(1));
  CHECK(boxedUses(p, {0}, {Rep::Int}, Rep::Int, *ret).count(1) == 0);
  CHECK(boxedUses(p, {0}, {Rep::Int}, Rep::Boxed, *ret)[1] == 1);
}

TEST_CASE("WEIR_UNBOX=0 leaves every value boxed", "[repr]") {
  Function inc{"M.inc", {0}, prim(PrimOp::IntAdd, {v(0), mkInt(1)}), ""};
  setenv("WEIR_UNBOX", "0", 1);
  PipelineOptions po = PipelineOptions::fromEnvironment();
  unsetenv("WEIR_UNBOX");
  CHECK(po.off == std::set<std::string>{"unbox"});
  Program p;
  p.functions = {inc, mainFn()};
  p.entry = "M.main";
  p.nextVar = 100;
  po.from = "unbox";
  std::string err;
  REQUIRE(runPipeline(p, po, err));
  CHECK(fn(p, "M.inc").paramReps == std::vector<Rep>{Rep::Boxed});
  CHECK(fn(p, "M.inc").resultRep == Rep::Boxed);
  Program q = program({inc, mainFn()});
  CHECK(fn(q, "M.inc").resultRep == Rep::Int);
}

TEST_CASE("a value chosen by a case is raw when every branch is", "[repr]") {
  // absPlus n = let m = (let b = n < 0 in case b of True -> 0 - n; False -> n) in m + 1
  Function absPlus{"M.absPlus", {0},
                   mkLet(1, ifte(2, prim(PrimOp::IntLt, {v(0), mkInt(0)}), prim(PrimOp::IntSub, {mkInt(0), v(0)}), v(0)),
                         prim(PrimOp::IntAdd, {v(1), mkInt(1)})),
                   ""};
  // pick n xs = let ys = (case n < 1 of True -> xs; False -> Cons n Nil) in ys   -- a boxed join
  Function pick{"M.pick", {3, 4},
                mkLet(5, ifte(6, prim(PrimOp::IntLt, {v(3), mkInt(1)}), v(4), cons(v(3), nil())), v(5)), ""};
  // usePick xs = case xs of (a : t) -> pick a t   -- n comes boxed, so it stays boxed
  Function usePick{"M.usePick", {10},
                   mkCase(10, {Alt{0, {}, nil()}, Alt{1, {11, 12}, call("M.pick", {v(11), v(12)})}}), ""};
  Program p = program({absPlus, pick, usePick, mainFn()});
  CHECK(fn(p, "M.absPlus").paramReps == std::vector<Rep>{Rep::Int});
  CHECK(fn(p, "M.absPlus").resultRep == Rep::Int);
  CHECK(fn(p, "M.pick").paramReps == std::vector<Rep>{Rep::Boxed, Rep::Boxed});
  CHECK(fn(p, "M.pick").resultRep == Rep::Boxed);
}

TEST_CASE("an IO function taking the world: raw Int parameter and result, the world boxed", "[repr]") {
  // after IO arity expansion (core/ioarity.hpp), `tick :: Int -> IO Int; tick n = do { putStrLn
  // "t"; pure (n + 1) }` is tick(n, ~w) = let _ = putStrLn("t") in n + 1
  Function tick{"M.tick", {0, 1},
                mkLet(2, prim(PrimOp::PutStrLn, {mkString("t")}), prim(PrimOp::IntAdd, {v(0), mkInt(1)})), ""};
  tick.world = Function::World::Last;
  Program p = program({tick, mainFn()});
  auto& f = fn(p, "M.tick");
  CHECK(f.paramReps == std::vector<Rep>{Rep::Int, Rep::Boxed});
  CHECK(f.resultRep == Rep::Int);
  // both annotations: the world marker and the representations
  CHECK(print(p).find("fun M.tick(v0: Int, ~v1): Int =") != std::string::npos);
}

TEST_CASE("raw constructor fields: a layout puts pointers first, raw words after, at most 15", "[repr]") {
  ConLayout l = ConLayout::of({Rep::Int, Rep::Boxed, Rep::Bool, Rep::Boxed, Rep::Float});
  CHECK(l.boxed == 2);
  CHECK(l.raw == 3);
  CHECK(l.slots == std::vector<int>{2, 0, 3, 1, 4});
  ConLayout big = ConLayout::of(std::vector<Rep>(17, Rep::Char));
  CHECK(big.raw == 15);
  CHECK(big.boxed == 2);
  CHECK(big.reps[14] == Rep::Char);
  CHECK(big.reps[15] == Rep::Boxed);
  CHECK(big.slots[0] == 2);
  CHECK(big.slots[15] == 0);
  CHECK(big.slots[16] == 1);
}

TEST_CASE("raw constructor fields: a field binds a raw variable, a parameter stored in one stays raw", "[repr]") {
  // data Pt = Pt Int String; mk a s = Pt a s; getX p = case p of Pt x _ -> x
  Function mk{"M.mk", {0, 1}, mkCon(0, "M.Pt", {v(0), v(1)}), ""};
  Function getX{"M.getX", {10}, mkCase(10, {Alt{0, {11, 12}, v(11), "M.Pt"}}), ""};
  // onward p = case p of Pt x _ -> mk x "s"   -- a raw field passed on to a raw parameter
  Function onward{"M.onward", {20}, mkCase(20, {Alt{0, {21, 22}, call("M.mk", {v(21), mkString("s")}), "M.Pt"}}), ""};
  Program p;
  p.functions = {mk, getX, onward, mainFn()};
  p.entry = "M.main";
  p.nextVar = 100;
  p.layouts["M.Pt"] = ConLayout::of({Rep::Int, Rep::Boxed});
  Program without = p;
  without.layouts.clear();
  inferReps(p);
  inferReps(without);
  INFO(print(p));
  CHECK(fn(p, "M.mk").paramReps == std::vector<Rep>{Rep::Int, Rep::Boxed});
  CHECK(fn(p, "M.getX").resultRep == Rep::Int);
  CHECK(print(p).find("layout M.Pt(Int, Boxed)") != std::string::npos);
  auto uses = boxedUses(p, {20}, {Rep::Boxed}, Rep::Boxed, *onward.body);
  CHECK(uses.count(21) == 0);  // passed raw: no box
  // without the layout the field is a pointer: stored boxed, read boxed
  CHECK(fn(without, "M.mk").paramReps == std::vector<Rep>{Rep::Boxed, Rep::Boxed});
  CHECK(fn(without, "M.getX").resultRep == Rep::Boxed);
}

TEST_CASE("a parameter scrutinised by a case on True and False is a raw Bool", "[repr]") {
  // pick b x = if b then x + 1 else x           -- b: Bool, from the case naming True/False
  Function pick{"M.pick", {0, 1},
                mkCase(0, {Alt{1, {}, prim(PrimOp::IntAdd, {v(1), mkInt(1)}), "Prelude.True"},
                           Alt{0, {}, v(1), "Prelude.False"}}),
                ""};
  // other o = case o of LT -> 1; _ -> 2      -- a case on another type says nothing
  Function other{"M.other", {10}, mkCase(10, {Alt{0, {}, mkInt(1), "Prelude.LT"}}, mkInt(2)), ""};
  Program p = program({pick, other, mainFn()});
  CHECK(fn(p, "M.pick").paramReps == std::vector<Rep>{Rep::Bool, Rep::Int});
  CHECK(fn(p, "M.other").paramReps == std::vector<Rep>{Rep::Boxed});
}
