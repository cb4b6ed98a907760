// Parser tests: every declaration, expression, pattern and type form, checked through the
// S-expression dumps.
#include <chrono>
#include <cstdio>

#include <catch2/catch.hpp>

#include "syntax/internal.hpp"
#include "syntax/parser.hpp"
#include "syntax_support.hpp"

using namespace weir;
using namespace weir::syntax;
using weir::test::Parsed;

namespace {


std::string ex(const std::string& src) {
  Parsed p("x = " + src);
  INFO(p.errs());
  REQUIRE(p.diags.all().empty());
  REQUIRE(p.mod->decls.size() == 1);
  REQUIRE(p.mod->decls[0]->rhs.plain);
  return dumpExpr(*p.mod->decls[0]->rhs.plain);
}

std::string dc(const std::string& src) {
  Parsed p(src);
  INFO(p.errs());
  REQUIRE(p.diags.all().empty());
  return p.decls();
}

std::string pt(const std::string& src) {  // a pattern in case-alternative position
  Parsed p("x = case y of\n  " + src + " -> 1");
  INFO(p.errs());
  REQUIRE(p.diags.all().empty());
  return dumpPat(*p.mod->decls.at(0)->rhs.plain->alts.at(0).pat);
}

std::string ty(const std::string& src) {
  Parsed p("x :: " + src);
  INFO(p.errs());
  REQUIRE(p.diags.all().empty());
  return dumpQualType(*p.mod->decls.at(0)->qualType);
}

}  // namespace

// ---------------------------------------------------------------- module structure
TEST_CASE("parser: module header with exports", "[syntax][parser]") {
  Parsed p("module Fleet.Alerts (Alert(..), T(A, B), alerts, (|+|), module M) where\nx = 1");
  REQUIRE(p.diags.all().empty());
  CHECK(p.mod->name == "Fleet.Alerts");
  CHECK(p.mod->hasExports);
  REQUIRE(p.mod->exports.size() == 5);
  CHECK(p.mod->exports[0].kind == ast::ExportItem::Type);
  CHECK(p.mod->exports[0].allConstructors);
  CHECK(p.mod->exports[1].members == std::vector<std::string>{"A", "B"});
  CHECK(p.mod->exports[2].kind == ast::ExportItem::Value);
  CHECK(p.mod->exports[3].name == "|+|");
  CHECK(p.mod->exports[4].kind == ast::ExportItem::Module);
  CHECK(p.mod->exports[4].name == "M");
}

TEST_CASE("parser: module without header is Main without exports", "[syntax][parser]") {
  Parsed p("main = pure ()");
  CHECK(p.mod->name == "Main");
  CHECK_FALSE(p.mod->hasExports);
  CHECK(p.mod->decls.size() == 1);
}

TEST_CASE("parser: imports", "[syntax][parser]") {
  Parsed p(
      "import Prelude\nimport Data.List (sortBy, groupBy)\nimport qualified Data.Map as Map\n"
      "import Json hiding (decode)\nimport Prelude ()\nimport M (T(..), U(A, B), (<>), V)\nx = 1");
  INFO(p.errs());
  REQUIRE(p.diags.all().empty());
  auto& is = p.mod->imports;
  REQUIRE(is.size() == 6);
  CHECK(is[0].module == "Prelude");
  CHECK_FALSE(is[0].hasList);
  CHECK(is[1].items.size() == 2);
  CHECK(is[1].items[1].name == "groupBy");
  CHECK(is[2].qualified);
  CHECK(is[2].alias == "Map");
  CHECK(is[2].module == "Data.Map");
  CHECK(is[3].hiding);
  CHECK(is[3].items.at(0).name == "decode");
  CHECK(is[4].hasList);
  CHECK(is[4].items.empty());
  REQUIRE(is[5].items.size() == 4);
  CHECK(is[5].items[0].isType);
  CHECK(is[5].items[0].allConstructors);
  CHECK(is[5].items[1].members == std::vector<std::string>{"A", "B"});
  CHECK(is[5].items[2].name == "<>");
  CHECK(is[5].items[3].isType);
}

TEST_CASE("parser: doc comments fill Decl::doc", "[syntax][parser]") {
  Parsed p("-- | Doubles.\ndouble :: Int -> Int\ndouble x = x * 2\n-- | A type.\ndata T = T");
  REQUIRE(p.mod->decls.size() == 3);
  CHECK(p.mod->decls[0]->doc == "Doubles.");
  CHECK(p.mod->decls[1]->doc.empty());
  CHECK(p.mod->decls[2]->doc == "A type.");
  Parsed q("class C a where\n  -- | The method.\n  m :: a -> a\n  n :: a");
  REQUIRE(q.mod->decls.at(0)->body.size() == 2);
  CHECK(q.mod->decls[0]->body[0]->doc == "The method.");
  CHECK(q.mod->decls[0]->body[1]->doc.empty());
}

