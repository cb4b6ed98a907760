// Perceus reuse tokens (core/reuse.hpp): which drops become drop-reuses, which constructor takes
// each token, where a path without one frees it, and what the verifiers reject.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/core.hpp"
#include "core/rc.hpp"
#include "core/reuse.hpp"
#include "core/trmc.hpp"
#include "core/verify.hpp"

#include "core_support.hpp"

using namespace weir::core;
using namespace core_test;

namespace {

ExprPtr node(ExprPtr l, ExprPtr k, ExprPtr r) { return mkCon(1, "Node", {std::move(l), std::move(k), std::move(r)}); }
ExprPtr leaf() { return mkCon(0, "Leaf", {}); }
ExprPtr lt(ExprPtr a, ExprPtr b) { return mkPrim(PrimOp::IntLt, {std::move(a), std::move(b)}); }
ExprPtr ifte(ExprPtr c, VarId cv, ExprPtr yes, ExprPtr no) {
  return mkLet(cv, std::move(c), mkCase(cv, {Alt{1, {}, std::move(yes), "True"}, Alt{0, {}, std::move(no), "False"}}));
}

// name x t = case t of Leaf -> Node Leaf x Leaf
//                      Node l k r -> if x < k then Node (f x l) k r
//                                    else if k < x then Node l k (f x r) else Node l x r
// with f = callee: the function itself (an insert) or another one.
Function treeUpdate(const char* name, const char* callee) {
  return Function{name, {0, 1},
                  mkCase(1, {Alt{0, {}, node(leaf(), v(0), leaf()), "Leaf"},
                             Alt{1, {2, 3, 4},
                                 ifte(lt(v(0), v(3)), 5, node(call(callee, {v(0), v(2)}), v(3), v(4)),
                                      ifte(lt(v(3), v(0)), 6, node(v(2), v(3), call(callee, {v(0), v(4)})), node(v(2), v(0), v(4)))),
                                 "Node"}}),
                  ""};
}

struct Out {
  Program p;
  size_t tokens = 0;
  std::string text;
  std::vector<std::string> toks;  // the tokens' names ("v104"), in the order the text binds them
};

// rc, then reuse, over functions whose parameters are owned (as the entry point's are), with
// both verifiers run on the result.
Out reuse(std::vector<Function> fs, bool withTrmc = false) {
  Out o;
  o.p.functions = std::move(fs);
  o.p.nextVar = 100;
  if (withTrmc) trmc(o.p);
  for (auto& f : o.p.functions) f.borrowed.assign(f.params.size(), false);
  insertRc(o.p, /*inferBorrow=*/false);
  o.tokens = insertReuse(o.p);
  o.text = print(o.p);
  for (size_t at = o.text.find(" reuse v"); at != std::string::npos; at = o.text.find(" reuse v", at + 1))
    o.toks.push_back(o.text.substr(at + 7, o.text.find(';', at) - at - 7));
  REQUIRE(o.toks.size() == o.tokens);
  std::string err;
  INFO(o.text);
  CHECK(verify(o.p, VerifyOptions{true, true}, err));
  INFO(err);
  CHECK(verifyRc(o.p, err));
  return o;
}

}  // namespace

TEST_CASE("reuse: map over a unique list rebuilds each cell in place", "[core]") {
  // inc xs = case xs of Nil -> Nil; Cons h t -> Cons (h + 1) (inc t), after trmc: the cell is
  // built before the recursive call, which fills its tail
  auto o = reuse({Function{"M.inc", {0},
                           mkCase(0, {Alt{0, {}, nil(), "Nil"},
                                      Alt{1, {1, 2}, cons(mkPrim(PrimOp::IntAdd, {v(1), mkInt(1)}), call("M.inc", {v(2)})), "Cons"}}),
                           ""}},
                 /*withTrmc=*/true);
  INFO(o.text);
  REQUIRE(o.tokens == 2);  // in inc and in its worker inc$trmc
  CHECK(count(o.text, "drop v0 reuse " + o.toks[0] + ";") == 1);
  CHECK(count(o.text, "Cons#1@" + o.toks[0] + "(") == 1);
  CHECK(count(o.text, "Cons#1@" + o.toks[1] + "(") == 1);
  CHECK(count(o.text, "free-reuse") == 0);
}

TEST_CASE("reuse: the token follows every branch of a guard to the node it rebuilds", "[core]") {
  auto o = reuse({treeUpdate("M.set", "M.fix"), Function{"M.fix", {50, 51}, v(51), ""}});
  INFO(o.text);
  CHECK(o.tokens == 1);
  CHECK(count(o.text, "reuse " + o.toks[0] + ";") == 1);
  CHECK(count(o.text, "Node#1@" + o.toks[0] + "(") == 3);  // one per path
  CHECK(count(o.text, "Node#1(") == 1);       // the Leaf alternative has no cell to reuse
  CHECK(count(o.text, "free-reuse") == 0);
}

TEST_CASE("reuse: a token is not held across a call back into the recursion (frame-limited)", "[core]") {
  // ins: each frame of the recursion would keep a cell aside while it waits, so the paths that
  // call ins free it before the call (after trmc the recursive call comes after the node is
  // built, and the cell is reused).
  auto o = reuse({treeUpdate("M.ins", "M.ins")});
  INFO(o.text);
  CHECK(o.tokens == 1);
  CHECK(count(o.text, "Node#1@" + o.toks[0] + "(") == 1);  // the path with no call
  CHECK(count(o.text, "free-reuse " + o.toks[0] + ";") == 2);
}

