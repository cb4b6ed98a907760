// Syntax error tests: each error code at the right line:col, messages, several errors in
// one file, recovery to the next top-level declaration, no duplicate reports.
#include <catch2/catch.hpp>

#include "diag/codes.hpp"
#include "syntax/internal.hpp"
#include "syntax/parser.hpp"
#include "syntax_support.hpp"

using namespace weir;
using namespace weir::syntax;
using weir::test::Parsed;

namespace {


using V = std::vector<std::string>;

}  // namespace

TEST_CASE("errors: missing then", "[syntax][errors]") {
  Parsed p("f x = if x > 0 1 else 2");
  CHECK(p.errors() == V{"E0014@1:18"});
  CHECK(p.first().message == "expected `then` after the number `1`, found `else`");
  CHECK(p.first().label == "expected `then` here");
  CHECK(p.first().hint.find("if cond then a else b") != std::string::npos);
}

TEST_CASE("errors: missing else", "[syntax][errors]") {
  Parsed p("f x = if x then 1\ng = 2");
  CHECK(p.errors() == V{"E0017@1:18"});
  CHECK(p.first().message == "expected `else` after the number `1`, found a new line");
  CHECK(p.mod->decls.size() == 1);
}

TEST_CASE("errors: expected an expression after `=` / `in` / operator", "[syntax][errors]") {
  CHECK(Parsed("f =\ng = 1").errors() == V{"E0011@1:4"});
  Parsed p("x = let y = 1 in\n");
  CHECK(p.errors() == V{"E0011@1:17"});
  CHECK(p.first().message == "expected an expression after `in`, found the end of the file");
  CHECK(Parsed("m x = x +\nn = 1").errors() == V{"E0011@1:10"});
  Parsed q("x = let y = 1 in in");
  CHECK(q.errors() == V{"E0011@1:18"});
  CHECK(q.first().message == "expected an expression after `in`, found `in`");
}

TEST_CASE("errors: expected a pattern", "[syntax][errors]") {
  Parsed p("f = \\ -> 1");
  CHECK(p.errors() == V{"E0012@1:7"});
  CHECK(p.first().message == "expected a pattern after `\\`, found `->`");
}

TEST_CASE("errors: expected a type", "[syntax][errors]") {
  CHECK(Parsed("p :: Int ->\nq = 1").errors() == V{"E0013@1:12"});
  CHECK(Parsed("p :: = 1").errors() == V{"E0013@1:6"});
  CHECK(Parsed("type T = ").errors() == V{"E0013@1:9"});
}

TEST_CASE("errors: expected a declaration", "[syntax][errors]") {
  Parsed p("x = 1\n+ 2\ny = 3");
  CHECK(p.errors() == V{"E0015@2:1"});
  CHECK(p.mod->decls.size() == 2);
  CHECK(Parsed("x = 1\nthen\n").errors() == V{"E0015@2:1"});
}

TEST_CASE("errors: unclosed bracket points at the opener", "[syntax][errors]") {
  Parsed p("h x = case x of\n  Nothing -> (1 + 2\nk = 1");
  CHECK(p.errors() == V{"E0016@2:20"});
  REQUIRE(p.first().secondary.size() == 1);
  CHECK(p.sm.get(p.id).lineCol(p.first().secondary[0].span.begin).col == 14);
  CHECK(p.mod->decls.size() == 1);
}

TEST_CASE("errors: mismatched and unmatched brackets", "[syntax][errors]") {
  Parsed p("k = [1, 2, 3)");
  CHECK(p.errors() == V{"E0016@1:13"});
  CHECK(p.first().message == "expected `]` after the number `3`, found `)`");
  Parsed q("r = foo ]\ns = 1");
  CHECK(q.errors() == V{"E0016@1:9"});
  CHECK(q.first().message == "unmatched `]`");
  CHECK(q.mod->decls.size() == 2);
}

TEST_CASE("errors: case alternative expected", "[syntax][errors]") {
  Parsed p("q = case z of\n  -> 1\nr = 2");
  CHECK(p.errors() == V{"E0014@2:3"});
  CHECK(p.first().message == "expected a case alternative after `of`, found `->`");
}

TEST_CASE("errors: statement expected in do", "[syntax][errors]") {
  Parsed p("m = do\n  x <-\n  pure x\nn = 1");
  CHECK(p.errors() == V{"E0011@2:7"});
  CHECK(p.mod->decls.size() == 1);
}

TEST_CASE("errors: missing `=` in a clause", "[syntax][errors]") {
  Parsed p("f x y\ng = 1");
  CHECK(p.errors() == V{"E0017@1:6"});
  CHECK(p.first().message.find("expected `=`") != std::string::npos);
}