// ---------------------------------------------------------------- declarations
TEST_CASE("parser: type signatures with several names and contexts", "[syntax][parser]") {
  CHECK(dc("f, g :: Int -> Int") == "(sig f g :: (-> Int Int))");
  CHECK(dc("(|+|) :: C -> C -> C") == "(sig |+| :: (-> C (-> C C)))");
  CHECK(dc("f :: (Eq a, Show a) => a -> String") == "(sig f :: (=> (Eq a) (Show a) (-> a String)))");
  CHECK(dc("f :: Functor f => f a -> f b") == "(sig f :: (=> (Functor f) (-> (f a) (f b))))");
}

TEST_CASE("parser: function clauses with patterns", "[syntax][parser]") {
  CHECK(dc("f 0 = 1\nf n = n * f (n - 1)") ==
        "(clause f [0] (= 1))\n(clause f [n] (= (op n * (app f (op n - 1)))))");
  CHECK(dc("len [] = 0\nlen (_ : xs) = 1 + len xs") ==
        "(clause len [(list)] (= 0))\n(clause len [(: _ xs)] (= (op 1 + (app len xs))))");
}

TEST_CASE("parser: guards, pattern guards, let guards and where", "[syntax][parser]") {
  CHECK(dc("f x\n  | x > 0, Just y <- g x = y\n  | let z = x, z < 0 = z\n  | otherwise = 0\n  where g = h") ==
        "(clause f [x] (| (op x > 0), (<- (Just y) (app g x)) = y) (| (let [(clause z [] (= x))]), (op z < 0) = z) "
        "(| otherwise = 0) (where [(clause g [] (= h))]))");
}

TEST_CASE("parser: operator definitions", "[syntax][parser]") {
  CHECK(dc("Celsius a |+| Celsius b = Celsius (a + b)") ==
        "(clause |+| [(Celsius a) (Celsius b)] (= (app Celsius (op a + b))))");
  CHECK(dc("x `plus` y = x + y") == "(clause plus [x y] (= (op x + y)))");
  CHECK(dc("(<+>) a b = a") == "(clause <+> [a b] (= a))");
}

TEST_CASE("parser: pattern bindings", "[syntax][parser]") {
  CHECK(dc("(a, b) = pair") == "(patbind (tuple a b) (= pair))");
  CHECK(dc("Just v = m") == "(patbind (Just v) (= m))");
}

TEST_CASE("parser: fixity declarations", "[syntax][parser]") {
  CHECK(dc("infixl 6 |+|, |-|\ninfixr 5 ++\ninfix 4 `elem`\ninfixl +++") ==
        "(infixl 6 |+| |-|)\n(infixr 5 ++)\n(infix 4 elem)\n(infixl 9 +++)");
}

TEST_CASE("parser: data declarations", "[syntax][parser]") {
  CHECK(dc("data Maybe a = Nothing | Just a") == "(data Maybe a (con Nothing) (con Just a))");
  CHECK(dc("data Alert\n  = Speeding { device :: String, speed :: Float }\n  | LowFuel String Float\n  deriving (Eq, Show, ToJson)") ==
        "(data Alert (con Speeding {device :: String, speed :: Float}) (con LowFuel String Float) (deriving Eq Show ToJson))");
  CHECK(dc("data T = T (Maybe Int) [a] deriving Show") == "(data T (con T (Maybe Int) [a]) (deriving Show))");
  CHECK(dc("data Void") == "(data Void)");
}

TEST_CASE("parser: newtype and type synonyms", "[syntax][parser]") {
  CHECK(dc("newtype Celsius = Celsius Float deriving (Eq, Ord, Show)") ==
        "(newtype Celsius (con Celsius Float) (deriving Eq Ord Show))");
  CHECK(dc("type Telemetry = { device :: String, speed :: Float }") ==
        "(type Telemetry = {device :: String, speed :: Float})");
  CHECK(dc("type Pair a b = (a, b)") == "(type Pair a b = (tuple a b))");
}

TEST_CASE("parser: class declarations", "[syntax][parser]") {
  CHECK(dc("class Describe a where\n  describe :: a -> String\n  describeAll :: [a] -> String\n  describeAll xs = S.concat (map describe xs)") ==
        "(class Describe a [(sig describe :: (-> a String)); (sig describeAll :: (-> [a] String)); "
        "(clause describeAll [xs] (= (app S.concat (app map describe xs))))])");
  CHECK(dc("class Eq a => Ord a where\n  compare :: a -> a -> Ordering") ==
        "(class [(Eq a)] => Ord a [(sig compare :: (-> a (-> a Ordering)))])");
  CHECK(dc("class (Eq a, Show a) => C a") == "(class [(Eq a) (Show a)] => C a)");
}

TEST_CASE("parser: instance declarations", "[syntax][parser]") {
  CHECK(dc("instance Describe Alert where\n  describe _ = \"alert\"") ==
        "(instance Describe Alert [(clause describe [_] (= \"alert\"))])");
  CHECK(dc("instance Show a => Show (Maybe a) where\n  show x = s") ==
        "(instance [(Show a)] => Show (Maybe a) [(clause show [x] (= s))])");
  CHECK(dc("instance Functor Maybe where") == "(instance Functor Maybe)");
}

