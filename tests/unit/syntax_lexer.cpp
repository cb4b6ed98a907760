// Lexer tests: every literal form, escapes, comments, operators, qualified names, errors.
#include <catch2/catch.hpp>

#include "diag/codes.hpp"
#include "syntax/internal.hpp"
#include "syntax/parser.hpp"
#include "syntax_support.hpp"

using namespace weir;
using namespace weir::syntax;

namespace {

struct Lexed {
  SourceManager sm;
  DiagnosticEngine diags{sm};
  FileId id = 0;
  std::vector<Token> toks;
  explicit Lexed(std::string src) {
    id = sm.add("t.weir", std::move(src));
    toks = lex(sm.get(id), id, diags);
  }
  // "Kind text" of each token except End, space separated
  std::string kinds() const {
    std::string o;
    for (auto& t : toks) {
      if (t.kind == Tok::End) break;
      if (!o.empty()) o += " ";
      switch (t.kind) {
        case Tok::VarId: case Tok::ConId: case Tok::QVarId: case Tok::QConId: case Tok::VarSym: case Tok::ConSym:
        case Tok::QVarSym: case Tok::Integer: case Tok::Float: case Tok::Hole: case Tok::InterpString:
          o += std::string(tokName(t.kind)) + ":" + t.text;
          break;
        default: o += tokSpelling(t.kind);
      }
    }
    return o;
  }
  std::vector<std::string> errors() const { return weir::test::codesAt(sm, id, diags); }
};

}  // namespace

TEST_CASE("lexer: identifiers, primes, keywords", "[syntax][lexer]") {
  Lexed l("foo x' _y Just where let in case of if then else do forall");
  CHECK(l.kinds() ==
        "VarId:foo VarId:x' VarId:_y ConId:Just where let in case of if then else "
        "do forall");
  CHECK(l.diags.all().empty());
}

TEST_CASE("lexer: qualified names", "[syntax][lexer]") {
  Lexed l("Data.Map.insert Map.Map Map.! Json.decode M.x'");
  CHECK(l.kinds() == "QVarId:Data.Map.insert QConId:Map.Map QVarSym:Map.! QVarId:Json.decode QVarId:M.x'");
}

TEST_CASE("lexer: operators and reserved operators", "[syntax][lexer]") {
  Lexed l("+ <> >>= .. : :: = \\ | <- -> @ ~ => - :| --> |+|");
  CHECK(l.kinds() ==
        "VarSym:+ VarSym:<> VarSym:>>= .. : :: = \\ | <- -> @ ~ => - ConSym::| "
        "VarSym:--> VarSym:|+|");
}

TEST_CASE("lexer: comments, nested block comments, `-->` is an operator", "[syntax][lexer]") {
  Lexed l("a -- comment\nb {- x {- nested -} y -} c --- dashes\nd --> e");
  CHECK(l.kinds() == "VarId:a VarId:b VarId:c VarId:d VarSym:--> VarId:e");
  CHECK(l.diags.all().empty());
}

TEST_CASE("lexer: doc comments attach to the next token", "[syntax][lexer]") {
  Lexed l("-- | The answer.\n-- More text.\nanswer = 42\n-- plain\nother = 1");
  REQUIRE(l.toks.size() >= 4);
  CHECK(l.toks[0].doc == "The answer.\nMore text.");
  CHECK(l.toks[3].doc.empty());
}

TEST_CASE("lexer: integer literals in every base", "[syntax][lexer]") {
  Lexed l("42 1_000_000 0x2A 0o52 0b1010 0xFFFFFFFFFFFFFFFF");
  REQUIRE(l.toks.size() == 7);
  CHECK(l.toks[0].intValue == 42);
  CHECK(l.toks[1].intValue == 1000000);
  CHECK(l.toks[2].intValue == 42);
  CHECK(l.toks[3].intValue == 42);
  CHECK(l.toks[4].intValue == 10);
  CHECK(l.toks[5].intValue == -1);
  CHECK(l.diags.all().empty());
}

TEST_CASE("lexer: float literals", "[syntax][lexer]") {
  Lexed l("1.5 1e-3 2.0e10 3E+2");
  REQUIRE(l.toks.size() == 5);
  for (int i = 0; i < 4; ++i) CHECK(l.toks[i].kind == Tok::Float);
  CHECK(l.toks[0].floatValue == 1.5);
  CHECK(l.toks[1].floatValue == Approx(0.001));
  CHECK(l.toks[2].floatValue == 2.0e10);
  CHECK(l.toks[3].floatValue == 300.0);
}

