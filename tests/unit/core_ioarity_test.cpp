// IO arity expansion (core/ioarity.hpp): which functions, lambdas and CAFs get the world
// parameter, and the straight-line code that replaces primBindIO/primPureIO, keeping every
// effect in order and once per run. The results still go through rc insertion and its verifier.
#include <catch2/catch.hpp>

#include "core/core.hpp"
#include "core/ioarity.hpp"
#include "core/rc.hpp"

#include "core_support.hpp"

using namespace weir::core;
using core_test::count;
using World = Function::World;

namespace {
ExprPtr v(VarId x) { return mkVar(x); }
ExprPtr call(const char* f, std::vector<ExprPtr> args) { return mkApp(mkGlobal(f), std::move(args)); }
// The IO primitives as the lowering makes them (core/lower/lower.cpp, lowerForeign).
ExprPtr putStrLn(ExprPtr s) { return call("P.putStrLn", {std::move(s)}); }
ExprPtr bindIO(ExprPtr m, ExprPtr k) { return call("P.bindIO", {std::move(m), std::move(k)}); }
ExprPtr pureIO(ExprPtr x) { return call("P.pureIO", {std::move(x)}); }
ExprPtr unit() { return mkCon(0, "()", {}); }

std::vector<Function> prims() {
  Function put{"P.putStrLn", {900, 901}, mkPrim(PrimOp::PutStrLn, {v(900)}), ""};
  put.world = World::Last;
  Function pure{"P.pureIO", {902, 903}, v(902), ""};
  pure.world = World::Pure;
  Function bind{"P.bindIO", {904, 905, 906}, mkLet(907, mkApp(v(904), {v(906)}), mkApp(v(905), {v(907), v(906)})), ""};
  bind.world = World::Bind;
  return {put, pure, bind};
}

using Result = core_test::PassResult<IOArityStats>;

Result run(std::vector<Function> fs, std::vector<Global> gs = {}) {
  std::vector<Function> all = prims();
  for (auto& f : fs) all.push_back(std::move(f));
  return core_test::runPassChecked<IOArityStats>(std::move(all), std::move(gs), [](Program& p) { return ioArity(p); });
}
}  // namespace

TEST_CASE("ioarity: a do block becomes straight-line calls with the world", "[core][ioarity]") {
  // greet x = do { putStrLn x; putStrLn "!"; pure 7 }
  Function greet{"M.greet", {1},
                 bindIO(putStrLn(v(1)), mkLam({2}, bindIO(putStrLn(mkString("!")), mkLam({3}, pureIO(mkInt(7)))))), ""};
  auto r = run({greet});
  const Function* f = r.fn("M.greet");
  REQUIRE(f);
  REQUIRE(f->params.size() == 2);
  CHECK(f->world == World::Last);
  VarId w = f->params[1];
  std::string body = r.body("M.greet");
  std::string ws = "v" + std::to_string(w);
  // let v2 = putStrLn(v1, w) in let v3 = putStrLn("!", w) in 7
  CHECK(body.find("let v2 = (@P.putStrLn)(v1, " + ws + ")") != std::string::npos);
  CHECK(body.find("let v3 = (@P.putStrLn)(\"!\", " + ws + ")") != std::string::npos);
  CHECK(body.find("v2 = ") < body.find("v3 = "));  // in order
  CHECK(count(body, "@P.bindIO") == 0);
  CHECK(count(body, "@P.pureIO") == 0);
  CHECK(count(body, "\\(") == 0);  // no closure left
  CHECK(r.stats.functions == 1);
  CHECK(r.stats.binds == 2);
}

TEST_CASE("ioarity: an action bound once and run twice is built once and applied twice", "[core][ioarity]") {
  // twice = let a = putStrLn "x" in a >> a          (a CAF: becomes a function of the world)
  Global twice{"M.twice", mkLet(1, putStrLn(mkString("x")), bindIO(v(1), mkLam({2}, v(1))))};
  auto r = run({}, {twice});
  CHECK(r.p.globals.empty());
  const Function* f = r.fn("M.twice");
  REQUIRE(f);
  REQUIRE(f->params.size() == 1);
  std::string ws = "v" + std::to_string(f->params[0]);
  std::string body = r.body("M.twice");
  INFO(body);
  CHECK(count(body, "(@P.putStrLn)(\"x\")") == 1);  // the action is built once...
  CHECK(count(body, "(v1)(" + ws + ")") == 2);       // ...and run twice
  CHECK(r.stats.globals == 1);
}