TEST_CASE("parser: foreign imports", "[syntax][parser]") {
  CHECK(dc("foreign import ccall \"weir_rt_now_ms\" nowMs :: IO Int") ==
        "(foreign ccall \"weir_rt_now_ms\" nowMs :: (IO Int))");
  CHECK(dc("foreign import prim \"int_add\" (+.) :: Int -> Int -> Int") ==
        "(foreign prim \"int_add\" +. :: (-> Int (-> Int Int)))");
}

TEST_CASE("parser: spans of declarations and names", "[syntax][parser]") {
  Parsed p("f :: Int\nf x = x + 1\n");
  REQUIRE(p.mod->decls.size() == 2);
  auto& d = *p.mod->decls[1];
  CHECK(d.span.begin == 9);
  CHECK(d.span.end == 20);
  CHECK(d.nameSpan.begin == 9);
  CHECK(d.nameSpan.end == 10);
  auto& e = *d.rhs.plain;
  CHECK(e.span.begin == 15);
  CHECK(e.span.end == 20);
  REQUIRE(e.opSpans.size() == 1);
  CHECK(e.opSpans[0].begin == 17);
}

// ---------------------------------------------------------------- types
TEST_CASE("parser: types", "[syntax][parser]") {
  CHECK(ty("a") == "a");
  CHECK(ty("Map.Map k v") == "(Map.Map k v)");
  CHECK(ty("a -> b -> c") == "(-> a (-> b c))");
  CHECK(ty("(a -> b) -> [a] -> [b]") == "(-> (-> a b) (-> [a] [b]))");
  CHECK(ty("(Int, String, Bool)") == "(tuple Int String Bool)");
  CHECK(ty("()") == "()");
  CHECK(ty("IO ()") == "(IO ())");
  CHECK(ty("[] a") == "([] a)");
  CHECK(ty("(,) a b") == "((,) a b)");
  CHECK(ty("(->) a") == "(-> a)");
}

TEST_CASE("parser: record types, open rows, forall", "[syntax][parser]") {
  CHECK(ty("{ x :: Int, y :: [Float] }") == "{x :: Int, y :: [Float]}");
  CHECK(ty("{ speed :: Float | r } -> Float") == "(-> {speed :: Float | r} Float)");
  CHECK(ty("{}") == "{}");
  CHECK(ty("forall a b. a -> b -> a") == "(forall a b. (-> a (-> b a)))");
}

// ---------------------------------------------------------------- expressions
TEST_CASE("parser: literals", "[syntax][parser]") {
  CHECK(ex("42") == "42");
  CHECK(ex("1.5") == "1.5");
  CHECK(ex("'a'") == "'a'");
  CHECK(ex("\"hi\\n\"") == "\"hi\\n\"");
  CHECK(ex("b\"\\x01ab\"") == "b\"\\x01ab\"");
}

TEST_CASE("parser: application and operator chains stay flat", "[syntax][parser]") {
  CHECK(ex("f x y") == "(app f x y)");
  CHECK(ex("a + b * c - d") == "(op a + b * c - d)");
  CHECK(ex("f x + g y `div` 2") == "(op (app f x) + (app g y) div 2)");
  CHECK(ex("x : y : xs ++ ys") == "(op x : y : xs ++ ys)");
  CHECK(ex("Map.lookup k m Map.! k") == "(op (app Map.lookup k m) Map.! k)");
  CHECK(ex("a <> b $ c") == "(op a <> b $ c)");
}

TEST_CASE("parser: negation", "[syntax][parser]") {
  CHECK(ex("-x") == "(neg x)");
  CHECK(ex("- 1 + 2") == "(op (neg 1) + 2)");
  CHECK(ex("f (-1)") == "(app f (neg 1))");
  CHECK(ex("a * (- b)") == "(op a * (neg b))");
  CHECK(ex("a - b") == "(op a - b)");
}

TEST_CASE("parser: sections and operator names", "[syntax][parser]") {
  CHECK(ex("(+ 1)") == "(rsection + 1)");
  CHECK(ex("(1 +)") == "(lsection 1 +)");
  CHECK(ex("(`div` 2)") == "(rsection div 2)");
  CHECK(ex("(x `div`)") == "(lsection x div)");
  CHECK(ex("(- 1)") == "(neg 1)");
  CHECK(ex("(subtract 1)") == "(app subtract 1)");
  CHECK(ex("(-)") == "-");
  CHECK(ex("(+)") == "+");
  CHECK(ex("(:)") == ":");
  CHECK(ex("(.)") == ".");
  CHECK(ex("(a + b +)") == "(lsection (op a + b) +)");
  CHECK(ex("(: [])") == "(rsection : (list))");
}

TEST_CASE("parser: tuples, unit, lists, parens", "[syntax][parser]") {
  CHECK(ex("()") == "()");
  CHECK(ex("(a, b)") == "(tuple a b)");
  CHECK(ex("(a, (b, c), d)") == "(tuple a (tuple b c) d)");
  CHECK(ex("(,) a") == "(app (,) a)");
  CHECK(ex("(,,)") == "(,,)");
  CHECK(ex("[]") == "(list)");
  CHECK(ex("[1, 2, 3]") == "(list 1 2 3)");
  CHECK(ex("((x))") == "x");
}

