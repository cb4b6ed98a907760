// weir fmt: spacing, indentation, blank lines and comments on small tricky inputs.
#include <catch2/catch.hpp>

#include "format/format.hpp"

using weir::format::formatSource;
using weir::format::Result;

static std::string fmt(const std::string& src) {
  Result r = formatSource("t.weir", src);
  INFO(r.message);
  REQUIRE(r.status == Result::Ok);
  Result again = formatSource("t.weir", r.text);
  REQUIRE(again.status == Result::Ok);
  CHECK(again.text == r.text);  // idempotent
  return r.text;
}

TEST_CASE("operators get one space each side, brackets none", "[format]") {
  CHECK(fmt("main = print (1+2*3 , [ 1,2 ])\n") == "main = print (1 + 2 * 3, [1, 2])\n");
  CHECK(fmt("f x  =  x  `div`  2\n") == "f x = x `div` 2\n");
  CHECK(fmt("g = \\ x->x\n") == "g = \\x -> x\n");
}

TEST_CASE("spacing that changes meaning is kept as written", "[format]") {
  // sections, negation, record access, as-patterns, binary data
  CHECK(fmt("f = map (+1) [negate 1, -2]\n") == "f = map (+1) [negate 1, -2]\n");
  CHECK(fmt("g r = r.speed\n") == "g r = r.speed\n");
  CHECK(fmt("h all@(x : _) = x\n") == "h all@(x : _) = x\n");
  CHECK(fmt("b = <<1:8, 2:16/little>>\n") == "b = <<1:8, 2:16/little>>\n");
}

TEST_CASE("literals keep their spelling", "[format]") {
  CHECK(fmt("x = 0x1F + 1_000 + 1.5e3\ns = \"a\\tb ${show x}\"\n") == "x = 0x1F + 1_000 + 1.5e3\n\ns = \"a\\tb ${show x}\"\n");
}

TEST_CASE("a block keeps its alignment when a line is re-spaced", "[format]") {
  std::string src =
      "f  x  = let a  =  1\n"
      "            b = 2\n"
      "        in a+b\n";
  CHECK(fmt(src) == "f x = let a = 1\n"
                    "          b = 2\n"
                    "      in a + b\n");
  // the case alternatives start after re-spaced text: they follow the first one
  std::string c =
      "g  x  = case x of Just y  -> y\n"
      "                  Nothing -> 0\n";
  CHECK(fmt(c) == "g x = case x of Just y -> y\n"
                  "                Nothing -> 0\n");
}

TEST_CASE("blank lines between top-level declarations", "[format]") {
  std::string src =
      "module Main where\n"
      "import Data.List (sort)\n"
      "import Data.Char (isDigit)\n"
      "f :: Int -> Int\n"
      "\n"
      "f 0 = 1\n"
      "\n\n"
      "f n = n\n"
      "g = 2\n";
  CHECK(fmt(src) == "module Main where\n"
                    "\n"
                    "import Data.List (sort)\n"
                    "import Data.Char (isDigit)\n"
                    "\n"
                    "f :: Int -> Int\n"
                    "f 0 = 1\n"
                    "f n = n\n"
                    "\n"
                    "g = 2\n");
}

TEST_CASE("comments stay where they are", "[format]") {
  std::string src =
      "-- expect-stdout:\n"
      "-- | 1   \n"
      "module Main where\n"
      "-- | The answer.\n"
      "x = 1   -- trailing\n"
      "{- block\n"
      "   comment -}\n"
      "main = do\n"
      "  -- before a statement\n"
      "  print x  {- inline -}\n";
  CHECK(fmt(src) == "-- expect-stdout:\n"
                    "-- | 1\n"
                    "module Main where\n"
                    "\n"
                    "-- | The answer.\n"
                    "x = 1 -- trailing\n"
                    "\n"
                    "{- block\n"
                    "   comment -}\n"
                    "main = do\n"
                    "  -- before a statement\n"
                    "  print x {- inline -}\n");
}

TEST_CASE("leading-comma lists", "[format]") {
  std::string src =
      "xs =\n"
      "  [1\n"
      "  ,2\n"
      "  ]\n";
  CHECK(fmt(src) == "xs =\n"
                    "  [ 1\n"
                    "  , 2\n"
                    "  ]\n");
}

TEST_CASE("a file that does not parse is reported, not formatted", "[format]") {
  Result r = formatSource("t.weir", "main = print (1 +\n");
  CHECK(r.status == Result::Error);
  CHECK(r.message.find("error[E00") != std::string::npos);
}

