// Type inference: inferred types of small programs, and the errors (code and position)
// of ill-typed ones. The real Prelude from stdlib/ is loaded.
#include <catch2/catch.hpp>

#include "names/names.hpp"
#include "types/infer.hpp"
#include "weir/paths.hpp"

using namespace weir;

namespace {

struct Result {
  std::string types;                  // dumpTypes of the main module
  std::vector<std::string> errors;    // "E0201@3:5"
};

Result checkSource(const std::string& src) {
  SourceManager sm;
  FileId f = sm.add("/virtual/Main.weir", src);
  DiagnosticEngine diags(sm);
  names::Options opts;
  opts.searchPath.push_back(WEIR_BUILD_STDLIB_DIR);
  Result r;
  auto prog = names::loadAndRename(sm, f, opts, diags);
  if (prog) {
    auto checked = types::check(*prog, diags);
    if (checked) r.types = types::dumpTypes(*checked);
  }
  for (auto& d : diags.all()) {
    if (d.severity != Severity::Error) continue;
    LineCol lc = sm.get(d.span.file).lineCol(d.span.begin);
    r.errors.push_back(d.code + "@" + std::to_string(lc.line) + ":" + std::to_string(lc.col));
  }
  return r;
}

std::string typeOf(const std::string& decls, const std::string& name) {
  Result r = checkSource("module T where\n" + decls + "\n");
  INFO(decls);
  for (auto& e : r.errors) INFO(e);
  REQUIRE(r.errors.empty());
  std::string key = name + " :: ";
  auto pos = r.types.find(key);
  REQUIRE(pos != std::string::npos);
  auto end = r.types.find('\n', pos);
  return r.types.substr(pos + key.size(), end - pos - key.size());
}

}  // namespace

TEST_CASE("literals and arithmetic", "[types]") {
  CHECK(typeOf("x = 1 + 2", "x") == "Int");
  CHECK(typeOf("x = 1.5 * 2.0", "x") == "Float");
  CHECK(typeOf("x = 'c'", "x") == "Char");
  CHECK(typeOf("x = \"s\" ++ \"t\"", "x") == "String");
  CHECK(typeOf("x = (1, True, ())", "x") == "(Int, Bool, ())");
}

TEST_CASE("let-polymorphism and generalisation", "[types]") {
  CHECK(typeOf("ident x = x", "ident") == "a -> a");
  CHECK(typeOf("k x y = x", "k") == "a -> b -> a");
  CHECK(typeOf("compose f g x = f (g x)", "compose") == "(a -> b) -> (c -> a) -> c -> b");
  CHECK(typeOf("pair = let i x = x in (i 1, i True)", "pair") == "(Int, Bool)");
  CHECK(typeOf("twice f x = f (f x)", "twice") == "(a -> a) -> a -> a");
}

TEST_CASE("recursive functions over lists", "[types]") {
  CHECK(typeOf("len [] = 0\nlen (_ : xs) = 1 + len xs", "len") == "[a] -> Int");
  CHECK(typeOf("mymap f [] = []\nmymap f (x : xs) = f x : mymap f xs", "mymap") == "(a -> b) -> [a] -> [b]");
}

TEST_CASE("class constraints are inferred", "[types]") {
  CHECK(typeOf("eq3 x y z = x == y && y == z", "eq3") == "Eq a => a -> a -> a -> Bool");
  CHECK(typeOf("sumSq xs = sum (map (\\x -> x * x) xs)", "sumSq") == "Num a => [a] -> a");
  CHECK(typeOf("showBoth x y = show x ++ show y", "showBoth") == "(Show a, Show b) => a -> b -> String");
  CHECK(typeOf("biggest xs = maximum xs", "biggest") == "(Foldable a, Ord b) => a b -> b");
}

TEST_CASE("signatures are checked and may be more specific", "[types]") {
  CHECK(typeOf("f :: Int -> Int\nf x = x", "f") == "Int -> Int");
  CHECK(typeOf("g :: Ord a => a -> a -> a\ng x y = if x < y then y else x", "g") == "Ord a => a -> a -> a");
}

TEST_CASE("records are structural and row-polymorphic", "[types]") {
  CHECK(typeOf("speedOf t = t.speed", "speedOf") == "{ speed :: a | b } -> a");
  CHECK(typeOf("r = { device = \"d\", speed = 1.5 }", "r") == "{ device :: String, speed :: Float }");
}

TEST_CASE("do blocks go through Monad", "[types]") {
  CHECK(typeOf("m = do\n  putStrLn \"a\"\n  pure 1", "m") == "IO Int");
  CHECK(typeOf("mm x = do\n  y <- x\n  pure (y + 1)", "mm") == "Monad a => a Int -> a Int");
}