TEST_CASE("errors: layout problem, continuation not indented", "[syntax][errors]") {
  Parsed p("main = do\n  let x =\n  1\n  pure x");
  CHECK(p.errors() == V{"E0017@2:10"});  // the `weir explain E0017` example (KNOWN_BUGS 4)
}

TEST_CASE("errors: invalid binary segment specifier", "[syntax][errors]") {
  Parsed p("u = <<x:8/bigendian>>");
  CHECK(p.errors() == V{"E0018@1:11"});
}

TEST_CASE("errors: fixity precedence out of range", "[syntax][errors]") {
  Parsed p("infixl 12 +++");
  CHECK(p.errors() == V{"E0019@1:8"});
  CHECK(p.mod->decls.at(0)->prec == 9);
}

TEST_CASE("errors: unknown foreign calling convention", "[syntax][errors]") {
  CHECK(Parsed("foreign import stdcall \"x\" xx :: Int").errors() == V{"E0020@1:16"});
  CHECK(Parsed("foreign import ccall xx :: Int").errors() == V{"E0014@1:22"});
}

TEST_CASE("errors: class and instance heads", "[syntax][errors]") {
  CHECK(Parsed("class where\nx = 1").errors() == V{"E0021@1:7"});
  CHECK(Parsed("class C Int where").errors() == V{"E0021@1:7"});
  CHECK(Parsed("instance Int where").errors() == V{"E0021@1:10"});
}

TEST_CASE("errors: invalid constraint", "[syntax][errors]") {
  CHECK(Parsed("t :: a => a").errors() == V{"E0022@1:6"});
}

TEST_CASE("errors: empty interpolation and errors inside interpolation", "[syntax][errors]") {
  CHECK(Parsed("v = \"${}\"").errors() == V{"E0023@1:6"});
  Parsed p("v = \"a ${f (} b\"");
  CHECK(p.errors() == V{"E0011@1:13"});
}

TEST_CASE("errors: module header problems", "[syntax][errors]") {
  CHECK(Parsed("module where\nx = 1").errors() == V{"E0014@1:8"});
  Parsed p("module M (a, b\nx = 1");
  CHECK(p.errors().size() == 1);
}

TEST_CASE("errors: import problems", "[syntax][errors]") {
  Parsed p("import qualified\nx = 1");
  CHECK(p.errors() == V{"E0017@1:17"});
  CHECK(p.first().message == "expected a module name after `qualified`, found a new line");
  CHECK(p.mod->decls.size() == 1);
}

TEST_CASE("errors: data declaration problems", "[syntax][errors]") {
  CHECK(Parsed("data T = T |\nx = 1").errors() == V{"E0017@1:13"});
  CHECK(Parsed("data t = T").errors() == V{"E0014@1:6"});
  CHECK(Parsed("data T = T deriving").errors() == V{"E0014@1:20"});
}

TEST_CASE("errors: several independent errors in one file are all reported", "[syntax][errors]") {
  Parsed p(
      "f x = if x then 1\n"
      "ok1 = 1\n"
      "g = [1, 2\n"
      "ok2 = 2\n"
      "h = \\ -> 3\n"
      "ok3 = \"unterminated\n"
      "k :: -> Int\n"
      "ok4 = 4\n");
  // (lexical errors come first: the whole file is lexed before parsing)
  CHECK(p.errors() == V{"E0002@6:7", "E0017@1:18", "E0016@3:10", "E0012@5:7", "E0013@7:6"});
  std::vector<std::string> names;
  for (auto& d : p.mod->decls) names.push_back(d->name);
  CHECK(names == V{"ok1", "ok2", "ok3", "ok4"});
}

TEST_CASE("errors: recovery stays at the top level, nested blocks are skipped", "[syntax][errors]") {
  Parsed p(
      "f = do\n"
      "  a <- b\n"
      "  c +\n"
      "  where c = 1\n"
      "        d = 2\n"
      "g = 3\n");
  CHECK(p.errors().size() == 1);
  REQUIRE(p.mod->decls.size() == 1);
  CHECK(p.mod->decls[0]->name == "g");
}

TEST_CASE("errors: never reported twice at the same place", "[syntax][errors]") {
  Parsed p("x = (\ny = (\n");
  auto e = p.errors();
  std::sort(e.begin(), e.end());
  CHECK(std::adjacent_find(e.begin(), e.end()) == e.end());
  CHECK(e.size() == 2);
}

TEST_CASE("errors: lexical errors do not cascade into syntax errors", "[syntax][errors]") {
  Parsed p("x = 1 § 2\ny = 'ab'\nz = 0b12");
  CHECK(p.errors() == V{"E0001@1:7", "E0007@2:5", "E0005@3:5"});
}