TEST_CASE("lexer: range dots after an integer are not a float", "[syntax][lexer]") {
  Lexed l("[1..10]");
  CHECK(l.kinds() == "[ Integer:1 .. Integer:10 ]");
}

TEST_CASE("lexer: character literals", "[syntax][lexer]") {
  Lexed l("'a' '\\n' '\\x41' '\\u{1F600}' '\\'' 'é'");
  REQUIRE(l.toks.size() == 7);
  CHECK(l.toks[0].charValue == 'a');
  CHECK(l.toks[1].charValue == '\n');
  CHECK(l.toks[2].charValue == 0x41);
  CHECK(l.toks[3].charValue == 0x1F600);
  CHECK(l.toks[4].charValue == '\'');
  CHECK(l.toks[5].charValue == 0xE9);
  CHECK(l.diags.all().empty());
}

TEST_CASE("lexer: string escapes", "[syntax][lexer]") {
  Lexed l("\"a\\nb\\t\\\\\\\"\\x41\\u{2603}\\$\"");
  REQUIRE(l.toks.size() == 2);
  CHECK(l.toks[0].kind == Tok::String);
  CHECK(l.toks[0].text == "a\nb\t\\\"A\xE2\x98\x83$");
  CHECK(l.diags.all().empty());
}

TEST_CASE("lexer: UTF-8 in strings is kept", "[syntax][lexer]") {
  Lexed l("\"héllo ☃\"");
  CHECK(l.toks[0].text == "héllo ☃");
}

TEST_CASE("lexer: interpolated string keeps its raw text", "[syntax][lexer]") {
  Lexed l("\"speed ${show t.speed} km/h\"");
  REQUIRE(l.toks.size() == 2);
  CHECK(l.toks[0].kind == Tok::InterpString);
  CHECK(l.toks[0].text == "speed ${show t.speed} km/h");
}

TEST_CASE("lexer: interpolation with a nested string and braces", "[syntax][lexer]") {
  Lexed l("\"a ${f \"}\" {x = 1}} b\" c");
  CHECK(l.kinds() == "InterpString:a ${f \"}\" {x = 1}} b VarId:c");
  CHECK(l.diags.all().empty());
}

TEST_CASE("lexer: bytes literal", "[syntax][lexer]") {
  Lexed l("b\"\\x01raw\\xff\"");
  REQUIRE(l.toks.size() == 2);
  CHECK(l.toks[0].kind == Tok::Bytes);
  CHECK(l.toks[0].text == std::string("\x01raw\xff"));
}

TEST_CASE("lexer: typed holes and backquotes", "[syntax][lexer]") {
  Lexed l("?name a `div` b x ?? y");
  CHECK(l.kinds() == "Hole:name VarId:a ` VarId:div ` VarId:b VarId:x VarSym:?? VarId:y");
}

TEST_CASE("lexer: record access vs composition", "[syntax][lexer]") {
  Lexed l("t.speed a.b.c f . g (f x).y r.x' Map.lookup f.g");
  CHECK(l.kinds() ==
        "VarId:t . VarId:speed VarId:a . VarId:b . VarId:c VarId:f VarSym:. VarId:g ( VarId:f VarId:x "
        ") . VarId:y VarId:r . VarId:x' QVarId:Map.lookup VarId:f . VarId:g");
}

TEST_CASE("lexer: spaceBefore and positions", "[syntax][lexer]") {
  Lexed l("f (x)\n  y");
  REQUIRE(l.toks.size() == 6);
  CHECK(l.toks[0].spaceBefore);
  CHECK(l.toks[1].spaceBefore);
  CHECK_FALSE(l.toks[2].spaceBefore);
  CHECK_FALSE(l.toks[3].spaceBefore);
  CHECK(l.toks[4].line == 2);
  CHECK(l.toks[4].col == 3);
  CHECK(l.toks[4].span.begin == 8);
  CHECK(l.toks[4].span.end == 9);
}