TEST_CASE("parser: ranges", "[syntax][parser]") {
  CHECK(ex("[1 ..]") == "(range 1 ..)");
  CHECK(ex("[1 .. 10]") == "(range 1 .. 10)");
  CHECK(ex("[1..10]") == "(range 1 .. 10)");
  CHECK(ex("[0, 5 .. 100]") == "(range 0 5 .. 100)");
  CHECK(ex("[0, 5 ..]") == "(range 0 5 ..)");
}

TEST_CASE("parser: list comprehensions", "[syntax][parser]") {
  CHECK(ex("[x * 2 | x <- xs, x > 3, let y = x]") ==
        "(comp (op x * 2) | (<- x xs), (op x > 3), (let [(clause y [] (= x))]))");
  CHECK(ex("[(a, b) | (a, b) <- ps, Just c <- [f a]]") ==
        "(comp (tuple a b) | (<- (tuple a b) ps), (<- (Just c) (list (app f a))))");
}

TEST_CASE("parser: lambdas", "[syntax][parser]") {
  CHECK(ex("\\x -> x") == "(lam [x] x)");
  CHECK(ex("\\x (a, b) _ -> a + x") == "(lam [x (tuple a b) _] (op a + x))");
  CHECK(ex("f $ \\x -> g x") == "(op f $ (lam [x] (app g x)))");
}

TEST_CASE("parser: let and if", "[syntax][parser]") {
  CHECK(ex("let y = 1; z = 2 in y + z") == "(let [(clause y [] (= 1)); (clause z [] (= 2))] (op y + z))");
  CHECK(ex("if a then b else c") == "(if a b c)");
  CHECK(ex("if a then if b then c else d else e") == "(if a (if b c d) e)");
  CHECK(ex("1 + if c then 2 else 3 + 4") == "(op 1 + (if c 2 (op 3 + 4)))");
}

TEST_CASE("parser: case with guards and where", "[syntax][parser]") {
  CHECK(ex("case m of\n    Just v | v > 0 -> v\n           | otherwise -> 0\n    Nothing -> d\n      where d = 1") ==
        "(case m (alt (Just v) (| (op v > 0) = v) (| otherwise = 0)) (alt Nothing (= d) (where [(clause d [] (= 1))])))");
  CHECK(ex("case x of { A -> 1; B -> 2 }") == "(case x (alt A (= 1)) (alt B (= 2)))");
  CHECK(ex("(case x of A -> 1) + 2") == "(op (case x (alt A (= 1))) + 2)");
}

TEST_CASE("parser: do blocks", "[syntax][parser]") {
  CHECK(ex("do\n    line <- getLine\n    let n = length line\n    print n\n    pure ()") ==
        "(do (<- line getLine) (let [(clause n [] (= (app length line)))]) (app print n) (app pure ()))");
  CHECK(ex("do { a; b }") == "(do a b)");
  CHECK(ex("do\n    (x, y) <- p\n    pure x") == "(do (<- (tuple x y) p) (app pure x))");
  CHECK(ex("do\n    let x = 1 in f x") == "(do (let [(clause x [] (= 1))] (app f x)))");
}

TEST_CASE("parser: if-then-else inside do", "[syntax][parser]") {
  CHECK(ex("do\n    if c then do a else b\n    d") == "(do (if c (do a) b) d)");
  CHECK(ex("do\n    if c\n    then a\n    else b") == "(do (if c a b))");
  CHECK(ex("do\n    when c $ do\n      a\n      b\n    d") == "(do (op (app when c) $ (do a b)) d)");
}

TEST_CASE("parser: type annotations", "[syntax][parser]") {
  CHECK(ex("(x :: Int)") == "(:: x Int)");
  CHECK(ex("(f x + 1 :: Int)") == "(:: (op (app f x) + 1) Int)");
  CHECK(ex("read s :: Maybe Int") == "(:: (app read s) (Maybe Int))");
}

TEST_CASE("parser: record literals with puns", "[syntax][parser]") {
  CHECK(ex("{ device = \"t1\", speed = 88.0 }") == "(record device=\"t1\" speed=88.0)");
  CHECK(ex("{ a, b = 2 }") == "(record a=a b=2)");
  CHECK(ex("{}") == "(record )");
}

TEST_CASE("parser: record access vs composition", "[syntax][parser]") {
  CHECK(ex("t.speed") == "(. t speed)");
  CHECK(ex("a.b.c") == "(. (. a b) c)");
  CHECK(ex("f t.speed") == "(app f (. t speed))");
  CHECK(ex("(f x).y") == "(. (app f x) y)");
  CHECK(ex("f . g") == "(op f . g)");
  CHECK(ex("t.speed > 120.0") == "(op (. t speed) > 120.0)");
}

