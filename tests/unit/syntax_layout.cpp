// Layout tests: where virtual braces and semicolons go.
#include <catch2/catch.hpp>

#include "syntax/internal.hpp"
#include "syntax/parser.hpp"

using namespace weir;
using namespace weir::syntax;

namespace {

// Virtual tokens print as { ; }, explicit ones as E{ E; E}.
std::string lay(const std::string& src, size_t* errors = nullptr) {
  SourceManager sm;
  DiagnosticEngine diags(sm);
  FileId id = sm.add("t.weir", src);
  auto toks = layout(lex(sm.get(id), id, diags), diags);
  std::string o;
  for (auto& t : toks) {
    if (t.kind == Tok::End) break;
    if (!o.empty()) o += " ";
    switch (t.kind) {
      case Tok::VLBrace: o += "{"; break;
      case Tok::VSemi: o += ";"; break;
      case Tok::VRBrace: o += "}"; break;
      case Tok::LBrace: o += "E{"; break;
      case Tok::Semi: o += "E;"; break;
      case Tok::RBrace: o += "E}"; break;
      default: o += t.text.empty() ? tokSpelling(t.kind) : t.text;
    }
  }
  if (errors) *errors = diags.errorCount();
  return o;
}

}  // namespace

TEST_CASE("layout: module top level without header", "[syntax][layout]") {
  CHECK(lay("x = 1\ny = 2\n") == "{ x = 1 ; y = 2 }");
}

TEST_CASE("layout: module header opens the body with where", "[syntax][layout]") {
  CHECK(lay("module M where\nx = 1\ny = 2") == "module M where { x = 1 ; y = 2 }");
}

TEST_CASE("layout: continuation lines do not start a new item", "[syntax][layout]") {
  CHECK(lay("f x =\n  x + 1\ng = 2") == "{ f x = x + 1 ; g = 2 }");
}

TEST_CASE("layout: do block", "[syntax][layout]") {
  CHECK(lay("main = do\n  a\n  b\nz = 1") == "{ main = do { a ; b } ; z = 1 }");
}

TEST_CASE("layout: nested do, where, let, case", "[syntax][layout]") {
  std::string src =
      "f x = case x of\n"
      "    Just y -> do\n"
      "      let z = y\n"
      "          w = z\n"
      "      pure w\n"
      "    Nothing -> pure 0\n"
      "  where\n"
      "    k = 1\n"
      "g = 2\n";
  CHECK(lay(src) ==
        "{ f x = case x of { Just y -> do { let { z = y ; w = z } ; pure w } ; Nothing -> pure 0 } where { k = 1 } ; "
        "g = 2 }");
}

TEST_CASE("layout: let .. in on one line", "[syntax][layout]") {
  CHECK(lay("x = let a = 1; b = 2 in a + b") == "{ x = let { a = 1 E; b = 2 } in a + b }");
}

TEST_CASE("layout: let .. in on two lines", "[syntax][layout]") {
  CHECK(lay("x = let a = 1\n        b = 2\n    in a + b") == "{ x = let { a = 1 ; b = 2 } in a + b }");
}

TEST_CASE("layout: explicit braces", "[syntax][layout]") {
  CHECK(lay("f = do { a; b }\ng = let { x = 1 } in x") == "{ f = do E{ a E; b E} ; g = let E{ x = 1 E} in x }");
}

TEST_CASE("layout: explicit module braces", "[syntax][layout]") {
  CHECK(lay("module M where { x = 1; y = 2 }") == "module M where E{ x = 1 E; y = 2 E}");
}

TEST_CASE("layout: if-then-else inside do on one line", "[syntax][layout]") {
  CHECK(lay("main = do\n  if c then do a else b\n  d") == "{ main = do { if c then do { a } else b ; d } }");
}

TEST_CASE("layout: then/else at the statement column inside do", "[syntax][layout]") {
  CHECK(lay("main = do\n  if c\n  then a\n  else b\n  d") == "{ main = do { if c then a else b ; d } }");
}

TEST_CASE("layout: closing paren closes an implicit block", "[syntax][layout]") {
  CHECK(lay("x = (case y of A -> 1)") == "{ x = ( case y of { A -> 1 } ) }");
  CHECK(lay("x = f (do a) b") == "{ x = f ( do { a } ) b }");
}

TEST_CASE("layout: comma closes a let in a comprehension or guard", "[syntax][layout]") {
  CHECK(lay("x = [y | z <- zs, let y = z, y > 0]") == "{ x = [ y | z <- zs , let { y = z } , y > 0 ] }");
  CHECK(lay("f x | let y = x, y > 0 = y") == "{ f x | let { y = x } , y > 0 = y }");
}

TEST_CASE("layout: commas inside a let binding's brackets do not close it", "[syntax][layout]") {
  CHECK(lay("x = let (a, b) = p in a") == "{ x = let { ( a , b ) = p } in a }");
}

TEST_CASE("layout: where less indented than the do block closes it", "[syntax][layout]") {
  CHECK(lay("f = do\n    a\n  where a = 1") == "{ f = do { a } where { a = 1 } }");
}

TEST_CASE("layout: empty block when the next line is not indented", "[syntax][layout]") {
  CHECK(lay("class C a where\nx = 1") == "{ class C a where { } ; x = 1 }");
}

TEST_CASE("layout: block at the end of the file", "[syntax][layout]") {
  CHECK(lay("f = do") == "{ f = do { } }");
}

TEST_CASE("layout: comments and blank lines do not matter", "[syntax][layout]") {
  CHECK(lay("f = do\n  -- comment\n\n  a\n  {- b -}\n  c") == "{ f = do { a ; c } }");
}

TEST_CASE("layout: let statement in do followed by more statements", "[syntax][layout]") {
  CHECK(lay("m = do\n  let x = 1\n  let y = 2\n  pure (x + y)") ==
        "{ m = do { let { x = 1 } ; let { y = 2 } ; pure ( x + y ) } }");
}

TEST_CASE("layout: record literal over several lines", "[syntax][layout]") {
  CHECK(lay("r = f { a = 1\n, b = 2 }\ns = 1") == "{ r = f E{ a = 1 , b = 2 E} ; s = 1 }");
}

TEST_CASE("layout: a guard's let block ends at the guard's `=` or `->`", "[syntax][layout]") {
  CHECK(lay("f x | let y = x = y") == "{ f x | let { y = x } = y }");
  CHECK(lay("f x | x > 0, let y = x, let z = \\a -> a = z") ==
        "{ f x | x > 0 , let { y = x } , let { z = \\ a -> a } = z }");
  CHECK(lay("x = case a of\n  B y | let z = y -> z") == "{ x = case a of { B y | let { z = y } -> z } }");
  CHECK(lay("x = [y | let y = 1]") == "{ x = [ y | let { y = 1 } ] }");
}

TEST_CASE("layout: a then/else at the block column outside an if is a new item", "[syntax][layout]") {
  CHECK(lay("x = 1\nthen") == "{ x = 1 ; then }");
}

TEST_CASE("layout: `where` at the column of a do block ends it", "[syntax][layout]") {
  CHECK(lay("main = do\n  foo\n  where foo = 1") == "{ main = do { foo } where { foo = 1 } }");
}

TEST_CASE("layout: `of` closes blocks opened after its `case`", "[syntax][layout]") {
  CHECK(lay("x = case do a of B -> 1") == "{ x = case do { a } of { B -> 1 } }");
}
