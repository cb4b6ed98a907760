// The Core verifier (core/verify.hpp) on small broken programs, and the pass pipeline
// (core/pipeline.hpp): its options, where it stops, and that it names the pass that broke the Core.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <set>

#include "core/core.hpp"
#include "core/pipeline.hpp"
#include "core/verify.hpp"

#include "core_support.hpp"

using namespace weir::core;
using core_test::count;
using core_test::v;

namespace {
ExprPtr add(ExprPtr a, ExprPtr b) { return mkPrim(PrimOp::IntAdd, {std::move(a), std::move(b)}); }

// M.len xs = case xs of Nil -> 0; Cons h t -> 1 + M.len t;  M.main w = putStrLn (show (M.len [1]))
Program good() {
  Program p;
  p.functions.push_back(Function{"M.len", {0},
                                 mkCase(0, {Alt{0, {}, mkInt(0), "Nil"},
                                            Alt{1, {1, 2}, add(mkInt(1), core_test::call("M.len", {v(2)})), "Cons"}}),
                                 ""});
  p.functions.push_back(Function{
      "M.main", {3},
      mkPrim(PrimOp::PutStrLn,
             {mkPrim(PrimOp::ShowInt, {core_test::call("M.len", {core_test::cons(mkInt(1), core_test::nil())})})}),
      ""});
  p.entry = "M.main";
  p.nextVar = 100;
  return p;
}
// The verifier's message for p ("" when p is well formed).
std::string problem(const Program& p, VerifyOptions o = {}) {
  std::string err;
  return verify(p, o, err) ? "" : err;
}
Function& fn(Program& p, const char* name) {
  for (auto& f : p.functions)
    if (f.name == name) return f;
  FAIL("no function " << name);
  return p.functions[0];
}
}  // namespace

TEST_CASE("verify: a well-formed program passes, before and after the back-end passes", "[verify]") {
  Program p = good();
  CHECK(problem(p) == "");
  PipelineOptions po;
  po.verify = true;
  std::string err;
  CHECK(runPipeline(p, po, err));
  INFO(err);
  CHECK(p.rcInserted);
  CHECK(problem(p, {true, true}) == "");
}

TEST_CASE("verify: each broken rule is caught and named", "[verify]") {
  Program p = good();
  SECTION("a variable used where it is not bound") {
    fn(p, "M.len").body = add(v(0), v(7));
    CHECK(problem(p).find("function M.len: variable v7 is not bound there") == 0);
  }
  SECTION("a variable used outside the let that binds it") {
    fn(p, "M.len").body = add(mkLet(5, mkInt(1), v(5)), v(5));
    CHECK(problem(p).find("v5 is not bound") != std::string::npos);
  }
  SECTION("a case alternative's field used in another alternative") {
    fn(p, "M.len").body = mkCase(0, {Alt{0, {}, v(2), "Nil"}, Alt{1, {1, 2}, v(1), "Cons"}});
    CHECK(problem(p).find("v2 is not bound") != std::string::npos);
  }
  SECTION("an unbound case scrutinee") {
    fn(p, "M.len").body = mkCase(9, {Alt{0, {}, mkInt(0)}});
    CHECK(problem(p).find("case scrutinee v9 is not bound") != std::string::npos);
  }
  SECTION("a variable bound twice in a function") {
    fn(p, "M.len").body = mkLet(5, mkInt(1), mkLet(5, mkInt(2), v(5)));
    CHECK(problem(p).find("binds v5 twice") != std::string::npos);
  }
  SECTION("a variable id at or above nextVar") {
    fn(p, "M.len").body = mkLet(100, mkInt(1), v(100));
    CHECK(problem(p).find("outside the program's variable ids") != std::string::npos);
  }
  SECTION("a primitive with the wrong number of operands") {
    fn(p, "M.len").body = mkPrim(PrimOp::IntAdd, {v(0)});
    CHECK(problem(p).find("primitive IntAdd with 1 operands, expected 2") != std::string::npos);
  }
  SECTION("a constructor with two arities") {
    fn(p, "M.len").body = mkCon(1, "Cons", {v(0)});
    CHECK(problem(p) == "function M.main: constructor Cons with tag 1 and 2 fields, elsewhere tag 1 and 1 fields");
  }
  SECTION("a constructor with two tags") {
    fn(p, "M.len").body = mkCon(0, "Cons", {v(0), v(0)});
    CHECK(problem(p) == "function M.main: constructor Cons with tag 1 and 2 fields, elsewhere tag 0 and 2 fields");
  }
  SECTION("two alternatives for one tag") {
    fn(p, "M.len").body = mkCase(0, {Alt{0, {}, mkInt(0)}, Alt{0, {}, mkInt(1)}});
    CHECK(problem(p).find("two case alternatives for tag 0") != std::string::npos);
  }
  SECTION("a literal case without a default") {
    fn(p, "M.len").body = mkLitCase(0, {LitAlt{LitAlt::Int, 1, "", mkInt(0)}}, nullptr);
    CHECK(problem(p).find("literal case with no default") != std::string::npos);
  }
  SECTION("a reference to a function that does not exist") {
    fn(p, "M.len").body = core_test::call("M.nowhere", {v(0)});
    CHECK(problem(p).find("`M.nowhere`, which is no function or global") != std::string::npos);
  }
  SECTION("a missing entry point") {
    p.entry = "M.missing";
    CHECK(problem(p).find("the entry point `M.missing` is missing") != std::string::npos);
  }
  SECTION("two functions of one name") {
    p.functions.push_back(p.functions[0]);
    CHECK(problem(p).find("two functions or globals named `M.len`") != std::string::npos);
  }
  SECTION("a call with no argument, a lambda with no parameter") {
    fn(p, "M.len").body = mkApp(mkGlobal("M.len"), {});
    CHECK(problem(p).find("a call with no argument") != std::string::npos);
    fn(p, "M.len").body = mkLam({}, mkInt(1));
    CHECK(problem(p).find("a lambda with no parameter") != std::string::npos);
  }
  SECTION("a dup before rc; a letrec after lift-letrec") {
    fn(p, "M.len").body = mkDup(0, v(0));
    CHECK(problem(p).find("a dup before reference counting was inserted") != std::string::npos);
    fn(p, "M.len").body = mkLetRec({Binding{5, mkLam({6}, v(6))}}, mkApp(v(5), {v(0)}));
    CHECK(problem(p) == "");
    CHECK(problem(p, {true, false}).find("a letrec after lift-letrec") != std::string::npos);
  }
  SECTION("after rc: the ownership rules (verifyRc)") {
    PipelineOptions po;
    std::string err;
    REQUIRE(runPipeline(p, po, err));
    fn(p, "M.len").body = mkDup(0, fn(p, "M.len").body);  // one reference too many: a leak
    CHECK(problem(p, {true, true}).find("reference counting:") != std::string::npos);
    p.rcInserted = false;
    CHECK(problem(p, {true, true}).find("rcInserted is not set") != std::string::npos);
  }
}