TEST_CASE("parser: record update", "[syntax][parser]") {
  CHECK(ex("r { speed = 0.0 }") == "(update r speed=0.0)");
  CHECK(ex("f r { x = 1 }") == "(app f (update r x=1))");
  CHECK(ex("t.pos { x = 1 }") == "(update (. t pos) x=1)");
  CHECK(ex("Speeding { device = d }") == "(app Speeding (record device=d))");
  CHECK(ex("publish \"t\" { kind = k }") == "(app publish \"t\" (record kind=k))");
}

TEST_CASE("parser: typed holes", "[syntax][parser]") {
  CHECK(ex("?todo") == "?todo");
  CHECK(ex("f ?arg 1") == "(app f ?arg 1)");
}

TEST_CASE("parser: string interpolation", "[syntax][parser]") {
  CHECK(ex("\"speed ${show t.speed} km/h\"") == "(interp \"speed \" (app show (. t speed)) \" km/h\")");
  CHECK(ex("\"${a}${b}\"") == "(interp a b)");
  CHECK(ex("\"x\\n${f \"}\"}!\"") == "(interp \"x\\n\" (app f \"}\") \"!\")");
}

TEST_CASE("parser: interpolation part spans point into the file", "[syntax][parser]") {
  Parsed p("x = \"a ${foo} b\"");
  REQUIRE(p.diags.all().empty());
  auto& e = *p.mod->decls[0]->rhs.plain;
  REQUIRE(e.args.size() == 3);
  CHECK(e.args[1]->span.begin == 9);
  CHECK(e.args[1]->span.end == 12);
}

TEST_CASE("parser: binary construction", "[syntax][parser]") {
  CHECK(ex("<<id:16/big, t:32/float-little, \"OK\">>") ==
        "(binary id:16/integer-unsigned-big, t:32/float-unsigned-little, \"OK\"/integer-unsigned-big)");
  CHECK(ex("<<>>") == "(binary )");
  CHECK(ex("<<x:n, (y + 1):8/signed>>") == "(binary x:n/integer-unsigned-big, (op y + 1):8/integer-signed-big)");
  CHECK(ex("a << b >> c") == "(op a << b >> c)");
  CHECK(ex("<< x:8, y >>") == "(binary x:8/integer-unsigned-big, y/integer-unsigned-big)");
  CHECK(ex("f <<x:8>> << g") == "(op (app f (binary x:8/integer-unsigned-big)) << g)");
}

// ---------------------------------------------------------------- patterns
TEST_CASE("parser: simple patterns", "[syntax][parser]") {
  CHECK(pt("_") == "_");
  CHECK(pt("x") == "x");
  CHECK(pt("42") == "42");
  CHECK(pt("-1") == "-1");
  CHECK(pt("-2.5") == "-2.5");
  CHECK(pt("'c'") == "'c'");
  CHECK(pt("\"s\"") == "\"s\"");
  CHECK(pt("True") == "True");
  CHECK(pt("()") == "()");
}

TEST_CASE("parser: constructor, tuple and list patterns", "[syntax][parser]") {
  CHECK(pt("Just (Left x)") == "(Just (Left x))");
  CHECK(pt("Pair a (b, c)") == "(Pair a (tuple b c))");
  CHECK(pt("[a, b]") == "(list a b)");
  CHECK(pt("[]") == "(list)");
  CHECK(pt("M.Con x") == "(M.Con x)");
}

TEST_CASE("parser: cons patterns resolve right-associatively", "[syntax][parser]") {
  CHECK(pt("x : y : rest") == "(: x (: y rest))");
  CHECK(pt("(x : _)") == "(: x _)");
  CHECK(pt("a :| b") == "(pchain a :| b)");
  CHECK(pt("a `Foo` b") == "(pchain a Foo b)");
}

TEST_CASE("parser: as, record, typed patterns", "[syntax][parser]") {
  CHECK(pt("all@(x : _)") == "(@ all (: x _))");
  // (after `of`, a `{` would open an explicit block, so record patterns are tested in clauses)
  CHECK(dc("f { speed = s } = s") == "(clause f [(record speed=s)] (= s))");
  CHECK(dc("f { speed, device = Just d } = d") == "(clause f [(record speed=speed device=(Just d))] (= d))");
  CHECK(pt("Just { speed }") == "(Just (record speed=speed))");
  CHECK(pt("(p :: Int)") == "(:: p Int)");
  CHECK(ex("\\msg (t :: Telemetry) -> t") == "(lam [msg (:: t Telemetry)] t)");
}

TEST_CASE("parser: binary patterns", "[syntax][parser]") {
  CHECK(dc("parse <<id:16/big-unsigned, temp:8/signed, rest/bytes>> = Just { id, temp, rest }") ==
        "(clause parse [(binary id:16/integer-unsigned-big, temp:8/integer-signed-big, rest/bytes-unsigned-big)] "
        "(= (app Just (record id=id temp=temp rest=rest))))");
  CHECK(pt("<<1:8, _:8, x/bytes>>") == "(binary 1:8/integer-unsigned-big, _:8/integer-unsigned-big, x/bytes-unsigned-big)");
}

