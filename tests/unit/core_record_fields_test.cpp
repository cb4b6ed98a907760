// Record fields made raw after specialisation (core/record_fields.hpp, pass "record-fields"), and
// the local specialisation that leaves a generalised local function's copy monomorphic
// (core/specialise.hpp): on small Core inputs.
#include <catch2/catch.hpp>

#include "core/core.hpp"
#include "core/record_fields.hpp"
#include "core/specialise.hpp"

#include "core_support.hpp"

using namespace weir::core;
using namespace core_test;

namespace {

const char* R = "{record}#0";  // a record shape {a, b}: fields in label order
ExprPtr rec(ExprPtr a, ExprPtr b) { return mkCon(0, R, {std::move(a), std::move(b)}); }
ExprPtr add(ExprPtr x, ExprPtr y) { return mkPrim(PrimOp::IntAdd, {std::move(x), std::move(y)}); }
Function mainFn() { return Function{"M.main", {99}, mkCon(0, "Prelude.Unit", {}), ""}; }

std::vector<Rep> layoutOf(const Program& p, const std::string& con) {
  const ConLayout* l = p.layout(con);
  return l ? l->reps : std::vector<Rep>{};
}

}  // namespace

TEST_CASE("record fields: a field every record stores an Int in becomes raw", "[record-fields]") {
  // mk x = {a = x + 1, b = "s"}; lit = {a = 2, b = "t"}
  Function mk{"M.mk", {0}, rec(add(v(0), mkInt(1)), mkString("s")), ""};
  Function lit{"M.lit", {10}, rec(mkInt(2), mkString("t")), ""};
  Program p = programOf({mk, lit, mainFn()});
  CHECK(rawRecordFields(p) == 1);
  INFO(print(p));
  CHECK(layoutOf(p, R) == std::vector<Rep>{Rep::Int, Rep::Boxed});
  // the parameter reps it computed on the way are not left behind (the pass "unbox" decides them)
  for (auto& f : p.functions) CHECK(f.paramReps == std::vector<Rep>(f.params.size(), Rep::Boxed));
}

TEST_CASE("record fields: one boxed or differently typed store keeps the field a pointer", "[record-fields]") {
  SECTION("a parameter nothing says is an Int") {
    // mk x = {a = 1, b = 1}; poly y = {a = y, b = 2}   -- y could be anything: a stays a pointer
    Function mk{"M.mk", {0}, rec(mkInt(1), mkInt(1)), ""};
    Function poly{"M.poly", {10}, rec(v(10), mkInt(2)), ""};
    Program p = programOf({mk, poly, mainFn()});
    CHECK(rawRecordFields(p) == 1);
    CHECK(layoutOf(p, R) == std::vector<Rep>{Rep::Boxed, Rep::Int});
  }
  SECTION("an Int in one record, a Float in another") {
    Function i{"M.i", {0}, rec(mkInt(1), mkString("x")), ""};
    Function f{"M.f", {10}, rec(mkFloat(1.5), mkString("y")), ""};
    Program p = programOf({i, f, mainFn()});
    CHECK(rawRecordFields(p) == 0);
    CHECK(p.layout(R) == nullptr);
  }
}

TEST_CASE("record fields: a field copied from itself holds what the others store", "[record-fields]") {
  // peakOf new old = let p = case old of {a, b} -> a in let q = case new of {a, b} -> a
  //                  in let c = p <= q in {a = case c of True -> q; False -> p, b = ...}
  // (what `max old.peak new.peak` becomes), with the first record built by {a = 1, b = 0}.
  auto field = [](VarId r, VarId a, VarId b) { return mkCase(r, {Alt{0, {a, b}, v(a), R}}); };
  ExprPtr pick = mkCase(24, {Alt{1, {}, v(23), "Prelude.True"}, Alt{0, {}, v(22), "Prelude.False"}});
  ExprPtr body = mkLet(
      22, field(20, 30, 31),
      mkLet(23, field(21, 32, 33),
            mkLet(24, mkPrim(PrimOp::IntLe, {v(22), v(23)}), rec(pick, add(mkCase(20, {Alt{0, {34, 35}, v(35), R}}), mkInt(1))))));
  Function merge{"M.merge", {21, 20}, body, ""};
  Function first{"M.first", {0}, rec(mkInt(1), mkInt(0)), ""};
  Program p = programOf({merge, first, mainFn()});
  CHECK(rawRecordFields(p) == 2);
  INFO(print(p));
  CHECK(layoutOf(p, R) == std::vector<Rep>{Rep::Int, Rep::Int});
}

TEST_CASE("record fields: a raw read stored in another shape makes that field raw too", "[record-fields]") {
  // src = {a = 1, b = 2}; copy r = case r of {a, b} -> {c = a}   ({record}#1 has one field c)
  Function src{"M.src", {0}, rec(mkInt(1), mkInt(2)), ""};
  Function copy{"M.copy", {10}, mkCase(10, {Alt{0, {11, 12}, mkCon(1, "{record}#1", {v(11)}), R}}), ""};
  Program p = programOf({src, copy, mainFn()});
  CHECK(rawRecordFields(p) == 3);
  CHECK(layoutOf(p, "{record}#1") == std::vector<Rep>{Rep::Int});
}

TEST_CASE("record fields: data constructors and raw fields already decided are left alone", "[record-fields]") {
  // Pair 1 2 is a data constructor: its layout comes from its declaration only
  Function d{"M.d", {0}, mkCon(0, "M.Pair", {mkInt(1), mkInt(2)}), ""};
  Function r{"M.r", {10}, rec(v(10), mkFloat(2.0)), ""};
  Program p = programOf({d, r, mainFn()});
  p.layouts[R] = ConLayout::of({Rep::Int, Rep::Boxed});  // the lowering's, from the types
  CHECK(rawRecordFields(p) == 1);
  CHECK(p.layout("M.Pair") == nullptr);
  CHECK(layoutOf(p, R) == std::vector<Rep>{Rep::Int, Rep::Float});
}

TEST_CASE("specialise: a local function given its dictionaries in a partial application", "[specialise]") {
  // dNum = dict:Num(@M.plus); plus a b = a + b
  // main w = letrec merge = \(d, x, y) -> (d.0)(x, y) in let g = merge(@dNum) in g(1, 2)
  Function plus{"M.plus", {0, 1}, add(v(0), v(1)), ""};
  ExprPtr lam = mkLam({11, 12, 13}, mkApp(mkProj(v(11), 0), {v(12), v(13)}));
  ExprPtr body = mkLetRec({Binding{10, lam}},
                          mkLet(14, mkApp(v(10), {mkGlobal("M.dNum")}), mkApp(v(14), {mkInt(1), mkInt(2)})));
  Function mainF{"M.main", {99}, body, ""};
  Program p = programOf({plus, mainF});
  p.globals.push_back(Global{"M.dNum", mkCon(0, "dict:Num", {mkGlobal("M.plus")})});
  specialise(p);
  std::string out = print(p);
  INFO(out);
  // merge lost its dictionary parameter d (v11), the partial application is merge itself, the
  // method is called directly (no projection out of a dictionary is left)
  CHECK(count(out, "\\(v") == 1);
  CHECK(out.find("(@M.dNum)") == std::string::npos);
  CHECK(count(out, "(v11)") == 0);
  CHECK(count(out, ".0)") == 0);
}