TEST_CASE("errors: rendered diagnostics show the line and carets", "[syntax][errors]") {
  Parsed p("f x = if x > 0 1 else 2");
  std::string t = p.text();
  CHECK(t.find("error[E0014]") != std::string::npos);
  CHECK(t.find("t.weir:1:18") != std::string::npos);
  CHECK(t.find("^^^^") != std::string::npos);
}

TEST_CASE("errors: every code the syntax stage emits is documented", "[syntax][errors][codes]") {
  const char* srcs[] = {
      "x = 1 § 2", "x = \"a", "{- x", "x = \"\\q\"", "x = 0b2", "x = 99999999999999999999", "x = ''",
      "x = \"${a\"", "f = do\n\tx", "x = 1 )", "x =", "f = \\ -> 1", "x :: ->", "x = if a 1 else 2",
      "x = 1\n+ 2", "x = (1", "main = do\n  let x =\n  1", "u = <<x/foo>>", "infixl 10 +", "foreign import q \"x\" y :: Int",
      "class where", "t :: a => a", "v = \"${}\"", "f x y\ng = 1"};
  for (const char* s : srcs) {
    Parsed p(s);
    INFO(s);
    CHECK(p.diags.hasErrors());
    for (auto& d : p.diags.all()) {
      bool found = false;
      for (auto& c : syntaxCodes()) found |= c.code == d.code;
      INFO(d.code);
      CHECK(found);
    }
  }
}

TEST_CASE("errors: every prefix of a program parses without crashing", "[syntax][errors][robust]") {
  const std::string prog = R"(module M (main) where
import qualified Data.Map as Map
data T = A { x :: Int } | B Int deriving (Eq, Show)
class C a where
  c :: a -> String
instance C T where
  c (A r) = "a ${show r.x}"
  c (B n) | n > 0, let m = n = show m
          | otherwise = "neg"
f :: (Eq a) => [a] -> Maybe a
f xs = case xs of
  (y : _) | y == y -> Just y
  [] -> Nothing
main = do
  let ys = [x * 2 | x <- [1 .. 10], x > 3]
  r <- pure (A { x = 1 })
  if r.x > 0 then print (r { x = 2 }) else pure ()
  print <<1:8, 2:16/little>>
  where helper = \(a, b) -> a - b
)";
  for (size_t n = 0; n <= prog.size(); ++n) {
    Parsed p(prog.substr(0, n));
    REQUIRE(p.mod.has_value());
  }
  Parsed full(prog);
  INFO(full.text());
  CHECK(full.diags.all().empty());
}

TEST_CASE("errors: garbage input does not crash", "[syntax][errors][robust]") {
  const char* junk[] = {")))", "(((", "]]]{{{", "} } }", "= = =", "\\\\ -> ->", "<<<<>>>>", "case of of",
                        "let in let in", "where where", "module", "import", "data", "class C a where\n  where",
                        "x = [1 | ]", "x = (,", "f = do\n  }", "x = \"${\"${\"}\"}\"", "x = ?", "`", "x = a.b.", "x = {a = }"};
  for (const char* j : junk) {
    Parsed p(j);
    INFO(j);
    CHECK(p.mod.has_value());
    CHECK(p.diags.hasErrors());
  }
}

TEST_CASE("errors: an unclosed record brace does not swallow the rest of the file", "[syntax][errors]") {
  Parsed p("data T = T {x :: Int\nm = 1\nn = 2");
  CHECK(p.errors() == V{"E0016@1:21"});
  REQUIRE(p.mod->decls.size() == 2);
  CHECK(p.mod->decls[0]->name == "m");
}

TEST_CASE("errors: stray token after a complete block item", "[syntax][errors]") {
  Parsed p("k = case x of\n  A -> 1\n   B -> 2\nm = 1");
  CHECK(p.errors() == V{"E0017@3:6"});
  CHECK(p.first().message == "expected the end of the case alternative after `B`, found `->`");
  CHECK(p.mod->decls.size() == 1);
}

TEST_CASE("errors: recovery with an explicit module body", "[syntax][errors]") {
  Parsed p("module M where {\nf = (;\ng = 1;\nh = do { x <- }; k = 2 }");
  CHECK(p.errors() == V{"E0011@2:6", "E0011@4:15"});
  std::vector<std::string> names;
  for (auto& d : p.mod->decls) names.push_back(d->name);
  CHECK(names == V{"g", "k"});
}