TEST_CASE("lexer: minus is its own token", "[syntax][lexer]") {
  Lexed l("a - 1 -x");
  CHECK(l.kinds() == "VarId:a - Integer:1 - VarId:x");
}

TEST_CASE("lexer: binary syntax tokens", "[syntax][lexer]") {
  Lexed l("<<id:16/big, t:32/float-little, \"OK\">>");
  CHECK(l.kinds() ==
        "VarSym:<< VarId:id : Integer:16 VarSym:/ VarId:big , VarId:t : Integer:32 VarSym:/ VarId:float - "
        "VarId:little , String VarSym:>>");
}

TEST_CASE("lexer error: unterminated string", "[syntax][lexer][errors]") {
  Lexed l("x = \"abc\ny = 1");
  CHECK(l.errors() == std::vector<std::string>{"E0002@1:5"});
  CHECK(l.kinds() == "VarId:x = String VarId:y = Integer:1");
}

TEST_CASE("lexer error: unterminated block comment", "[syntax][lexer][errors]") {
  Lexed l("x = 1\n{- open {- inner -}\ny = 2");
  CHECK(l.errors() == std::vector<std::string>{"E0003@2:1"});
}

TEST_CASE("lexer error: invalid escapes", "[syntax][lexer][errors]") {
  Lexed l("\"a\\qb\" '\\z' \"\\u{D800}\" \"\\u{110000}\" \"\\xg\"");
  CHECK(l.errors() == std::vector<std::string>{"E0004@1:3", "E0004@1:9", "E0004@1:14", "E0004@1:25", "E0004@1:38"});
}

TEST_CASE("lexer error: invalid character continues lexing", "[syntax][lexer][errors]") {
  Lexed l("a § b\nc ‘d’");
  CHECK(l.errors() == std::vector<std::string>{"E0001@1:3", "E0001@2:3", "E0001@2:5"});
  CHECK(l.kinds() == "VarId:a VarId:b VarId:c VarId:d");
}

TEST_CASE("lexer error: malformed numbers", "[syntax][lexer][errors]") {
  Lexed l("0b102 0x 0o9 12abc 1e");
  CHECK(l.errors() == std::vector<std::string>{"E0005@1:1", "E0005@1:7", "E0005@1:10", "E0005@1:14", "E0005@1:20"});
}

TEST_CASE("lexer error: integer overflow", "[syntax][lexer][errors]") {
  Lexed l("0xFFFFFFFFFFFFFFFF 18446744073709551616 0x1FFFFFFFFFFFFFFFF");
  CHECK(l.errors() == std::vector<std::string>{"E0006@1:20", "E0006@1:41"});
  // Int is signed: a decimal literal above 2^63 - 1 is too large; 2^63 only right after `-`.
  CHECK(Lexed("18446744073709551615 9223372036854775808").errors() == std::vector<std::string>{"E0006@1:1", "E0006@1:22"});
  CHECK(Lexed("9223372036854775807 -9223372036854775808").errors().empty());
}

TEST_CASE("lexer error: bad character literals", "[syntax][lexer][errors]") {
  Lexed l("'' 'ab' 'c");
  CHECK(l.errors() == std::vector<std::string>{"E0007@1:1", "E0007@1:4", "E0007@1:9"});
}

TEST_CASE("lexer error: unterminated interpolation", "[syntax][lexer][errors]") {
  Lexed l("\"a ${x\"\nb");
  CHECK(l.errors() == std::vector<std::string>{"E0008@1:4"});
}

TEST_CASE("lexer error: tab in indentation is reported once", "[syntax][lexer][errors]") {
  Lexed l("f = do\n\tx\n\ty");
  CHECK(l.errors() == std::vector<std::string>{"E0009@2:1"});
}

TEST_CASE("dumpTokens: one token per line", "[syntax][lexer]") {
  Lexed l("f x = 42");
  CHECK(dumpTokens(l.toks) == "1:1 VarId f\n1:3 VarId x\n1:5 Equals =\n1:7 Integer 42\n1:9 End\n");
}

TEST_CASE("every syntax error code is documented", "[syntax][codes]") {
  auto codes = syntaxCodes();
  CHECK(codes.size() >= 20);
  for (auto& c : codes) {
    CHECK(c.code.substr(0, 3) == "E00");
    CHECK(!c.title.empty());
    CHECK(c.explanation.size() > 40);
  }
}