// ---------------------------------------------------------------- whole programs
TEST_CASE("parser: the language reference example parses cleanly", "[syntax][parser]") {
  Parsed p(R"(module Fleet.Alerts (Alert(..), alerts, main) where

import Prelude
import Data.List (sortBy, groupBy)
import qualified Data.Map as Map
import Json (decode, encode)

type Telemetry = { device :: String, speed :: Float, fuel :: Float, ts :: Int }

data Alert
  = Speeding { device :: String, speed :: Float }
  | LowFuel String Float
  deriving (Eq, Show, ToJson)

newtype Celsius = Celsius Float deriving (Eq, Ord, Show)

infixl 6 |+|
(|+|) :: Celsius -> Celsius -> Celsius
Celsius a |+| Celsius b = Celsius (a + b)

alerts :: Telemetry -> [Alert]
alerts t
  | t.speed > 120.0 = [Speeding { device = t.device, speed = t.speed }]
  | t.fuel < 0.1    = [LowFuel t.device t.fuel]
  | otherwise       = []

class Describe a where
  describe :: a -> String
  describeAll :: [a] -> String
  describeAll xs = S.intercalate ", " (map describe xs)

instance Describe Alert where
  describe (Speeding r) = "speeding ${r.device}"
  describe (LowFuel d _) = "low fuel ${d}"

foreign import ccall "weir_rt_now_ms" nowMs :: IO Int

main :: IO ()
main = runRules
  [ onJson "fleet/+/telemetry" $ \msg (t :: Telemetry) ->
      when (t.speed > 120.0) $
        publishJson "fleet/alerts" { kind = "speeding", device = t.device, speed = t.speed }
  , keyed "fleet/+/telemetry" (topicLevel 1) 0.0 averageSpeed
  , every (seconds 10) $ publish "fleet/heartbeat" (b"alive")
  ]
)");
  INFO(p.errs());
  CHECK(p.diags.all().empty());
  CHECK(p.mod->imports.size() == 4);
  CHECK(p.mod->decls.size() == 13);
  CHECK(dumpModule(*p.mod).find("(instance Describe Alert") != std::string::npos);
}

TEST_CASE("parser: actor example", "[syntax][parser]") {
  Parsed p(R"(data Next s = Continue s | Stop

data CounterMsg = Add Int | Get (Reply Int)

counter :: Int -> CounterMsg -> IO (Next Int)
counter n (Add k) = pure (Continue (n + k))
counter n (Get r) = do
  reply r n
  pure (Continue n)

main :: IO ()
main = do
  c <- spawn 0 counter
  c ! Add 5
  v <- call c Get (millis 500)
  print v
)");
  INFO(p.errs());
  CHECK(p.diags.all().empty());
  CHECK(p.decls() ==
        "(data Next s (con Continue s) (con Stop))\n(data CounterMsg (con Add Int) (con Get (Reply Int)))\n"
        "(sig counter :: (-> Int (-> CounterMsg (IO (Next Int)))))\n"
        "(clause counter [n (Add k)] (= (app pure (app Continue (op n + k)))))\n"
        "(clause counter [n (Get r)] (= (do (app reply r n) (app pure (app Continue n)))))\n"
        "(sig main :: (IO ()))\n"
        "(clause main [] (= (do (<- c (app spawn 0 counter)) (op c ! (app Add 5)) (<- v (app call c Get (app millis 500))) "
        "(app print v))))");
}

TEST_CASE("parser: dumpModule is indented and readable", "[syntax][parser]") {
  Parsed p("module M (f) where\nimport A\nf = 1");
  CHECK(dumpModule(*p.mod) == "(module M\n  (exports f)\n  (import A)\n  (clause f [] (= 1)))\n");
}

TEST_CASE("parser: dumpModule breaks long declarations over indented lines", "[syntax][parser]") {
  Parsed p("main = do\n  a <- foo bar baz\n  b <- quux a a a a a a a a a a a\n  print (a + b + a + b + a + b + a + b + a + b)\n");
  CHECK(dumpModule(*p.mod) ==
        "(module Main\n"
        "  (clause main []\n"
        "    (=\n"
        "      (do\n"
        "        (<- a (app foo bar baz))\n"
        "        (<- b (app quux a a a a a a a a a a a))\n"
        "        (app print (op a + b + a + b + a + b + a + b + a + b))))))\n");
}

TEST_CASE("parser: 1,000-line program parses fast", "[syntax][parser][perf]") {
  std::string src = "module Big where\n\nimport Data.List (sortBy)\n\n";
  int lines = 4;
  for (int i = 0; lines < 1000; ++i) {
    src += "-- | Function " + std::to_string(i) + ".\n";
    src += "f" + std::to_string(i) + " :: Int -> { speed :: Float | r } -> [Int]\n";
    src += "f" + std::to_string(i) + " n t\n";
    src += "  | n > 0, t.speed > 1.0 = [x * 2 | x <- [1 .. n], x `mod` 3 == 0]\n";
    src += "  | otherwise = case g n of\n";
    src += "      Just (a, b) -> let c = a + b in [c, -c]\n";
    src += "      Nothing -> do\n";
    src += "        y <- h (n - 1) \"msg ${show n}\"\n";
    src += "        pure (y + 1)\n";
    src += "  where g = \\k -> if k > 10 then Just (k, k) else Nothing\n\n";
    lines += 11;
  }
  SourceManager sm;
  DiagnosticEngine diags(sm);
  FileId id = sm.add("big.weir", src);
  auto t0 = std::chrono::steady_clock::now();
  auto m = parseFile(sm.get(id), id, diags);
  auto t1 = std::chrono::steady_clock::now();
  double ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  std::printf("[perf] lex+layout+parse of %d lines: %.2f ms\n", lines, ms);
  INFO(renderDiagnostics(diags, DiagFormat::Text, false));
  CHECK(diags.all().empty());
  CHECK(m->decls.size() == 182);
}

