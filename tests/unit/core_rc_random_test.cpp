// Property test: reference-count insertion on random well-scoped Core programs always passes
// the verifier (every owned variable consumed exactly once on every path).
#include <catch2/catch.hpp>

#include <random>

#include "core/core.hpp"
#include "core/rc.hpp"

using namespace weir::core;

namespace {

struct Gen {
  std::mt19937 rng;
  Program& prog;
  Gen(unsigned seed, Program& p) : rng(seed), prog(p) {}

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }
  VarId fresh() { return prog.nextVar++; }

  ExprPtr var(std::vector<VarId>& scope) {
    if (scope.empty()) return mkInt(pick(10));
    return mkVar(scope[static_cast<size_t>(pick(static_cast<int>(scope.size())))]);
  }

  ExprPtr expr(std::vector<VarId>& scope, int depth) {
    int choice = depth <= 0 ? pick(3) : pick(13);
    switch (choice) {
      case 0: return var(scope);
      case 1: return mkInt(pick(100));
      case 2: return mkString("s");
      case 3: {  // let
        VarId x = fresh();
        ExprPtr rhs = expr(scope, depth - 1);
        scope.push_back(x);
        ExprPtr body = expr(scope, depth - 1);
        scope.pop_back();
        return mkLet(x, rhs, body);
      }
      case 4: {  // case on a variable with field binders
        if (scope.empty()) return mkInt(1);
        VarId s = scope[static_cast<size_t>(pick(static_cast<int>(scope.size())))];
        std::vector<Alt> alts;
        int n = 1 + pick(3);
        for (int k = 0; k < n; k++) {
          Alt a;
          a.tag = k;
          int nf = pick(3);
          for (int f = 0; f < nf; f++) a.fields.push_back(fresh());
          size_t before = scope.size();
          scope.insert(scope.end(), a.fields.begin(), a.fields.end());
          a.body = pick(8) == 0 ? mkError("no", "x:1:1") : expr(scope, depth - 1);
          scope.resize(before);
          alts.push_back(std::move(a));
        }
        ExprPtr d = pick(2) ? expr(scope, depth - 1) : nullptr;
        return mkCase(s, std::move(alts), d);
      }
      case 5: {  // lambda
        std::vector<VarId> ps;
        int n = 1 + pick(2);
        for (int k = 0; k < n; k++) ps.push_back(fresh());
        size_t before = scope.size();
        scope.insert(scope.end(), ps.begin(), ps.end());
        ExprPtr body = expr(scope, depth - 1);
        scope.resize(before);
        return mkLam(ps, body);
      }
      case 6: {  // application of a variable or a global
        std::vector<ExprPtr> as;
        int n = 1 + pick(3);
        for (int k = 0; k < n; k++) as.push_back(expr(scope, depth - 1));
        return mkApp(pick(2) ? var(scope) : mkGlobal("M.g"), as);
      }
      case 7: {  // constructor
        std::vector<ExprPtr> as;
        int n = pick(4);
        for (int k = 0; k < n; k++) as.push_back(expr(scope, depth - 1));
        return mkCon(pick(3), "C", as);
      }
      case 8: case 9: {  // borrowing primitive, often on variables
        PrimOp op = pick(2) ? PrimOp::IntAdd : PrimOp::IntLt;
        return mkPrim(op, {pick(3) ? var(scope) : expr(scope, depth - 1), pick(3) ? var(scope) : expr(scope, depth - 1)});
      }
      case 10:  // consuming primitive
        return mkPrim(PrimOp::StringAppend, {expr(scope, depth - 1), var(scope)});
      case 11: return mkProj(expr(scope, depth - 1), pick(2));
      default: {  // letrec
        VarId f = fresh();
        std::vector<VarId> ps{fresh()};
        scope.push_back(f);
        size_t before = scope.size();
        scope.insert(scope.end(), ps.begin(), ps.end());
        ExprPtr body = expr(scope, depth - 1);
        scope.resize(before);
        ExprPtr in = expr(scope, depth - 1);
        scope.pop_back();
        return mkLetRec({Binding{f, mkLam(ps, body)}}, in);
      }
    }
  }
};

}  // namespace

TEST_CASE("rc insertion on random programs always verifies", "[core][property]") {
  for (unsigned seed = 1; seed <= 10000; seed++) {
    Program p;
    Gen g(seed, p);
    std::vector<VarId> params;
    int n = 1 + g.pick(3);
    for (int k = 0; k < n; k++) params.push_back(g.fresh());
    std::vector<VarId> scope = params;
    ExprPtr body = g.expr(scope, 5);
    p.functions.push_back(Function{"M.f", params, body, ""});
    Program before = p;
    insertRc(p);
    std::string err;
    bool ok = verifyRc(p, err);
    if (!ok) {
      INFO("seed " << seed << ": " << err << "\ninput:\n" << print(before) << "\noutput:\n" << print(p));
      REQUIRE(ok);
    }
  }
}