TEST_CASE("the skip pragma leaves a file as written", "[format]") {
  Result r = formatSource("t.weir", "main   =   1\n-- weir-fmt: skip (reason)\n");
  CHECK(r.status == Result::Skipped);
  CHECK(r.text == "main   =   1\n-- weir-fmt: skip (reason)\n");
}

TEST_CASE("a block on new lines is indented two columns past its opening line", "[format]") {
  CHECK(fmt("main = do\n      print 1\n      print 2\n") == "main = do\n  print 1\n  print 2\n");
  // continuation lines move with their item
  CHECK(fmt("f x = case x of\n        Just y ->\n          y\n        Nothing -> 0\n") ==
        "f x = case x of\n  Just y ->\n    y\n  Nothing -> 0\n");
  // after a guard: past the `| `
  CHECK(fmt("f x\n  | x > 0 = do\n    print x\n  | otherwise = pure ()\n") ==
        "f x\n  | x > 0 = do\n      print x\n  | otherwise = pure ()\n");
  // nested: each block two past the line that opens it
  CHECK(fmt("g = do\n    x <- case 1 of\n            1 -> pure 2\n    print x\n") ==
        "g = do\n  x <- case 1 of\n    1 -> pure 2\n  print x\n");
}

TEST_CASE("a block that cannot move left of the block around it stays where it is", "[format]") {
  std::string src =
      "f i =\n"
      "    let m = g (\\v -> case v of\n"
      "                     Nothing -> i\n"
      "                     Just x -> x)\n"
      "    in m\n";
  CHECK(fmt(src) == src);
}

TEST_CASE("a comment line is indented like the code line after it", "[format]") {
  CHECK(fmt("main = do\n    -- first\n    print 1\n") == "main = do\n  -- first\n  print 1\n");
}

#include "format/pieces.hpp"
#include "format/verify.hpp"
#include "syntax/parser.hpp"

// The safety net: a text whose layout reads differently is caught (the formatter then refuses, E0950).
TEST_CASE("verification catches a change of layout, tokens or comments", "[format]") {
  std::string src = "f = do\n  a\n  b -- c\n";
  weir::SourceManager sm;
  weir::FileId id = sm.add("t.weir", src);
  weir::DiagnosticEngine diags(sm);
  auto tokens = weir::syntax::lex(sm.get(id), id, diags);
  auto laid = weir::syntax::layout(tokens, diags);
  auto m = weir::syntax::parseModule(laid, id, diags);
  REQUIRE(m);
  auto pieces = weir::format::collectPieces(src, tokens);
  CHECK(weir::format::sameProgram(src, laid, *m, pieces, "f = do\n    a\n    b -- c\n").empty());
  CHECK_FALSE(weir::format::sameProgram(src, laid, *m, pieces, "f = do\n  a\n   b -- c\n").empty());  // b continues a
  CHECK_FALSE(weir::format::sameProgram(src, laid, *m, pieces, "f = do\n  a\n  b -- d\n").empty());  // comment
  CHECK_FALSE(weir::format::sameProgram(src, laid, *m, pieces, "f = do\n  a\nb -- c\n").empty());    // no parse
}

TEST_CASE("a line hanging from its parent is two columns in, four after | or a leading comma", "[format]") {
  CHECK(fmt("f x\n      | x > 0 = 1\n      | otherwise = 2\n") == "f x\n  | x > 0 = 1\n  | otherwise = 2\n");
  CHECK(fmt("g x = y\n     where\n        y = x\n") == "g x = y\n  where\n    y = x\n");
  CHECK(fmt("data T\n    = A\n    | B\n") == "data T\n  = A\n  | B\n");
  CHECK(fmt("xs =\n  [ f 1\n  , g 2\n     3\n  ]\n") == "xs =\n  [ f 1\n  , g 2\n      3\n  ]\n");
  // lined up with a token of the line above: kept lined up
  CHECK(fmt("h = foo 1\n        2\n") == "h = foo 1\n        2\n");
}

TEST_CASE("trailing comments lined up on consecutive lines stay lined up", "[format]") {
  std::string src =
      "data K\n"
      "  = Item  Int      -- a value\n"
      "  | Tick           -- the timer\n"
      "  | End Bool       -- the end\n"
      "x = 1    -- alone\n";
  CHECK(fmt(src) == "data K\n"
                    "  = Item Int -- a value\n"
                    "  | Tick     -- the timer\n"
                    "  | End Bool -- the end\n"
                    "\n"
                    "x = 1 -- alone\n");
}
