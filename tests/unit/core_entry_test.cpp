// The entry global as a function of the world (core/entry.hpp), on small Core inputs: the
// values its action captures are then owned (freed, reused in place), not immortal.
#include <catch2/catch.hpp>

#include "core/core.hpp"
#include "core/entry.hpp"
#include "core/rc.hpp"

using namespace weir::core;

namespace {

Program program(std::vector<Function> fs, std::vector<Global> gs) {
  Program p;
  p.functions = std::move(fs);
  p.globals = std::move(gs);
  p.entry = "M.main";
  p.nextVar = 100;
  return p;
}

// main = let e = build(3) in bind(print(e), \_ -> print(e))
ExprPtr mainBody() {
  auto printE = mkApp(mkGlobal("M.print"), {mkVar(1)});
  return mkLet(1, mkApp(mkGlobal("M.build"), {mkInt(3)}),
               mkApp(mkGlobal("M.bind"), {printE, mkLam({2}, mkApp(mkGlobal("M.print"), {mkVar(1)}))}));
}

std::vector<Function> library() {
  return {Function{"M.build", {10}, mkVar(10), ""}, Function{"M.print", {20, 21}, mkVar(21), ""},
          Function{"M.bind", {30, 31, 32}, mkApp(mkVar(31), {mkApp(mkVar(30), {mkVar(32)}), mkVar(32)}), ""}};
}

}  // namespace

TEST_CASE("entry: main as a global becomes a function of the world, the call saturated", "[core][entry]") {
  Program p = program(library(), {Global{"M.main", mainBody()}});
  REQUIRE(entryAsFunction(p));
  CHECK(p.globals.empty());
  const Function& m = p.functions.back();
  REQUIRE(m.name == "M.main");
  REQUIRE(m.params.size() == 1);
  std::string text = print(*m.body);
  INFO(text);
  // the let stays first (evaluated once, before the action), the world is bind's third operand
  CHECK(m.body->kind == Expr::Let);
  CHECK(text.find("(@M.bind)(") != std::string::npos);
  CHECK(text.find(", v100)") != std::string::npos);
  CHECK(p.nextVar == 101);
  Program rc = p;
  insertRc(rc);
  std::string err;
  CHECK(verifyRc(rc, err));
  INFO(err);
}

TEST_CASE("entry: a main that other code refers to stays a global", "[core][entry]") {
  // loop = bind(print(1), \_ -> main): main is used as a value, it must stay one CAF
  Function loop{"M.loop", {40}, mkApp(mkGlobal("M.bind"), {mkApp(mkGlobal("M.print"), {mkInt(1)}), mkLam({41}, mkGlobal("M.main"))}), ""};
  auto fs = library();
  fs.push_back(loop);
  Program p = program(fs, {Global{"M.main", mainBody()}});
  CHECK_FALSE(entryAsFunction(p));
  CHECK(p.globals.size() == 1);
  // and a main referring to itself too
  Program q = program(library(), {Global{"M.main", mkApp(mkGlobal("M.bind"), {mkGlobal("M.main"), mkGlobal("M.main")})}});
  CHECK_FALSE(entryAsFunction(q));
}

TEST_CASE("entry: a main that is not a call is applied to the world", "[core][entry]") {
  // main = let a = f in a   (a variable: applied as a closure)
  Program p = program(library(), {Global{"M.main", mkLet(1, mkGlobal("M.build"), mkVar(1))}});
  REQUIRE(entryAsFunction(p));
  std::string text = print(*p.functions.back().body);
  INFO(text);
  CHECK(text.find("(v1)(v100)") != std::string::npos);
  // an entry that already is a function is left alone
  Program q = program({Function{"M.main", {5}, mkVar(5), ""}}, {});
  CHECK_FALSE(entryAsFunction(q));
}