TEST_CASE("reuse: a path with no constructor of the size frees the token first", "[core]") {
  // f xs = case xs of Cons h t -> if h < 0 then t else Cons 0 t;  Nil -> Nil
  auto o = reuse({Function{"M.f", {0},
                           mkCase(0, {Alt{1, {1, 2}, ifte(lt(v(1), mkInt(0)), 3, v(2), cons(mkInt(0), v(2))), "Cons"},
                                      Alt{0, {}, nil(), "Nil"}}),
                           ""}});
  INFO(o.text);
  CHECK(o.tokens == 1);
  CHECK(count(o.text, "free-reuse " + o.toks[0] + ";") == 1);
  CHECK(count(o.text, "Cons#1@" + o.toks[0] + "(") == 1);
  // the free comes first on its path: the branch returning t
  CHECK(o.text.find("free-reuse " + o.toks[0] + ";") < o.text.find("Cons#1@" + o.toks[0] + "("));
}

TEST_CASE("reuse: constructors evaluated first take the token; constants and lambdas never do", "[core]") {
  // g xs = case xs of Cons h t -> Cons (Cons h Nil) t              (the inner cell is built first)
  // k xs = case xs of Cons h t -> let _ = h in Cons 1 Nil          (a static object: no token)
  // l xs = case xs of Cons h t -> \y -> Cons y t                   (built later, maybe often)
  auto o = reuse({Function{"M.g", {0}, mkCase(0, {Alt{1, {1, 2}, cons(cons(v(1), nil()), v(2)), "Cons"}}), ""},
                  Function{"M.k", {10}, mkCase(10, {Alt{1, {11, 12}, cons(mkInt(1), nil()), "Cons"}}), ""},
                  Function{"M.l", {20}, mkCase(20, {Alt{1, {21, 22}, mkLam({23}, cons(v(23), v(22))), "Cons"}}), ""}});
  INFO(o.text);
  CHECK(o.tokens == 1);
  CHECK(count(o.text, "Cons#1(Cons#1@" + o.toks[0] + "(") == 1);
  CHECK(count(o.text, "@v") == 1);
}

TEST_CASE("reuse: a recursive call in a branch of an earlier case stops the token too", "[core]") {
  // g xs = case xs of Cons h t -> let y = (if h < 0 then g t else t) in Cons h y: the cell would
  // be held across the call to g on one path before the Cons takes it
  auto o = reuse({Function{"M.g", {0},
                           mkCase(0, {Alt{1, {1, 2}, mkLet(3, ifte(lt(v(1), mkInt(0)), 4, call("M.g", {v(2)}), v(2)), cons(v(1), v(3))), "Cons"},
                                      Alt{0, {}, nil(), "Nil"}}),
                           ""}});
  INFO(o.text);
  CHECK(o.tokens == 0);
  CHECK(count(o.text, "@v") == 0);
}

TEST_CASE("reuse: a cell matched inside another alternative gets its own token", "[core]") {
  // h p = case p of Cons a t -> case t of Cons b u -> Cons b (Cons a u)     (a swap: two cells, two tokens)
  auto o = reuse({Function{
      "M.h", {0},
      mkCase(0, {Alt{1, {1, 2}, mkCase(2, {Alt{1, {3, 4}, cons(v(3), cons(v(1), v(4))), "Cons"}, Alt{0, {}, nil(), "Nil"}}), "Cons"}}),
      ""}});
  INFO(o.text);
  CHECK(o.tokens == 2);
  CHECK(count(o.text, "@" + o.toks[0] + "(") == 1);
  CHECK(count(o.text, "@" + o.toks[1] + "(") == 1);
  CHECK(count(o.text, "free-reuse " + o.toks[0] + ";") == 1);  // the Nil alternative
}

TEST_CASE("reuse: the verifiers reject a token used twice, not used, or for another size", "[core]") {
  // case xs of Cons h t -> drop xs reuse v9; <body>
  auto program = [](ExprPtr body) {
    Program p;
    Expr* d = nullptr;
    auto alt = mkDup(1, mkDup(2, mkDrop(0, std::move(body))));
    d = alt->args[0]->args[0].get();
    d->token = 9;
    p.functions.push_back(Function{"M.f", {0}, mkCase(0, {Alt{1, {1, 2}, alt, "Cons"}}), ""});
    p.nextVar = 10;
    p.rcInserted = true;
    return p;
  };
  auto withToken = [](ExprPtr con, VarId t) { con->token = t; return con; };
  std::string err;
  // used once: fine
  CHECK(verifyRc(program(withToken(cons(v(1), v(2)), 9)), err));
  CHECK(verify(program(withToken(cons(v(1), v(2)), 9)), VerifyOptions{true, true}, err));
  // used twice
  CHECK_FALSE(verifyRc(program(withToken(cons(v(1), withToken(cons(v(2), nil()), 9)), 9)), err));
  CHECK(err.find("reuse token v9") != std::string::npos);
  // not used
  CHECK_FALSE(verifyRc(program(cons(v(1), v(2))), err));
  CHECK(err.find("reuse token v9 not used") != std::string::npos);
  // a three-field constructor in a two-field cell
  CHECK_FALSE(verify(program(withToken(mkCon(2, "Three", {v(1), v(2), nil()}), 9)), VerifyOptions{true, true}, err));
  CHECK(err.find("in the cell of reuse token v9") != std::string::npos);
}