TEST_CASE("errors: expected-token lists after a failed clause", "[syntax][errors]") {
  Parsed p("f x y\ng = 1");
  CHECK(p.first().message == "expected `=` after `y`, found a new line");
}

TEST_CASE("errors: deep nesting is an error, not a stack overflow", "[syntax][errors][robust]") {
  std::string parens = "x = " + std::string(20000, '(') + "1" + std::string(20000, ')') + "\ny = 2";
  Parsed p(parens);
  CHECK(p.errors() == V{"E0024@1:405"});
  REQUIRE(p.mod->decls.size() == 1);
  CHECK(p.mod->decls[0]->name == "y");
  std::string lams = "x = ";
  for (int i = 0; i < 5000; ++i) lams += "\\a -> ";
  CHECK(Parsed(lams + "a").errors() == V{"E0024@1:2400"});
  std::string arrows = "t :: Int";
  for (int i = 0; i < 5000; ++i) arrows += " -> Int";
  CHECK(Parsed(arrows).errors().size() == 1);
  std::string pats = "f " + std::string(5000, '(') + "x" + std::string(5000, ')') + " = x";
  CHECK(Parsed(pats).errors().size() == 1);
  std::string ok = "x = " + std::string(100, '(') + "1" + std::string(100, ')');
  CHECK(Parsed(ok).errors().empty());
}

TEST_CASE("errors: a misaligned line in a block is a layout error with a hint", "[syntax][errors]") {
  Parsed p("main = do\n  let x = 1\n       y = 2\n  pure x");
  CHECK(p.errors() == V{"E0017@3:10"});
  CHECK(p.first().message == "expected the end of the declaration after `y`, found `=`");
  CHECK(p.first().hint.find("align it exactly") != std::string::npos);
}

TEST_CASE("errors: 2^63 is an Int literal only after a minus", "[syntax][errors]") {
  CHECK(Parsed("x = 9223372036854775808").errors() == V{"E0006@1:5"});
  CHECK(Parsed("x = 18446744073709551615").errors() == V{"E0006@1:5"});
  CHECK(Parsed("x = -9223372036854775808").errors().empty());
  CHECK(Parsed("x = 9223372036854775807").errors().empty());
  CHECK(Parsed("x = 0xFFFFFFFFFFFFFFFF").errors().empty());
}

TEST_CASE("errors: hints for common mistakes", "[syntax][errors]") {
  Parsed w("area r = r * r\nwhere y = 1\nz = 2");
  CHECK(w.errors() == V{"E0017@2:1"});
  CHECK(w.first().hint.find("indented more") != std::string::npos);
  Parsed d("main = do\n  total = 5\n  print total");
  CHECK(d.errors() == V{"E0014@2:9"});
  CHECK(d.first().hint.find("`let total = ...`") != std::string::npos);
  Parsed g("f n\n  | n = 0 = 1\n  | otherwise = 2");
  CHECK(g.errors() == V{"E0010@2:11"});
  CHECK(g.first().hint.find("`==`") != std::string::npos);
  Parsed i("f x = if x = 5 then 1 else 2");
  CHECK(i.errors() == V{"E0014@1:12"});
  CHECK(i.first().hint.find("`==`") != std::string::npos);
  Parsed o("|+| :: Int -> Int -> Int\na |+| b = a");
  CHECK(o.errors() == V{"E0015@1:1"});
  CHECK(o.first().hint.find("`(|+|) :: ...`") != std::string::npos);
}

TEST_CASE("errors: indentation, declarations in where, backquotes, `${`", "[syntax][errors]") {
  Parsed c("f n = case n of\n    0 -> 1\n  1 -> 2\ng = 1");
  CHECK(c.errors() == V{"E0017@3:3"});
  CHECK(c.first().message.find("unexpected number `1`") == 0);
  Parsed l("main = do\n  let f x\n  = x + 1\n  print 1");
  CHECK(l.errors() == V{"E0017@3:3"});
  Parsed w("f x = g x\n  where\n    data T = T\n    g y = y");
  CHECK(w.errors() == V{"E0116@3:5"});
  Parsed b("x = (3 `5` 4)");
  CHECK(b.errors() == V{"E0014@1:9"});
  CHECK(b.first().message == "expected a name after a backquote, found the number `5`");
  Parsed s("x = \"total: ${show 1 ++}\"");
  CHECK(s.errors() == V{"E0011@1:24"});
  CHECK(s.first().message == "expected an expression after `++`, found `}`");
}

TEST_CASE("errors: a very long literal is shortened in the message", "[syntax][errors]") {
  Parsed p("x = " + std::string(100000, '9'));
  CHECK(p.errors() == V{"E0006@1:5"});
  CHECK(p.first().message.size() < 120);
}