TEST_CASE("type errors have codes and positions", "[types][errors]") {
  auto errs = [](const std::string& body) { return checkSource("module T where\n" + body + "\n").errors; };
  CHECK(errs("x :: Int\nx = \"no\"") == std::vector<std::string>{"E0201@3:5"});
  CHECK(errs("f x = x x") == std::vector<std::string>{"E0203@2:9"});
  CHECK(errs("x = 5 3") == std::vector<std::string>{"E0204@2:5"});
  CHECK(errs("x = show id") == std::vector<std::string>{"E0210@2:5"});
  CHECK(errs("f :: a -> String\nf x = show x") == std::vector<std::string>{"E0213@3:7"});
  CHECK(errs("xs = 1 : xs") == std::vector<std::string>{"E0251@2:1"});
  CHECK(errs("main :: Int\nmain = 1") == std::vector<std::string>{"E0260@3:1"});
}

TEST_CASE("misspelled record fields get a suggestion", "[types][errors]") {
  SourceManager sm;
  FileId f = sm.add("/virtual/Main.weir", "module T where\nx = { speed = 1.0 }.spede\n");
  DiagnosticEngine diags(sm);
  names::Options opts;
  opts.searchPath.push_back(WEIR_BUILD_STDLIB_DIR);
  auto prog = names::loadAndRename(sm, f, opts, diags);
  REQUIRE(prog);
  types::check(*prog, diags);
  REQUIRE(diags.errorCount() == 1);
  CHECK(diags.all()[0].code == "E0221");
  CHECK(diags.all()[0].hint == "did you mean `speed`?");
}

TEST_CASE("several independent errors are all reported", "[types][errors]") {
  auto r = checkSource("module T where\na :: Int\na = True\nb :: String\nb = 1\n");
  CHECK(r.errors == std::vector<std::string>{"E0201@3:5", "E0201@5:5"});
}

TEST_CASE("patterns that can fail are errors where nothing else could be tried", "[types][errors]") {
  auto errs = [](const std::string& body) { return checkSource("module T where\n" + body + "\n").errors; };
  CHECK(errs("f m = let Just x = m in x + 1") == std::vector<std::string>{"E0273@2:11"});
  CHECK(errs("f xs = h\n  where (h : _) = xs") == std::vector<std::string>{"E0273@3:9"});
  CHECK(errs("f m = do\n  Just x <- m\n  pure x") == std::vector<std::string>{"E0273@3:3"});
  CHECK(errs("f b = case b of") == std::vector<std::string>{"E0270@2:7"});
  // Irrefutable: variables, wildcards, tuples, records, single-constructor data.
  CHECK(errs("data P = P Int Int\nf p = let (P a _, (b, { c })) = (p, (1, { c = 2 })) in a + b + c").empty());
}

TEST_CASE("messages name instance methods as the user wrote them", "[types][errors]") {
  SourceManager sm;
  FileId f = sm.add("/virtual/Main.weir", "module T where\ndata T = A | B\ninstance Eq T where\n  A == A = True\n");
  DiagnosticEngine diags(sm);
  names::Options opts;
  opts.searchPath.push_back(WEIR_BUILD_STDLIB_DIR);
  auto prog = names::loadAndRename(sm, f, opts, diags);
  REQUIRE(prog);
  types::check(*prog, diags);
  REQUIRE(diags.errorCount() == 1);
  CHECK(diags.all()[0].code == "E0270");
  CHECK(diags.all()[0].message == "the patterns of `==` (in `instance Eq T`) do not cover every case");
  CHECK(names::displayName("$fPrelude.Functor$Main.T$<$>") == "<$>");
}

TEST_CASE("kinds: a type constructor needs its arguments, instances match the class's kind", "[types][errors]") {
  auto errs = [](const std::string& body) { return checkSource("module T where\n" + body + "\n").errors; };
  CHECK(errs("f :: Maybe -> Int\nf _ = 1") == std::vector<std::string>{"E0249@2:6"});
  CHECK(errs("instance Functor Int where\n  fmap f x = x") == std::vector<std::string>{"E0249@2:18"});
  CHECK(errs("data B a = B a\ninstance Show B where\n  show _ = \"b\"") == std::vector<std::string>{"E0249@3:15"});
  // A rejected instance does not also give "no instance" at its uses.
  CHECK(errs("class D a where\n  d :: a -> Int\ninstance D a where\n  d _ = 1\nx = d True") ==
        std::vector<std::string>{"E0240@4:12"});
}

TEST_CASE("record literals are checked field by field", "[types][errors]") {
  auto errs = [](const std::string& body) { return checkSource("module T where\n" + body + "\n").errors; };
  CHECK(errs("p :: { name :: String, age :: Int }\np = { name = \"A\", age = \"3\" }") ==
        std::vector<std::string>{"E0201@3:25"});
  CHECK(errs("p = { a = 1, b = 2, a = 3 }") == std::vector<std::string>{"E0234@2:21"});
  CHECK(errs("f :: { name :: String } -> String\nf r = r { nmae = \"x\" }.name") == std::vector<std::string>{"E0221@3:11"});
}

TEST_CASE("a binding with a constraint on a compound type is generalised", "[types]") {
  CHECK(typeOf("pal xs = reverse xs == xs", "pal") == "Eq a => [a] -> Bool");
}