TEST_CASE("ioarity: a continuation that is not a lambda is still evaluated before the action runs", "[core][ioarity]") {
  // act = putStrLn "a" >>= pick 1        (pick 1 may fail: it is computed before "a" is printed)
  Function pick{"M.pick", {10}, mkLam({11}, putStrLn(v(11))), ""};
  Function act{"M.act", {1}, bindIO(putStrLn(mkString("a")), call("M.pick", {mkInt(1)})), ""};
  auto r = run({pick, act});
  std::string body = r.body("M.act");
  INFO(body);
  size_t build = body.find("(@P.putStrLn)(\"a\")"), k = body.find("(@M.pick)(1)"), runs = body.find("(v");
  REQUIRE(build != std::string::npos);
  REQUIRE(k != std::string::npos);
  REQUIRE(runs != std::string::npos);
  CHECK(build < k);
  CHECK(k < runs);
}

TEST_CASE("ioarity: recursion, calls of expanded functions and errors", "[core][ioarity]") {
  // loop n = case n of 0 -> pure (); _ -> putStrLn "x" >> loop (n - 1)
  auto sub = mkPrim(PrimOp::IntSub, {v(1), mkInt(1)});
  Function loop{"M.loop", {1},
                mkLitCase(1, {LitAlt{LitAlt::Int, 0, "", pureIO(unit())}},
                          bindIO(putStrLn(mkString("x")), mkLam({2}, call("M.loop", {sub})))), ""};
  // start n = loop n        (an action only through loop: found by the fixpoint)
  Function start{"M.start", {3}, call("M.start2", {v(3)}), ""};
  Function start2{"M.start2", {4}, call("M.loop", {v(4)}), ""};
  // checked n = case n of 0 -> error; _ -> start n
  Function checked{"M.checked", {5}, mkLitCase(5, {LitAlt{LitAlt::Int, 0, "", mkError("zero", "t:1:1")}}, call("M.start", {v(5)})), ""};
  auto r = run({loop, start, start2, checked});
  for (const char* n : {"M.loop", "M.start", "M.start2", "M.checked"}) {
    INFO(n);
    REQUIRE(r.fn(n));
    CHECK(r.fn(n)->params.size() == 2);
  }
  std::string ws = "v" + std::to_string(r.fn("M.loop")->params[1]);
  CHECK(r.body("M.loop").find("(@M.loop)(%IntSub(v1, 1), " + ws + ")") != std::string::npos);  // a tail call
  CHECK(r.body("M.checked").find("error \"zero\"") != std::string::npos);
  CHECK(r.stats.functions == 4);
}

TEST_CASE("ioarity: functions that are not actions, or cannot be told to be, are left alone", "[core][ioarity]") {
  Function inc{"M.inc", {1}, mkPrim(PrimOp::IntAdd, {v(1), mkInt(1)}), ""};
  Function runIt{"M.runIt", {2}, v(2), ""};                               // only a parameter: unknown
  Function partial{"M.partial", {3}, call("P.bindIO", {v(3)}), ""};       // a function, not an action
  Function saturated{"M.sat", {4}, call("P.putStrLn", {v(4), unit()}), ""};  // already ran: a value
  auto r = run({inc, runIt, partial, saturated});
  for (const char* n : {"M.inc", "M.runIt", "M.partial", "M.sat"}) {
    INFO(n);
    CHECK(r.fn(n)->params.size() == 1);
    CHECK(r.fn(n)->world == World::None);
  }
  CHECK(r.stats.functions == 0);
}

TEST_CASE("ioarity: lambdas returning actions take the world; local functions too", "[core][ioarity]") {
  // each xs = mapIO (\x -> putStrLn x) xs      (mapIO unknown here: the lambda is a value)
  Function each{"M.each", {1}, call("M.mapIO", {mkLam({2}, putStrLn(v(2))), v(1)}), ""};
  Function mapIO{"M.mapIO", {10, 11}, mkApp(v(10), {v(11)}), ""};
  // local n = let go = \k -> putStrLn k in go n >> go n
  Function local{"M.local", {20},
                 mkLet(21, mkLam({22}, putStrLn(v(22))),
                       bindIO(mkApp(v(21), {v(20)}), mkLam({23}, mkApp(v(21), {v(20)})))), ""};
  auto r = run({each, mapIO, local});
  std::string e = r.body("M.each");
  INFO(e);
  CHECK(e.find("\\(v2, v") != std::string::npos);  // \x w -> putStrLn(x, w)
  CHECK(r.fn("M.each")->params.size() == 1);       // mapIO's result is not known to be an action
  const Function* l = r.fn("M.local");
  REQUIRE(l->params.size() == 2);
  std::string ws = "v" + std::to_string(l->params[1]);
  std::string lb = r.body("M.local");
  INFO(lb);
  CHECK(lb.find("\\(v22, v") != std::string::npos);
  CHECK(count(lb, "(v21)(v20, " + ws + ")") == 2);  // go n w, twice: direct calls of the local function
  CHECK(r.stats.lambdas == 2);
}
