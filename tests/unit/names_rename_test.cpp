// The renamer: scopes, unique names, fixity re-association, and its errors.
#include <catch2/catch.hpp>

#include "names/names.hpp"
#include "syntax/parser.hpp"
#include "weir/paths.hpp"

using namespace weir;

namespace {

struct Renamed {
  std::optional<names::Program> prog;
  std::vector<std::string> errors;
  std::vector<std::string> hints;
};

Renamed renameSource(const std::string& src) {
  static SourceManager* keep = nullptr;  // the AST points into the sources; keep them alive
  auto* sm = new SourceManager();
  keep = sm;
  FileId f = sm->add("/virtual/Main.weir", src);
  DiagnosticEngine diags(*sm);
  names::Options opts;
  opts.searchPath.push_back(WEIR_BUILD_STDLIB_DIR);
  Renamed r;
  r.prog = names::loadAndRename(*sm, f, opts, diags);
  for (auto& d : diags.all()) {
    LineCol lc = sm->get(d.span.file).lineCol(d.span.begin);
    r.errors.push_back(d.code + "@" + std::to_string(lc.line) + ":" + std::to_string(lc.col));
    r.hints.push_back(d.hint);
  }
  return r;
}

// Prints an expression after renaming as fully parenthesised prefix applications.
std::string show(const ast::ExprPtr& e) {
  switch (e->kind) {
    case ast::Expr::Var:
    case ast::Expr::Con: return names::displayName(e->name);
    case ast::Expr::Lit: return e->lit.kind == ast::Literal::Int ? std::to_string(e->lit.i) : "lit";
    case ast::Expr::App: {
      std::string s = "(" + show(e->args[0]);
      for (size_t i = 1; i < e->args.size(); ++i) s += " " + show(e->args[i]);
      return s + ")";
    }
    default: return "?";
  }
}

std::string rhsOf(const names::Program& p, const std::string& name) {
  for (auto& d : p.decls)
    if (d->kind == ast::Decl::Clause && d->name == "Main." + name) return show(d->rhs.plain);
  return "<none>";
}

}  // namespace

TEST_CASE("operator chains are re-associated by fixity", "[names]") {
  auto r = renameSource("module Main where\nx = 1 + 2 * 3 - 4\ny = 2 ^ 3 ^ 2\nz = - 2 * 3\n");
  REQUIRE(r.prog);
  CHECK(rhsOf(*r.prog, "x") == "(- (+ 1 (* 2 3)) 4)");
  CHECK(rhsOf(*r.prog, "y") == "(^ 2 (^ 3 2))");
  CHECK(rhsOf(*r.prog, "z") == "(negate (* 2 3))");
}

TEST_CASE("user fixity declarations are honoured", "[names]") {
  auto r = renameSource("module Main where\ninfixr 5 +++\n(+++) :: Int -> Int -> Int\na +++ b = a\nx = 1 +++ 2 +++ 3\n");
  REQUIRE(r.prog);
  CHECK(rhsOf(*r.prog, "x") == "(+++ 1 (+++ 2 3))");
}

TEST_CASE("names resolve to unique names", "[names]") {
  auto r = renameSource("module Main where\nf x = let y = x in map (\\x -> x) [y]\n");
  REQUIRE(r.prog);
  bool found = false;
  for (auto& d : r.prog->decls)
    if (d->kind == ast::Decl::Clause && d->name == "Main.f") {
      found = true;
      CHECK(names::isLocalName(d->pats[0]->name));
    }
  CHECK(found);
}

TEST_CASE("unknown names get a suggestion", "[names][errors]") {
  auto r = renameSource("module Main where\nx = lenght [1]\n");
  REQUIRE(r.errors == std::vector<std::string>{"E0100@2:5"});
  CHECK(r.hints[0] == "did you mean `length`?");
}

TEST_CASE("mixing non-associative operators is an error", "[names][errors]") {
  auto r = renameSource("module Main where\nx = 1 == 2 == 3\n");
  CHECK(r.errors == std::vector<std::string>{"E0114@2:12"});
}

TEST_CASE("duplicate definitions and duplicate pattern variables", "[names][errors]") {
  CHECK(renameSource("module Main where\nf = 1\ng = 2\nf = 3\n").errors == std::vector<std::string>{"E0109@4:1"});
  CHECK(renameSource("module Main where\nf (x, x) = x\n").errors == std::vector<std::string>{"E0103@2:7"});
}

TEST_CASE("missing modules are reported at the import", "[names][errors]") {
  CHECK(renameSource("module Main where\nimport Data.Nope\nx = 1\n").errors == std::vector<std::string>{"E0106@2:1"});
}

TEST_CASE("a second fixity declaration for an operator is an error", "[names][errors]") {
  auto r = renameSource("module Main where\ninfixl 6 |+|\ninfixr 6 |+|\n(|+|) :: Int -> Int -> Int\na |+| b = a + b\n");
  CHECK(r.errors == std::vector<std::string>{"E0109@3:10"});
}

TEST_CASE("did you mean: transpositions are one edit, far names are not suggested", "[names][errors]") {
  auto r = renameSource("module Main where\nx = lenght [1]\n");
  REQUIRE(r.errors == std::vector<std::string>{"E0100@2:5"});
  CHECK(r.hints[0] == "did you mean `length`?");
  auto far = renameSource("module Main where\nx = base\n");
  REQUIRE(far.errors == std::vector<std::string>{"E0100@2:5"});
  CHECK(far.hints[0].empty());  // not `False`
}

TEST_CASE("a module may re-export names it imports", "[names]") {
  auto r = renameSource("module Main where\nimport Control.Monad (forM_, when)\nmain = forM_ [1] print\n");
  CHECK(r.errors.empty());
  // A failed import's placeholder does not make the Prelude's name ambiguous.
  auto f = renameSource("module Main where\nimport Data.List (forM_)\nmain = forM_ [1] print\n");
  CHECK(f.errors == std::vector<std::string>{"E0111@2:19"});
}

TEST_CASE("an unknown class in an instance is reported once, at the class name", "[names][errors]") {
  auto r = renameSource("module Main where\ndata C = R\ninstance Shwo C where\n  show R = \"r\"\n");
  REQUIRE(r.errors == std::vector<std::string>{"E0105@3:10"});
  CHECK(r.hints[0] == "did you mean `Show`?");
}

TEST_CASE("a name hidden by an import says so", "[names][errors]") {
  auto r = renameSource("module Main where\nimport Prelude hiding (map)\nx = map negate [1]\n");
  REQUIRE(r.errors == std::vector<std::string>{"E0100@3:5"});
  CHECK(r.hints[0] == "define `map` yourself, or remove it from the `hiding` list");
}