TEST_CASE("parser: node spans cover their source text", "[syntax][parser][spans]") {
  std::string src =
      "f :: Int -> Int\n"
      "f t | t.speed > 1 = g (t { speed = 0 }) [1 .. n]\n"
      "    | otherwise = \\x -> case x of\n"
      "        Just y -> y\n"
      "  where n = 3\n"
      "main = do\n"
      "  v <- pure (-1, ?hole)\n"
      "  print v\n";
  Parsed p(src);
  INFO(p.errs());
  REQUIRE(p.diags.all().empty());
  auto text = [&](Span s) { return src.substr(s.begin, s.end - s.begin); };
  auto& sig = *p.mod->decls[0];
  CHECK(text(sig.span) == "f :: Int -> Int");
  CHECK(text(sig.qualType->span) == "Int -> Int");
  CHECK(text(sig.qualType->type->args[1]->span) == "Int");
  auto& cl = *p.mod->decls[1];
  CHECK(text(cl.pats[0]->span) == "t");
  auto& g1 = cl.rhs.guarded.at(0);
  CHECK(text(g1.guards[0].span) == "t.speed > 1");
  CHECK(text(g1.guards[0].expr->args[0]->span) == "t.speed");
  CHECK(text(g1.body->span) == "g (t { speed = 0 }) [1 .. n]");
  CHECK(text(g1.body->args[1]->span) == "(t { speed = 0 })");
  CHECK(text(g1.body->args[2]->span) == "[1 .. n]");
  auto& lam = *cl.rhs.guarded.at(1).body;
  CHECK(text(lam.span) == "\\x -> case x of\n        Just y -> y");
  CHECK(text(lam.args[0]->alts[0].span) == "Just y -> y");
  CHECK(text(lam.args[0]->alts[0].pat->span) == "Just y");
  CHECK(text(cl.rhs.where.at(0)->span) == "n = 3");
  auto& doE = *p.mod->decls[2]->rhs.plain;
  CHECK(text(doE.stmts[0].span) == "v <- pure (-1, ?hole)");
  CHECK(text(doE.stmts[0].pat->span) == "v");
  auto& tup = *doE.stmts[0].expr->args[1];
  CHECK(text(tup.span) == "(-1, ?hole)");
  CHECK(text(tup.args[0]->span) == "-1");
  CHECK(text(tup.args[1]->span) == "?hole");
  CHECK(text(doE.stmts[1].span) == "print v");
  CHECK(text(p.mod->imports.empty() ? Span{} : p.mod->imports[0].span).empty());
}

TEST_CASE("parser: import and export spans", "[syntax][parser][spans]") {
  std::string src = "module M (f, T(..)) where\nimport qualified Data.Map as Map (lookup)\nf = 1";
  Parsed p(src);
  REQUIRE(p.diags.all().empty());
  auto text = [&](Span s) { return src.substr(s.begin, s.end - s.begin); };
  CHECK(text(p.mod->exports[1].span) == "T(..)");
  CHECK(text(p.mod->imports[0].span) == "import qualified Data.Map as Map (lookup)");
  CHECK(text(p.mod->imports[0].items[0].span) == "lookup");
}

TEST_CASE("parser: explicit braces everywhere layout is", "[syntax][parser]") {
  CHECK(dc("class C a where { m :: a; n :: a }") == "(class C a [(sig m :: a); (sig n :: a)])");
  CHECK(dc("f = do { let { x = 1; y = 2 }; pure (x + y) }") ==
        "(clause f [] (= (do (let [(clause x [] (= 1)); (clause y [] (= 2))]) (app pure (op x + y)))))");
  CHECK(dc("f x = y where { y = x }") == "(clause f [x] (= y) (where [(clause y [] (= x))]))");
  CHECK(dc("f x = case x of { ; A -> 1 ;; B -> 2 ; }") == "(clause f [x] (= (case x (alt A (= 1)) (alt B (= 2)))))");
}

TEST_CASE("parser: import and export lists accept a trailing comma", "[syntax][parser]") {
  Parsed p("module M (a, b,) where\nimport N (c, d,)\na = 1");
  INFO(p.errs());
  CHECK(p.diags.all().empty());
  CHECK(p.mod->exports.size() == 2);
  CHECK(p.mod->imports.at(0).items.size() == 2);
}