TEST_CASE("pipeline: the verifier names the pass after which the Core broke", "[verify][pipeline]") {
  std::vector<Pass> list = {
      {"fine", "changes nothing", [](Program&, const PipelineOptions&) {}, false, nullptr},
      {"breaks", "uses an unbound variable",
       [](Program& p, const PipelineOptions&) { p.functions[0].body = add(v(0), v(42)); }, true, nullptr},
      {"later", "never reached", [](Program&, const PipelineOptions&) { FAIL("ran after a broken pass"); }, false,
       nullptr},
  };
  Program p = good();
  PipelineOptions po;
  po.verify = true;
  std::string err;
  CHECK_FALSE(runPasses(p, list, po, err));
  CHECK(err == "after pass breaks: function M.len: variable v42 is not bound there");
  // Switched off, it breaks nothing; without verification the pipeline does not look.
  p = good();
  po.off = {"breaks"};
  list.pop_back();
  CHECK(runPasses(p, list, po, err));
  po.off.clear();
  po.verify = false;
  CHECK(runPasses(p, list, po, err));
  // A broken input is reported before the first pass.
  p = good();
  p.functions[0].body = v(77);
  po.verify = true;
  CHECK_FALSE(runPasses(p, list, po, err));
  CHECK(err.find("before pass fine:") == 0);
}

TEST_CASE("pipeline: options name passes; --after stops; the environment switches", "[pipeline]") {
  std::set<std::string> names;
  for (auto& pass : passes()) CHECK(names.insert(pass.name).second);  // names are unique
  CHECK(findPass(kCoreEnd) != nullptr);
  CHECK(passNames().find("specialise, prune, ") == 0);
  Program p = good();
  std::string err;
  PipelineOptions po;
  po.off = {"no-such-pass"};
  CHECK_FALSE(runPipeline(p, po, err));
  CHECK(err == "there is no Core pass `no-such-pass`");
  po.off = {"rc"};
  CHECK_FALSE(runPipeline(p, po, err));
  CHECK(err == "the Core pass `rc` cannot be switched off");
  po.off.clear();
  po.after = "simplifier";
  CHECK_FALSE(runPipeline(p, po, err));
  // Stopping after borrow: borrowed parameters inferred, no dup/drop yet.
  po.after = "borrow";
  po.verify = true;
  REQUIRE(runPipeline(p, po, err));
  CHECK_FALSE(p.rcInserted);
  CHECK(fn(p, "M.len").isBorrowed(0));
  CHECK(count(print(p), "drop") == 0);
  // The rest, from rc on.
  po.after.clear();
  po.from = "rc";
  REQUIRE(runPipeline(p, po, err));
  CHECK(p.rcInserted);
  CHECK(fn(p, "M.len").resultRep == Rep::Int);

  setenv("WEIR_TRMC", "0", 1);
  setenv("WEIR_SIMPLIFY", "0", 1);
  setenv("WEIR_VERIFY_CORE", "1", 1);
  PipelineOptions env = PipelineOptions::fromEnvironment();
  unsetenv("WEIR_TRMC");
  unsetenv("WEIR_SIMPLIFY");
  unsetenv("WEIR_VERIFY_CORE");
  CHECK(env.off == std::set<std::string>{"simplify", "trmc", "trmc-lifted"});
  CHECK(env.verify);
  CHECK(PipelineOptions::fromEnvironment().off.empty());
}