TEST_CASE("parser: where bound to a clause with guards, nested where", "[syntax][parser]") {
  CHECK(dc("f x\n  | a = b\n  | otherwise = c\n  where\n    a = g x\n      where g = id\n    b = 1\n    c = 2") ==
        "(clause f [x] (| a = b) (| otherwise = c) (where [(clause a [] (= (app g x)) (where [(clause g [] (= id))])); "
        "(clause b [] (= 1)); (clause c [] (= 2))]))");
}

TEST_CASE("parser: operators at line starts continue the expression", "[syntax][parser]") {
  CHECK(dc("x = a\n  + b\n  * c") == "(clause x [] (= (op a + b * c)))");
  CHECK(dc("main = do\n  foo $\n    bar\n  baz") == "(clause main [] (= (do (op foo $ bar) baz)))");
}

TEST_CASE("parser: local operator definitions and signatures", "[syntax][parser]") {
  CHECK(dc("f = a <+> b\n  where\n    infixl 6 <+>\n    (<+>) :: Int -> Int -> Int\n    x <+> y = x + y") ==
        "(clause f [] (= (op a <+> b)) (where [(infixl 6 <+>); (sig <+> :: (-> Int (-> Int Int))); "
        "(clause <+> [x y] (= (op x + y)))]))");
}

TEST_CASE("parser: binary data after `(`, in let blocks, with a negative first segment", "[syntax][parser]") {
  CHECK(ex("(<<1>>, <<2>>)") == "(tuple (binary 1/integer-unsigned-big) (binary 2/integer-unsigned-big))");
  CHECK(ex("(<<1, 2>>)") == "(binary 1/integer-unsigned-big, 2/integer-unsigned-big)");
  CHECK(ex("(<< 1)") == "(rsection << 1)");
  CHECK(ex("(<<>>)") == "(binary )");
  CHECK(ex("(<<)") == "<<");
  CHECK(ex("let b = <<n, 2>> in b") == "(let [(clause b [] (= (binary n/integer-unsigned-big, 2/integer-unsigned-big)))] b)");
  CHECK(ex("[b | let b = <<1, 2>>, c]").find("(binary 1/integer-unsigned-big, 2/integer-unsigned-big)") != std::string::npos);
  CHECK(ex("<<-1:8/signed>>") == "(binary -1:8/integer-signed-big)");
  CHECK(pt("<<-1:8/signed>>") == "(binary -1:8/integer-signed-big)");
  CHECK(pt("all@<<_:8, _/bytes>>") == "(@ all (binary _:8/integer-unsigned-big, _/bytes-unsigned-big))");
}

TEST_CASE("parser: infix constructors and strict fields", "[syntax][parser]") {
  CHECK(dc("data V = Int :+ Int deriving (Show)") == "(data V (con :+ Int Int) (deriving Show))");
  CHECK(dc("data L a = Nil | a :| L a") == "(data L a (con Nil) (con :| a (L a)))");
  CHECK(dc("data P = P !Int !(Maybe Int)") == "(data P (con P Int (Maybe Int)))");
  CHECK(dc("data Q = !Int :* !Int") == "(data Q (con :* Int Int))");
  CHECK(dc("data R = R { x :: !Int }") == "(data R (con R {x :: Int}))");
}

TEST_CASE("parser: `as`, `hiding` and `qualified` are names outside imports", "[syntax][parser]") {
  CHECK(ex("let as = 1; hiding = 2; qualified = 3 in as + hiding + qualified") ==
        "(let [(clause as [] (= 1)); (clause hiding [] (= 2)); (clause qualified [] (= 3))] (op as + hiding + qualified))");
  CHECK(ex("\\as -> as") == "(lam [as] as)");
  Parsed p("import qualified Data.Map as M hiding (x)\nas = 1");
  INFO(p.errs());
  REQUIRE(p.diags.all().empty());
  CHECK(p.mod->imports.at(0).qualified);
  CHECK(p.mod->imports.at(0).alias == "M");
  CHECK(p.mod->imports.at(0).hiding);
}

TEST_CASE("parser: character literals with braces and quotes inside `${...}`", "[syntax][parser]") {
  CHECK(ex("\"c${show '}'}d\"").find("(app show '}')") != std::string::npos);
  CHECK(ex("\"${show '{'}${show '\"'}\"").find("(app show '\"')") != std::string::npos);
  CHECK(ex("\"${show x'}\"").find("(app show x')") != std::string::npos);
}

TEST_CASE("parser: a 50,000-level nesting on one line stops at the limit quickly", "[syntax][parser][perf]") {
  // Columns were counted from the start of the line for every token: quadratic on long lines.
  std::string src = "x = ";
  for (int i = 0; i < 50000; ++i) src += "if True then ";
  src += "1";
  for (int i = 0; i < 50000; ++i) src += " else 2";
  auto t0 = std::chrono::steady_clock::now();
  Parsed p(src);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[perf] 50,000 nested ifs on one line: %.2f ms\n", ms);
  CHECK(p.errors() == std::vector<std::string>{"E0024@1:5195"});
  CHECK(ms < 2000);
}
